/*
 * test_netutil.c - address classes and NetRestrict lists (netutil.c)
 * against go-ethereum v1.8.24's p2p/netutil: list parsing and
 * containment, the discovery relay rules, and the edges of the LAN and
 * special ranges.
 */
#include <stdio.h>
#include <stdlib.h>

#include <p2p/netutil.h>

#include "unit.h"

static struct p2p_ip
ip(const char *s)
{
	struct p2p_ip a;

	if (p2p_ip_parse(&a, s, strlen(s)) != 0) {
		printf("Bail out! bad test address %s\n", s);
		exit(1);
	}
	return a;
}

static int
contains(const struct p2p_netlist *l, const char *s)
{
	struct p2p_ip a = ip(s);

	return p2p_netlist_contains(l, &a);
}

static void
test_parse(void)
{
	static const char *bad[] = { "1.2.3.4/33", "1.2.3.4", "::1/129",
	    "10.0.0.0/", "/8", "10.0.0.0/8x", "10.0.0.0/-1", "10.0.0/8",
	    "10.0.0.0/1000", "example.com/8", "10.0.0.0/8,1.2.3.4",
	    "10.0.0.0//8", "[::1]/128" };
	struct p2p_netlist l;
	char big[P2P_NETLIST_MAX * 16 + 32], *p = big;

	CHECK_INT(p2p_netlist_parse(&l, "10.0.0.0/8, 192.168.0.0/16"), 0);
	CHECK_INT(l.n, 2);
	CHECK_INT(l.net[0].bits, 8);
	CHECK_INT(l.net[1].bits, 16);
	CHECK_INT(p2p_netlist_parse(&l, "::1/128"), 0);
	CHECK_INT(l.n, 1);
	CHECK_INT(l.net[0].ip.len, 16);
	CHECK_INT(p2p_netlist_parse(&l, ""), 0);
	CHECK_INT(l.n, 0);
	/* Empty entries are skipped, as geth's ParseNetlist does. */
	CHECK_INT(p2p_netlist_parse(&l, " ,10.0.0.0/8,, fe80::/10 ,"), 0);
	CHECK_INT(l.n, 2);
	/* Host bits are dropped (Go's ParseCIDR keeps the network). */
	CHECK_INT(p2p_netlist_parse(&l, "10.1.2.3/8"), 0);
	CHECK_HEX(l.net[0].ip.b, 4, "0a000000");
	CHECK_INT(p2p_netlist_parse(&l, "172.31.255.255/12"), 0);
	CHECK_HEX(l.net[0].ip.b, 4, "ac100000");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_MSG(p2p_netlist_parse(&l, bad[i]) == P2P_EIP,
		    "\"%s\" parsed", bad[i]);
		CHECK_INT(l.n, 0);
	}
	/* P2P_NETLIST_MAX entries fit, one more does not. */
	for (int i = 0; i < P2P_NETLIST_MAX; i++)
		p += sprintf(p, "10.%d.0.0/16,", i);
	CHECK_INT(p2p_netlist_parse(&l, big), 0);
	CHECK_INT(l.n, P2P_NETLIST_MAX);
	sprintf(p, "11.0.0.0/8");
	CHECK_INT(p2p_netlist_parse(&l, big), P2P_ETOOBIG);
	CHECK_INT(l.n, 0);
}

static void
test_contains(void)
{
	struct p2p_netlist l;

	CHECK_INT(p2p_netlist_parse(&l, "10.0.0.0/8, 192.168.0.0/16"), 0);
	CHECK(contains(&l, "10.0.0.0"));
	CHECK(contains(&l, "10.255.255.255"));
	CHECK(contains(&l, "192.168.1.1"));
	CHECK(!contains(&l, "11.0.0.0"));
	CHECK(!contains(&l, "9.255.255.255"));
	CHECK(!contains(&l, "192.169.0.0"));
	CHECK(!contains(&l, "::ffff:1.2.3.4"));
	CHECK(contains(&l, "::ffff:10.1.2.3"));	/* parsed as IPv4 */
	CHECK(!contains(&l, "::a00:1"));	/* IPv6 never matches */
	CHECK_INT(p2p_netlist_parse(&l, "::1/128"), 0);
	CHECK(contains(&l, "::1"));
	CHECK(!contains(&l, "::2"));
	CHECK(!contains(&l, "127.0.0.1"));
	CHECK_INT(p2p_netlist_parse(&l, "172.16.0.0/12,fe80::/10"), 0);
	CHECK(contains(&l, "172.16.0.1"));
	CHECK(contains(&l, "172.31.255.255"));
	CHECK(!contains(&l, "172.32.0.0"));
	CHECK(!contains(&l, "172.15.255.255"));
	CHECK(contains(&l, "febf::1"));
	CHECK(!contains(&l, "fec0::1"));
	CHECK_INT(p2p_netlist_parse(&l, "0.0.0.0/0"), 0);
	CHECK(contains(&l, "8.8.8.8"));
	CHECK(contains(&l, "255.255.255.255"));
	CHECK(!contains(&l, "::1"));
	CHECK_INT(p2p_netlist_parse(&l, "1.2.3.4/32"), 0);
	CHECK(contains(&l, "1.2.3.4"));
	CHECK(!contains(&l, "1.2.3.5"));
	CHECK_INT(p2p_netlist_parse(&l, ""), 0);
	CHECK(!contains(&l, "10.0.0.1"));
	CHECK(!contains(&l, "::1"));
}

struct relay_case {
	const char *sender, *addr;
	int want;
};

static void
test_relay(void)
{
	static const struct relay_case c[] = {
		/* public: to anyone */
		{ "1.2.3.4", "8.8.8.8", 0 },
		{ "127.0.0.1", "8.8.8.8", 0 },
		{ "10.0.0.1", "8.8.8.8", 0 },
		{ "::1", "2a00:1450::1", 0 },
		/* loopback: only to loopback senders */
		{ "127.0.0.1", "127.0.0.2", 0 },
		{ "127.0.0.1", "::1", 0 },
		{ "::1", "127.0.0.1", 0 },
		{ "1.2.3.4", "127.0.0.1", P2P_ERESTRICTED },
		{ "10.0.0.2", "127.0.0.1", P2P_ERESTRICTED },
		{ "192.168.1.1", "::1", P2P_ERESTRICTED },
		/* LAN: only to LAN senders (loopback is LAN) */
		{ "10.0.0.2", "192.168.1.1", 0 },
		{ "127.0.0.1", "10.0.0.1", 0 },
		{ "fd00::5", "fc00::1", 0 },
		{ "fe80::2", "fe80::1", 0 },
		{ "8.8.8.8", "10.0.0.1", P2P_ERESTRICTED },
		{ "8.8.8.8", "172.16.5.4", P2P_ERESTRICTED },
		{ "2a00::1", "fe80::1", P2P_ERESTRICTED },
		{ "8.8.8.8", "fc00::1", P2P_ERESTRICTED },
		/* special and unspecified: never */
		{ "127.0.0.1", "192.0.2.1", P2P_ERESTRICTED },
		{ "1.2.3.4", "192.0.2.1", P2P_ERESTRICTED },
		{ "::1", "2001:db8::1", P2P_ERESTRICTED },
		{ "1.2.3.4", "2002::1", P2P_ERESTRICTED },
		{ "1.2.3.4", "224.0.0.1", P2P_ERESTRICTED },
		{ "::1", "ff02::1", P2P_ERESTRICTED },
		{ "1.2.3.4", "255.255.255.255", P2P_ERESTRICTED },
		{ "127.0.0.1", "0.0.0.0", P2P_ERESTRICTED },
		{ "::1", "::", P2P_ERESTRICTED },
		{ "10.0.0.1", "0.1.2.3", P2P_ERESTRICTED },
	};
	struct p2p_ip s = ip("1.2.3.4"), none;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct p2p_ip a = ip(c[i].sender), b = ip(c[i].addr);

		CHECK_MSG(p2p_ip_check_relay(&a, &b) == c[i].want,
		    "relay %s to %s: %d, expected %d", c[i].addr, c[i].sender,
		    p2p_ip_check_relay(&a, &b), c[i].want);
	}
	memset(&none, 0, sizeof(none));
	CHECK_INT(p2p_ip_check_relay(&s, &none), P2P_EIP);
	none.len = 5;
	CHECK_INT(p2p_ip_check_relay(&s, &none), P2P_EIP);
}

struct class_case {
	const char *addr;
	int want;
};

static void
test_is_lan(void)
{
	static const struct class_case c[] = {
		{ "127.0.0.1", 1 }, { "127.255.255.255", 1 }, { "::1", 1 },
		{ "0.0.0.0", 1 }, { "0.255.255.255", 1 }, { "1.0.0.0", 0 },
		{ "10.0.0.0", 1 }, { "10.255.255.255", 1 }, { "11.0.0.0", 0 },
		{ "9.255.255.255", 0 }, { "172.16.0.0", 1 },
		{ "172.31.255.255", 1 }, { "172.32.0.0", 0 },
		{ "172.15.255.255", 0 }, { "192.168.0.0", 1 },
		{ "192.168.255.255", 1 }, { "192.169.0.0", 0 },
		{ "192.167.255.255", 0 }, { "100.64.0.1", 0 },
		{ "169.254.1.1", 0 }, { "8.8.8.8", 0 },
		{ "fe80::", 1 }, { "febf:ffff::1", 1 }, { "fec0::1", 0 },
		{ "fc00::1", 1 }, { "fdff:ffff::1", 1 }, { "fe00::1", 0 },
		{ "fbff::1", 0 }, { "::2", 0 }, { "2a00::1", 0 },
	};
	struct p2p_ip none;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct p2p_ip a = ip(c[i].addr);

		CHECK_MSG(p2p_ip_is_lan(&a) == c[i].want, "is_lan(%s) != %d",
		    c[i].addr, c[i].want);
	}
	memset(&none, 0, sizeof(none));
	CHECK_INT(p2p_ip_is_lan(&none), 0);
}

static void
test_is_special(void)
{
	static const struct class_case c[] = {
		{ "0.0.0.1", 1 }, { "192.0.0.0", 1 }, { "192.0.0.7", 1 },
		{ "192.0.0.8", 0 }, { "192.0.0.9", 1 }, { "192.0.0.10", 0 },
		{ "192.0.0.170", 1 }, { "192.0.0.171", 1 },
		{ "192.0.0.172", 0 }, { "192.0.1.255", 0 },
		{ "192.0.2.0", 1 }, { "192.0.2.1", 1 }, { "192.0.2.255", 1 },
		{ "192.0.3.0", 0 }, { "192.31.196.1", 1 },
		{ "192.52.193.1", 1 }, { "192.88.99.1", 1 },
		{ "192.175.48.1", 1 }, { "198.17.255.255", 0 },
		{ "198.18.0.0", 1 }, { "198.19.255.255", 1 },
		{ "198.20.0.0", 0 }, { "198.51.100.7", 1 },
		{ "203.0.113.9", 1 }, { "203.0.114.0", 0 },
		{ "255.255.255.255", 1 }, { "255.255.255.254", 0 },
		{ "224.0.0.1", 1 }, { "239.255.255.255", 1 },
		{ "223.255.255.255", 0 }, { "240.0.0.1", 0 },
		{ "8.8.8.8", 0 }, { "10.0.0.1", 0 }, { "127.0.0.1", 0 },
		{ "100::1", 1 }, { "100:0:0:1::1", 0 }, { "2001::1", 1 },
		{ "2001:0:ffff::1", 1 }, { "2001:1::1", 1 },
		{ "2001:1::2", 0 }, { "2001:2::1", 1 }, { "2001:2:1::1", 0 },
		{ "2001:3::1", 1 }, { "2001:4:112::1", 1 },
		{ "2001:4:113::1", 0 }, { "2001:5::1", 1 },
		{ "2001:10::1", 1 }, { "2001:1f::1", 1 }, { "2001:20::1", 1 },
		{ "2001:2f::1", 1 }, { "2001:30::1", 0 },
		{ "2001:db8::1", 1 }, { "2001:db9::1", 0 },
		{ "2001:db7::1", 0 }, { "2002::1", 1 }, { "2003::1", 0 },
		{ "ff02::1", 1 }, { "feff::1", 0 }, { "::1", 0 },
		{ "2a00:1450::1", 0 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct p2p_ip a = ip(c[i].addr);

		CHECK_MSG(p2p_ip_is_special(&a) == c[i].want,
		    "is_special(%s) != %d", c[i].addr, c[i].want);
	}
}

static void
test_loopback_unspecified(void)
{
	struct p2p_ip a, none;

	memset(&none, 0, sizeof(none));
	a = ip("127.0.0.1");
	CHECK(p2p_ip_is_loopback(&a));
	a = ip("126.255.255.255");
	CHECK(!p2p_ip_is_loopback(&a));
	a = ip("::1");
	CHECK(p2p_ip_is_loopback(&a));
	a = ip("::");
	CHECK(!p2p_ip_is_loopback(&a));
	CHECK(p2p_ip_is_unspecified(&a));
	a = ip("0.0.0.0");
	CHECK(p2p_ip_is_unspecified(&a));
	a = ip("0.0.0.1");
	CHECK(!p2p_ip_is_unspecified(&a));
	CHECK(!p2p_ip_is_loopback(&none));
	CHECK(!p2p_ip_is_unspecified(&none));
}

static void
test_same_net(void)
{
	struct p2p_ip a = ip("10.1.2.3"), b = ip("10.1.3.3"),
	    c = ip("::ffff:0:0"), d = ip("::");

	CHECK(p2p_ip_same_net(&a, &b, 0));
	CHECK(p2p_ip_same_net(&a, &b, 16));
	CHECK(p2p_ip_same_net(&a, &b, 23));
	CHECK(!p2p_ip_same_net(&a, &b, 24));
	CHECK(p2p_ip_same_net(&a, &a, 32));
	CHECK(!p2p_ip_same_net(&a, &a, 33));	/* longer than the address */
	CHECK(p2p_ip_same_net(&d, &d, 128));
	CHECK(!p2p_ip_same_net(&c, &d, 0));	/* IPv4 and IPv6 */
}

const struct unit_test unit_netutil[] = {
	{ "parse", test_parse },
	{ "contains", test_contains },
	{ "relay", test_relay },
	{ "is_lan", test_is_lan },
	{ "is_special", test_is_special },
	{ "loopback_unspecified", test_loopback_unspecified },
	{ "same_net", test_same_net },
	{ NULL, NULL },
};
