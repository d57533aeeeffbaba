/*
 * hex.h - strict hex parsing and lowercase formatting.
 *
 * Input from users and the network is parsed exactly: an optional "0x"/"0X"
 * prefix, an even number of [0-9a-fA-F] digits, nothing else (no spaces, no
 * trailing newline).  Callers strip line endings themselves.
 */
#ifndef P2P_HEX_H
#define P2P_HEX_H

#include <p2p/p2p.h>

/*
 * Decodes hex text of any (even) length.
 * Returns: 0; P2P_EHEXLEN for an odd digit count; P2P_EHEX for a non-hex
 *          character; P2P_ETOOBIG if *outlen is too small, with *outlen set
 *          to the size needed.
 * Out:     out:    the bytes (may be NULL when *outlen is 0, to ask the size).
 * In/Out:  outlen: in, the capacity of out; out, the number of bytes.
 * In:      hex, hexlen: the text (need not be NUL-terminated).
 */
int p2p_hex_decode(uint8_t *out, size_t *outlen, const char *hex,
    size_t hexlen);

/*
 * Decodes hex text that must encode exactly len bytes.
 * Returns: 0; P2P_EHEXLEN if it encodes any other length (or is odd);
 *          P2P_EHEX for a non-hex character.  out is untouched on error.
 */
int p2p_hex_decode_exact(uint8_t *out, size_t len, const char *hex,
    size_t hexlen);

/*
 * Formats len bytes as lowercase hex without prefix and NUL-terminates.
 * Out: out: at least 2 * len + 1 chars.
 */
void p2p_hex_encode(char *out, const uint8_t *in, size_t len);

#endif
