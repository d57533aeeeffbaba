/* test_rlp.c - RLP against the ethereum/tests vectors, and every
 * rejection path with its specific error. */
#include <stdlib.h>

#include <p2p/hex.h>
#include <p2p/rlp.h>

#include "unit.h"

/* Encodes a typed vector tree. */
static void
encode(struct p2p_rlp_enc *e, json_t *t)
{
	const char *type = json_string_value(json_object_get(t, "type"));
	json_t *v;
	size_t i, n;

	if (strcmp(type, "list") == 0) {
		p2p_rlp_enc_list_begin(e);
		json_array_foreach(json_object_get(t, "items"), i, v)
			encode(e, v);
		p2p_rlp_enc_list_end(e);
		return;
	}
	uint8_t *b = unit_unhex(json_string_value(json_object_get(t, "hex")),
	    &n);
	if (strcmp(type, "uint") == 0)
		p2p_rlp_enc_bigint(e, b, n);
	else
		p2p_rlp_enc_bytes(e, b, n);
	free(b);
}

/* Does the decoded item match the typed tree? */
static int
matches(const struct p2p_rlp_item *item, json_t *t)
{
	const char *type = json_string_value(json_object_get(t, "type"));
	struct p2p_rlp_iter it;
	struct p2p_rlp_item sub;
	json_t *items;
	size_t i = 0, n;
	int ok;

	if (strcmp(type, "list") == 0) {
		items = json_object_get(t, "items");
		if (p2p_rlp_iter_init(&it, item) != 0)
			return 0;
		while (p2p_rlp_iter_next(&it, &sub) == 1)
			if (!matches(&sub, json_array_get(items, i++)))
				return 0;
		return i == json_array_size(items);
	}
	uint8_t *b = unit_unhex(json_string_value(json_object_get(t, "hex")),
	    &n);
	ok = !item->is_list && item->len == n &&
	    (n == 0 || memcmp(item->data, b, n) == 0);
	free(b);
	return ok;
}

static void
test_vectors(void)
{
	json_t *j = unit_vectors("rlp.json"), *v;
	struct p2p_rlp_enc e;
	struct p2p_rlp_item item;
	const uint8_t *out;
	size_t i, n, used = 0;

	json_array_foreach(json_object_get(j, "tests"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		uint8_t *want = unit_unhex(json_string_value(json_object_get(v,
		    "out_hex")), &n);
		size_t outlen;

		p2p_rlp_enc_init(&e, 1 << 20);
		encode(&e, json_object_get(v, "in_typed"));
		CHECK_MSG(p2p_rlp_enc_finish(&e, &out, &outlen) == 0 &&
		    outlen == n && memcmp(out, want, n) == 0, "encode %s", name);
		p2p_rlp_enc_free(&e);
		CHECK_MSG(p2p_rlp_decode(&item, want, n) == 0 &&
		    matches(&item, json_object_get(v, "in_typed")),
		    "decode %s", name);
		free(want);
		used++;
	}
	CHECK_INT(used, 28);
	json_array_foreach(json_object_get(json_object_get(j, "random_tests"),
	    "tests"), i, v) {
		uint8_t *b = unit_unhex(json_string_value(json_object_get(v,
		    "out_hex")), &n);

		CHECK_INT(p2p_rlp_decode(&item, b, n), 0);
		free(b);
		used++;
	}
	CHECK_INT(used, 29);
	json_decref(j);
}

static void
test_invalid_vectors(void)
{
	json_t *j = unit_vectors("rlp-invalid.json"), *v;
	struct p2p_rlp_item item;
	size_t i, n, used = 0;

	json_array_foreach(json_object_get(j, "tests"), i, v) {
		uint8_t *b = unit_unhex(json_string_value(json_object_get(v,
		    "out_hex")), &n);
		int rc = p2p_rlp_decode(&item, b, n);

		CHECK_MSG(rc < 0, "%s decoded", json_string_value(
		    json_object_get(v, "name")));
		free(b);
		used++;
	}
	CHECK_INT(used, 26);
	json_decref(j);
}

static int
dec(const char *hex)
{
	struct p2p_rlp_item item;
	size_t n;
	uint8_t *b = unit_unhex(hex, &n);
	int rc = p2p_rlp_decode(&item, b, n);

	free(b);
	return rc;
}

static void
test_errors(void)
{
	CHECK_INT(dec(""), P2P_ETRUNCATED);
	CHECK_INT(dec("83646f"), P2P_ETRUNCATED);
	CHECK_INT(dec("b8"), P2P_ETRUNCATED);
	CHECK_INT(dec("b90001"), P2P_ELEADINGZERO);
	CHECK_INT(dec("b837" "00"), P2P_ENONCANONSIZE);
	CHECK_INT(dec("f837" "00"), P2P_ENONCANONSIZE);
	CHECK_INT(dec("8105"), P2P_ESINGLEBYTE);
	CHECK_INT(dec("8180"), 0);
	CHECK_INT(dec("0000"), P2P_ETRAILING);
	CHECK_INT(dec("c3" "8105" "00"), P2P_ESINGLEBYTE);
	CHECK_INT(dec("c2" "83"), P2P_ETRUNCATED);
	/* A length larger than anything addressable. */
	CHECK_INT(dec("bfffffffffffffffff00"), P2P_ETRUNCATED);
	CHECK_INT(dec("ffffffffffffffffff00"), P2P_ETRUNCATED);
}

static void
test_prefix(void)
{
	struct p2p_rlp_item item;
	const uint8_t b[] = { 0xc1, 0x01, 0xde, 0xad };

	CHECK_INT(p2p_rlp_decode(&item, b, sizeof(b)), P2P_ETRAILING);
	CHECK_INT(p2p_rlp_decode_prefix(&item, b, sizeof(b)), 0);
	CHECK_INT(item.rawlen, 2);
	CHECK(item.is_list && item.len == 1);
}

/* Writes depth nested lists around an empty one, from the inside out,
 * at the end of buf; returns where the encoding starts. */
static uint8_t *
nested(uint8_t *buf, size_t cap, int depth)
{
	uint8_t *p = buf + cap - 1;

	*p = 0xc0;
	for (int d = 1; d < depth; d++) {
		size_t len = (size_t)(buf + cap - p);

		if (len < 56) {
			*--p = (uint8_t)(0xc0 + len);
		} else {
			*--p = (uint8_t)len;
			*--p = 0xf8;
		}
	}
	return p;
}

static void
test_depth(void)
{
	uint8_t b[3 * P2P_RLP_MAX_DEPTH];
	struct p2p_rlp_item item;

	for (int d = 1; d <= P2P_RLP_MAX_DEPTH + 1; d++) {
		uint8_t *p = nested(b, sizeof(b), d);

		CHECK_INT(p2p_rlp_decode(&item, p, (size_t)(b + sizeof(b) - p)),
		    d <= P2P_RLP_MAX_DEPTH ? 0 : P2P_EDEPTH);
	}
}

static int
uint_of(const char *hex, uint64_t *v)
{
	struct p2p_rlp_item item;
	size_t n;
	uint8_t *b = unit_unhex(hex, &n);
	int rc = p2p_rlp_decode(&item, b, n);

	if (rc == 0)
		rc = p2p_rlp_uint64(&item, v);
	free(b);
	return rc;
}

static void
test_uint(void)
{
	uint64_t v = 7;

	CHECK_INT(uint_of("80", &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(uint_of("7f", &v), 0);
	CHECK_INT(v, 127);
	CHECK_INT(uint_of("820400", &v), 0);
	CHECK_INT(v, 1024);
	CHECK_INT(uint_of("88ffffffffffffffff", &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK_INT(uint_of("00", &v), P2P_ELEADINGZERO);
	CHECK_INT(uint_of("820001", &v), P2P_ELEADINGZERO);
	CHECK_INT(uint_of("89010000000000000000", &v), P2P_EINTRANGE);
	CHECK_INT(uint_of("c0", &v), P2P_EEXPECTSTR);
}

static void
test_iter(void)
{
	const uint8_t b[] = { 0xc6, 0x83, 'c', 'a', 't', 0x01, 0xc0 };
	struct p2p_rlp_item list, item;
	struct p2p_rlp_iter it;
	uint8_t cat[3];

	CHECK_INT(p2p_rlp_decode(&list, b, sizeof(b)), 0);
	CHECK_INT(p2p_rlp_count(&list), 3);
	CHECK_INT(p2p_rlp_iter_init(&it, &list), 0);
	CHECK_INT(p2p_rlp_iter_next(&it, &item), 1);
	CHECK_INT(p2p_rlp_bytes_exact(&item, cat, 3), 0);
	CHECK(memcmp(cat, "cat", 3) == 0);
	CHECK_INT(p2p_rlp_bytes_exact(&item, cat, 2), P2P_EFIELD);
	CHECK_INT(p2p_rlp_iter_next(&it, &item), 1);
	CHECK(!item.is_list && item.len == 1 && item.data[0] == 1);
	CHECK_INT(p2p_rlp_iter_next(&it, &item), 1);
	CHECK(item.is_list && item.len == 0);
	CHECK_INT(p2p_rlp_bytes_exact(&item, cat, 0), P2P_EEXPECTSTR);
	CHECK_INT(p2p_rlp_iter_next(&it, &item), 0);
	CHECK_INT(p2p_rlp_iter_init(&it, &item), 0);
	CHECK_INT(p2p_rlp_iter_init(&it, &(struct p2p_rlp_item){ .len = 0 }),
	    P2P_EEXPECTLIST);
	CHECK_INT(p2p_rlp_count(&(struct p2p_rlp_item){ .len = 0 }),
	    P2P_EEXPECTLIST);
}

static void
test_encoder_limits(void)
{
	uint8_t buf[4], big[100];
	struct p2p_rlp_enc e;
	const uint8_t *out;
	size_t n;

	p2p_rlp_enc_init_fixed(&e, buf, sizeof(buf));
	p2p_rlp_enc_list_begin(&e);
	p2p_rlp_enc_uint(&e, 0x0102);
	p2p_rlp_enc_list_end(&e);
	CHECK_INT(p2p_rlp_enc_finish(&e, &out, &n), 0);
	CHECK_HEX(out, n, "c3820102");
	p2p_rlp_enc_uint(&e, 1);	/* no room: sticky error */
	p2p_rlp_enc_uint(&e, 0);
	CHECK_INT(p2p_rlp_enc_finish(&e, &out, &n), P2P_ETOOBIG);

	memset(big, 0xaa, sizeof(big));
	p2p_rlp_enc_init(&e, 101);
	p2p_rlp_enc_bytes(&e, big, 99);	/* 2 + 99 = 101: fits */
	CHECK_INT(p2p_rlp_enc_finish(&e, &out, &n), 0);
	CHECK_INT(n, 101);
	p2p_rlp_enc_free(&e);
	p2p_rlp_enc_init(&e, 101);
	p2p_rlp_enc_list_begin(&e);
	p2p_rlp_enc_bytes(&e, big, 98);	/* 2 + 98, list header: 102 */
	p2p_rlp_enc_list_end(&e);
	CHECK_INT(p2p_rlp_enc_finish(&e, &out, &n), P2P_ETOOBIG);
	p2p_rlp_enc_free(&e);

	p2p_rlp_enc_init(&e, 1000);
	p2p_rlp_enc_list_begin(&e);
	CHECK_INT(p2p_rlp_enc_finish(&e, &out, &n), P2P_EINVAL);
	p2p_rlp_enc_list_end(&e);
	CHECK_INT(p2p_rlp_enc_list_end(&e), P2P_EINVAL);
	p2p_rlp_enc_free(&e);

	p2p_rlp_enc_init(&e, 1000);
	for (int i = 0; i < P2P_RLP_MAX_DEPTH; i++)
		p2p_rlp_enc_list_begin(&e);
	CHECK_INT(p2p_rlp_enc_list_begin(&e), P2P_EDEPTH);
	p2p_rlp_enc_free(&e);

	/* A long list: header grows to 3 bytes after the payload. */
	p2p_rlp_enc_init(&e, 1 << 16);
	p2p_rlp_enc_list_begin(&e);
	for (int i = 0; i < 300; i++)
		p2p_rlp_enc_uint(&e, 1);
	p2p_rlp_enc_list_end(&e);
	CHECK_INT(p2p_rlp_enc_finish(&e, &out, &n), 0);
	CHECK_INT(n, 303);
	CHECK_HEX(out, 4, "f9012c01");
	p2p_rlp_enc_free(&e);
}

const struct unit_test unit_rlp[] = {
	{ "vectors", test_vectors },
	{ "invalid_vectors", test_invalid_vectors },
	{ "errors", test_errors },
	{ "prefix", test_prefix },
	{ "depth", test_depth },
	{ "uint", test_uint },
	{ "iter", test_iter },
	{ "encoder_limits", test_encoder_limits },
	{ NULL, NULL },
};
