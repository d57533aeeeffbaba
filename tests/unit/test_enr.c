/* test_enr.c - EIP-778 records against enr.json: every valid record
 * decoded, verified and re-encoded byte for byte, the signed ones rebuilt
 * from their keys, every invalid text and structural case rejected. */
#include <stdlib.h>

#include <p2p/enr.h>
#include <p2p/hex.h>
#include <p2p/rlp.h>

#include "unit.h"

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Checks r against a record's derived.decoded fields. */
static void
check_decoded(const struct p2p_enr *r, json_t *dec, const char *name)
{
	struct p2p_pubkey pub;
	uint8_t comp[33];
	const uint8_t *k, *v;
	size_t klen, vlen, i;
	struct p2p_ip ip;
	uint16_t port;
	char id[16];
	json_t *key;

	CHECK_MSG(r->seq == (uint64_t)json_integer_value(json_object_get(dec,
	    "seq")), "%s: seq", name);
	CHECK_HEX(r->sig, 64, str(dec, "signature"));
	CHECK_INT(r->npairs, json_array_size(json_object_get(dec, "keys")));
	json_array_foreach(json_object_get(dec, "keys"), i, key) {
		p2p_enr_pair_at(r, (unsigned)i, &k, &klen, &v, &vlen);
		CHECK_MSG(klen == strlen(json_string_value(key)) &&
		    memcmp(k, json_string_value(key), klen) == 0,
		    "%s: key %zu", name, i);
	}
	CHECK_INT(p2p_enr_get_id(r, id), 0);
	CHECK_STR(id, str(dec, "id"));
	CHECK_INT(p2p_enr_get_pubkey(r, &pub), 0);
	CHECK_INT(p2p_secp_pubkey_compress(comp, &pub), 0);
	CHECK_HEX(comp, 33, str(dec, "secp256k1"));
	if (str(dec, "ip")) {
		char s[46];

		CHECK_INT(p2p_enr_get_ip(r, &ip), 0);
		p2p_ip_format(s, &ip);
		CHECK_STR(s, str(dec, "ip"));
	} else {
		CHECK_INT(p2p_enr_get_ip(r, &ip), P2P_ENOTFOUND);
	}
	if (json_object_get(dec, "udp")) {
		CHECK_INT(p2p_enr_get_port(r, "udp", &port), 0);
		CHECK_INT(port, json_integer_value(json_object_get(dec, "udp")));
	}
	if (!json_object_get(dec, "tcp"))
		CHECK_INT(p2p_enr_get_port(r, "tcp", &port), P2P_ENOTFOUND);
}

/* Rebuilds a record from its private key and fields. */
static void
rebuild(json_t *rec, const char *text)
{
	json_t *dec = json_object_get(json_object_get(rec, "derived"),
	    "decoded");
	struct p2p_privkey key;
	struct p2p_enr r;
	struct p2p_ip ip;
	char out[P2P_ENR_TEXT_MAX];
	size_t len = sizeof(out);

	CHECK_INT(p2p_hex_decode_exact(key.b, 32, str(rec, "private_key"),
	    64), 0);
	p2p_enr_init(&r);
	p2p_enr_set_seq(&r, (uint64_t)json_integer_value(json_object_get(dec,
	    "seq")));
	CHECK_INT(p2p_ip_parse(&ip, str(dec, "ip"), strlen(str(dec, "ip"))),
	    0);
	CHECK_INT(p2p_enr_set_ip(&r, &ip), 0);
	CHECK_INT(p2p_enr_set_uint(&r, "udp", (uint64_t)json_integer_value(
	    json_object_get(dec, "udp"))), 0);
	CHECK_INT(p2p_enr_sign(&r, &key), 0);
	CHECK_INT(p2p_enr_format(&r, out, &len), 0);
	CHECK_STR(out, text);
	CHECK_INT(len, strlen(text));
}

static void
test_records(void)
{
	json_t *j = unit_vectors("enr.json"), *rec;
	size_t i, used = 0;

	json_array_foreach(json_object_get(j, "records"), i, rec) {
		const char *text = str(rec, "text"), *name = str(rec, "name");
		json_t *der = json_object_get(rec, "derived");
		uint8_t raw[P2P_ENR_MAX_SIZE];
		char out[P2P_ENR_TEXT_MAX];
		size_t n = sizeof(raw), tn = sizeof(out);
		struct p2p_nodeid id;
		struct p2p_enr r;
		int rc;

		rc = p2p_enr_parse(&r, text, strlen(text));
		CHECK_MSG(rc == 0, "%s: %s", name, p2p_strerror(rc));
		CHECK_INT(p2p_enr_encode(&r, raw, &n), 0);
		CHECK_HEX(raw, n, str(der, "rlp"));
		CHECK_INT(p2p_enr_format(&r, out, &tn), 0);
		CHECK_STR(out, text);
		check_decoded(&r, json_object_get(der, "decoded"), name);
		if (str(der, "node_id")) {
			CHECK_INT(p2p_enr_nodeid(&r, &id), 0);
			CHECK_HEX(id.b, 32, str(der, "node_id"));
		}
		if (str(rec, "private_key"))
			rebuild(rec, text);
		used++;
	}
	CHECK_INT(used, 6);
	json_decref(j);
}

static void
test_eip778_expected(void)
{
	json_t *j = unit_vectors("enr.json");
	json_t *rec = json_array_get(json_object_get(j, "records"), 0);
	json_t *ex = json_object_get(rec, "expected");
	struct p2p_enr r;
	struct p2p_nodeid id;
	uint8_t raw[P2P_ENR_MAX_SIZE];
	size_t n = sizeof(raw);

	CHECK_INT(p2p_enr_parse(&r, str(rec, "text"), strlen(str(rec,
	    "text"))), 0);
	CHECK_INT(p2p_enr_nodeid(&r, &id), 0);
	CHECK_HEX(id.b, 32, str(ex, "node_id"));
	CHECK_HEX(r.sig, 64, str(ex, "signature"));
	CHECK_INT(p2p_enr_encode(&r, raw, &n), 0);
	CHECK_HEX(raw, n, str(ex, "rlp"));
	json_decref(j);
}

static void
test_invalid_text(void)
{
	static const int want[] = { P2P_EEMPTY, P2P_EBASE64, P2P_EENRSIG };
	json_t *j = unit_vectors("enr.json"), *rec;
	struct p2p_enr r;
	size_t i;

	json_array_foreach(json_object_get(j, "invalid_text_records"), i,
	    rec) {
		const char *t = str(rec, "text");

		CHECK_MSG(i < 4, "more invalid records than known");
		if (i < 3)
			CHECK_INT(p2p_enr_parse(&r, t, strlen(t)), want[i]);
		else
			CHECK_MSG(p2p_enr_parse(&r, t, strlen(t)) < 0, "%s", t);
	}
	CHECK_INT(i, 4);
	json_decref(j);
}

static void
test_structural(void)
{
	json_t *j = unit_vectors("enr.json"), *c;
	json_t *s = json_object_get(j, "structural_rlp_cases");
	struct p2p_enr r;
	size_t i, n;

	json_array_foreach(json_object_get(s, "cases"), i, c) {
		uint8_t *b = unit_unhex(str(c, "rlp"), &n);
		int rc = p2p_enr_decode(&r, b, n);

		if (strcmp(str(c, "structural_decode"), "ok") == 0) {
			CHECK_MSG(rc == 0, "%s: %d", str(c, "rlp"), rc);
			CHECK_MSG(p2p_enr_verify(&r) < 0, "%s verified",
			    str(c, "rlp"));
		} else {
			CHECK_MSG(rc == P2P_EENRINCOMPLETE, "%s: %d",
			    str(c, "rlp"), rc);
		}
		free(b);
	}
	CHECK_INT(i, 6);
	json_decref(j);
}

static int
decode_hex(const char *hex)
{
	struct p2p_enr r;
	size_t n;
	uint8_t *b = unit_unhex(hex, &n);
	int rc = p2p_enr_decode(&r, b, n);

	free(b);
	return rc;
}

static void
test_rules(void)
{
	uint8_t big[400];
	struct p2p_enr r;

	/* [sig, seq, "b", 1, "a", 2]: unsorted; duplicate "a". */
	CHECK_INT(decode_hex("c6" "80" "01" "6201" "6102"), P2P_EENRORDER);
	CHECK_INT(decode_hex("c6" "80" "01" "6101" "6102"), P2P_EENRDUP);
	CHECK_INT(decode_hex("c6" "80" "01" "6101" "6202"), 0);
	CHECK_INT(decode_hex("c6" "80" "01" "c0" "01" "6202"), P2P_EEXPECTSTR);
	CHECK_INT(decode_hex("c2" "80" "01" "00"), P2P_ETRAILING);
	CHECK_INT(decode_hex("c3" "80" "8100"), P2P_ESINGLEBYTE);
	CHECK_INT(decode_hex("c2" "80" "00"), P2P_ELEADINGZERO);
	CHECK_INT(decode_hex("80"), P2P_EEXPECTLIST);
	memset(big, 0, sizeof(big));
	big[0] = 0xf9;
	big[1] = 0x01;
	big[2] = 0x2a;	/* 301 bytes in all */
	CHECK_INT(p2p_enr_decode(&r, big, 301), P2P_EENRSIZE);
	CHECK_INT(p2p_enr_parse(&r, "enr", 3), P2P_ESCHEME);
	CHECK_INT(p2p_enr_parse(&r, "enr:A===", 8), P2P_EBASE64);
}

static void
test_build(void)
{
	struct p2p_privkey key;
	struct p2p_enr r, d;
	uint8_t raw[P2P_ENR_MAX_SIZE], blob[300];
	const uint8_t *k, *v;
	size_t n = sizeof(raw), klen, vlen;
	uint16_t port;

	CHECK_INT(p2p_secp_keygen(&key), 0);
	p2p_enr_init(&r);
	CHECK_INT(p2p_enr_encode(&r, raw, &n), P2P_EENRUNSIGNED);
	CHECK_INT(p2p_enr_set_uint(&r, "udp", 1), 0);
	CHECK_INT(p2p_enr_set_uint(&r, "tcp", 2), 0);
	CHECK_INT(p2p_enr_set_uint(&r, "udp", 3), 0);	/* replaces */
	CHECK_INT(p2p_enr_set_bytes(&r, "zz", (const uint8_t *)"x", 1), 0);
	CHECK_INT(p2p_enr_set(&r, "eth", (const uint8_t *)"\xc2\xc1\x01", 3),
	    0);
	CHECK_INT(p2p_enr_set(&r, "bad", (const uint8_t *)"\x81\x01", 2),
	    P2P_EINVAL);
	CHECK_INT(p2p_enr_sign(&r, &key), 0);
	CHECK_INT(r.npairs, 6);
	p2p_enr_pair_at(&r, 0, &k, &klen, &v, &vlen);
	CHECK(klen == 3 && memcmp(k, "eth", 3) == 0);
	p2p_enr_pair_at(&r, 5, &k, &klen, &v, &vlen);
	CHECK(klen == 2 && memcmp(k, "zz", 2) == 0);
	CHECK_INT(p2p_enr_get_port(&r, "udp", &port), 0);
	CHECK_INT(port, 3);
	n = sizeof(raw);
	CHECK_INT(p2p_enr_encode(&r, raw, &n), 0);
	CHECK_INT(p2p_enr_decode(&d, raw, n), 0);
	CHECK_INT(p2p_enr_verify(&d), 0);
	CHECK_INT(p2p_enr_get(&d, "eth", &v, &vlen), 0);
	CHECK_HEX(v, vlen, "c2c101");

	/* Any change drops the signature; a tampered value fails. */
	CHECK_INT(p2p_enr_delete(&d, "zz"), 0);
	CHECK_INT(p2p_enr_verify(&d), P2P_EENRUNSIGNED);
	raw[n - 1] ^= 1;	/* last byte: the value of "zz" */
	CHECK_INT(p2p_enr_decode(&d, raw, n), 0);
	CHECK_INT(p2p_enr_verify(&d), P2P_EENRSIG);

	/* Unknown scheme and a missing key. */
	p2p_enr_init(&d);
	CHECK_INT(p2p_enr_set(&d, "id", (const uint8_t *)"\x82v5", 3), 0);
	d.has_sig = 1;
	CHECK_INT(p2p_enr_verify(&d), P2P_EENRSCHEME);
	CHECK_INT(p2p_enr_set(&d, "id", (const uint8_t *)"\x82v4", 3), 0);
	d.has_sig = 1;
	CHECK_INT(p2p_enr_verify(&d), P2P_EPUBKEY);

	/* 300 bytes is the limit, signed. */
	memset(blob, 7, sizeof(blob));
	CHECK_INT(p2p_enr_set_bytes(&r, "blob", blob, 200), P2P_EENRSIZE);
	CHECK_INT(p2p_enr_set_bytes(&r, "blob", blob, 100), 0);
	CHECK_INT(p2p_enr_sign(&r, &key), 0);
	n = sizeof(raw);
	CHECK_INT(p2p_enr_encode(&r, raw, &n), 0);
	CHECK(n <= 300);
	n = 10;
	CHECK_INT(p2p_enr_encode(&r, raw, &n), P2P_ETOOBIG);
}

const struct unit_test unit_enr[] = {
	{ "records", test_records },
	{ "eip778_expected", test_eip778_expected },
	{ "invalid_text", test_invalid_text },
	{ "structural", test_structural },
	{ "rules", test_rules },
	{ "build", test_build },
	{ NULL, NULL },
};
