/*
 * base64.h - base64url without padding (RFC 4648 section 5), as ENR text
 * uses it.  Internal to libp2pcore.
 */
#ifndef P2P_BASE64_H
#define P2P_BASE64_H

#include <p2p/p2p.h>

/* Encoded length of n bytes (no padding, no NUL). */
size_t p2pi_base64url_len(size_t n);

/* Writes the text and a NUL; out needs p2pi_base64url_len(n) + 1. */
void p2pi_base64url_encode(char *out, const uint8_t *in, size_t n);

/*
 * Decodes unpadded base64url; '=' and any character outside the alphabet
 * are refused, as is a length of 1 mod 4.
 * Returns: 0; P2P_EBASE64; P2P_ETOOBIG (*outlen = size needed).
 */
int p2pi_base64url_decode(uint8_t *out, size_t *outlen, const char *in,
    size_t len);

#endif
