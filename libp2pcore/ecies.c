/*
 * ecies.c - devp2p's ECIES on libsecp256k1 and OpenSSL's SHA-256, HMAC and
 * AES-128-CTR.  Every key-derived buffer is wiped on every path.
 */
#include <string.h>

#include <pthread.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <p2p/ecies.h>

#include "internal.h"

void
p2p_ecies_kdf(uint8_t *out, size_t outlen, const uint8_t *z, size_t zlen)
{
	uint8_t block[SHA256_DIGEST_LENGTH];
	uint32_t ctr = 1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	while (outlen > 0) {
		uint8_t be[4] = { ctr >> 24, ctr >> 16, ctr >> 8, ctr };
		size_t n = outlen < sizeof(block) ? outlen : sizeof(block);

		EVP_DigestInit_ex(md, EVP_sha256(), NULL);
		EVP_DigestUpdate(md, be, 4);
		EVP_DigestUpdate(md, z, zlen);
		EVP_DigestFinal_ex(md, block, NULL);
		memcpy(out, block, n);
		out += n;
		outlen -= n;
		ctr++;
	}
	EVP_MD_CTX_free(md);
	p2p_wipe(block, sizeof(block));
}

/* ke (AES key) and km (HMAC key = SHA256 of the KDF's second half). */
struct keys {
	uint8_t ke[16];
	uint8_t km[32];
};

static int
derive(struct keys *k, const struct p2p_pubkey *pub,
    const struct p2p_privkey *priv)
{
	uint8_t z[32], kdf[32];
	int rc;

	if ((rc = p2p_secp_ecdh(z, pub, priv)) != 0)
		return rc;
	p2p_ecies_kdf(kdf, sizeof(kdf), z, sizeof(z));
	memcpy(k->ke, kdf, 16);
	SHA256(kdf + 16, 16, k->km);
	p2p_wipe(z, sizeof(z));
	p2p_wipe(kdf, sizeof(kdf));
	return 0;
}

static int
aes_ctr(uint8_t *out, const uint8_t *in, size_t n, const uint8_t key[16],
    const uint8_t iv[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len, ok;

	ok = c != NULL && n <= INT32_MAX &&
	    EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) &&
	    EVP_EncryptUpdate(c, out, &len, in, (int)n);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : P2P_ECRYPTO;
}

static EVP_MAC *hmac;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void
hmac_fetch(void)
{
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static int
tag(uint8_t out[32], const uint8_t km[32], const uint8_t *ivc, size_t n,
    const uint8_t *s2, size_t s2len)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		    (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *h;
	size_t len;
	int ok;

	pthread_once(&hmac_once, hmac_fetch);
	h = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
	ok = h != NULL && EVP_MAC_init(h, km, 32, params) &&
	    EVP_MAC_update(h, ivc, n) && (s2len == 0 ||
	    EVP_MAC_update(h, s2, s2len)) && EVP_MAC_final(h, out, &len, 32);
	EVP_MAC_CTX_free(h);
	return ok ? 0 : P2P_ECRYPTO;
}

int
p2p_ecies_encrypt(uint8_t *out, size_t *outlen, const struct p2p_pubkey *to,
    const uint8_t *msg, size_t msglen, const uint8_t *s2, size_t s2len)
{
	struct p2p_privkey r;
	struct p2p_pubkey R;
	struct keys k;
	size_t need = msglen + P2P_ECIES_OVERHEAD;
	int rc;

	if (*outlen < need) {
		*outlen = need;
		return P2P_ETOOBIG;
	}
	if ((rc = p2p_secp_keygen(&r)) != 0)
		return rc;
	if ((rc = derive(&k, to, &r)) == 0 &&
	    (rc = p2p_secp_pubkey(&R, &r)) == 0 &&
	    (rc = p2pi_random(out + 65, 16)) == 0 &&
	    (rc = aes_ctr(out + 81, msg, msglen, k.ke, out + 65)) == 0)
		rc = tag(out + 81 + msglen, k.km, out + 65, 16 + msglen, s2,
		    s2len);
	if (rc == 0) {
		out[0] = 0x04;
		memcpy(out + 1, R.b, 64);
		*outlen = need;
	}
	p2p_wipe(&r, sizeof(r));
	p2p_wipe(&k, sizeof(k));
	return rc;
}

int
p2p_ecies_decrypt(uint8_t *out, size_t *outlen,
    const struct p2p_privkey *key, const uint8_t *ct, size_t ctlen,
    const uint8_t *s2, size_t s2len)
{
	struct p2p_pubkey R;
	struct keys k;
	uint8_t want[32];
	size_t n;
	int rc;

	if (ctlen < P2P_ECIES_OVERHEAD)
		return P2P_ETRUNCATED;
	n = ctlen - P2P_ECIES_OVERHEAD;
	if (*outlen < n) {
		*outlen = n;
		return P2P_ETOOBIG;
	}
	/* An invalid point would leak key bits through ECDH: refuse it
	 * before anything else. */
	if (ct[0] != 0x04 || p2p_secp_pubkey_parse(&R, ct, 65) != 0)
		return P2P_EPUBKEY;
	if ((rc = derive(&k, &R, key)) == 0 &&
	    (rc = tag(want, k.km, ct + 65, 16 + n, s2, s2len)) == 0) {
		if (!p2p_ct_equal(want, ct + 81 + n, 32))
			rc = P2P_EMAC;
		else if ((rc = aes_ctr(out, ct + 81, n, k.ke, ct + 65)) == 0)
			*outlen = n;
	}
	p2p_wipe(&k, sizeof(k));
	return rc;
}
