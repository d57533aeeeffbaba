/* test_enode.c - enode URLs against enode-urls.json (go-ethereum v1.8.24
 * rules exactly; the current-geth cases where we agree, and our documented
 * differences where we do not), url.Parse corner cases, IP text forms,
 * formatting round trips and distances. */
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

/*
 * The vectors' error categories as our codes.  v1.8.24 says "invalid IP
 * address" for "hostname:3": we say EHOSTNAME, which is what it is.
 * Current geth's "missing_prefix" is its rule that plain strings are ENR
 * text; we keep v1.8.24's rules, so each input gets v1.8.24's error.
 */
static int
category_rc(const char *cat, const char *in)
{
	static const struct {
		const char *cat;
		int rc;
	} map[] = {
		{ "invalid_scheme", P2P_ESCHEME },
		{ "invalid_public_key_length", P2P_EIDLEN },
		{ "invalid_ip", P2P_EHOSTNAME },
		{ "invalid_port", P2P_EPORT },
		{ "invalid_discport", P2P_EDISCPORT },
		{ "url_parse_error", P2P_EURL },
		{ "enr_empty", P2P_EEMPTY },
		{ "enr_bad_base64", P2P_EBASE64 },
		{ "invalid_signature", P2P_EENRSIG },
	};

	if (strcmp(cat, "missing_prefix") == 0) {
		if (in[0] == '\0')
			return P2P_EEMPTY;
		if (strcmp(in, "://foo") == 0)
			return P2P_EURL;
		if (strstr(in, "://") != NULL)
			return P2P_ESCHEME;
		return strlen(in) == 128 ? 0 : P2P_EIDLEN;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(cat, map[i].cat) == 0)
			return map[i].rc;
	return 1;	/* an unknown category fails the test */
}

/* Compares a parsed node with a case's "expected". */
static void
check_expected(const char *in, const struct p2p_node *n, json_t *ex)
{
	char ip[46];
	json_t *v;

	CHECK_HEX(n->pub.b, 64, str(ex, "public_key"));
	CHECK_HEX(n->id.b, 32, str(ex, "node_id"));
	p2p_ip_format(ip, &n->ip);
	v = json_object_get(ex, "ip");
	if (json_is_string(v))
		CHECK_MSG(strcmp(ip, json_string_value(v)) == 0,
		    "%s: ip %s", in, ip);
	else
		CHECK_MSG(json_is_null(v) && n->ip.len == 0,
		    "%s: has an ip", in);
	/* null (no such key in a record) is 0 here */
	CHECK_INT(n->tcp, json_integer_value(json_object_get(ex, "tcp")));
	CHECK_INT(n->udp, json_integer_value(json_object_get(ex, "udp")));
}

/* A parsed node formats to a URL that parses to the same node. */
static void
check_round_trip(const char *in, const struct p2p_node *n)
{
	char out[P2P_ENODE_URL_MAX];
	size_t len = sizeof(out);
	struct p2p_node m;

	CHECK_INT(p2p_enode_format(out, &len, n), 0);
	CHECK_INT(p2p_enode_parse(&m, out, len), 0);
	CHECK_MSG(memcmp(n, &m, sizeof(m)) == 0, "%s -> %s differs", in, out);
}

/* enr: text through the record parser, the rest through ours. */
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

static size_t
run_cases(const char *set, int current)
{
	json_t *j = unit_vectors("enode-urls.json"), *c;
	struct p2p_node n;
	size_t i, used = 0;

	json_array_foreach(json_object_get(j, set), i, c) {
		const char *in = str(c, "input");
		int rc = current ? parse_any(&n, in) :
		    p2p_enode_parse(&n, in, strlen(in));
		json_t *ex = json_object_get(c, "expected");

		if (ex != NULL && str(ex, "hostname") != NULL) {
			/* Current geth resolves names; we refuse them. */
			CHECK_MSG(rc == P2P_EHOSTNAME, "%s: %d", in, rc);
		} else if (json_is_true(json_object_get(c, "valid"))) {
			CHECK_MSG(rc == 0, "%s: %s", in, p2p_strerror(rc));
			check_expected(in, &n, ex);
			check_round_trip(in, &n);
		} else {
			CHECK_MSG(rc == category_rc(str(c, "error"), in),
			    "%s: %s gave %d", in, str(c, "error"), rc);
		}
		used++;
	}
	json_decref(j);
	return used;
}

static void
test_legacy_cases(void)
{
	CHECK_INT(run_cases("legacy_v1_8_24_cases", 0), 14);
}

static void
test_current_cases(void)
{
	CHECK_INT(run_cases("cases", 1), 19);
}

#define PUB "1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace2" \
	"4351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439"
#define URL "enode://" PUB "@1.2.3.4:30303"

static int
rc_of(const char *s)
{
	struct p2p_node n;

	return p2p_enode_parse(&n, s, strlen(s));
}

/* Parses s, which must succeed, and returns the udp port. */
static int
udp_of(const char *s)
{
	struct p2p_node n;
	int rc = p2p_enode_parse(&n, s, strlen(s));

	CHECK_MSG(rc == 0, "%s: %s", s, p2p_strerror(rc));
	return rc == 0 ? n.udp : -1;
}

static void
test_errors(void)
{
	char off_curve[] = URL, long_url[1100];
	struct p2p_node n;

	CHECK_INT(rc_of(""), P2P_EEMPTY);
	CHECK_INT(rc_of("http://foobar"), P2P_ESCHEME);
	CHECK_INT(rc_of("enode:" PUB "@1.2.3.4:1"), P2P_EURL);
	CHECK_INT(rc_of(PUB "@1.2.3.4:1"), P2P_ESCHEME);
	CHECK_INT(rc_of("://" PUB), P2P_EURL);
	CHECK_INT(rc_of("01010101"), P2P_EIDLEN);
	CHECK_INT(rc_of("0101010"), P2P_EIDLEN);	/* odd */
	CHECK_INT(rc_of("enode://"), P2P_EIDLEN);
	CHECK_INT(rc_of("enode://01010101@1.2.3.4:3"), P2P_EIDLEN);
	CHECK_INT(rc_of("enode://0x" PUB), P2P_EIDLEN);	/* no user */
	CHECK_INT(rc_of("enode://0x" PUB "@1.2.3.4:1"), P2P_EHEX);
	CHECK_INT(rc_of("enode://" PUB "?discport=1"), P2P_EIDLEN);
	CHECK_INT(rc_of("enode://" PUB "@hostname:3"), P2P_EHOSTNAME);
	CHECK_INT(rc_of("enode://" PUB "@a-b.example:3"), P2P_EHOSTNAME);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4.5:3"), P2P_EIP);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3:3"), P2P_EIP);
	CHECK_INT(rc_of("enode://" PUB "@01.2.3.4:3"), P2P_EIP);
	CHECK_INT(rc_of("enode://" PUB "@:3"), P2P_EIP);
	CHECK_INT(rc_of("enode://" PUB "@[]:3"), P2P_EIP);
	CHECK_INT(rc_of("enode://" PUB "@[hostname]:3"), P2P_EIP);
	CHECK_INT(rc_of("enode://" PUB "@[fe80::1%eth0]:1"), P2P_EIP);
	CHECK_INT(rc_of("enode://" PUB "@[fe80::1%25eth0]:1"), P2P_EIP);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@[::1]"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@[::1]:"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@[::1]:x"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:65536"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:+1"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:-1"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:0x10"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:99999999999999999999"),
	    P2P_EPORT);
	CHECK_INT(rc_of(URL "?discport=65536"), P2P_EDISCPORT);
	CHECK_INT(rc_of(URL "?discport=-1"), P2P_EDISCPORT);
	CHECK_INT(rc_of(URL "?discport=+1"), P2P_EDISCPORT);	/* '+' = ' ' */
	CHECK_INT(rc_of(URL "?discport=%201"), P2P_EDISCPORT);
	CHECK_INT(rc_of("enode://" PUB "@[::1:1"), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB "@[::1]x:1"), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB "@[::1]]:1"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@[::1]:1:2"), P2P_EPORT);
	CHECK_INT(rc_of("enode://" PUB "@::1:1"), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB "@1.2[.3.4:1"), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4]:1"), P2P_EURL);
	/* What url.Parse itself refuses. */
	CHECK_INT(rc_of("enode://" PUB ":secret@1.2.3.4:1"), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB " @1.2.3.4:1"), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4 :1"), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:1 "), P2P_EURL);
	CHECK_INT(rc_of("enode://" PUB "%zz@1.2.3.4:1"), P2P_EURL);
	CHECK_INT(rc_of(URL "#%zz"), P2P_EURL);
	CHECK_INT(rc_of(URL "/%"), P2P_EURL);
	CHECK_INT(rc_of(URL "\n"), P2P_EURL);
	CHECK_INT(rc_of(URL "?a=\tb"), P2P_EURL);
	CHECK_INT(p2p_enode_parse(&n, URL "\0", sizeof(URL)), P2P_EURL);
	/* Bounded input: a valid URL padded past 1 KiB is refused. */
	memset(long_url, 'a', sizeof(long_url));
	memcpy(long_url, URL "?x=", strlen(URL "?x="));
	long_url[sizeof(long_url) - 1] = '\0';
	CHECK_INT(rc_of(long_url), P2P_EURL);
	long_url[1024] = '\0';
	CHECK_INT(rc_of(long_url), 0);
	/* A point that is not on the curve. */
	off_curve[8 + 127] = off_curve[8 + 127] == '9' ? '8' : '9';
	CHECK_INT(rc_of(off_curve), P2P_EPUBKEY);
	off_curve[8 + 128] = '\0';
	CHECK_INT(rc_of(off_curve), P2P_EPUBKEY);
	CHECK_INT(rc_of(off_curve + 8), P2P_EPUBKEY);
}

/* Accepted because v1.8.24's url.Parse and url.Query accept them. */
static void
test_go_url(void)
{
	struct p2p_node n, m;

	CHECK_INT(rc_of("ENODE://" PUB "@1.2.3.4:1"), 0);
	CHECK_INT(rc_of("eNoDe://" PUB), 0);
	CHECK_INT(rc_of("enode://" PUB "@1.2.3.4:030303"), 0);
	CHECK_INT(rc_of(URL "#fragment"), 0);
	CHECK_INT(rc_of(URL "/path/%41"), 0);
	CHECK_INT(rc_of(URL "?"), 0);
	CHECK_INT(rc_of("enode://" PUB "@[1.2.3.4]:1"), 0);
	/* Escapes in the user part are decoded before the hex. */
	CHECK_INT(p2p_enode_parse(&n, URL, strlen(URL)), 0);
	CHECK_INT(p2p_enode_parse(&m, "enode://%31dd9" PUB "@1.2.3.4:30303",
	    strlen("enode://%31dd9" PUB "@1.2.3.4:30303")), P2P_EIDLEN);
	{
		char esc[] = "enode://%31" PUB "@1.2.3.4:30303";

		/* "%31" replaces the key's leading "1" */
		memmove(esc + 11, esc + 12, strlen(esc + 12) + 1);
		CHECK_INT(p2p_enode_parse(&m, esc, strlen(esc)), 0);
		CHECK(memcmp(&n, &m, sizeof(n)) == 0);
	}
	/* url.Query: '&' and ';' separate, the first discport wins, an
	 * empty one means tcp, keys and values are unescaped, pairs with
	 * bad escapes are skipped, other keys are ignored. */
	CHECK_INT(udp_of(URL "?discport=5"), 5);
	CHECK_INT(udp_of(URL "?discport=00005"), 5);
	CHECK_INT(udp_of(URL "?foo=bar&discport=2"), 2);
	CHECK_INT(udp_of(URL "?foo=bar;discport=2"), 2);
	CHECK_INT(udp_of(URL "?discport=2&discport=3"), 2);
	CHECK_INT(udp_of(URL "?discport=&discport=3"), 30303);
	CHECK_INT(udp_of(URL "?discport&discport=3"), 30303);
	CHECK_INT(udp_of(URL "?discport=%zz&discport=3"), 3);
	CHECK_INT(udp_of(URL "?disc%70ort=%34"), 4);
	CHECK_INT(udp_of(URL "?Discport=4"), 30303);
	CHECK_INT(udp_of(URL "?discport=0"), 0);
	CHECK_INT(udp_of(URL "?x=a b&discport=7"), 7);
	CHECK_INT(udp_of(URL "?discport=7#x"), 7);
	CHECK_INT(udp_of(URL "/p?discport=7"), 7);
	CHECK_INT(rc_of(URL "?discport=7@x"), P2P_EDISCPORT);
}

static void
test_ip(void)
{
	static const struct {
		const char *in, *out;
		int len;
	} ok[] = {
		{ "1.2.3.4", "1.2.3.4", 4 },
		{ "0.0.0.0", "0.0.0.0", 4 },
		{ "::", "::", 16 },
		{ "::1", "::1", 16 },
		{ "::ffff:1.2.3.4", "1.2.3.4", 4 },
		{ "::FFFF:102:304", "1.2.3.4", 4 },
		/* Go's net.IP.String, not inet_ntop: no dotted tail */
		{ "::1.2.3.4", "::102:304", 16 },
		{ "::ffff:0:1.2.3.4", "::ffff:0:102:304", 16 },
		{ "2001:DB8::A", "2001:db8::a", 16 },
		{ "1:0:0:1:0:0:0:1", "1:0:0:1::1", 16 },
		{ "1:0:0:0:1:0:0:1", "1::1:0:0:1", 16 },
		{ "0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1", 16 },
		{ "1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0", 16 },
		{ "1:2:3:4:5:6:0:0", "1:2:3:4:5:6::", 16 },
		{ "fe80::", "fe80::", 16 },
	};
	static const char *bad[] = { "", "1.2.3", "1.2.3.4 ", " 1.2.3.4",
		"01.2.3.4", "256.1.1.1", "fe80::1%eth0", "[::1]", "::1::",
		"00001::", "1:2:3:4:5:6:7:8:9", "localhost",
		"1111:2222:3333:4444:5555:6666:7777:8888:1" };
	struct p2p_ip ip;
	char s[46];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_MSG(p2p_ip_parse(&ip, ok[i].in, strlen(ok[i].in)) == 0,
		    "%s", ok[i].in);
		CHECK_INT(ip.len, ok[i].len);
		p2p_ip_format(s, &ip);
		CHECK_STR(s, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(p2p_ip_parse(&ip, bad[i], strlen(bad[i])) == P2P_EIP,
		    "%s accepted", bad[i]);
	CHECK_INT(p2p_ip_parse(&ip, "1.2.3.4\0", 8), P2P_EIP);
	CHECK_INT(ip.len, 0);
	p2p_ip_format(s, &ip);
	CHECK_STR(s, "");
}

static void
test_format(void)
{
	static const char *urls[] = {
		"enode://" PUB "@127.0.0.1:30303",
		"enode://" PUB "@127.0.0.1:30303?discport=30301",
		"enode://" PUB "@[2001:db8::1]:1",
		"enode://" PUB "@[::]:0?discport=5",
		"enode://" PUB "@[::102:304]:1",
		"enode://" PUB "@1.2.3.4:0",
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
	/* Normalised on the way through, as geth's URLv4 writes them. */
	p2p_enode_parse(&n, "ENODE://" PUB "@[::ffff:1.2.3.4]:01?discport=1",
	    strlen("ENODE://" PUB "@[::ffff:1.2.3.4]:01?discport=1"));
	CHECK_INT(n.ip.len, 4);
	len = sizeof(out);
	CHECK_INT(p2p_enode_format(out, &len, &n), 0);
	CHECK_STR(out, "enode://" PUB "@1.2.3.4:1");
	/* The bare key is an incomplete node; its id is keccak(key). */
	CHECK_INT(p2p_enode_parse(&m, PUB, 128), 0);
	CHECK_INT(m.ip.len, 0);
	CHECK(memcmp(&m.id, &n.id, sizeof(n.id)) == 0);
	len = sizeof(out);
	CHECK_INT(p2p_enode_format(out, &len, &m), 0);
	CHECK_STR(out, "enode://" PUB);
	/* Too small: the size needed, NUL included. */
	len = strlen("enode://" PUB "@1.2.3.4:1");
	CHECK_INT(p2p_enode_format(out, &len, &n), P2P_ETOOBIG);
	CHECK_INT(len, strlen("enode://" PUB "@1.2.3.4:1") + 1);
	CHECK_INT(p2p_enode_format(out, &len, &n), 0);
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
	b.b[30] = 0x01;
	CHECK_INT(p2p_enode_logdist(&a, &b), 9);
	b.b[0] = 0x80;
	CHECK_INT(p2p_enode_logdist(&a, &b), 256);
	CHECK_INT(p2p_enode_logdist(&b, &a), 256);
	b.b[0] = 0x01;
	CHECK_INT(p2p_enode_logdist(&a, &b), 249);
	CHECK_INT(p2p_enode_distcmp(&t, &a, &b), -1);
	CHECK_INT(p2p_enode_distcmp(&t, &b, &a), 1);
	CHECK_INT(p2p_enode_distcmp(&t, &b, &b), 0);
	t.b[0] = 0x01;
	CHECK_INT(p2p_enode_distcmp(&t, &a, &b), 1);
	t.b[31] = 0x80;
	CHECK_INT(p2p_enode_distcmp(&t, &a, &b), 1);
}

const struct unit_test unit_enode[] = {
	{ "legacy_cases", test_legacy_cases },
	{ "current_cases", test_current_cases },
	{ "errors", test_errors },
	{ "go_url", test_go_url },
	{ "ip", test_ip },
	{ "format", test_format },
	{ "distance", test_distance },
	{ NULL, NULL },
};
