/*
 * ecies.h - devp2p's ECIES (rlpx.md): an ephemeral secp256k1 key, raw-x
 * ECDH, the NIST SP 800-56 concatenation KDF with SHA-256, AES-128-CTR and
 * HMAC-SHA256 over IV || ciphertext || shared MAC data.
 *
 * Wire form: 0x04 || R (64) || IV (16) || ciphertext || tag (32).
 */
#ifndef P2P_ECIES_H
#define P2P_ECIES_H

#include <p2p/p2p.h>
#include <p2p/secp.h>

/* Bytes ECIES adds to a message. */
#define P2P_ECIES_OVERHEAD (65 + 16 + 32)

/*
 * Concatenation KDF (SHA-256, empty shared info s1): out = SHA256(1 || z)
 * || SHA256(2 || z) ..., counters 32-bit big-endian, truncated to outlen.
 */
void p2p_ecies_kdf(uint8_t *out, size_t outlen, const uint8_t *z,
    size_t zlen);

/*
 * Encrypts msg to the holder of to.
 * Returns: 0; P2P_ETOOBIG (*outlen = size needed: msglen + overhead);
 *          P2P_EPUBKEY; P2P_ERANDOM; P2P_ECRYPTO.
 * Out:     out, outlen.
 * In:      s2, s2len: shared MAC data authenticated but not sent (EIP-8
 *          puts the 2-byte size prefix here); may be NULL, 0.
 */
int p2p_ecies_encrypt(uint8_t *out, size_t *outlen,
    const struct p2p_pubkey *to, const uint8_t *msg, size_t msglen,
    const uint8_t *s2, size_t s2len);

/*
 * Decrypts ct with key.  The ephemeral point is checked before any ECDH and
 * the tag (constant-time compare) before any decryption.
 * Returns: 0; P2P_ETRUNCATED (shorter than the overhead); P2P_EPUBKEY
 *          (R not on the curve); P2P_EMAC; P2P_ETOOBIG (*outlen = size
 *          needed); P2P_ECRYPTO.
 */
int p2p_ecies_decrypt(uint8_t *out, size_t *outlen,
    const struct p2p_privkey *key, const uint8_t *ct, size_t ctlen,
    const uint8_t *s2, size_t s2len);

#endif
