/* test_rlpx.c - the RLPx handshake against rlpx-handshake.json: all six
 * messages decoded, the secrets and MAC states of every pair from both
 * sides, the negative packets, and fresh round trips in both formats. */
#include <stdlib.h>

#include <p2p/hex.h>
#include <p2p/rlpx.h>

#include "unit.h"

static json_t *vec;

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static const char *
key(const char *name)
{
	return str(json_object_get(vec, "keys"), name);
}

static const char *
derived(const char *name)
{
	return str(json_object_get(vec, "derived_keys"), name);
}

static void
privkey(struct p2p_privkey *k, const char *hex)
{
	CHECK_INT(p2p_hex_decode_exact(k->b, 32, hex, 64), 0);
}

/* A handshake state for one side with the vectors' keys and nonces. */
static void
side(struct p2p_rlpx_hs *hs, int initiator)
{
	struct p2p_privkey k;
	struct p2p_pubkey remote;

	privkey(&k, key(initiator ? "static_key_a" : "static_key_b"));
	CHECK_INT(p2p_hex_decode_exact(remote.b, 64, derived(initiator ?
	    "static_public_key_b" : "static_public_key_a"), 128), 0);
	CHECK_INT(p2p_rlpx_hs_init(hs, initiator, &k, initiator ? &remote :
	    NULL), 0);
	privkey(&hs->eph, key(initiator ? "ephemeral_key_a" :
	    "ephemeral_key_b"));
	CHECK_INT(p2p_hex_decode_exact(hs->nonce, 32, key(initiator ?
	    "nonce_a" : "nonce_b"), 64), 0);
}

static json_t *
packet(const char *list, int i)
{
	return json_array_get(json_object_get(vec, list), (size_t)i);
}

static void
test_auth_packets(void)
{
	struct p2p_rlpx_hs *hs = malloc(sizeof(*hs));
	size_t n, used;

	for (int i = 0; i < 3; i++) {
		json_t *p = packet("auth_packets", i);
		json_t *ex = json_object_get(p, "expected");
		uint8_t *b = unit_unhex(str(p, "packet"), &n);

		side(hs, 0);
		CHECK_INT(n, json_integer_value(json_object_get(p,
		    "packet_length")));
		CHECK_INT(p2p_rlpx_auth_read(hs, b, n, &used), 0);
		CHECK_INT(used, n);
		CHECK_INT(hs->remote_eip8, i > 0);
		CHECK_INT(hs->remote_version, json_integer_value(
		    json_object_get(ex, "version")));
		CHECK_HEX(hs->remote.b, 64, str(ex, "initiator_pubkey"));
		CHECK_HEX(hs->remote_nonce, 32, str(ex, "nonce"));
		CHECK_HEX(hs->remote_eph.b, 64, derived(
		    "ephemeral_public_key_a"));
		/* Byte at a time: "need more" until the whole message. */
		side(hs, 0);
		for (size_t k = 0; k < n; k += 97)
			CHECK_INT(p2p_rlpx_auth_read(hs, b, k, &used),
			    P2P_EAGAIN);
		free(b);
	}
	p2p_rlpx_hs_clear(hs);
	free(hs);
}

static void
test_ack_packets(void)
{
	struct p2p_rlpx_hs *hs = malloc(sizeof(*hs));
	size_t n, used;

	for (int i = 0; i < 3; i++) {
		json_t *p = packet("ack_packets", i);
		json_t *ex = json_object_get(p, "expected");
		uint8_t *b = unit_unhex(str(p, "packet"), &n);

		side(hs, 1);
		CHECK_INT(p2p_rlpx_ack_read(hs, b, n, &used), 0);
		CHECK_INT(used, n);
		CHECK_INT(hs->remote_eip8, i > 0);
		CHECK_INT(hs->remote_version, json_integer_value(
		    json_object_get(ex, "version")));
		CHECK_HEX(hs->remote_eph.b, 64, str(ex, "ephemeral_pubkey"));
		CHECK_HEX(hs->remote_nonce, 32, str(ex, "nonce"));
		free(b);
	}
	p2p_rlpx_hs_clear(hs);
	free(hs);
}

/* One side's MAC digests: initial, then after writing "foo". */
static void
check_macs(struct p2p_rlpx_secrets *s, json_t *want)
{
	uint8_t d[32];

	p2p_keccak_digest(&s->egress_mac, d);
	CHECK_HEX(d, 32, str(want, "egress_mac_digest_initial"));
	p2p_keccak_digest(&s->ingress_mac, d);
	CHECK_HEX(d, 32, str(want, "ingress_mac_digest_initial"));
	p2p_keccak_update(&s->egress_mac, "foo", 3);
	p2p_keccak_update(&s->ingress_mac, "foo", 3);
	p2p_keccak_digest(&s->egress_mac, d);
	CHECK_HEX(d, 32, str(want, "egress_mac_after_foo"));
	p2p_keccak_digest(&s->ingress_mac, d);
	CHECK_HEX(d, 32, str(want, "ingress_mac_after_foo"));
}

static void
test_secrets(void)
{
	json_t *sec = json_object_get(vec, "secrets");
	json_t *der = json_object_get(sec, "derived");
	struct p2p_rlpx_hs *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct p2p_rlpx_secrets sa, sb;
	static const char *pairs[] = { "pair_auth1_ack1", "pair_auth2_ack2",
	    "pair_auth3_ack3" };
	size_t an, kn, used;
	uint8_t d[32];

	for (int i = 0; i < 3; i++) {
		json_t *pr = json_object_get(der, pairs[i]);
		uint8_t *auth = unit_unhex(str(packet("auth_packets", i),
		    "packet"), &an);
		uint8_t *ack = unit_unhex(str(packet("ack_packets", i),
		    "packet"), &kn);

		side(a, 1);
		side(b, 0);
		/* The packets are what each side sent. */
		memcpy(a->auth, auth, an);
		a->authlen = an;
		memcpy(b->ack, ack, kn);
		b->acklen = kn;
		CHECK_INT(p2p_rlpx_auth_read(b, auth, an, &used), 0);
		CHECK_INT(p2p_rlpx_ack_read(a, ack, kn, &used), 0);
		CHECK_INT(p2p_rlpx_secrets(a, &sa), 0);
		CHECK_INT(p2p_rlpx_secrets(b, &sb), 0);
		CHECK_HEX(sa.aes, 32, str(pr, "aes_secret"));
		CHECK_HEX(sb.aes, 32, str(pr, "aes_secret"));
		CHECK_HEX(sa.mac, 32, str(pr, "mac_secret"));
		CHECK_HEX(sb.mac, 32, str(pr, "mac_secret"));
		if (i == 1) {	/* the upstream values */
			CHECK_HEX(sb.aes, 32, str(sec, "aes_secret"));
			CHECK_HEX(sb.mac, 32, str(sec, "mac_secret"));
			p2p_keccak_update(&sb.ingress_mac, "foo", 3);
			p2p_keccak_digest(&sb.ingress_mac, d);
			CHECK_HEX(d, 32, str(sec, "ingress_mac_after_foo"));
			CHECK_INT(p2p_rlpx_secrets(b, &sb), 0);
		}
		check_macs(&sa, json_object_get(pr, "initiator_a"));
		check_macs(&sb, json_object_get(pr, "recipient_b"));
		free(auth);
		free(ack);
	}
	p2p_rlpx_hs_clear(a);
	p2p_rlpx_hs_clear(b);
	free(a);
	free(b);
}

/* Both sides' secrets for vector pair i (0..2): a is the initiator. */
void
unit_rlpx_pair_secrets(int i, struct p2p_rlpx_secrets *sa,
    struct p2p_rlpx_secrets *sb)
{
	struct p2p_rlpx_hs *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	json_t *saved = vec;
	size_t an, kn, used;
	uint8_t *auth, *ack;

	vec = unit_vectors("rlpx-handshake.json");
	auth = unit_unhex(str(packet("auth_packets", i), "packet"), &an);
	ack = unit_unhex(str(packet("ack_packets", i), "packet"), &kn);
	side(a, 1);
	side(b, 0);
	memcpy(a->auth, auth, an);
	a->authlen = an;
	memcpy(b->ack, ack, kn);
	b->acklen = kn;
	CHECK_INT(p2p_rlpx_auth_read(b, auth, an, &used), 0);
	CHECK_INT(p2p_rlpx_ack_read(a, ack, kn, &used), 0);
	CHECK_INT(p2p_rlpx_secrets(a, sa), 0);
	CHECK_INT(p2p_rlpx_secrets(b, sb), 0);
	free(auth);
	free(ack);
	p2p_rlpx_hs_clear(a);
	p2p_rlpx_hs_clear(b);
	free(a);
	free(b);
	json_decref(vec);
	vec = saved;
}

static void
test_negative(void)
{
	static const int want[] = { P2P_EPUBKEY, P2P_EMAC };
	struct p2p_rlpx_hs *hs = malloc(sizeof(*hs));
	size_t n, used;
	uint8_t big[400];

	for (int i = 0; i < 2; i++) {
		uint8_t *b = unit_unhex(str(packet("negative", i), "packet"),
		    &n);

		side(hs, 0);
		CHECK_INT(p2p_rlpx_auth_read(hs, b, n, &used), want[i]);
		free(b);
	}
	/* A declared size over 2 KiB is refused after two bytes. */
	side(hs, 0);
	big[0] = 0x08;
	big[1] = 0x00;
	CHECK_INT(p2p_rlpx_auth_read(hs, big, 2, &used), P2P_ETOOBIG);
	CHECK_INT(p2p_rlpx_auth_read(hs, big, 1, &used), P2P_EAGAIN);
	/* Garbage of a plausible size: the MAC fails. */
	memset(big, 0x42, sizeof(big));
	big[0] = 0x01;
	big[1] = 0x00;
	CHECK_INT(p2p_rlpx_auth_read(hs, big, 258, &used), P2P_EPUBKEY);
	p2p_rlpx_hs_clear(hs);
	free(hs);
}

static void
roundtrip(int legacy)
{
	struct p2p_rlpx_hs *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct p2p_rlpx_secrets sa, sb;
	struct p2p_privkey ka, kb;
	struct p2p_pubkey pa, pb;
	uint8_t da[32], db[32];
	size_t used;

	p2p_secp_keygen(&ka);
	p2p_secp_keygen(&kb);
	p2p_secp_pubkey(&pa, &ka);
	p2p_secp_pubkey(&pb, &kb);
	CHECK_INT(p2p_rlpx_hs_init(a, 1, &ka, &pb), 0);
	CHECK_INT(p2p_rlpx_hs_init(b, 0, &kb, NULL), 0);
	CHECK_INT(p2p_rlpx_auth_write(a, legacy), 0);
	if (legacy)
		CHECK_INT(a->authlen, P2P_RLPX_AUTH_LEGACY_LEN);
	else
		CHECK(a->authlen >= 2 + 169 + 113 + 100 && a->authlen <= 2 +
		    169 + 113 + 299);
	CHECK_INT(p2p_rlpx_auth_read(b, a->auth, a->authlen, &used), 0);
	CHECK(memcmp(b->remote.b, pa.b, 64) == 0);
	CHECK_INT(p2p_rlpx_ack_write(b), 0);
	if (legacy)
		CHECK_INT(b->acklen, P2P_RLPX_ACK_LEGACY_LEN);
	CHECK_INT(p2p_rlpx_ack_read(a, b->ack, b->acklen, &used), 0);
	CHECK_INT(used, b->acklen);
	CHECK_INT(p2p_rlpx_secrets(a, &sa), 0);
	CHECK_INT(p2p_rlpx_secrets(b, &sb), 0);
	CHECK(memcmp(sa.aes, sb.aes, 32) == 0);
	CHECK(memcmp(sa.mac, sb.mac, 32) == 0);
	CHECK(memcmp(sa.remote.b, pb.b, 64) == 0);
	p2p_keccak_digest(&sa.egress_mac, da);
	p2p_keccak_digest(&sb.ingress_mac, db);
	CHECK(memcmp(da, db, 32) == 0);
	p2p_keccak_digest(&sa.ingress_mac, da);
	p2p_keccak_digest(&sb.egress_mac, db);
	CHECK(memcmp(da, db, 32) == 0);
	p2p_rlpx_hs_clear(a);
	p2p_rlpx_hs_clear(b);
	free(a);
	free(b);
}

static void
test_roundtrip_eip8(void)
{
	roundtrip(0);
}

static void
test_roundtrip_legacy(void)
{
	roundtrip(1);
}

static void
with_vectors(void (*fn)(void))
{
	vec = unit_vectors("rlpx-handshake.json");
	fn();
	json_decref(vec);
}

static void t_auth(void) { with_vectors(test_auth_packets); }
static void t_ack(void) { with_vectors(test_ack_packets); }
static void t_secrets(void) { with_vectors(test_secrets); }
static void t_negative(void) { with_vectors(test_negative); }

const struct unit_test unit_rlpx[] = {
	{ "auth_packets", t_auth },
	{ "ack_packets", t_ack },
	{ "secrets", t_secrets },
	{ "negative", t_negative },
	{ "roundtrip_eip8", test_roundtrip_eip8 },
	{ "roundtrip_legacy", test_roundtrip_legacy },
	{ NULL, NULL },
};
