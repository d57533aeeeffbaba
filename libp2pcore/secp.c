/*
 * secp.c - secp256k1 keys, raw-x ECDH and recoverable signatures on one
 * shared, randomised libsecp256k1 context.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>

#include <p2p/secp.h>

#include "internal.h"

static secp256k1_context *ctx;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

int
p2pi_random(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return P2P_ERANDOM;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
ctx_create(void)
{
	uint8_t seed[32];

	ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN |
	    SECP256K1_CONTEXT_VERIFY);
	if (ctx == NULL)
		abort();
	/* Blinding against side channels; without randomness the context
	 * still works, only unblinded. */
	if (p2pi_random(seed, sizeof(seed)) == 0 &&
	    !secp256k1_context_randomize(ctx, seed))
		abort();
	p2p_wipe(seed, sizeof(seed));
}

const struct secp256k1_context_struct *
p2pi_secp_ctx(void)
{
	pthread_once(&ctx_once, ctx_create);
	return ctx;
}

static const secp256k1_context *
C(void)
{
	return p2pi_secp_ctx();
}

int
p2p_secp_privkey_check(const struct p2p_privkey *key)
{
	return secp256k1_ec_seckey_verify(C(), key->b) ? 0 : P2P_EPRIVKEY;
}

int
p2p_secp_keygen(struct p2p_privkey *key)
{
	do {
		if (p2pi_random(key->b, sizeof(key->b)) != 0) {
			p2p_wipe(key, sizeof(*key));
			return P2P_ERANDOM;
		}
	} while (p2p_secp_privkey_check(key) != 0);
	return 0;
}

static void
serialize(struct p2p_pubkey *pub, const secp256k1_pubkey *pk)
{
	uint8_t buf[65];
	size_t n = sizeof(buf);

	secp256k1_ec_pubkey_serialize(C(), buf, &n, pk,
	    SECP256K1_EC_UNCOMPRESSED);
	memcpy(pub->b, buf + 1, 64);
}

/* The library form of a 64-byte key; 0 or P2P_EPUBKEY. */
static int
to_lib(secp256k1_pubkey *pk, const struct p2p_pubkey *pub)
{
	uint8_t buf[65];

	buf[0] = 0x04;
	memcpy(buf + 1, pub->b, 64);
	return secp256k1_ec_pubkey_parse(C(), pk, buf, sizeof(buf)) ? 0 :
	    P2P_EPUBKEY;
}

int
p2p_secp_pubkey(struct p2p_pubkey *pub, const struct p2p_privkey *key)
{
	secp256k1_pubkey pk;

	if (!secp256k1_ec_pubkey_create(C(), &pk, key->b))
		return P2P_EPRIVKEY;
	serialize(pub, &pk);
	return 0;
}

int
p2p_secp_pubkey_parse(struct p2p_pubkey *pub, const uint8_t *in, size_t len)
{
	secp256k1_pubkey pk;
	uint8_t buf[65];

	if (len == 64) {
		buf[0] = 0x04;
		memcpy(buf + 1, in, 64);
		in = buf;
		len = 65;
	} else if (len != 65 && len != 33) {
		return P2P_EIDLEN;
	}
	/* 65 bytes must be 04||X||Y: hybrid 06/07 forms are not devp2p's. */
	if ((len == 65 && in[0] != 0x04) ||
	    !secp256k1_ec_pubkey_parse(C(), &pk, in, len))
		return P2P_EPUBKEY;
	serialize(pub, &pk);
	return 0;
}

int
p2p_secp_pubkey_compress(uint8_t out[static 33], const struct p2p_pubkey *pub)
{
	secp256k1_pubkey pk;
	size_t n = 33;

	if (to_lib(&pk, pub) != 0)
		return P2P_EPUBKEY;
	secp256k1_ec_pubkey_serialize(C(), out, &n, &pk,
	    SECP256K1_EC_COMPRESSED);
	return 0;
}

/* devp2p wants the shared point's x coordinate itself. */
static int
copy_x(unsigned char *out, const unsigned char *x, const unsigned char *y,
    void *data)
{
	(void)y;
	(void)data;
	memcpy(out, x, 32);
	return 1;
}

int
p2p_secp_ecdh(uint8_t out[static 32], const struct p2p_pubkey *pub,
    const struct p2p_privkey *key)
{
	secp256k1_pubkey pk;

	if (to_lib(&pk, pub) != 0)
		return P2P_EPUBKEY;
	if (!secp256k1_ecdh(C(), out, &pk, key->b, copy_x, NULL)) {
		p2p_wipe(out, 32);
		return P2P_EPRIVKEY;
	}
	return 0;
}

int
p2p_secp_sign(uint8_t sig[static 65], const uint8_t hash[static 32],
    const struct p2p_privkey *key)
{
	secp256k1_ecdsa_recoverable_signature rs;
	int v;

	if (!secp256k1_ecdsa_sign_recoverable(C(), &rs, hash, key->b, NULL,
	    NULL))
		return P2P_EPRIVKEY;
	secp256k1_ecdsa_recoverable_signature_serialize_compact(C(), sig, &v,
	    &rs);
	sig[64] = (uint8_t)v;
	return 0;
}

int
p2p_secp_recover(struct p2p_pubkey *pub, const uint8_t sig[static 65],
    const uint8_t hash[static 32])
{
	secp256k1_ecdsa_recoverable_signature rs;
	secp256k1_pubkey pk;

	if (sig[64] > 1 ||
	    !secp256k1_ecdsa_recoverable_signature_parse_compact(C(), &rs, sig,
	    sig[64]) || !secp256k1_ecdsa_recover(C(), &pk, &rs, hash))
		return P2P_ESIG;
	serialize(pub, &pk);
	return 0;
}

int
p2p_secp_verify(const uint8_t sig[static 64], const uint8_t hash[static 32],
    const struct p2p_pubkey *pub)
{
	secp256k1_ecdsa_signature s;
	secp256k1_pubkey pk;

	if (to_lib(&pk, pub) != 0 ||
	    !secp256k1_ecdsa_signature_parse_compact(C(), &s, sig))
		return P2P_ESIG;
	/* secp256k1_ecdsa_verify refuses high s, as go-ethereum does. */
	return secp256k1_ecdsa_verify(C(), &s, hash, &pk) ? 0 : P2P_ESIG;
}
