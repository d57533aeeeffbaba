/* test_rlpx.c - the RLPx handshake against rlpx-handshake.json: the keys
 * and the auth signature, all six messages (ECIES intermediates, bodies,
 * decoded fields and extra elements, byte-wise reading), the secrets and
 * MAC states of every pair from both sides, the negative packets, the size
 * limit, the pre-EIP-8 fallback, and fresh round trips in both formats. */
#include <stdlib.h>

#include <openssl/sha.h>

#include <p2p/ecies.h>
#include <p2p/hex.h>
#include <p2p/rlp.h>
#include <p2p/rlpx.h>

#include "unit.h"

static json_t *vec;

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
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

static void
pubkey(struct p2p_pubkey *p, const char *hex)
{
	CHECK_INT(p2p_hex_decode_exact(p->b, 64, hex, 128), 0);
}

/* A handshake state for one side with the vectors' keys and nonces. */
static void
side(struct p2p_rlpx_hs *hs, int initiator)
{
	struct p2p_privkey k;
	struct p2p_pubkey remote;

	privkey(&k, key(initiator ? "static_key_a" : "static_key_b"));
	pubkey(&remote, derived(initiator ? "static_public_key_b" :
	    "static_public_key_a"));
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

/* The keys, the shared secrets and the auth signature. */
static void
test_keys(void)
{
	static const char *names[] = { "static_key_a", "static_key_b",
	    "ephemeral_key_a", "ephemeral_key_b" };
	static const char *pubs[] = { "static_public_key_a",
	    "static_public_key_b", "ephemeral_public_key_a",
	    "ephemeral_public_key_b" };
	struct p2p_privkey k[4];
	struct p2p_pubkey p[4];
	uint8_t x[32], y[32], sig[65], nonce[32];

	for (int i = 0; i < 4; i++) {
		privkey(&k[i], key(names[i]));
		CHECK_INT(p2p_secp_pubkey(&p[i], &k[i]), 0);
		CHECK_HEX(p[i].b, 64, derived(pubs[i]));
	}
	p2p_keccak256(x, p[0].b, 64);
	CHECK_HEX(x, 32, derived("node_id_a"));
	p2p_keccak256(x, p[1].b, 64);
	CHECK_HEX(x, 32, derived("node_id_b"));
	CHECK_INT(p2p_secp_ecdh(x, &p[1], &k[0]), 0);
	CHECK_INT(p2p_secp_ecdh(y, &p[0], &k[1]), 0);
	CHECK_HEX(x, 32, derived("static_shared_secret"));
	CHECK_HEX(y, 32, derived("static_shared_secret"));
	CHECK_INT(p2p_secp_ecdh(y, &p[3], &k[2]), 0);
	CHECK_HEX(y, 32, derived("ephemeral_shared_secret"));
	CHECK_INT(p2p_secp_ecdh(y, &p[2], &k[3]), 0);
	CHECK_HEX(y, 32, derived("ephemeral_shared_secret"));
	/* The signed value is static-shared-secret ^ nonce_a, and the
	 * upstream signature over it recovers ephemeral key A.  (It was not
	 * made with RFC 6979 nonces, so ours differs, and recovers too.) */
	CHECK_INT(p2p_hex_decode_exact(nonce, 32, key("nonce_a"), 64), 0);
	for (int i = 0; i < 32; i++)
		x[i] ^= nonce[i];
	CHECK_HEX(x, 32, derived("auth_signed_message"));
	CHECK_INT(p2p_hex_decode_exact(sig, 65, str(vec,
	    "expected_auth_signature"), 130), 0);
	CHECK_INT(p2p_secp_recover(&p[0], sig, x), 0);
	CHECK(memcmp(p[0].b, p[2].b, 64) == 0);
	CHECK_INT(p2p_secp_sign(sig, x, &k[2]), 0);
	CHECK_INT(p2p_secp_recover(&p[1], sig, x), 0);
	CHECK(memcmp(p[1].b, p[2].b, 64) == 0);
}

/* Checks the element encodings in rest against the hex strings in want. */
static void
check_rest(const uint8_t *rest, size_t restlen, json_t *want)
{
	struct p2p_rlp_item it;
	size_t i, used, off = 0;
	json_t *w;

	CHECK_INT(rest == NULL, restlen == 0);
	json_array_foreach(want, i, w) {
		CHECK_INT(p2p_rlp_next(&it, rest + off, restlen - off, &used),
		    0);
		CHECK_HEX(it.raw, it.rawlen, json_string_value(w));
		off += used;
	}
	CHECK_INT(off, restlen);
}

/*
 * The ECIES layer of packet p step by step (as decrypt_with's holder k),
 * then the whole decryption; returns the body (caller frees).
 */
static uint8_t *
check_ecies(json_t *p, const uint8_t *b, size_t n,
    const struct p2p_privkey *k, int eip8, size_t *bodylen)
{
	json_t *d = json_object_get(p, "derived");
	const uint8_t *ct = b + (eip8 ? 2 : 0);
	size_t ctlen = n - (eip8 ? 2 : 0);
	struct p2p_pubkey R;
	uint8_t z[32], kdf[32], km[32], *body = malloc(n);

	if (eip8) {
		CHECK_HEX(b, 2, str(d, "size_prefix"));
		CHECK_INT(ctlen, b[0] << 8 | b[1]);
	}
	CHECK_HEX(ct + 1, 64, str(d, "ecies_ephemeral_pubkey_R"));
	CHECK_HEX(ct + 65, 16, str(d, "ecies_iv"));
	CHECK_HEX(ct + ctlen - 32, 32, str(d, "ecies_tag"));
	CHECK_INT(p2p_secp_pubkey_parse(&R, ct, 65), 0);
	CHECK_INT(p2p_secp_ecdh(z, &R, k), 0);
	CHECK_HEX(z, 32, str(d, "ecies_shared_z"));
	p2p_ecies_kdf(kdf, 32, z, 32);
	CHECK_HEX(kdf, 16, str(d, "ecies_enc_key_ke"));
	SHA256(kdf + 16, 16, km);
	CHECK_HEX(km, 32, str(d, "ecies_mac_key_km"));
	*bodylen = n;
	CHECK_INT(p2p_ecies_decrypt(body, bodylen, k, ct, ctlen, eip8 ? b :
	    NULL, eip8 ? 2 : 0), 0);
	CHECK_HEX(body, *bodylen, str(d, "plaintext"));
	if (eip8) {
		const char *rlp = str(d, "rlp_body");

		CHECK_HEX(body, strlen(rlp) / 2, rlp);
		CHECK_INT(*bodylen - strlen(rlp) / 2,
		    num(d, "padding_after_rlp_len"));
	} else {
		CHECK_INT(body[*bodylen - 1], num(d, "token_flag"));
	}
	return body;
}

/* Feeds b[0..n) growing exactly as hs->need asks; checks the steps. */
static void
read_by_need(struct p2p_rlpx_hs *hs, int ack, const uint8_t *b, size_t n,
    const size_t *steps)
{
	size_t have = 0, used;
	int rc, i = 0;

	while ((rc = ack ? p2p_rlpx_ack_read(hs, b, have, &used) :
	    p2p_rlpx_auth_read(hs, b, have, &used)) == P2P_EAGAIN) {
		CHECK_INT(hs->need, steps[i]);
		CHECK(hs->need > have && hs->need <= n);
		if (hs->need <= have || hs->need > n || steps[i] == 0)
			return;
		have = hs->need;
		i++;
	}
	CHECK_INT(rc, 0);
	CHECK_INT(used, n);
	CHECK_INT(steps[i], 0);
}

static void
test_auth_packets(void)
{
	struct p2p_rlpx_hs *hs = malloc(sizeof(*hs));
	struct p2p_rlpx_auth_body ab;
	struct p2p_privkey kb;
	size_t n, used, bodylen;

	privkey(&kb, key("static_key_b"));
	for (int i = 0; i < 3; i++) {
		json_t *p = packet("auth_packets", i);
		json_t *ex = json_object_get(p, "expected");
		uint8_t *b = unit_unhex(str(p, "packet"), &n), *body, h[32];
		struct p2p_pubkey eph;
		size_t steps[3] = { 2, i ? n : P2P_RLPX_AUTH_LEGACY_LEN, 0 };

		CHECK_STR(str(p, "decrypt_with"), "static_key_b");
		CHECK_INT(n, num(p, "packet_length"));
		body = check_ecies(p, b, n, &kb, i > 0, &bodylen);
		if (i == 0) {
			/* pre-EIP-8: keccak(ephemeral key) after the sig */
			pubkey(&eph, derived("ephemeral_public_key_a"));
			p2p_keccak256(h, eph.b, 64);
			CHECK_HEX(body + 65, 32, str(json_object_get(p,
			    "derived"), "ephemeral_pubkey_hash"));
			CHECK_HEX(h, 32, str(json_object_get(p, "derived"),
			    "ephemeral_pubkey_hash"));
		}
		CHECK_INT(p2p_rlpx_auth_decode(&ab, body, bodylen, i > 0), 0);
		CHECK_HEX(ab.sig, 65, str(ex, "signature"));
		CHECK_HEX(ab.sig, 65, str(vec, "expected_auth_signature"));
		CHECK_HEX(ab.pub, 64, str(ex, "initiator_pubkey"));
		CHECK_HEX(ab.nonce, 32, str(ex, "nonce"));
		CHECK_INT(ab.version, num(ex, "version"));
		check_rest(ab.rest, ab.restlen, json_object_get(ex, "rest"));
		/* The whole read. */
		side(hs, 0);
		CHECK_INT(p2p_rlpx_auth_read(hs, b, n, &used), 0);
		CHECK_INT(used, n);
		CHECK_INT(hs->remote_eip8, i > 0);
		CHECK_INT(hs->remote_version, num(ex, "version"));
		CHECK_HEX(hs->remote.b, 64, str(ex, "initiator_pubkey"));
		CHECK_HEX(hs->remote.b, 64, derived("static_public_key_a"));
		CHECK_HEX(hs->remote_nonce, 32, str(ex, "nonce"));
		CHECK_HEX(hs->remote_eph.b, 64, derived(
		    "ephemeral_public_key_a"));
		CHECK(hs->authlen == n && memcmp(hs->auth, b, n) == 0);
		/* Incrementally, reading exactly what hs->need asks for. */
		side(hs, 0);
		read_by_need(hs, 0, b, n, steps);
		/* And every shorter prefix is "need more". */
		side(hs, 0);
		for (size_t k = 0; k < n; k++)
			CHECK_INT(p2p_rlpx_auth_read(hs, b, k, &used),
			    P2P_EAGAIN);
		free(body);
		free(b);
	}
	p2p_rlpx_hs_clear(hs);
	free(hs);
}

static void
test_ack_packets(void)
{
	struct p2p_rlpx_hs *hs = malloc(sizeof(*hs));
	struct p2p_rlpx_ack_body kb;
	struct p2p_privkey ka;
	size_t n, used, bodylen;

	privkey(&ka, key("static_key_a"));
	for (int i = 0; i < 3; i++) {
		json_t *p = packet("ack_packets", i);
		json_t *ex = json_object_get(p, "expected");
		uint8_t *b = unit_unhex(str(p, "packet"), &n), *body;
		size_t steps[3] = { 2, i ? n : P2P_RLPX_ACK_LEGACY_LEN, 0 };

		CHECK_STR(str(p, "decrypt_with"), "static_key_a");
		CHECK_INT(n, num(p, "packet_length"));
		body = check_ecies(p, b, n, &ka, i > 0, &bodylen);
		CHECK_INT(p2p_rlpx_ack_decode(&kb, body, bodylen, i > 0), 0);
		CHECK_HEX(kb.eph, 64, str(ex, "ephemeral_pubkey"));
		CHECK_HEX(kb.nonce, 32, str(ex, "nonce"));
		CHECK_INT(kb.version, num(ex, "version"));
		check_rest(kb.rest, kb.restlen, json_object_get(ex, "rest"));
		side(hs, 1);
		CHECK_INT(p2p_rlpx_ack_read(hs, b, n, &used), 0);
		CHECK_INT(used, n);
		CHECK_INT(hs->remote_eip8, i > 0);
		CHECK_INT(hs->remote_version, num(ex, "version"));
		CHECK_HEX(hs->remote_eph.b, 64, str(ex, "ephemeral_pubkey"));
		CHECK_HEX(hs->remote_eph.b, 64, derived(
		    "ephemeral_public_key_b"));
		CHECK_HEX(hs->remote_nonce, 32, str(ex, "nonce"));
		CHECK(hs->acklen == n && memcmp(hs->ack, b, n) == 0);
		side(hs, 1);
		read_by_need(hs, 1, b, n, steps);
		free(body);
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

/* shared-secret = keccak(ecdhe || keccak(nonce_b || nonce_a)), and the
 * aes-secret the library derived must be keccak(ecdhe || shared). */
static void
check_shared(json_t *pr, const uint8_t aes[32])
{
	uint8_t buf[64], nn[64];

	CHECK_INT(p2p_hex_decode_exact(buf, 32, derived(
	    "ephemeral_shared_secret"), 64), 0);
	CHECK_INT(p2p_hex_decode_exact(nn, 32, key("nonce_b"), 64), 0);
	CHECK_INT(p2p_hex_decode_exact(nn + 32, 32, key("nonce_a"), 64), 0);
	p2p_keccak256(buf + 32, nn, 64);
	p2p_keccak256(buf + 32, buf, 64);
	CHECK_HEX(buf + 32, 32, str(pr, "shared_secret"));
	p2p_keccak256(nn, buf, 64);
	CHECK(memcmp(nn, aes, 32) == 0);
}

/* Both sides of pair i from the vectors' keys, nonces and packets. */
static void
pair_secrets(int i, struct p2p_rlpx_secrets *sa, struct p2p_rlpx_secrets *sb)
{
	struct p2p_rlpx_hs *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	size_t an, kn, used;
	uint8_t *auth, *ack;

	auth = unit_unhex(str(packet("auth_packets", i), "packet"), &an);
	ack = unit_unhex(str(packet("ack_packets", i), "packet"), &kn);
	side(a, 1);
	side(b, 0);
	/* The packets are what each side sent. */
	memcpy(a->auth, auth, an);
	a->authlen = an;
	memcpy(b->ack, ack, kn);
	b->acklen = kn;
	CHECK_INT(p2p_rlpx_auth_read(b, auth, an, &used), 0);
	CHECK_INT(p2p_rlpx_ack_read(a, ack, kn, &used), 0);
	CHECK_INT(p2p_rlpx_secrets(a, sa), 0);
	CHECK_INT(p2p_rlpx_secrets(b, sb), 0);
	CHECK_HEX(sa->remote.b, 64, derived("static_public_key_b"));
	CHECK_HEX(sb->remote.b, 64, derived("static_public_key_a"));
	free(auth);
	free(ack);
	p2p_rlpx_hs_clear(a);
	p2p_rlpx_hs_clear(b);
	free(a);
	free(b);
}

static void
test_secrets(void)
{
	json_t *sec = json_object_get(vec, "secrets");
	json_t *der = json_object_get(sec, "derived");
	json_t *pnames = json_object_get(sec, "pair");
	struct p2p_rlpx_secrets sa, sb;
	static const char *pairs[] = { "pair_auth1_ack1", "pair_auth2_ack2",
	    "pair_auth3_ack3" };
	uint8_t d[32];

	/* The upstream values: (auth2, ack2) as seen by B. */
	CHECK_STR(json_string_value(json_array_get(pnames, 0)), "auth2");
	CHECK_STR(json_string_value(json_array_get(pnames, 1)), "ack2");
	CHECK_STR(str(sec, "perspective"), "recipient (node B)");
	pair_secrets(1, &sa, &sb);
	CHECK_HEX(sb.aes, 32, str(sec, "aes_secret"));
	CHECK_HEX(sb.mac, 32, str(sec, "mac_secret"));
	p2p_keccak_update(&sb.ingress_mac, "foo", 3);
	p2p_keccak_digest(&sb.ingress_mac, d);
	CHECK_HEX(d, 32, str(sec, "ingress_mac_after_foo"));
	/* Every pair from both sides. */
	for (int i = 0; i < 3; i++) {
		json_t *pr = json_object_get(der, pairs[i]);

		pair_secrets(i, &sa, &sb);
		check_shared(pr, sa.aes);
		CHECK_HEX(sa.aes, 32, str(pr, "aes_secret"));
		CHECK_HEX(sb.aes, 32, str(pr, "aes_secret"));
		CHECK_HEX(sa.mac, 32, str(pr, "mac_secret"));
		CHECK_HEX(sb.mac, 32, str(pr, "mac_secret"));
		check_macs(&sa, json_object_get(pr, "initiator_a"));
		check_macs(&sb, json_object_get(pr, "recipient_b"));
	}
	p2p_wipe(&sa, sizeof(sa));
	p2p_wipe(&sb, sizeof(sb));
}

void
unit_rlpx_pair_secrets(int i, struct p2p_rlpx_secrets *sa,
    struct p2p_rlpx_secrets *sb)
{
	json_t *saved = vec;

	vec = unit_vectors("rlpx-handshake.json");
	pair_secrets(i, sa, sb);
	json_decref(vec);
	vec = saved;
}

static void
test_negative(void)
{
	static const int want[] = { P2P_EPUBKEY, P2P_EMAC };
	static const char *names[] = { "auth2_invalid_curve_point",
	    "auth2_bad_mac" };
	struct p2p_rlpx_hs *hs = malloc(sizeof(*hs));
	size_t n, used;
	uint8_t big[400];
	json_t *p;

	CHECK_INT(json_array_size(json_object_get(vec, "negative")), 2);
	for (int i = 0; i < 2; i++) {
		p = packet("negative", i);
		uint8_t *b = unit_unhex(str(p, "packet"), &n);

		CHECK_STR(str(p, "name"), names[i]);
		CHECK_STR(str(p, "decrypt_with"), "static_key_b");
		CHECK(json_is_true(json_object_get(p, "derived")));
		side(hs, 0);
		CHECK_INT(p2p_rlpx_auth_read(hs, b, n, &used), want[i]);
		/* The same bytes as an ack: same verdict. */
		side(hs, 1);
		privkey(&hs->key, key("static_key_b"));
		CHECK_INT(p2p_rlpx_ack_read(hs, b, n, &used), want[i]);
		free(b);
	}
	/* A declared size over 2 KiB is refused after two bytes... */
	side(hs, 0);
	big[0] = 0x08;
	big[1] = 0x01;
	CHECK_INT(p2p_rlpx_auth_read(hs, big, 2, &used), P2P_ETOOBIG);
	CHECK_INT(p2p_rlpx_auth_read(hs, big, 1, &used), P2P_EAGAIN);
	CHECK_INT(hs->need, 2);
	side(hs, 1);
	big[0] = 0xff;
	big[1] = 0xff;
	CHECK_INT(p2p_rlpx_ack_read(hs, big, 2, &used), P2P_ENOTRLPX);
	/* An HTTP server's answer to an auth: not RLPx. */
	memcpy(big, "HTTP/1.1 400", 12);
	CHECK_INT(p2p_rlpx_ack_read(hs, big, 12, &used), P2P_ENOTRLPX);
	side(hs, 0);
	/* ...and 2 KiB itself is waited for. */
	big[0] = 0x08;
	big[1] = 0x00;
	CHECK_INT(p2p_rlpx_auth_read(hs, big, 300, &used), P2P_EAGAIN);
	CHECK_INT(hs->need, 2 + 2048);
	/* Too short to hold ECIES: malformed. */
	big[0] = 0x00;
	big[1] = 0x10;
	CHECK_INT(p2p_rlpx_auth_read(hs, big, 18, &used), P2P_EHANDSHAKE);
	/* Garbage of a plausible size: R is not a point. */
	memset(big, 0x42, sizeof(big));
	big[0] = 0x01;
	big[1] = 0x00;
	CHECK_INT(p2p_rlpx_auth_read(hs, big, 258, &used), P2P_EPUBKEY);
	p2p_rlpx_hs_clear(hs);
	free(hs);
}

/* Bodies that decrypt but do not decode. */
static void
test_bad_bodies(void)
{
	static const struct {
		const char *hex;
		int ack;
	} bad[] = {
		{ "c0", 0 },			/* empty list */
		{ "c3010203", 0 },		/* wrong sizes */
		{ "80", 0 },			/* not a list */
		{ "c0", 1 },
		{ "c3010203", 1 },
		{ "", 1 },
		{ "f8", 1 },			/* truncated header */
	};
	struct p2p_rlpx_auth_body ab;
	struct p2p_rlpx_ack_body kb;
	uint8_t zero[200] = { 0 };
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *b = unit_unhex(bad[i].hex, &n);

		if (bad[i].ack)
			CHECK_INT(p2p_rlpx_ack_decode(&kb, b, n, 1),
			    P2P_EHANDSHAKE);
		else
			CHECK_INT(p2p_rlpx_auth_decode(&ab, b, n, 1),
			    P2P_EHANDSHAKE);
		free(b);
	}
	/* pre-EIP-8 bodies have one size each */
	CHECK_INT(p2p_rlpx_auth_decode(&ab, zero, 193, 0), P2P_EHANDSHAKE);
	CHECK_INT(p2p_rlpx_auth_decode(&ab, zero, 194, 0), 0);
	CHECK_INT(p2p_rlpx_ack_decode(&kb, zero, 98, 0), P2P_EHANDSHAKE);
	CHECK_INT(p2p_rlpx_ack_decode(&kb, zero, 97, 0), 0);
	CHECK_INT(kb.version, 4);
}

/*
 * An EIP-8 auth padded to over 1 KiB starts with 0x04, like a pre-EIP-8
 * message: the reader must try 307 bytes as one, fail, and then read the
 * declared size, with no second try.
 */
static void
test_legacy_lookalike(void)
{
	struct p2p_rlpx_hs *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	uint8_t plain[1100], sv[32], sig[65], msg[1300];
	struct p2p_pubkey pa, pb;
	struct p2p_rlp_enc e;
	size_t n, used, steps[4];

	side(a, 1);
	side(b, 0);
	pubkey(&pa, derived("static_public_key_a"));
	pubkey(&pb, derived("static_public_key_b"));
	CHECK_INT(p2p_secp_ecdh(sv, &pb, &a->key), 0);
	for (int i = 0; i < 32; i++)
		sv[i] ^= a->nonce[i];
	CHECK_INT(p2p_secp_sign(sig, sv, &a->eph), 0);
	memset(plain, 0, sizeof(plain));
	p2p_rlp_enc_init_fixed(&e, plain, sizeof(plain));
	p2p_rlp_enc_list_begin(&e);
	p2p_rlp_enc_bytes(&e, sig, 65);
	p2p_rlp_enc_bytes(&e, pa.b, 64);
	p2p_rlp_enc_bytes(&e, a->nonce, 32);
	p2p_rlp_enc_uint(&e, 4);
	p2p_rlp_enc_list_end(&e);
	CHECK_INT(p2p_rlp_enc_finish(&e, NULL, NULL), 0);
	n = sizeof(plain) + P2P_ECIES_OVERHEAD;
	msg[0] = (uint8_t)(n >> 8);
	msg[1] = (uint8_t)n;
	CHECK_INT(msg[0], 0x04);
	n = sizeof(msg) - 2;
	CHECK_INT(p2p_ecies_encrypt(msg + 2, &n, &pb, plain, sizeof(plain),
	    msg, 2), 0);
	n += 2;
	steps[0] = 2;
	steps[1] = P2P_RLPX_AUTH_LEGACY_LEN;
	steps[2] = n;
	steps[3] = 0;
	read_by_need(b, 0, msg, n, steps);
	CHECK_INT(b->remote_eip8, 1);
	CHECK(b->legacy_failed);
	CHECK_HEX(b->remote_eph.b, 64, derived("ephemeral_public_key_a"));
	/* Once failed, the legacy form is not tried again. */
	CHECK_INT(p2p_rlpx_auth_read(b, msg, n - 1, &used), P2P_EAGAIN);
	CHECK_INT(b->need, n);
	p2p_rlpx_hs_clear(a);
	p2p_rlpx_hs_clear(b);
	free(a);
	free(b);
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
	CHECK_INT(used, a->authlen);
	CHECK_INT(b->remote_eip8, !legacy);
	CHECK_INT(b->remote_version, 4);
	CHECK(memcmp(b->remote.b, pa.b, 64) == 0);
	CHECK_INT(p2p_rlpx_ack_write(b), 0);
	if (legacy)
		CHECK_INT(b->acklen, P2P_RLPX_ACK_LEGACY_LEN);
	else
		CHECK(b->acklen >= 2 + 102 + 113 + 100 && b->acklen <= 2 +
		    102 + 113 + 299);
	CHECK_INT(p2p_rlpx_ack_read(a, b->ack, b->acklen, &used), 0);
	CHECK_INT(used, b->acklen);
	CHECK_INT(a->remote_eip8, !legacy);
	CHECK_INT(p2p_rlpx_secrets(a, &sa), 0);
	CHECK_INT(p2p_rlpx_secrets(b, &sb), 0);
	CHECK(memcmp(sa.aes, sb.aes, 32) == 0);
	CHECK(memcmp(sa.mac, sb.mac, 32) == 0);
	CHECK(memcmp(sa.remote.b, pb.b, 64) == 0);
	CHECK(memcmp(sb.remote.b, pa.b, 64) == 0);
	p2p_keccak_digest(&sa.egress_mac, da);
	p2p_keccak_digest(&sb.ingress_mac, db);
	CHECK(memcmp(da, db, 32) == 0);
	p2p_keccak_digest(&sa.ingress_mac, da);
	p2p_keccak_digest(&sb.egress_mac, db);
	CHECK(memcmp(da, db, 32) == 0);
	/* A wrong recipient fails the ECIES MAC. */
	CHECK_INT(p2p_rlpx_hs_init(b, 0, &ka, NULL), 0);
	CHECK_INT(p2p_rlpx_auth_read(b, a->auth, a->authlen, &used),
	    legacy ? P2P_EAGAIN : P2P_EMAC);
	p2p_rlpx_hs_clear(a);
	p2p_rlpx_hs_clear(b);
	p2p_wipe(&sa, sizeof(sa));
	p2p_wipe(&sb, sizeof(sb));
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
	vec = NULL;
}

static void t_keys(void) { with_vectors(test_keys); }
static void t_auth(void) { with_vectors(test_auth_packets); }
static void t_ack(void) { with_vectors(test_ack_packets); }
static void t_secrets(void) { with_vectors(test_secrets); }
static void t_negative(void) { with_vectors(test_negative); }
static void t_lookalike(void) { with_vectors(test_legacy_lookalike); }

const struct unit_test unit_rlpx[] = {
	{ "keys", t_keys },
	{ "auth_packets", t_auth },
	{ "ack_packets", t_ack },
	{ "secrets", t_secrets },
	{ "negative", t_negative },
	{ "bad_bodies", test_bad_bodies },
	{ "legacy_lookalike", t_lookalike },
	{ "roundtrip_eip8", test_roundtrip_eip8 },
	{ "roundtrip_legacy", test_roundtrip_legacy },
	{ NULL, NULL },
};
