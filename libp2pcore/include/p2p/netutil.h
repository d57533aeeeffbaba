/*
 * netutil.h - address classes and lists as go-ethereum v1.8.24's
 * p2p/netutil decides them: which addresses are LAN or special, which
 * may be relayed to whom in discovery, and NetRestrict CIDR lists.
 */
#ifndef P2P_NETUTIL_H
#define P2P_NETUTIL_H

#include <p2p/enode.h>

#define P2P_NETLIST_MAX 64	/* CIDRs in one list */

struct p2p_cidr {
	struct p2p_ip ip;	/* masked network address */
	uint8_t bits;		/* prefix length */
};

/* A list of networks (NetRestrict).  n == 0 is an empty list, which
 * contains nothing; callers treat "no list" separately. */
struct p2p_netlist {
	size_t n;
	struct p2p_cidr net[P2P_NETLIST_MAX];
};

/*
 * Parses "10.0.0.0/8,192.168.0.0/16,::1/128" (commas, optional spaces).
 * Returns: 0; P2P_EIP (a bad address or prefix, the list is then empty);
 *          P2P_ETOOBIG (more than P2P_NETLIST_MAX entries).
 */
int p2p_netlist_parse(struct p2p_netlist *l, const char *s);

/* 1 if ip is inside one of l's networks (an IPv4 address never matches
 * an IPv6 network and vice versa). */
int p2p_netlist_contains(const struct p2p_netlist *l, const struct p2p_ip *ip);

int p2p_ip_is_loopback(const struct p2p_ip *ip);
int p2p_ip_is_unspecified(const struct p2p_ip *ip);
/* Loopback, or 0/8, 10/8, 172.16/12, 192.168/16, fe80::/10, fc00::/7. */
int p2p_ip_is_lan(const struct p2p_ip *ip);
/* Documentation, benchmarking, 6to4 and other reserved ranges, and
 * multicast: never a node's address. */
int p2p_ip_is_special(const struct p2p_ip *ip);

/*
 * May addr, learnt from somewhere, be given to (or accepted from) sender?
 * v1.8.24's CheckRelayIP: not unspecified or special, loopback only
 * between loopback addresses, LAN only to LAN senders.
 * Returns: 0 if so; P2P_ERESTRICTED otherwise (P2P_EIP for a bad length).
 */
int p2p_ip_check_relay(const struct p2p_ip *sender, const struct p2p_ip *addr);

/* 1 if a and b are in the same /bits network (same family only). */
int p2p_ip_same_net(const struct p2p_ip *a, const struct p2p_ip *b,
    unsigned bits);

#endif
