/* test_secp.c - keys, raw-x ECDH and signatures against the ECIES, RLPx,
 * ENR and discovery vectors. */
#include <stdlib.h>

#include <p2p/hex.h>
#include <p2p/keccak.h>
#include <p2p/secp.h>

#include "unit.h"

static void
key_of(struct p2p_privkey *k, const char *hex)
{
	CHECK_INT(p2p_hex_decode_exact(k->b, 32, hex, strlen(hex)), 0);
}

static const char *
s(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(o, path1);

	if (path2 != NULL)
		v = json_object_get(v, path2);
	return json_string_value(v);
}

static void
test_ecdh_vectors(void)
{
	json_t *j = unit_vectors("ecies.json");
	json_t *st = json_array_get(json_object_get(j, "ecdh_shared_secret"),
	    0);
	json_t *pad = json_array_get(json_object_get(j, "ecdh_shared_secret"),
	    1);
	struct p2p_privkey k1, k2;
	struct p2p_pubkey p1, p2;
	uint8_t sh[32];
	char xy[129];

	key_of(&k1, s(st, "private_key_1", NULL));
	key_of(&k2, s(st, "private_key_2", NULL));
	CHECK_INT(p2p_secp_pubkey(&p1, &k1), 0);
	CHECK_INT(p2p_secp_pubkey(&p2, &k2), 0);
	CHECK_HEX(p1.b, 64, s(st, "derived", "public_key_1"));
	CHECK_HEX(p2.b, 64, s(st, "derived", "public_key_2"));
	CHECK_INT(p2p_secp_ecdh(sh, &p2, &k1), 0);
	CHECK_HEX(sh, 32, s(st, "expected_shared", NULL));
	CHECK_INT(p2p_secp_ecdh(sh, &p1, &k2), 0);
	CHECK_HEX(sh, 32, s(st, "expected_shared", NULL));

	/* Keys with leading zero bytes. */
	key_of(&k1, s(pad, "private_key_0", NULL));
	key_of(&k2, s(pad, "private_key_1", NULL));
	CHECK_INT(p2p_secp_pubkey(&p1, &k1), 0);
	CHECK_INT(p2p_secp_pubkey(&p2, &k2), 0);
	snprintf(xy, sizeof(xy), "%s%s", s(pad, "expected_public_key_0", "x"),
	    s(pad, "expected_public_key_0", "y"));
	CHECK_HEX(p1.b, 64, xy);
	snprintf(xy, sizeof(xy), "%s%s", s(pad, "expected_public_key_1", "x"),
	    s(pad, "expected_public_key_1", "y"));
	CHECK_HEX(p2.b, 64, xy);
	CHECK_INT(p2p_secp_ecdh(sh, &p2, &k1), 0);
	CHECK_HEX(sh, 32, s(pad, "derived", "shared"));
	json_decref(j);
}

static void
test_rlpx_keys(void)
{
	json_t *j = unit_vectors("rlpx-handshake.json");
	json_t *keys = json_object_get(j, "keys");
	json_t *dk = json_object_get(j, "derived_keys");
	static const char *names[][2] = {
		{ "static_key_a", "static_public_key_a" },
		{ "static_key_b", "static_public_key_b" },
		{ "ephemeral_key_a", "ephemeral_public_key_a" },
		{ "ephemeral_key_b", "ephemeral_public_key_b" },
	};
	struct p2p_privkey k[4];
	struct p2p_pubkey p[4];
	uint8_t sh[32];

	for (int i = 0; i < 4; i++) {
		key_of(&k[i], s(keys, names[i][0], NULL));
		CHECK_INT(p2p_secp_pubkey(&p[i], &k[i]), 0);
		CHECK_HEX(p[i].b, 64, s(dk, names[i][1], NULL));
	}
	CHECK_INT(p2p_secp_ecdh(sh, &p[1], &k[0]), 0);
	CHECK_HEX(sh, 32, s(dk, "static_shared_secret", NULL));
	CHECK_INT(p2p_secp_ecdh(sh, &p[3], &k[2]), 0);
	CHECK_HEX(sh, 32, s(dk, "ephemeral_shared_secret", NULL));
	json_decref(j);
}

/* The EIP-778 record's signature verifies against its compressed key. */
static void
test_enr_signature(void)
{
	json_t *j = unit_vectors("enr.json");
	json_t *r = json_array_get(json_object_get(j, "records"), 0);
	json_t *ex = json_object_get(r, "expected");
	struct p2p_privkey k;
	struct p2p_pubkey pub, cpub;
	uint8_t comp[33], hash[32], sig[64], *content;
	size_t n;

	key_of(&k, s(r, "private_key", NULL));
	CHECK_INT(p2p_secp_pubkey(&pub, &k), 0);
	CHECK_INT(p2p_secp_pubkey_compress(comp, &pub), 0);
	CHECK_HEX(comp, 33, s(ex, "secp256k1", NULL));
	CHECK_INT(p2p_secp_pubkey_parse(&cpub, comp, 33), 0);
	CHECK(memcmp(cpub.b, pub.b, 64) == 0);
	content = unit_unhex(s(r, "derived", "signed_content_rlp"), &n);
	p2p_keccak256(hash, content, n);
	CHECK_HEX(hash, 32, s(r, "derived", "signed_digest_keccak256"));
	CHECK_INT(p2p_hex_decode_exact(sig, 64, s(ex, "signature", NULL), 128),
	    0);
	CHECK_INT(p2p_secp_verify(sig, hash, &pub), 0);
	sig[5] ^= 1;
	CHECK_INT(p2p_secp_verify(sig, hash, &pub), P2P_ESIG);
	free(content);
	json_decref(j);
}

/* The signer of go-ethereum's plain ping is the b71c... key. */
static void
test_discv4_recover(void)
{
	json_t *j = unit_vectors("discv4-packets.json"), *v;
	struct p2p_pubkey pub;
	uint8_t hash[32];
	size_t i, n, used = 0;

	json_array_foreach(json_object_get(j, "packets"), i, v) {
		const char *hex = s(v, "packet", NULL);
		uint8_t *p;

		if (hex == NULL)
			continue;
		p = unit_unhex(hex, &n);
		CHECK(n > 98);
		p2p_keccak256(hash, p + 32, n - 32);
		CHECK(memcmp(hash, p, 32) == 0);
		p2p_keccak256(hash, p + 97, n - 97);
		CHECK_INT(p2p_secp_recover(&pub, p + 32, hash), 0);
		CHECK_HEX(pub.b, 64, s(j, "derived_signer", "public_key"));
		free(p);
		used++;
	}
	CHECK(used >= 5);
	json_decref(j);
}

static void
test_sign_recover(void)
{
	struct p2p_privkey k;
	struct p2p_pubkey pub, got;
	uint8_t hash[32], sig[65], bad[65];

	CHECK_INT(p2p_secp_keygen(&k), 0);
	CHECK_INT(p2p_secp_pubkey(&pub, &k), 0);
	p2p_keccak256(hash, "message", 7);
	CHECK_INT(p2p_secp_sign(sig, hash, &k), 0);
	CHECK(sig[64] <= 1);
	CHECK_INT(p2p_secp_recover(&got, sig, hash), 0);
	CHECK(memcmp(got.b, pub.b, 64) == 0);
	CHECK_INT(p2p_secp_verify(sig, hash, &pub), 0);
	memcpy(bad, sig, 65);
	bad[64] = 2;
	CHECK_INT(p2p_secp_recover(&got, bad, hash), P2P_ESIG);
	memset(bad, 0, 64);
	bad[64] = 0;
	CHECK_INT(p2p_secp_recover(&got, bad, hash), P2P_ESIG);
	CHECK_INT(p2p_secp_verify(bad, hash, &pub), P2P_ESIG);
	memset(bad, 0xff, 64);	/* r, s >= n */
	CHECK_INT(p2p_secp_recover(&got, bad, hash), P2P_ESIG);
}

static void
test_invalid_keys(void)
{
	struct p2p_privkey k;
	struct p2p_pubkey pub, good;
	uint8_t buf[65], out[32];

	memset(k.b, 0, 32);
	CHECK_INT(p2p_secp_privkey_check(&k), P2P_EPRIVKEY);
	CHECK_INT(p2p_secp_pubkey(&pub, &k), P2P_EPRIVKEY);
	CHECK_INT(p2p_hex_decode_exact(k.b, 32, "ffffffffffffffffffffffffff"
	    "fffffebaaedce6af48a03bbfd25e8cd0364141", 64), 0);	/* n */
	CHECK_INT(p2p_secp_privkey_check(&k), P2P_EPRIVKEY);
	memset(k.b, 0xff, 32);
	CHECK_INT(p2p_secp_privkey_check(&k), P2P_EPRIVKEY);

	CHECK_INT(p2p_secp_keygen(&k), 0);
	CHECK_INT(p2p_secp_pubkey(&good, &k), 0);
	memcpy(buf + 1, good.b, 64);
	buf[0] = 0x04;
	CHECK_INT(p2p_secp_pubkey_parse(&pub, buf, 65), 0);
	CHECK_INT(p2p_secp_pubkey_parse(&pub, buf + 1, 64), 0);
	CHECK_INT(p2p_secp_pubkey_parse(&pub, buf, 63), P2P_EIDLEN);
	CHECK_INT(p2p_secp_pubkey_parse(&pub, buf, 66), P2P_EIDLEN);
	buf[0] = 0x05;
	CHECK_INT(p2p_secp_pubkey_parse(&pub, buf, 65), P2P_EPUBKEY);
	buf[0] = 0x04;
	buf[64] ^= 1;	/* off the curve */
	CHECK_INT(p2p_secp_pubkey_parse(&pub, buf, 65), P2P_EPUBKEY);
	memcpy(pub.b, buf + 1, 64);
	CHECK_INT(p2p_secp_ecdh(out, &pub, &k), P2P_EPUBKEY);
	CHECK_INT(p2p_secp_pubkey_compress(buf, &pub), P2P_EPUBKEY);
	memset(pub.b, 0, 64);
	CHECK_INT(p2p_secp_ecdh(out, &pub, &k), P2P_EPUBKEY);
}

const struct unit_test unit_secp[] = {
	{ "ecdh_vectors", test_ecdh_vectors },
	{ "rlpx_keys", test_rlpx_keys },
	{ "enr_signature", test_enr_signature },
	{ "discv4_recover", test_discv4_recover },
	{ "sign_recover", test_sign_recover },
	{ "invalid_keys", test_invalid_keys },
	{ NULL, NULL },
};
