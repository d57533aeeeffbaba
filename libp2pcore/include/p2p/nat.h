/*
 * nat.h - port mappings on a NAT router, as go-ethereum v1.8.24's
 * p2p/nat does them: UPnP IGD (miniupnpc) or NAT-PMP (libnatpmp), the
 * TCP listener's and the UDP discovery port mapped for
 * P2P_NAT_LIFETIME_S and renewed every P2P_NAT_RENEW_S, removed at the
 * end; the router's external address is what we announce.
 *
 * Both protocols block (SSDP discovery, SOAP over HTTP, NAT-PMP's
 * retries), so every exchange with the router runs on a thread of its
 * own; results come back on the caller's event loop as events, one per
 * step, so an operator sees what was tried and what the router said.
 *
 * Beyond v1.8.24 (as modern geth does): a router that accepts only
 * permanent leases (UPnP error 725) gets lease 0, and such a mapping is
 * still removed at the end; a router that maps another external port
 * than the one asked for has that port announced.
 */
#ifndef P2P_NAT_H
#define P2P_NAT_H

#include <stdint.h>

#include <p2p/netutil.h>

struct event_base;
struct p2p_nat;

#define P2P_NAT_LIFETIME_S	1200	/* mapTimeout: 20 minutes */
#define P2P_NAT_RENEW_S		900	/* mapUpdateInterval: 15 minutes */
#define P2P_NAT_UPNP_WAIT_MS	3000	/* SSDP discovery */
#define P2P_NAT_PMP_WAIT_MS	1000	/* a NAT-PMP answer */

enum p2p_nat_kind {
	P2P_NAT_NONE,		/* "none" */
	P2P_NAT_ANY,		/* "any": UPnP, then NAT-PMP */
	P2P_NAT_EXTIP,		/* "extip:IP": no router, this address */
	P2P_NAT_UPNP,		/* "upnp" */
	P2P_NAT_PMP,		/* "pmp", "pmp:GATEWAY" */
};

struct p2p_nat_spec {
	enum p2p_nat_kind kind;
	struct p2p_ip ip;	/* EXTIP: the address; PMP: the gateway
				 * (len 0: the default route's) */
};

/* Parses geth's --nat grammar.  Returns: 0; P2P_EINVAL (with why in err,
 * errlen bytes). */
int p2p_nat_parse(struct p2p_nat_spec *spec, const char *s, char *err,
    size_t errlen);

enum p2p_nat_evtype {
	P2P_NAT_EV_SEARCHING = 1,	/* method: "upnp", "pmp" or "any"
					 * (UPnP, then NAT-PMP) */
	P2P_NAT_EV_FOUND,		/* gateway, ext_ip, detail (the IGD's
					 * URL or "NAT-PMP") */
	P2P_NAT_EV_NOT_FOUND,		/* no router answered (detail: why) */
	P2P_NAT_EV_MAPPED,		/* proto, int_port, ext_port,
					 * lifetime_s (0: permanent) */
	P2P_NAT_EV_FAILED,		/* step ("map", "external-ip",
					 * "remove"), code, detail: the
					 * router's error; a mapping's with
					 * proto and ports */
	P2P_NAT_EV_REMOVED,		/* proto, ext_port */
	P2P_NAT_EV_EXTERNAL,		/* ext_ip, ext_tcp, ext_udp: what to
					 * announce (changed) */
};

struct p2p_nat_ev {
	enum p2p_nat_evtype type;
	const char *method;		/* "upnp", "pmp" */
	struct p2p_ip gateway, ext_ip;
	const char *proto;		/* "tcp", "udp" */
	uint16_t int_port, ext_port;
	uint16_t ext_tcp, ext_udp;	/* EXTERNAL */
	uint32_t lifetime_s;
	const char *step;
	int code;			/* the router's (UPnP error, NAT-PMP
					 * result or library code) */
	const char *detail;
};

typedef void p2p_nat_ev_fn(void *arg, const struct p2p_nat_ev *ev);

struct p2p_nat_cfg {
	struct event_base *base;
	struct p2p_nat_spec spec;
	uint16_t tcp_port, udp_port;	/* to map; 0: that one is not */
	uint32_t lifetime_s, renew_s;	/* 0: the defaults above */
	const char *desc;		/* the mappings' name; copied */
	p2p_nat_ev_fn *on_event;
	void *arg;
};

/*
 * Creates the mapper; with UPNP, PMP or ANY, starts searching for the
 * router at once (events follow from the loop).  EXTIP and NONE make no
 * thread: EXTIP reports EXTERNAL from the loop, NONE nothing.
 * Returns: 0; P2P_EINVAL; P2P_ENOMEM; P2P_EIO (no thread).
 * Out:     *n, owned by the caller (p2p_nat_free).
 */
int p2p_nat_new(struct p2p_nat **n, const struct p2p_nat_cfg *cfg);

/*
 * Removes the mappings made (blocking, on the caller's thread: for a
 * daemon's exit, after its loop), reporting REMOVED or FAILED for each
 * through on_event, then frees everything.  NULL is fine.
 */
void p2p_nat_free(struct p2p_nat *n);

/* The state, for a control interface. */
struct p2p_nat_state {
	const char *method;		/* NULL: no router (yet) */
	struct p2p_ip gateway, ext_ip;
	uint16_t ext_tcp, ext_udp;	/* 0: not mapped */
	uint32_t lifetime_s;		/* granted; 0 permanent */
	uint64_t renewals;		/* successful rounds */
	int searching;
	const char *last_error;		/* NULL: none */
};
void p2p_nat_state(const struct p2p_nat *n, struct p2p_nat_state *st);

#endif
