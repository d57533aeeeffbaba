/* test_enr.c - EIP-778 records against enr.json: every valid record
 * decoded, verified and re-encoded byte for byte, the signed ones rebuilt
 * from their keys (the EIP-778 example byte for byte), every invalid text
 * and structural case rejected with its error; then the rules with no
 * upstream vectors (size, order, duplicates, scheme, key, tampering) on
 * records built here. */
#include <stdlib.h>

#include <p2p/enr.h>
#include <p2p/hex.h>
#include <p2p/keccak.h>
#include <p2p/rlp.h>

#include "unit.h"

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Checks r against an object with seq/id/ip/udp/tcp/secp256k1/signature
 * (a record's upstream "expected" or its "derived.decoded"). */
static void
check_fields(const struct p2p_enr *r, json_t *o, const char *name)
{
	struct p2p_pubkey pub;
	uint8_t comp[33];
	struct p2p_ip ip;
	uint16_t port;
	char id[16], s[46];
	json_t *v;

	if ((v = json_object_get(o, "seq")) != NULL)
		CHECK_MSG(r->seq == (uint64_t)json_integer_value(v),
		    "%s: seq", name);
	if (str(o, "signature") && r->has_sig == 1)
		CHECK_HEX(r->sig, 64, str(o, "signature"));
	else if (str(o, "signature"))	/* not 64 bytes: not kept */
		CHECK_INT(strlen(str(o, "signature")) == 128, 0);
	if (str(o, "id")) {
		CHECK_INT(p2p_enr_get_id(r, id), 0);
		CHECK_STR(id, str(o, "id"));
	}
	if (str(o, "secp256k1")) {
		CHECK_INT(p2p_enr_get_pubkey(r, &pub), 0);
		CHECK_INT(p2p_secp_pubkey_compress(comp, &pub), 0);
		CHECK_HEX(comp, 33, str(o, "secp256k1"));
	}
	if (str(o, "ip")) {
		CHECK_INT(p2p_enr_get_ip(r, &ip), 0);
		p2p_ip_format(s, &ip);
		CHECK_STR(s, str(o, "ip"));
	}
	if ((v = json_object_get(o, "udp")) != NULL) {
		CHECK_INT(p2p_enr_get_port(r, "udp", &port), 0);
		CHECK_INT(port, json_integer_value(v));
	}
	if ((v = json_object_get(o, "tcp")) != NULL) {
		CHECK_INT(p2p_enr_get_port(r, "tcp", &port), 0);
		CHECK_INT(port, json_integer_value(v));
	}
}

/* The derived decoding: exactly these keys, and absent fields absent. */
static void
check_decoded(const struct p2p_enr *r, json_t *dec, const char *name)
{
	const uint8_t *k, *v;
	size_t klen, vlen, i;
	struct p2p_ip ip;
	uint16_t port;
	json_t *key;

	check_fields(r, dec, name);
	CHECK_INT(r->npairs, json_array_size(json_object_get(dec, "keys")));
	json_array_foreach(json_object_get(dec, "keys"), i, key) {
		p2p_enr_pair_at(r, (unsigned)i, &k, &klen, &v, &vlen);
		CHECK_MSG(klen == strlen(json_string_value(key)) &&
		    memcmp(k, json_string_value(key), klen) == 0,
		    "%s: key %zu", name, i);
	}
	if (!str(dec, "ip"))
		CHECK_INT(p2p_enr_get_ip(r, &ip), P2P_ENOTFOUND);
	if (!json_object_get(dec, "udp"))
		CHECK_INT(p2p_enr_get_port(r, "udp", &port), P2P_ENOTFOUND);
	if (!json_object_get(dec, "tcp"))
		CHECK_INT(p2p_enr_get_port(r, "tcp", &port), P2P_ENOTFOUND);
}

/* The signed content rlp([seq, k, v, ...]) and its hash, rebuilt from the
 * decoded pairs, against the derived values. */
static void
check_content(const struct p2p_enr *r, json_t *der)
{
	uint8_t buf[P2P_ENR_MAX_SIZE], hash[32];
	struct p2p_rlp_enc e;
	const uint8_t *k, *v, *out;
	size_t klen, vlen, n;

	p2p_rlp_enc_init_fixed(&e, buf, sizeof(buf));
	p2p_rlp_enc_list_begin(&e);
	p2p_rlp_enc_uint(&e, r->seq);
	for (unsigned i = 0; i < r->npairs; i++) {
		p2p_enr_pair_at(r, i, &k, &klen, &v, &vlen);
		p2p_rlp_enc_bytes(&e, k, klen);
		p2p_rlp_enc_raw(&e, v, vlen);
	}
	p2p_rlp_enc_list_end(&e);
	CHECK_INT(p2p_rlp_enc_finish(&e, &out, &n), 0);
	CHECK_HEX(out, n, str(der, "signed_content_rlp"));
	p2p_keccak256(hash, out, n);
	CHECK_HEX(hash, 32, str(der, "signed_digest_keccak256"));
}

/*
 * Builds a record from its private key as EIP-778 describes its example:
 * init, ip, udp, seq, sign.  RFC 6979 makes the signature deterministic,
 * so the text must be the published one.
 */
static void
rebuild(json_t *rec, const char *text)
{
	json_t *ex = json_object_get(rec, "expected");
	struct p2p_privkey key;
	struct p2p_enr r;
	struct p2p_ip ip;
	char out[P2P_ENR_TEXT_MAX];
	size_t len = sizeof(out);

	CHECK_INT(p2p_hex_decode_exact(key.b, 32, str(rec, "private_key"),
	    64), 0);
	p2p_enr_init(&r);
	CHECK_INT(p2p_ip_parse(&ip, str(ex, "ip"), strlen(str(ex, "ip"))), 0);
	CHECK_INT(p2p_enr_set_ip(&r, &ip), 0);
	CHECK_INT(p2p_enr_set_uint(&r, "udp", (uint64_t)json_integer_value(
	    json_object_get(ex, "udp"))), 0);
	p2p_enr_set_seq(&r, (uint64_t)json_integer_value(json_object_get(ex,
	    "seq")));
	CHECK_INT(p2p_enr_sign(&r, &key), 0);
	CHECK_INT(p2p_enr_format(&r, out, &len), 0);
	CHECK_STR(out, text);
	CHECK_INT(len, strlen(text));
	CHECK_INT(p2p_enr_verify(&r), 0);
	p2p_wipe(&key, sizeof(key));
}

static void
test_records(void)
{
	json_t *j = unit_vectors("enr.json"), *rec;
	size_t i, used = 0, built = 0;

	json_array_foreach(json_object_get(j, "records"), i, rec) {
		const char *text = str(rec, "text"), *name = str(rec, "name");
		json_t *der = json_object_get(rec, "derived");
		json_t *ex = json_object_get(rec, "expected");
		uint8_t raw[P2P_ENR_MAX_SIZE];
		char out[P2P_ENR_TEXT_MAX];
		size_t n = sizeof(raw), tn = sizeof(out);
		struct p2p_nodeid id;
		struct p2p_pubkey pub;
		struct p2p_enr r, d;
		int rc;

		CHECK(json_is_true(json_object_get(rec, "valid")));
		rc = p2p_enr_parse(&r, text, strlen(text));
		CHECK_MSG(rc == 0, "%s: %s", name, p2p_strerror(rc));
		CHECK_INT(p2p_enr_encode(&r, raw, &n), 0);
		CHECK_HEX(raw, n, str(der, "rlp"));
		if (str(ex, "rlp"))
			CHECK_HEX(raw, n, str(ex, "rlp"));
		CHECK_INT(p2p_enr_decode(&d, raw, n), 0);
		CHECK_INT(p2p_enr_verify(&d), 0);
		CHECK_INT(p2p_enr_format(&r, out, &tn), 0);
		CHECK_STR(out, text);
		check_fields(&r, ex, name);
		check_decoded(&r, json_object_get(der, "decoded"), name);
		check_content(&r, der);
		CHECK_INT(p2p_enr_nodeid(&r, &id), 0);
		CHECK_HEX(id.b, 32, str(der, "node_id"));
		if (str(ex, "node_id"))
			CHECK_HEX(id.b, 32, str(ex, "node_id"));
		CHECK_INT(p2p_enr_get_pubkey(&r, &pub), 0);
		CHECK_HEX(pub.b, 64, str(der, "public_key_uncompressed"));
		if (str(rec, "private_key")) {
			rebuild(rec, text);
			built++;
		}
		used++;
	}
	CHECK_INT(used, 6);
	CHECK_INT(built, 2);
	json_decref(j);
}

/* enode-urls.json's current cases read ENR text too; p2p_enr_to_node. */
static void
test_to_node(void)
{
	json_t *j = unit_vectors("enr.json");
	json_t *rec = json_array_get(json_object_get(j, "records"), 0);
	struct p2p_node n;
	struct p2p_enr r;
	struct p2p_ip ip6;
	char s[46];

	CHECK_INT(p2p_enr_parse(&r, str(rec, "text"),
	    strlen(str(rec, "text"))), 0);
	CHECK_INT(p2p_enr_to_node(&r, &n), 0);
	CHECK_HEX(n.id.b, 32, str(json_object_get(rec, "expected"),
	    "node_id"));
	p2p_ip_format(s, &n.ip);
	CHECK_STR(s, "127.0.0.1");
	CHECK_INT(n.udp, 30303);
	CHECK_INT(n.tcp, 0);
	/* IPv6 only: ip6 with tcp6/udp6 (else tcp/udp). */
	CHECK_INT(p2p_enr_delete(&r, "ip"), 0);
	CHECK_INT(p2p_ip_parse(&ip6, "2001:db8::1", 11), 0);
	CHECK_INT(p2p_enr_set_ip(&r, &ip6), 0);
	CHECK_INT(p2p_enr_set_uint(&r, "tcp6", 7), 0);
	CHECK_INT(p2p_enr_to_node(&r, &n), 0);
	p2p_ip_format(s, &n.ip);
	CHECK_STR(s, "2001:db8::1");
	CHECK_INT(n.tcp, 7);
	CHECK_INT(n.udp, 30303);
	/* No address: an incomplete node; no key: an error. */
	CHECK_INT(p2p_enr_delete(&r, "ip6"), 0);
	CHECK_INT(p2p_enr_to_node(&r, &n), 0);
	CHECK_INT(n.ip.len, 0);
	CHECK_INT(p2p_enr_delete(&r, "secp256k1"), 0);
	CHECK_INT(p2p_enr_to_node(&r, &n), P2P_EPUBKEY);
	json_decref(j);
}

static void
test_invalid_text(void)
{
	static const int want[] = { P2P_EEMPTY, P2P_EBASE64, P2P_EENRSIG,
	    P2P_EBASE64 };
	json_t *j = unit_vectors("enr.json"), *rec;
	struct p2p_enr r, d;
	uint8_t *raw;
	size_t i, n;

	json_array_foreach(json_object_get(j, "invalid_text_records"), i,
	    rec) {
		const char *t = str(rec, "text");
		json_t *der = json_object_get(rec, "derived");

		if (i >= 4)
			break;
		CHECK_MSG(p2p_enr_parse(&r, t, strlen(t)) == want[i],
		    "%s: %d", t, p2p_enr_parse(&r, t, strlen(t)));
		if (der == NULL)
			continue;
		/* Decodes fine; only the signature is wrong. */
		raw = unit_unhex(str(der, "rlp"), &n);
		CHECK_INT(p2p_enr_decode(&d, raw, n), 0);
		check_decoded(&d, json_object_get(der, "decoded"), t);
		CHECK_INT(d.has_sig, -1);
		CHECK_INT(p2p_enr_verify(&d), P2P_EENRSIG);
		n = 0;
		CHECK_INT(p2p_enr_encode(&d, raw, &n), P2P_EENRSIG);
		free(raw);
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
			CHECK_MSG(p2p_enr_verify(&r) == P2P_EENRSCHEME,
			    "%s verified", str(c, "rlp"));
		} else {
			/* both errIncompleteList and errIncompletePair */
			CHECK_MSG(rc == P2P_EENRINCOMPLETE, "%s: %d",
			    str(c, "rlp"), rc);
			CHECK_INT(r.npairs, 0);
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

/* Decoding rules without upstream vectors. */
static void
test_rules(void)
{
	uint8_t big[400];
	struct p2p_enr r;

	/* [sig, seq, "b", 1, "a", 2]: unsorted; duplicate "a". */
	CHECK_INT(decode_hex("c6" "80" "01" "6201" "6102"), P2P_EENRORDER);
	CHECK_INT(decode_hex("c6" "80" "01" "6101" "6102"), P2P_EENRDUP);
	CHECK_INT(decode_hex("c6" "80" "01" "6101" "6202"), 0);
	/* Bytewise order: "a" < "aa" < "b", 0x7f < 0x80 as bytes. */
	CHECK_INT(decode_hex("c8" "80" "01" "6101" "826161" "02"), 0);
	CHECK_INT(decode_hex("c8" "80" "01" "826161" "01" "6102"),
	    P2P_EENRORDER);
	CHECK_INT(decode_hex("c7" "80" "01" "7f01" "818002"), 0);
	CHECK_INT(decode_hex("c7" "80" "01" "818001" "7f02"), P2P_EENRORDER);
	/* An empty key is a key (go-ethereum decodes it). */
	CHECK_INT(decode_hex("c6" "80" "01" "8001" "6102"), 0);
	/* Keys and the signature are strings; values are anything. */
	CHECK_INT(decode_hex("c6" "80" "01" "c0" "01" "6202"), P2P_EEXPECTSTR);
	CHECK_INT(decode_hex("c3" "c0" "01" "61"), P2P_EEXPECTSTR);
	CHECK_INT(decode_hex("c1" "c0"), P2P_EEXPECTSTR);
	CHECK_INT(decode_hex("c5" "80" "01" "61" "c1c0"), 0);
	/* seq: a canonical uint64. */
	CHECK_INT(decode_hex("c3" "80" "8100"), P2P_ESINGLEBYTE);
	CHECK_INT(decode_hex("c2" "80" "00"), P2P_ELEADINGZERO);
	CHECK_INT(decode_hex("cb" "80" "89010203040506070809"),
	    P2P_EINTRANGE);
	CHECK_INT(decode_hex("ca" "80" "88ffffffffffffffff"), 0);
	CHECK_INT(decode_hex("c2" "80" "c0"), P2P_EEXPECTSTR);
	/* The record itself. */
	CHECK_INT(decode_hex("c2" "80" "01" "00"), P2P_ETRAILING);
	CHECK_INT(decode_hex("c3" "80" "01"), P2P_ETRUNCATED);
	CHECK_INT(decode_hex("80"), P2P_EEXPECTLIST);
	CHECK_INT(p2p_enr_decode(&r, big, 0), P2P_ETRUNCATED);
	/* More than 300 bytes is refused before it is looked at. */
	memset(big, 0, sizeof(big));
	big[0] = 0xf9;
	big[1] = 0x01;
	big[2] = 0x2a;	/* 301 bytes in all */
	CHECK_INT(p2p_enr_decode(&r, big, 301), P2P_EENRSIZE);
	CHECK_INT(p2p_enr_decode(&r, big, sizeof(big)), P2P_EENRSIZE);
}

/* Text form: prefix, base64url as Go's RawURLEncoding, size first. */
static void
test_text(void)
{
	static const char eip778[] = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4"
	    "MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gm"
	    "lwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0x"
	    "OIN1ZHCCdl8";
	char t[sizeof(eip778) + 8], out[P2P_ENR_TEXT_MAX], huge[500];
	size_t n = sizeof(eip778) - 1, len = sizeof(out);
	struct p2p_enr r;

	CHECK_INT(p2p_enr_parse(&r, eip778, n), 0);
	CHECK_INT(p2p_enr_parse(&r, "enr", 3), P2P_ESCHEME);
	CHECK_INT(p2p_enr_parse(&r, "", 0), P2P_ESCHEME);
	memcpy(t, eip778, sizeof(eip778));
	memcpy(t, "ENR:", 4);
	CHECK_INT(p2p_enr_parse(&r, t, n), P2P_ESCHEME);
	CHECK_INT(r.npairs, 0);
	/* Go's decoder is not strict: it ignores bits after the last byte
	 * ("8" is 111100, "9" is 111101).  We refuse non-canonical text, so
	 * one record has one text form; we write canonical text. */
	memcpy(t, eip778, sizeof(eip778));
	t[n - 1] = '9';
	CHECK_INT(p2p_enr_parse(&r, t, n), P2P_EBASE64);
	CHECK_INT(p2p_enr_parse(&r, eip778, n), 0);
	CHECK_INT(p2p_enr_format(&r, out, &len), 0);
	CHECK_STR(out, eip778);
	/* Padding, the standard alphabet, whitespace (Go skips CR/LF; we
	 * refuse them), a length of 1 mod 4, a truncated record. */
	memcpy(t, eip778, n);
	memcpy(t + n, "=", 2);
	CHECK_INT(p2p_enr_parse(&r, t, n + 1), P2P_EBASE64);
	memcpy(t + n, "\n", 2);
	CHECK_INT(p2p_enr_parse(&r, t, n + 1), P2P_EBASE64);
	t[n] = '\0';
	t[4] = '+';
	CHECK_INT(p2p_enr_parse(&r, t, n), P2P_EBASE64);
	t[4] = '/';
	CHECK_INT(p2p_enr_parse(&r, t, n), P2P_EBASE64);
	CHECK_INT(p2p_enr_parse(&r, "enr:AAAAA", 9), P2P_EBASE64);
	/* Three bytes short: its canonical text ends "ZHA" where the whole
	 * record's has "ZHC" (the bits of the dropped bytes are gone). */
	CHECK_INT(p2p_enr_parse(&r, eip778, n - 4), P2P_EBASE64);
	memcpy(t, eip778, n - 4);
	t[n - 5] = 'A';
	CHECK_INT(p2p_enr_parse(&r, t, n - 4), P2P_ETRUNCATED);
	CHECK_INT(p2p_enr_parse(&r, "enr:wA", 6), P2P_EENRINCOMPLETE);
	/* Longer than any 300-byte record: refused before decoding. */
	memset(huge, '!', sizeof(huge));
	memcpy(huge, "enr:", 4);
	CHECK_INT(p2p_enr_parse(&r, huge, 405), P2P_EENRSIZE);
	CHECK_INT(p2p_enr_parse(&r, huge, 404), P2P_EBASE64);
	/* Too small an output buffer: the size needed, NUL included. */
	len = 10;
	CHECK_INT(p2p_enr_parse(&r, eip778, n), 0);
	CHECK_INT(p2p_enr_format(&r, out, &len), P2P_ETOOBIG);
	CHECK_INT(len, n + 1);
	CHECK_INT(p2p_enr_format(&r, out, &len), 0);
	CHECK_INT(len, n);
}

/* Encodes [sig x 64, seq 1, pairs...] as given by hex and decodes it. */
static void
decode_signed(struct p2p_enr *r, const char *pairs)
{
	char hex[700];
	uint8_t *b;
	size_t n, plen = strlen(pairs) / 2 + 67;

	CHECK(plen < 256);
	snprintf(hex, sizeof(hex), "f8%02zxb840%0128d01%s", plen, 7, pairs);
	b = unit_unhex(hex, &n);
	CHECK_INT(p2p_enr_decode(r, b, n), 0);
	free(b);
}

/* Typed accessors on values of the wrong form; verify's errors. */
static void
test_accessors(void)
{
	struct p2p_enr r;
	struct p2p_pubkey pub;
	struct p2p_ip ip;
	uint16_t port;
	char id[16];

	decode_signed(&r, "826964827635" "826970837f0000" "83756470c0"
	    "847564703636" "8376647083010000");
	CHECK_INT(p2p_enr_get_id(&r, id), 0);
	CHECK_STR(id, "v5");
	CHECK_INT(p2p_enr_verify(&r), P2P_EENRSCHEME);
	CHECK_INT(p2p_enr_get_ip(&r, &ip), P2P_EFIELD);
	CHECK_INT(p2p_enr_get_ip6(&r, &ip), P2P_ENOTFOUND);
	CHECK_INT(p2p_enr_get_port(&r, "udp", &port), P2P_EFIELD);
	CHECK_INT(p2p_enr_get_port(&r, "udp6", &port), 0);
	CHECK_INT(port, 0x36);
	CHECK_INT(p2p_enr_get_port(&r, "vdp", &port), P2P_EFIELD);
	CHECK_INT(p2p_enr_get_pubkey(&r, &pub), P2P_ENOTFOUND);
	/* "v4" without a key, then with a bad one. */
	decode_signed(&r, "826964827634");
	CHECK_INT(p2p_enr_verify(&r), P2P_EPUBKEY);
	decode_signed(&r, "826964827634" "89736563703235366b31a102"
	    "0000000000000000000000000000000000000000000000000000000000000000");
	CHECK_INT(p2p_enr_get_pubkey(&r, &pub), P2P_EFIELD);
	CHECK_INT(p2p_enr_verify(&r), P2P_EPUBKEY);
	decode_signed(&r, "8269649076343536373839303132333435363738");
	CHECK_INT(p2p_enr_get_id(&r, id), P2P_EFIELD);
	CHECK_INT(p2p_enr_verify(&r), P2P_EENRSCHEME);
	decode_signed(&r, "");
	CHECK_INT(p2p_enr_get_id(&r, id), P2P_ENOTFOUND);
	CHECK_INT(p2p_enr_verify(&r), P2P_EENRSCHEME);
	p2p_enr_init(&r);
	CHECK_INT(p2p_enr_verify(&r), P2P_EENRUNSIGNED);
}

static void
test_build(void)
{
	struct p2p_privkey key;
	struct p2p_enr r, d;
	uint8_t raw[P2P_ENR_MAX_SIZE], again[P2P_ENR_MAX_SIZE];
	const uint8_t *k, *v;
	size_t n = sizeof(raw), m, klen, vlen;
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
	CHECK_INT(p2p_enr_set(&r, "bad", (const uint8_t *)"\x01\x01", 2),
	    P2P_EINVAL);
	CHECK_INT(p2p_enr_set(&r, "", (const uint8_t *)"\x01", 1),
	    P2P_EINVAL);
	CHECK_INT(p2p_enr_sign(&r, &key), 0);
	CHECK_INT(r.npairs, 6);
	{
		static const char *order[] = { "eth", "id", "secp256k1",
		    "tcp", "udp", "zz" };

		for (unsigned i = 0; i < 6; i++) {
			p2p_enr_pair_at(&r, i, &k, &klen, &v, &vlen);
			CHECK_MSG(klen == strlen(order[i]) &&
			    memcmp(k, order[i], klen) == 0, "key %u", i);
		}
	}
	CHECK_INT(p2p_enr_get_port(&r, "udp", &port), 0);
	CHECK_INT(port, 3);
	CHECK_INT(p2p_enr_verify(&r), 0);
	n = sizeof(raw);
	CHECK_INT(p2p_enr_encode(&r, raw, &n), 0);
	/* Unknown keys survive decode -> encode byte for byte. */
	CHECK_INT(p2p_enr_decode(&d, raw, n), 0);
	CHECK_INT(p2p_enr_verify(&d), 0);
	CHECK_INT(p2p_enr_get(&d, "eth", &v, &vlen), 0);
	CHECK_HEX(v, vlen, "c2c101");
	m = sizeof(again);
	CHECK_INT(p2p_enr_encode(&d, again, &m), 0);
	CHECK(m == n && memcmp(raw, again, n) == 0);

	/* Any change drops the signature; a tampered value fails. */
	CHECK_INT(p2p_enr_delete(&d, "zz"), 0);
	CHECK_INT(p2p_enr_delete(&d, "nope"), 0);
	CHECK_INT(p2p_enr_get(&d, "zz", &v, &vlen), P2P_ENOTFOUND);
	CHECK_INT(p2p_enr_verify(&d), P2P_EENRUNSIGNED);
	raw[n - 1] ^= 1;	/* last byte: the value of "zz" */
	CHECK_INT(p2p_enr_decode(&d, raw, n), 0);
	CHECK_INT(p2p_enr_verify(&d), P2P_EENRSIG);
	raw[n - 1] ^= 1;
	raw[4] ^= 1;		/* the signature */
	CHECK_INT(p2p_enr_decode(&d, raw, n), 0);
	CHECK_INT(p2p_enr_verify(&d), P2P_EENRSIG);
	raw[4] ^= 1;
	CHECK_INT(p2p_enr_decode(&d, raw, n), 0);
	p2p_enr_set_seq(&d, d.seq + 1);
	CHECK_INT(p2p_enr_verify(&d), P2P_EENRUNSIGNED);
	d.has_sig = 1;		/* the old signature over the old seq */
	CHECK_INT(p2p_enr_verify(&d), P2P_EENRSIG);
	p2p_wipe(&key, sizeof(key));
}

/* 300 bytes signed is the limit, checked by every setter. */
static void
test_size(void)
{
	struct p2p_privkey key;
	struct p2p_enr r, before;
	uint8_t raw[P2P_ENR_MAX_SIZE], blob[300], rec[300];
	size_t n = sizeof(raw);
	int i, first = -1;

	CHECK_INT(p2p_secp_keygen(&key), 0);
	p2p_enr_init(&r);
	CHECK_INT(p2p_enr_sign(&r, &key), 0);	/* 119 bytes */
	memset(blob, 7, sizeof(blob));
	/* The largest blob that fits: the signed record is exactly 300. */
	for (i = 250; i > 0; i--) {
		before = r;
		if (p2p_enr_set_bytes(&r, "blob", blob, (size_t)i) == 0) {
			first = i;
			break;
		}
		CHECK(memcmp(&before, &r, sizeof(r)) == 0);	/* unchanged */
	}
	CHECK_INT(p2p_enr_sign(&r, &key), 0);
	n = sizeof(raw);
	CHECK_INT(p2p_enr_encode(&r, raw, &n), 0);
	CHECK_INT(n, 300);
	CHECK_INT(first, 173);
	CHECK_INT(p2p_enr_set_uint(&r, "zzz", 1), P2P_EENRSIZE);
	CHECK_INT(p2p_enr_set_bytes(&r, "blob", blob, (size_t)first + 1),
	    P2P_EENRSIZE);
	CHECK_INT(p2p_enr_set_bytes(&r, "b", blob, 300), P2P_EENRSIZE);
	CHECK_INT(p2p_enr_set_bytes(&r, "blob", blob, 1), 0);	/* shrinks */
	n = 10;
	CHECK_INT(p2p_enr_sign(&r, &key), 0);
	CHECK_INT(p2p_enr_encode(&r, raw, &n), P2P_ETOOBIG);
	CHECK(n > 10 && n < 300);

	/* A decoded 300-byte record holding one 291-byte value: inserting
	 * before it must fail cleanly, not overflow while rebuilding. */
	memcpy(rec, "\xf9\x01\x29\x80\x01\x62\xb9\x01\x23", 9);
	memset(rec + 9, 7, 291);
	CHECK_INT(p2p_enr_decode(&r, rec, sizeof(rec)), 0);
	CHECK_INT(r.arenalen, 295);
	CHECK_INT(p2p_enr_set_bytes(&r, "a", blob, 10), P2P_EENRSIZE);
	CHECK_INT(p2p_enr_set_bytes(&r, "c", blob, 10), P2P_EENRSIZE);
	CHECK_INT(p2p_enr_set_bytes(&r, "b", blob, 10), 0);	/* replaces */
	CHECK_INT(r.npairs, 1);
	CHECK_INT(r.arenalen, 12);
	p2p_wipe(&key, sizeof(key));
}

const struct unit_test unit_enr[] = {
	{ "records", test_records },
	{ "to_node", test_to_node },
	{ "invalid_text", test_invalid_text },
	{ "structural", test_structural },
	{ "rules", test_rules },
	{ "text", test_text },
	{ "accessors", test_accessors },
	{ "build", test_build },
	{ "size", test_size },
	{ NULL, NULL },
};
