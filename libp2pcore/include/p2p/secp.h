/*
 * secp.h - secp256k1 keys, ECDH and signatures as devp2p uses them, on one
 * shared, randomised libsecp256k1 context.
 *
 * Public keys travel as 64 bytes X || Y (no 0x04 prefix).  ECDH returns the
 * raw 32-byte X coordinate of the shared point (devp2p needs that, not
 * libsecp256k1's default SHA-256 of the point).  Signatures are 65 bytes
 * r || s || v with v in {0, 1}.  Secret intermediates are wiped on every
 * path; keys in caller memory are the caller's to wipe (p2p_wipe).
 */
#ifndef P2P_SECP_H
#define P2P_SECP_H

#include <p2p/p2p.h>

#define P2P_PRIVKEY_LEN 32
#define P2P_PUBKEY_LEN 64
#define P2P_PUBKEY_COMPRESSED_LEN 33
#define P2P_SIG_LEN 65

struct p2p_privkey {
	uint8_t b[P2P_PRIVKEY_LEN];
};

struct p2p_pubkey {
	uint8_t b[P2P_PUBKEY_LEN];
};

/*
 * Creates a new private key from getrandom(2).
 * Returns: 0; P2P_ERANDOM if the kernel gives no randomness.
 */
int p2p_secp_keygen(struct p2p_privkey *key);

/* Returns: 0 if key is a valid scalar (0 < key < n), else P2P_EPRIVKEY. */
int p2p_secp_privkey_check(const struct p2p_privkey *key);

/* Returns: 0; P2P_EPRIVKEY.  Out: pub: the public key of key. */
int p2p_secp_pubkey(struct p2p_pubkey *pub, const struct p2p_privkey *key);

/*
 * Parses a public key given as 64 bytes X||Y, 65 bytes 04||X||Y or 33 bytes
 * compressed, checking that the point is on the curve.
 * Returns: 0; P2P_EIDLEN for another length; P2P_EPUBKEY if not a point.
 */
int p2p_secp_pubkey_parse(struct p2p_pubkey *pub, const uint8_t *in,
    size_t len);

/* Returns: 0; P2P_EPUBKEY.  Out: out: the 33-byte compressed form. */
int p2p_secp_pubkey_compress(uint8_t out[static 33],
    const struct p2p_pubkey *pub);

/*
 * ECDH: x coordinate of key * pub.
 * Returns: 0; P2P_EPUBKEY; P2P_EPRIVKEY.
 */
int p2p_secp_ecdh(uint8_t out[static 32], const struct p2p_pubkey *pub,
    const struct p2p_privkey *key);

/*
 * Recoverable signature over a 32-byte hash (RFC 6979 nonce, low s).
 * Returns: 0; P2P_EPRIVKEY.  Out: sig: r || s || v.
 */
int p2p_secp_sign(uint8_t sig[static 65], const uint8_t hash[static 32],
    const struct p2p_privkey *key);

/*
 * Recovers the signer's public key.
 * Returns: 0; P2P_ESIG if v > 1 or r/s are invalid or recovery fails.
 */
int p2p_secp_recover(struct p2p_pubkey *pub, const uint8_t sig[static 65],
    const uint8_t hash[static 32]);

/*
 * Verifies a 64-byte r || s signature (high s is rejected, as
 * go-ethereum's VerifySignature does).
 * Returns: 0 if valid; P2P_ESIG otherwise.
 */
int p2p_secp_verify(const uint8_t sig[static 64],
    const uint8_t hash[static 32], const struct p2p_pubkey *pub);

#endif
