/* test_ecies.c - devp2p ECIES against ecies.json (KDF, the raw-x ECDH
 * shared keys, the two EIP-8 decryptions with their intermediates), the
 * negative RLPx packets, and encryption by round trip. */
#include <stdlib.h>

#include <openssl/sha.h>

#include <p2p/ecies.h>
#include <p2p/hex.h>

#include "unit.h"

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
key_of(struct p2p_privkey *k, const char *hex)
{
	CHECK_INT(p2p_hex_decode_exact(k->b, 32, hex, strlen(hex)), 0);
}

static void
test_kdf(void)
{
	json_t *j = unit_vectors("ecies.json"), *v;
	uint8_t out[128];
	size_t i, n, used = 0;

	json_array_foreach(json_object_get(json_object_get(j, "concat_kdf"),
	    "vectors"), i, v) {
		uint8_t *z = unit_unhex(str(v, "z_hex"), &n);
		size_t len = (size_t)json_integer_value(json_object_get(v,
		    "length"));

		CHECK(strcmp(str(v, "s1_hex"), "") == 0);
		CHECK_STR(str(v, "hash"), "sha256");
		CHECK(n == strlen(str(v, "z_ascii")) &&
		    memcmp(z, str(v, "z_ascii"), n) == 0);
		p2p_ecies_kdf(out, len, z, n);
		CHECK_HEX(out, len, str(v, "output"));
		free(z);
		used++;
	}
	CHECK_INT(used, 4);
	json_decref(j);
}

static void
pub_of(struct p2p_pubkey *p, const struct p2p_privkey *k)
{
	CHECK_INT(p2p_secp_pubkey(p, k), 0);
}

/* ECDH is the raw x coordinate, 32 bytes even when it or a key has a
 * leading zero byte. */
static void
test_shared(void)
{
	json_t *j = unit_vectors("ecies.json");
	json_t *st = json_array_get(json_object_get(j, "ecdh_shared_secret"),
	    0);
	json_t *pd = json_array_get(json_object_get(j, "ecdh_shared_secret"),
	    1);
	struct p2p_privkey k1, k2;
	struct p2p_pubkey p1, p2;
	uint8_t z[32];

	CHECK_INT(json_array_size(json_object_get(j, "ecdh_shared_secret")),
	    2);
	CHECK_STR(str(st, "name"), "shared_key_static");
	key_of(&k1, str(st, "private_key_1"));
	key_of(&k2, str(st, "private_key_2"));
	pub_of(&p1, &k1);
	pub_of(&p2, &k2);
	CHECK_HEX(p1.b, 64, str(json_object_get(st, "derived"),
	    "public_key_1"));
	CHECK_HEX(p2.b, 64, str(json_object_get(st, "derived"),
	    "public_key_2"));
	CHECK_INT(p2p_secp_ecdh(z, &p2, &k1), 0);
	CHECK_HEX(z, 32, str(st, "expected_shared"));
	CHECK_INT(p2p_secp_ecdh(z, &p1, &k2), 0);
	CHECK_HEX(z, 32, str(st, "expected_shared"));

	CHECK_STR(str(pd, "name"), "shared_key_padding");
	key_of(&k1, str(pd, "private_key_0"));
	key_of(&k2, str(pd, "private_key_1"));
	CHECK_INT(k2.b[0], 0);
	pub_of(&p1, &k1);
	pub_of(&p2, &k2);
	CHECK_HEX(p1.b, 32, str(json_object_get(pd, "expected_public_key_0"),
	    "x"));
	CHECK_HEX(p1.b + 32, 32, str(json_object_get(pd,
	    "expected_public_key_0"), "y"));
	CHECK_HEX(p2.b, 32, str(json_object_get(pd, "expected_public_key_1"),
	    "x"));
	CHECK_HEX(p2.b + 32, 32, str(json_object_get(pd,
	    "expected_public_key_1"), "y"));
	CHECK_INT(p2p_secp_ecdh(z, &p2, &k1), 0);
	CHECK_HEX(z, 32, str(json_object_get(pd, "derived"), "shared"));
	CHECK_INT(p2p_secp_ecdh(z, &p1, &k2), 0);
	CHECK_HEX(z, 32, str(json_object_get(pd, "derived"), "shared"));
	p2p_wipe(&k1, sizeof(k1));
	p2p_wipe(&k2, sizeof(k2));
	json_decref(j);
}

static void
test_decrypt_examples(void)
{
	json_t *j = unit_vectors("ecies.json"), *e;
	size_t i, used = 0;

	json_array_foreach(json_object_get(j, "decrypt_examples"), i, e) {
		json_t *im = json_object_get(e, "derived_intermediates");
		struct p2p_privkey key;
		struct p2p_pubkey R;
		size_t ctlen, s2len, outlen;
		uint8_t *ct = unit_unhex(str(e, "ciphertext"), &ctlen);
		uint8_t *s2 = unit_unhex(str(e, "shared_mac_data_s2"), &s2len);
		uint8_t *out = malloc(ctlen), z[32], kdf[32], km[32];

		key_of(&key, str(e, "recipient_private_key"));
		/* The intermediates, one step at a time. */
		CHECK_HEX(ct + 1, 64, str(im, "R_ephemeral_pubkey"));
		CHECK_HEX(ct + 65, 16, str(im, "iv"));
		CHECK_INT(p2p_secp_pubkey_parse(&R, ct, 65), 0);
		CHECK_INT(p2p_secp_ecdh(z, &R, &key), 0);
		CHECK_HEX(z, 32, str(im, "z_ecdh_x"));
		p2p_ecies_kdf(kdf, 32, z, 32);
		CHECK_HEX(kdf, 32, str(im, "kdf_output_32"));
		CHECK_HEX(kdf, 16, str(im, "ke_aes128_key"));
		SHA256(kdf + 16, 16, km);
		CHECK_HEX(km, 32, str(im, "km_hmac_key_sha256_of_kdf_tail"));
		CHECK_STR(str(e, "shared_info_s1"), "");
		CHECK_HEX(ct + ctlen - 32, 32, str(im,
		    "tag_hmac_sha256_iv_c_s2"));
		/* And the whole. */
		outlen = ctlen;
		CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, ct, ctlen, s2,
		    s2len), 0);
		CHECK_HEX(out, outlen, str(e, "expected_plaintext"));
		/* The wrong shared MAC data fails the tag. */
		outlen = ctlen;
		CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, ct, ctlen,
		    (const uint8_t *)"x", 1), P2P_EMAC);
		free(ct);
		free(s2);
		free(out);
		used++;
	}
	CHECK_INT(used, 2);
	json_decref(j);
}

static void
test_negative(void)
{
	static const int want[] = { P2P_EPUBKEY, P2P_EMAC };
	json_t *j = unit_vectors("rlpx-handshake.json"), *e;
	struct p2p_privkey key;
	size_t i, n;

	key_of(&key, str(json_object_get(j, "keys"), "static_key_b"));
	json_array_foreach(json_object_get(j, "negative"), i, e) {
		uint8_t *p = unit_unhex(str(e, "packet"), &n), *out = malloc(n);
		size_t outlen = n;

		CHECK(i < 2);
		/* EIP-8: the 2-byte size prefix is the shared MAC data. */
		CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, p + 2, n - 2, p,
		    2), want[i]);
		free(p);
		free(out);
	}
	CHECK_INT(i, 2);
	json_decref(j);
}

static void
test_roundtrip(void)
{
	struct p2p_privkey key, other;
	struct p2p_pubkey pub;
	uint8_t msg[300], ct[300 + P2P_ECIES_OVERHEAD], out[300];
	size_t ctlen = sizeof(ct), outlen = sizeof(out);

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	CHECK_INT(p2p_secp_keygen(&key), 0);
	CHECK_INT(p2p_secp_keygen(&other), 0);
	CHECK_INT(p2p_secp_pubkey(&pub, &key), 0);
	CHECK_INT(p2p_ecies_encrypt(ct, &ctlen, &pub, msg, sizeof(msg),
	    (const uint8_t *)"\x01\x02", 2), 0);
	CHECK_INT(ctlen, sizeof(ct));
	CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, ct, ctlen,
	    (const uint8_t *)"\x01\x02", 2), 0);
	CHECK(outlen == sizeof(msg) && memcmp(out, msg, outlen) == 0);
	outlen = sizeof(out);
	CHECK_INT(p2p_ecies_decrypt(out, &outlen, &other, ct, ctlen,
	    (const uint8_t *)"\x01\x02", 2), P2P_EMAC);
	ct[100] ^= 1;
	CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, ct, ctlen,
	    (const uint8_t *)"\x01\x02", 2), P2P_EMAC);
	CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, ct,
	    P2P_ECIES_OVERHEAD - 1, NULL, 0), P2P_ETRUNCATED);
	outlen = 10;
	CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, ct, ctlen, NULL, 0),
	    P2P_ETOOBIG);
	CHECK_INT(outlen, sizeof(msg));
	ctlen = 10;
	CHECK_INT(p2p_ecies_encrypt(ct, &ctlen, &pub, msg, sizeof(msg), NULL,
	    0), P2P_ETOOBIG);
	CHECK_INT(ctlen, sizeof(ct));
	/* Empty message. */
	ctlen = sizeof(ct);
	outlen = sizeof(out);
	CHECK_INT(p2p_ecies_encrypt(ct, &ctlen, &pub, msg, 0, NULL, 0), 0);
	CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, ct, ctlen, NULL, 0), 0);
	CHECK_INT(outlen, 0);
}

/* Not a curve point, either way: refused before any ECDH. */
static void
test_bad_points(void)
{
	static const struct p2p_pubkey zero;
	struct p2p_privkey key;
	struct p2p_pubkey pub;
	uint8_t msg[10] = { 0 }, ct[10 + P2P_ECIES_OVERHEAD], out[10];
	size_t ctlen = sizeof(ct), outlen = sizeof(out);

	CHECK_INT(p2p_secp_keygen(&key), 0);
	CHECK_INT(p2p_secp_pubkey(&pub, &key), 0);
	CHECK_INT(p2p_ecies_encrypt(ct, &ctlen, &zero, msg, 10, NULL, 0),
	    P2P_EPUBKEY);
	ctlen = sizeof(ct);
	CHECK_INT(p2p_ecies_encrypt(ct, &ctlen, &pub, msg, 10, NULL, 0), 0);
	ct[0] = 0x02;
	CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, ct, ctlen, NULL, 0),
	    P2P_EPUBKEY);
	ct[0] = 0x04;
	ct[64] ^= 1;
	CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, ct, ctlen, NULL, 0),
	    P2P_EPUBKEY);
	ct[64] ^= 1;
	CHECK_INT(p2p_ecies_decrypt(out, &outlen, &key, ct, ctlen, NULL, 0),
	    0);
	p2p_wipe(&key, sizeof(key));
}

const struct unit_test unit_ecies[] = {
	{ "kdf", test_kdf },
	{ "shared", test_shared },
	{ "decrypt_examples", test_decrypt_examples },
	{ "negative", test_negative },
	{ "roundtrip", test_roundtrip },
	{ "bad_points", test_bad_points },
	{ NULL, NULL },
};
