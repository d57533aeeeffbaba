/* test_enode.c - enode URLs against enode-urls.json (go-ethereum v1.8.24
 * rules, and the current cases where they agree), distances, formatting. */
#include <stdlib.h>

#include <p2p/enode.h>
#include <p2p/enr.h>
#include <p2p/hex.h>

#include "unit.h"

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Compares a parsed node with a case's "expected". */
static void
check_expected(const char *in, const struct p2p_node *n, json_t *ex)
{
	char ip[46];
	json_t *v;

	if (str(ex, "public_key"))
		CHECK_HEX(n->pub.b, 64, str(ex, "public_key"));
	if (str(ex, "node_id"))
		CHECK_HEX(n->id.b, 32, str(ex, "node_id"));
	p2p_ip_format(ip, &n->ip);
	v = json_object_get(ex, "ip");
	if (json_is_string(v))
		CHECK_MSG(strcmp(ip, json_string_value(v)) == 0,
		    "%s: ip %s", in, ip);
	else if (json_is_null(v))
		CHECK_MSG(n->ip.len == 0, "%s: has an ip", in);
	v = json_object_get(ex, "tcp");
	if (json_is_integer(v))
		CHECK_INT(n->tcp, json_integer_value(v));
	v = json_object_get(ex, "udp");
	if (json_is_integer(v))
		CHECK_INT(n->udp, json_integer_value(v));
}

/* One case: enr: text through the record parser, the rest through ours. */
static int
parse_any(struct p2p_node *n, const char *in)
{
	struct p2p_enr r;
	int rc;

	if (strncmp(in, "enr:", 4) != 0)
		return p2p_enode_parse(n, in, strlen(in));
	if ((rc = p2p_enr_parse(&r, in, strlen(in))) != 0)
		return rc;
	return p2p_enr_to_node(&r, n);
}

static void
test_legacy_cases(void)
{
	json_t *j = unit_vectors("enode-urls.json"), *c;
	struct p2p_node n;
	size_t i, used = 0;

	json_array_foreach(json_object_get(j, "legacy_v1_8_24_cases"), i, c) {
		const char *in = str(c, "input");
		int rc = p2p_enode_parse(&n, in, strlen(in));

		if (json_is_true(json_object_get(c, "valid"))) {
			CHECK_MSG(rc == 0, "%s: %s", in, p2p_strerror(rc));
			check_expected(in, &n, json_object_get(c, "expected"));
		} else {
			CHECK_MSG(rc < 0, "%s accepted", in);
		}
		used++;
	}
	CHECK_INT(used, 14);
	json_decref(j);
}

/* Current go-ethereum: we differ on purpose for host names (refused
 * with EHOSTNAME) and bare keys (accepted, as v1.8.24 does). */
static void
test_current_cases(void)
{
	json_t *j = unit_vectors("enode-urls.json"), *c;
	struct p2p_node n;
	size_t i, used = 0;

	json_array_foreach(json_object_get(j, "cases"), i, c) {
		const char *in = str(c, "input");
		int rc = parse_any(&n, in);
		json_t *ex = json_object_get(c, "expected");

		if (ex && json_is_string(json_object_get(ex, "hostname"))) {
			CHECK_INT(rc, P2P_EHOSTNAME);
		} else if (json_is_true(json_object_get(c, "valid"))) {
			CHECK_MSG(rc == 0, "%s: %s", in, p2p_strerror(rc));
			check_expected(in, &n, ex);
		} else if (strlen(in) == 128) {
			CHECK_INT(rc, 0);	/* bare key: v1.8.24 rule */
			CHECK(n.ip.len == 0);
		} else {
			CHECK_MSG(rc < 0, "%s accepted", in);
		}
		used++;
	}
	CHECK_INT(used, 19);
	json_decref(j);
}

#define PUB "1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace2" \
	"4351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439"

static int
rc_of(const char *s)
{
	struct p2p_node n;

	return p2p_enode_parse(&n, s, strlen(s));
}

static void
test_errors(void)
{
	char off_curve[] = "enode://" PUB "@1.2.3.4:1";

	CHECK_INT(rc_of(""), P2P_EEMPTY);
	CHECK_INT(rc_of("http://foobar"), P2P_ESCHEME);
	CHECK_INT(rc_of("01010101"), P2P_EIDLEN);
	CHECK_INT(rc_of("enode://01010101@1.2.3.4:3"), P2P_EIDLEN);
	CHECK_INT(rc_of("enode://" PUB "@hostname:3"), P2P_EHOSTNAME);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:65536"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:+1"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:1?discport=70000"),
	    P2P_EDISCPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:1?discport=-1"),
	    P2P_EDISCPORT);
	CHECK_INT(rc_of("enode://" PUB "@[::1:1"), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB "@::1:1"), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB "@[fe80::1%eth0]:1"), P2P_EIP);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:1 "), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:1#x"), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB), 0);
	CHECK_INT(rc_of("ENODE://" PUB "@1.2.3.4:1"), 0);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:1?foo=bar&discport=2"), 0);
	off_curve[8 + 127] = off_curve[8 + 127] == '9' ? '8' : '9';
	CHECK_INT(rc_of(off_curve), P2P_EPUBKEY);
}

static void
test_format(void)
{
	static const char *urls[] = {
		"enode://" PUB "@127.0.0.1:30303",
		"enode://" PUB "@127.0.0.1:30303?discport=30301",
		"enode://" PUB "@[2001:db8::1]:1",
		"enode://" PUB "@[::]:0?discport=5",
		"enode://" PUB,
	};
	char out[P2P_ENODE_URL_MAX];
	struct p2p_node n, m;
	size_t len;

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		CHECK_INT(p2p_enode_parse(&n, urls[i], strlen(urls[i])), 0);
		len = sizeof(out);
		CHECK_INT(p2p_enode_format(out, &len, &n), 0);
		CHECK_STR(out, urls[i]);
		CHECK_INT(len, strlen(urls[i]));
		CHECK_INT(p2p_enode_parse(&m, out, len), 0);
		CHECK(memcmp(&n, &m, sizeof(n)) == 0);
	}
	/* IPv4-mapped IPv6 is IPv4. */
	CHECK_INT(rc_of("enode://" PUB "@[::ffff:1.2.3.4]:1"), 0);
	p2p_enode_parse(&n, "enode://" PUB "@[::ffff:1.2.3.4]:1",
	    strlen("enode://" PUB "@[::ffff:1.2.3.4]:1"));
	CHECK_INT(n.ip.len, 4);
	len = 10;
	CHECK_INT(p2p_enode_format(out, &len, &n), P2P_ETOOBIG);
	CHECK_INT(len, strlen("enode://" PUB "@1.2.3.4:1") + 1);
}

static void
test_distance(void)
{
	struct p2p_nodeid a = { { 0 } }, b = { { 0 } }, t = { { 0 } };

	CHECK_INT(p2p_enode_logdist(&a, &b), 0);
	b.b[31] = 1;
	CHECK_INT(p2p_enode_logdist(&a, &b), 1);
	b.b[31] = 0x80;
	CHECK_INT(p2p_enode_logdist(&a, &b), 8);
	b.b[0] = 0x80;
	CHECK_INT(p2p_enode_logdist(&a, &b), 256);
	b.b[0] = 0x01;
	CHECK_INT(p2p_enode_logdist(&a, &b), 249);
	CHECK_INT(p2p_enode_distcmp(&t, &a, &b), -1);
	CHECK_INT(p2p_enode_distcmp(&t, &b, &a), 1);
	CHECK_INT(p2p_enode_distcmp(&t, &b, &b), 0);
	t.b[0] = 0x01;
	CHECK_INT(p2p_enode_distcmp(&t, &a, &b), 1);
}

const struct unit_test unit_enode[] = {
	{ "legacy_cases", test_legacy_cases },
	{ "current_cases", test_current_cases },
	{ "errors", test_errors },
	{ "format", test_format },
	{ "distance", test_distance },
	{ NULL, NULL },
};
