/* test_keccak.c - Keccak-256 against keccak.json, split updates, digests
 * taken mid-stream. */
#include <stdlib.h>

#include <p2p/hex.h>
#include <p2p/keccak.h>

#include "unit.h"

/* The vector's input: input_hex, or input_repeat {byte_hex, count}. */
static uint8_t *
vector_input(json_t *v, size_t *len)
{
	json_t *rep = json_object_get(v, "input_repeat");
	uint8_t *buf;
	size_t n, one;

	if (rep == NULL)
		return unit_unhex(json_string_value(json_object_get(v,
		    "input_hex")), len);
	buf = unit_unhex(json_string_value(json_object_get(rep, "byte_hex")),
	    &one);
	n = (size_t)json_integer_value(json_object_get(rep, "count"));
	buf = realloc(buf, n);
	if (buf == NULL || one != 1)
		abort();
	memset(buf, buf[0], n);
	*len = n;
	return buf;
}

static void
test_vectors(void)
{
	json_t *j = unit_vectors("keccak.json"), *v;
	uint8_t out[32];
	char hex[65];
	size_t i, n, used = 0;

	json_array_foreach(json_object_get(j, "vectors"), i, v) {
		uint8_t *in = vector_input(v, &n);
		const char *want = json_string_value(json_object_get(v,
		    "output"));

		CHECK_INT(n, json_integer_value(json_object_get(v,
		    "input_length")));
		p2p_keccak256(out, in, n);
		p2p_hex_encode(hex, out, 32);
		CHECK_MSG(strcmp(hex, want) == 0, "%s: %s", json_string_value(
		    json_object_get(v, "name")), hex);
		CHECK_MSG(strcmp(hex, json_string_value(json_object_get(v,
		    "sha3_256_fips202_for_contrast"))) != 0, "FIPS padding");
		free(in);
		used++;
	}
	CHECK_INT(used, 13);
	json_decref(j);
}

/* Every split of a 300-byte input (two blocks and a tail) gives the same
 * digest, and digest() mid-stream is the hash of the prefix. */
static void
test_incremental(void)
{
	uint8_t in[300], whole[32], part[32], prefix[32];
	struct p2p_keccak k, copy;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	p2p_keccak256(whole, in, sizeof(in));
	for (size_t cut = 0; cut <= sizeof(in); cut++) {
		p2p_keccak_init(&k);
		p2p_keccak_update(&k, in, cut);
		p2p_keccak_digest(&k, part);
		p2p_keccak256(prefix, in, cut);
		CHECK_MSG(memcmp(part, prefix, 32) == 0, "prefix %zu", cut);
		copy = k;	/* a clone carries on independently */
		p2p_keccak_update(&k, in + cut, sizeof(in) - cut);
		p2p_keccak_final(&k, part);
		CHECK_MSG(memcmp(part, whole, 32) == 0, "split at %zu", cut);
		p2p_keccak_update(&copy, in + cut, sizeof(in) - cut);
		p2p_keccak_digest(&copy, part);
		CHECK_MSG(memcmp(part, whole, 32) == 0, "clone at %zu", cut);
	}
	/* Byte at a time. */
	p2p_keccak_init(&k);
	for (size_t i = 0; i < sizeof(in); i++)
		p2p_keccak_update(&k, in + i, 1);
	p2p_keccak_final(&k, part);
	CHECK(memcmp(part, whole, 32) == 0);
}

const struct unit_test unit_keccak[] = {
	{ "vectors", test_vectors },
	{ "incremental", test_incremental },
	{ NULL, NULL },
};
