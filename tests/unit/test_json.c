/* test_json.c - the shared JSON forms of nodes and records. */
#include <stdlib.h>

#include <p2p/enr.h>
#include <p2p/hex.h>
#include <p2p/json.h>

#include "unit.h"

#define PUB "ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd" \
	"31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f"
#define ID "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7"
#define EIP778 "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX0" \
	"4jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1Nm" \
	"sxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8"

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	CHECK_MSG(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

static void
test_node(void)
{
	struct p2p_node n = { .ip = { 4, { 127, 0, 0, 1 } }, .tcp = 30303,
	    .udp = 30301 };
	json_t *o;

	CHECK_INT(p2p_hex_decode_exact(n.pub.b, 64, PUB, 128), 0);
	p2p_enode_id(&n.id, &n.pub);
	o = p2p_json_node(&n);
	CHECK_STR(str(o, "id"), ID);
	CHECK_STR(str(o, "pubkey"), PUB);
	CHECK_STR(str(o, "enode"), "enode://" PUB "@127.0.0.1:30303"
	    "?discport=30301");
	CHECK_STR(str(o, "ip"), "127.0.0.1");
	CHECK_INT(num(o, "tcp"), 30303);
	CHECK_INT(num(o, "udp"), 30301);
	CHECK(json_is_true(json_object_get(o, "complete")));
	json_decref(o);

	n.ip.len = 0;
	n.tcp = n.udp = 0;
	o = p2p_json_node(&n);
	CHECK_STR(str(o, "enode"), "enode://" PUB);
	CHECK(json_is_null(json_object_get(o, "ip")));
	CHECK(json_is_false(json_object_get(o, "complete")));
	json_decref(o);
}

static void
test_enr(void)
{
	struct p2p_enr r;
	json_t *o, *pairs;

	CHECK_INT(p2p_enr_parse(&r, EIP778, strlen(EIP778)), 0);
	o = p2p_json_enr(&r);
	CHECK_STR(str(o, "enr"), EIP778);
	CHECK_STR(str(o, "id"), ID);
	CHECK_STR(str(o, "pubkey"), PUB);
	CHECK_STR(str(o, "scheme"), "v4");
	CHECK_STR(str(o, "ip"), "127.0.0.1");
	CHECK_INT(num(o, "udp"), 30303);
	CHECK_INT(num(o, "tcp"), 0);
	CHECK_INT(num(o, "seq"), 1);
	CHECK_STR(str(o, "signature"), "7098ad865b00a582051940cb9cf36836572"
	    "411a47278783077011599ed5cd16b76f2635f4e234738f30813a89eb9137e3e3"
	    "df5266e3a1f11df72ecf1145ccb9c");
	CHECK_STR(str(o, "enode"), "enode://" PUB "@127.0.0.1:0"
	    "?discport=30303");
	pairs = json_object_get(o, "pairs");
	CHECK_INT(json_object_size(pairs), 4);
	CHECK_STR(str(pairs, "id"), "0x827634");
	CHECK_STR(str(pairs, "ip"), "0x847f000001");
	CHECK_STR(str(pairs, "udp"), "0x82765f");
	CHECK_STR(str(pairs, "secp256k1"), "0xa103ca634cae0d49acb401d8a4c6b6f"
	    "e8c55b70d115bf400769cc1400f3258cd3138");
	CHECK(strncmp(str(o, "rlp"), "0xf884b840", 10) == 0);
	json_decref(o);
}

/* The printable key "0x01" and the binary key 0x01 are two members. */
static void
test_enr_keys(void)
{
	struct p2p_enr r;
	struct p2p_privkey k;
	json_t *o, *pairs;
	const uint8_t v1[] = { 0x01 }, v2[] = { 0x02 };

	memset(k.b, 0x11, sizeof(k.b));
	p2p_enr_init(&r);
	CHECK_INT(p2p_enr_set_bytes(&r, "0x01", v1, 1), 0);
	CHECK_INT(p2p_enr_set_bytes(&r, "\x01", v2, 1), 0);
	CHECK_INT(p2p_enr_sign(&r, &k), 0);
	o = p2p_json_enr(&r);
	pairs = json_object_get(o, "pairs");
	CHECK_STR(str(pairs, "0x30783031"), "0x01");
	CHECK_STR(str(pairs, "0x01"), "0x02");
	CHECK(json_object_get(pairs, "id") != NULL);
	json_decref(o);
}

static void
test_uint(void)
{
	json_t *v = p2p_json_uint(UINT64_MAX);

	CHECK_STR(json_string_value(v), "18446744073709551615");
	json_decref(v);
	v = p2p_json_uint(INT64_MAX);
	CHECK(json_is_integer(v) && json_integer_value(v) == INT64_MAX);
	json_decref(v);
}

const struct unit_test unit_json[] = {
	{ "node", test_node },
	{ "enr", test_enr },
	{ "enr_keys", test_enr_keys },
	{ "uint", test_uint },
	{ NULL, NULL },
};
