/*
 * netutil.c - address classes, relay rules and CIDR lists (see netutil.h).
 * The tables are go-ethereum v1.8.24's p2p/netutil lists, transcribed as
 * facts (IANA special-purpose registries), not code.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <p2p/netutil.h>

#include "internal.h"

struct net_lit {
	const char *ip;
	uint8_t bits;
};

static const struct net_lit lan[] = {
	{ "0.0.0.0", 8 }, { "10.0.0.0", 8 }, { "172.16.0.0", 12 },
	{ "192.168.0.0", 16 }, { "fe80::", 10 }, { "fc00::", 7 },
};

static const struct net_lit special[] = {
	{ "0.0.0.0", 8 }, { "192.0.0.0", 29 }, { "192.0.0.9", 32 },
	{ "192.0.0.170", 32 }, { "192.0.0.171", 32 }, { "192.0.2.0", 24 },
	{ "192.31.196.0", 24 }, { "192.52.193.0", 24 }, { "192.88.99.0", 24 },
	{ "192.175.48.0", 24 }, { "198.18.0.0", 15 }, { "198.51.100.0", 24 },
	{ "203.0.113.0", 24 }, { "255.255.255.255", 32 },
	{ "100::", 64 }, { "2001::", 32 }, { "2001:1::1", 128 },
	{ "2001:2::", 48 }, { "2001:3::", 32 }, { "2001:4:112::", 48 },
	{ "2001:5::", 32 }, { "2001:10::", 28 }, { "2001:20::", 28 },
	{ "2001:db8::", 32 }, { "2002::", 16 },
};

int
p2p_ip_same_net(const struct p2p_ip *a, const struct p2p_ip *b,
    unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (a->len != b->len || a->len == 0 || bits > 8u * a->len)
		return 0;
	if (memcmp(a->b, b->b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a->b[full] ^ b->b[full]) & (0xff00 >> rest) & 0xff) == 0;
}

#define NLAN (sizeof(lan) / sizeof(lan[0]))
#define NSPECIAL (sizeof(special) / sizeof(special[0]))

/* The lists parsed once: discovery checks every node a Neighbors packet
 * names against them, and parsing the text each time was most of what
 * the table's checks cost. */
static struct p2p_ip lan_ip[NLAN], special_ip[NSPECIAL];
static pthread_once_t lits_once = PTHREAD_ONCE_INIT;

static void
lits_parse(void)
{
	for (size_t i = 0; i < NLAN; i++)
		p2p_ip_parse(&lan_ip[i], lan[i].ip, strlen(lan[i].ip));
	for (size_t i = 0; i < NSPECIAL; i++)
		p2p_ip_parse(&special_ip[i], special[i].ip,
		    strlen(special[i].ip));
}

static int
in_lits(const struct p2p_ip *ip, const struct net_lit *l,
    const struct p2p_ip *nets, size_t n)
{
	pthread_once(&lits_once, lits_parse);
	for (size_t i = 0; i < n; i++)
		if (p2p_ip_same_net(ip, &nets[i], l[i].bits))
			return 1;
	return 0;
}

int
p2p_ip_is_loopback(const struct p2p_ip *ip)
{
	static const uint8_t one6[16] = { [15] = 1 };

	if (ip->len == 4)
		return ip->b[0] == 127;
	return ip->len == 16 && memcmp(ip->b, one6, 16) == 0;
}

int
p2p_ip_is_unspecified(const struct p2p_ip *ip)
{
	static const uint8_t zero[16];

	return (ip->len == 4 || ip->len == 16) &&
	    memcmp(ip->b, zero, ip->len) == 0;
}

int
p2p_ip_is_lan(const struct p2p_ip *ip)
{
	return p2p_ip_is_loopback(ip) ||
	    in_lits(ip, lan, lan_ip, NLAN);
}

int
p2p_ip_is_special(const struct p2p_ip *ip)
{
	/* Multicast: 224.0.0.0/4 and ff00::/8. */
	if ((ip->len == 4 && (ip->b[0] & 0xf0) == 0xe0) ||
	    (ip->len == 16 && ip->b[0] == 0xff))
		return 1;
	return in_lits(ip, special, special_ip, NSPECIAL);
}

int
p2p_ip_check_relay(const struct p2p_ip *sender, const struct p2p_ip *addr)
{
	if (addr->len != 4 && addr->len != 16)
		return P2P_EIP;
	if (p2p_ip_is_unspecified(addr) || p2p_ip_is_special(addr))
		return P2P_ERESTRICTED;
	if (p2p_ip_is_loopback(addr) && !p2p_ip_is_loopback(sender))
		return P2P_ERESTRICTED;
	if (p2p_ip_is_lan(addr) && !p2p_ip_is_lan(sender))
		return P2P_ERESTRICTED;
	return 0;
}

static int
parse_cidr(struct p2p_cidr *c, const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);
	unsigned bits = 0;
	size_t i;

	if (slash == NULL || slash == s || slash + 1 == s + len ||
	    s + len - slash > 4)
		return P2P_EIP;
	for (const char *p = slash + 1; p < s + len; p++) {
		if (*p < '0' || *p > '9' || (p == slash + 1 && *p == '0' &&
		    p + 1 < s + len))
			return P2P_EIP;
		bits = bits * 10 + (unsigned)(*p - '0');
	}
	if (p2p_ip_parse(&c->ip, s, (size_t)(slash - s)) != 0 ||
	    bits > 8u * c->ip.len)
		return P2P_EIP;
	c->bits = (uint8_t)bits;
	/* Keep the network address only, as Go's ParseCIDR does. */
	for (i = 0; i < c->ip.len; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8 :
		    bits > 8 * i ? bits - 8 * (unsigned)i : 0;

		c->ip.b[i] &= (uint8_t)(0xff00 >> keep);
	}
	return 0;
}

int
p2p_netlist_parse(struct p2p_netlist *l, const char *s)
{
	memset(l, 0, sizeof(*l));
	while (*s != '\0') {
		const char *end;
		size_t len;

		while (*s == ' ' || *s == ',')
			s++;
		if (*s == '\0')
			break;
		end = s + strcspn(s, ", ");
		len = (size_t)(end - s);
		if (l->n == P2P_NETLIST_MAX) {
			memset(l, 0, sizeof(*l));
			return P2P_ETOOBIG;
		}
		if (parse_cidr(&l->net[l->n], s, len) != 0) {
			memset(l, 0, sizeof(*l));
			return P2P_EIP;
		}
		l->n++;
		s = end;
	}
	return 0;
}

int
p2p_netlist_contains(const struct p2p_netlist *l, const struct p2p_ip *ip)
{
	for (size_t i = 0; i < l->n; i++)
		if (p2p_ip_same_net(ip, &l->net[i].ip, l->net[i].bits))
			return 1;
	return 0;
}

void
p2pi_to_sockaddr(struct sockaddr_storage *ss, socklen_t *sl,
    const struct p2p_ip *ip, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->len == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, ip->b, 4);
		*sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, ip->b, 16);
		*sl = sizeof(*s6);
	}
}

void
p2pi_from_sockaddr(const struct sockaddr_storage *ss, struct p2p_ip *ip,
    uint16_t *port)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	memset(ip, 0, sizeof(*ip));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		ip->len = 4;
		memcpy(ip->b, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		ip->len = 16;
		memcpy(ip->b, &s6->sin6_addr, 16);
		if (memcmp(ip->b, mapped, 12) == 0) {
			memmove(ip->b, ip->b + 12, 4);
			memset(ip->b + 4, 0, 12);
			ip->len = 4;
		}
		*port = ntohs(s6->sin6_port);
	}
}

uint64_t
p2pi_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
