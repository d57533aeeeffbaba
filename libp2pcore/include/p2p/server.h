/*
 * server.h - the devp2p server of go-ethereum v1.8.24 (p2p/server.go) on a
 * caller-owned libevent event_base: a TCP listener with MaxPendingPeers
 * handshake slots, discovery v4 on the same port, the dial scheduler
 * (dial.h), the two admission checkpoints and the peer set, all owned by
 * one loop; subprotocols plug in as p2p_protocol callbacks.
 *
 * Connection setup, inbound and dialed alike: TCP, the encryption
 * handshake, then the post-handshake checkpoint (p2p_server_admit: too
 * many peers, the inbound limit, already connected, self), the Hello
 * exchange (its ID must be the handshake's key), then the add-peer
 * checkpoint (the same checks, and a useless peer when no capability is
 * shared while we run any).  One P2P_CONN_HANDSHAKE_MS deadline covers
 * both handshakes.  A refused connection gets the Disconnect reason
 * v1.8.24 sends.
 *
 * Limits (v1.8.24): max_peers in all; max_peers / dial_ratio dialed
 * dynamically (0 with no_dial or no_discovery), the rest inbound; trusted
 * nodes ignore both limits and static dials ignore max_peers.  A
 * connection from outside netrestrict is closed right after accept.
 *
 * Two nodes dialing each other at once would, in v1.8.24, often drop
 * both connections (each side keeps the one it finished first).  Here
 * both sides keep the connection dialed by the node with the lower ID,
 * so exactly one survives.
 *
 * Everything that changes state is reported through cfg.on_event, so a
 * control interface can follow it.
 */
#ifndef P2P_SERVER_H
#define P2P_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <p2p/dial.h>
#include <p2p/enode.h>
#include <p2p/enr.h>
#include <p2p/netutil.h>
#include <p2p/nodedb.h>
#include <p2p/proto.h>
#include <p2p/secp.h>

struct event_base;
struct p2p_server;
struct p2p_peer;
struct p2p_disc;
struct p2p_localnode;

#define P2P_SERVER_MAX_PEERS 25		/* geth's default MaxPeers */
#define P2P_SERVER_MAX_PENDING 50	/* defaultMaxPendingPeers */
#define P2P_SERVER_DIAL_RATIO 3		/* defaultDialRatio */
#define P2P_SERVER_ACCEPT_RETRY_MS 100	/* after a failed accept */

/*
 * A subprotocol.  Message codes given to msg and to p2p_peer_send are the
 * protocol's own (0 .. length-1); the server offsets them as the Hellos'
 * capability matching says.  Callbacks may send and disconnect; a peer
 * stays valid until gone returns.
 */
struct p2p_protocol {
	const char *name;	/* at most P2P_PROTO_CAP_NAME_MAX chars */
	unsigned version;
	unsigned length;	/* message codes it uses */
	void (*added)(void *arg, struct p2p_peer *p);
	void (*msg)(void *arg, struct p2p_peer *p, uint64_t code,
	    const uint8_t *data, size_t len);
	/* err and reason as in P2P_SERVER_EV_DROP. */
	void (*gone)(void *arg, struct p2p_peer *p, int err, int reason);
	void *arg;
};

enum p2p_server_evtype {
	P2P_SERVER_EV_ADD = 1,	/* a peer was added */
	P2P_SERVER_EV_DROP,	/* a peer left */
	P2P_SERVER_EV_FAIL,	/* a connection ended before it was a peer */
	P2P_SERVER_EV_STATIC,	/* a static node was dropped (err says why) */
	P2P_SERVER_EV_MSGRECV,	/* with cfg.msg_events */
	P2P_SERVER_EV_MSGSEND,
	P2P_SERVER_EV_STOPPED,	/* p2p_server_stop finished; may free */
	P2P_SERVER_EV_ACCEPT_ERROR, /* accept failed (err P2P_ENET,
				 * sys_errno: EMFILE...); accepting pauses
				 * P2P_SERVER_ACCEPT_RETRY_MS */
	P2P_SERVER_EV_ENDPOINT,	/* our announced IP or UDP port changed
				 * (node: ourselves; addr, port: the new
				 * IP and UDP port; source: localnode.h's
				 * P2P_LOCALNODE_*); the record follows */
};

/* Phases of a connection that failed (P2P_SERVER_EV_FAIL). */
enum p2p_server_phase {
	P2P_SERVER_PHASE_RESOLVE,	/* finding a static node's address */
	P2P_SERVER_PHASE_TCP,
	P2P_SERVER_PHASE_AUTH,		/* encryption handshake */
	P2P_SERVER_PHASE_ADMIT,		/* refused after it (checkpoint 1) */
	P2P_SERVER_PHASE_HELLO,		/* protocol handshake */
	P2P_SERVER_PHASE_ADD,		/* refused after it (checkpoint 2) */
};

struct p2p_server_ev {
	enum p2p_server_evtype type;
	struct p2p_peer *peer;		/* ADD, DROP, MSG*: valid during
					 * the call only */
	const struct p2p_node *node;	/* the remote (ADD, DROP, FAIL,
					 * STATIC); FAIL on an inbound
					 * connection before the handshake:
					 * ID zero */
	struct p2p_ip addr;		/* remote address and TCP port */
	uint16_t port;
	unsigned flags;			/* P2P_FLAG_* */
	/* DROP, FAIL: the error (p2p.h: P2P_EDISCONNECTED when the peer
	 * sent a Disconnect, P2P_ETOOMANY etc. for our refusals, 0 after
	 * p2p_peer_disconnect); reason: the Disconnect reason sent or
	 * received (-1: none); remote: the peer sent it. */
	int err, reason, remote;
	int sys_errno;			/* ACCEPT_ERROR */
	enum p2p_server_phase phase;	/* FAIL */
	/* DROP: time connected; ADD: from accept or dial to added (both
	 * handshakes); FAIL: from accept or dial to the failure (0 when
	 * no connection was made). */
	uint64_t duration_ms;
	/* MSG*: the capability, its code, the payload. */
	const char *proto;
	unsigned proto_version;
	uint64_t code;
	const uint8_t *data;
	size_t size;
	int source;			/* ENDPOINT */
};

typedef void p2p_server_ev_fn(void *arg, const struct p2p_server_ev *ev);

struct p2p_server_cfg {
	struct event_base *base;
	const struct p2p_privkey *key;	/* required; copied */
	const char *name;		/* client name in our Hello */
	const struct p2p_protocol *protocols;	/* borrowed, must outlive */
	size_t nprotocols;
	int max_peers;			/* p2p_server_cfg_init sets defaults */
	int max_pending;
	int dial_ratio;
	int no_dial, no_discovery;
	int listen;			/* 0: no TCP listener */
	struct p2p_ip listen_ip;	/* len 0: 127.0.0.1 (0.0.0.0 is every
					 * interface) */
	uint16_t listen_port;		/* 0: any */
	struct p2p_ip ext_ip;		/* announced instead, len 0: none */
	const struct p2p_netlist *netrestrict;	/* NULL: none; copied */
	const struct p2p_node *bootnodes, *static_nodes, *trusted_nodes;
	size_t nbootnodes, nstatic, ntrusted;	/* all copied */
	struct p2p_nodedb *db;		/* NULL: in memory; borrowed */
	/* Timeouts (0: conn.h's defaults; tests shorten them). */
	uint32_t handshake_ms, dial_ms, ping_ms, read_ms, write_ms;
	uint32_t dial_history_ms;	/* 0: P2P_DIAL_HISTORY_MS */
	int msg_events;			/* report MSGRECV / MSGSEND */
	/* Threads for the handshakes' elliptic-curve work (workers.h), so
	 * that setting up connections uses more than one core; everything
	 * else stays on base's thread.  0: all on base's thread. */
	unsigned workers;
	p2p_server_ev_fn *on_event;
	void *arg;
};

/* Fills cfg with v1.8.24's defaults: max_peers 25, max_pending 50,
 * dial_ratio 3, listening on port 30303, but on 127.0.0.1 (geth: every
 * interface): a default touches only loopback. */
void p2p_server_cfg_init(struct p2p_server_cfg *cfg);

/*
 * Creates a server; nothing runs until p2p_server_start.
 * Returns: 0; P2P_EINVAL (no key or base, bad limits, a protocol name or
 *          too many protocols); P2P_EPRIVKEY; P2P_ENOMEM.
 * Out:     *s, owned by the caller (p2p_server_free).
 */
int p2p_server_new(struct p2p_server **s, const struct p2p_server_cfg *cfg);

/*
 * Sets up the local node, the listener, discovery (same port, UDP) and
 * the dialer, then starts dialing.  Warns (returns 0) when it neither
 * listens nor dials: p2p_server_useless says so.
 * Returns: 0; P2P_ESTATE (started before); P2P_ENET (bind failed, errno
 *          says why); P2P_EDB; P2P_ENOMEM.
 */
int p2p_server_start(struct p2p_server *s);
int p2p_server_useless(const struct p2p_server *s);

/*
 * Stops: no more dials or accepts, discovery closed, every peer told
 * "client quitting" (0x08) and every pending connection dropped.  When
 * the last peer is gone, P2P_SERVER_EV_STOPPED is reported (never from
 * inside this call).  A server is not restarted.
 */
void p2p_server_stop(struct p2p_server *s);
/* Frees at once (peers closed without a word if not stopped). */
void p2p_server_free(struct p2p_server *s);

/* Run-time changes (admin_addPeer and friends).  Returns: 0; P2P_ENOMEM;
 * P2P_ENOTFOUND (remove of an unknown node). */
int p2p_server_add_static(struct p2p_server *s, const struct p2p_node *n);
int p2p_server_remove_static(struct p2p_server *s, const struct p2p_nodeid *id);
int p2p_server_add_trusted(struct p2p_server *s, const struct p2p_node *n);
int p2p_server_remove_trusted(struct p2p_server *s,
    const struct p2p_nodeid *id);

/*
 * Dials n now, outside the scheduler (an operator's "connect now"), as a
 * static dial: the peer limit does not apply to it.  The scheduler does
 * not dial n meanwhile; the outcome is reported as every dial's is (ADD,
 * or FAIL with its phase), possibly before this returns.
 * Returns: 0; P2P_ESTATE (not running); P2P_EINVAL (no address or TCP
 *          port); P2P_ESELF; P2P_ECONNECTED; P2P_ERESTRICTED;
 *          P2P_EDIALING (a dial to it is under way); P2P_ENOMEM.
 */
int p2p_server_dial(struct p2p_server *s, const struct p2p_node *n);

/*
 * Changes the limits at run time; a negative value keeps the current one
 * (max_pending and dial_ratio cannot be 0).  Peers over a lowered max_peers
 * stay; new connections are refused until there is room (as geth).
 * Returns: 0; P2P_EINVAL (out of range); P2P_ENOMEM (nothing changed).
 */
int p2p_server_set_limits(struct p2p_server *s, int max_peers,
    int max_pending, int dial_ratio);

/*
 * Announces ip (and tcp, udp when not 0 and we listen there) instead of
 * what we are bound to: a NAT's external address and mapped ports.
 * Endpoint prediction stops while a static IP is set; ip len 0 clears
 * it.  An ENDPOINT event follows if the endpoint moved.
 */
void p2p_server_announce(struct p2p_server *s, const struct p2p_ip *ip,
    uint16_t tcp, uint16_t udp);

/* Our node: key, ID, announced endpoint; and its record. */
const struct p2p_node *p2p_server_self(const struct p2p_server *s);
int p2p_server_record(struct p2p_server *s, const struct p2p_enr **rec);
/* Where the listener is bound (port 0 when not listening). */
void p2p_server_listen_addr(const struct p2p_server *s, struct p2p_ip *ip,
    uint16_t *port);
struct p2p_disc *p2p_server_disc(struct p2p_server *s);	/* NULL: none */
struct p2p_dialer *p2p_server_dialer(struct p2p_server *s);

/* Counters (slot usage), for operators who wonder why max_peers "is
 * ignored". */
struct p2p_server_counts {
	unsigned peers, inbound, outbound, pending, dialing, tasks;
	unsigned max_peers, max_inbound, max_dialed, max_pending;
	unsigned statics, trusted;	/* nodes in the two sets */
};
void p2p_server_counts(const struct p2p_server *s,
    struct p2p_server_counts *c);

/* Peers, in the order they were added. */
void p2p_server_foreach_peer(struct p2p_server *s,
    void (*fn)(void *arg, struct p2p_peer *p), void *arg);
struct p2p_peer *p2p_server_peer(struct p2p_server *s,
    const struct p2p_nodeid *id);

/* A peer. */
const struct p2p_node *p2p_peer_node(const struct p2p_peer *p);
const struct p2p_hello *p2p_peer_hello(const struct p2p_peer *p);
unsigned p2p_peer_flags(const struct p2p_peer *p);
void p2p_peer_remote_addr(const struct p2p_peer *p, struct p2p_ip *ip,
    uint16_t *port);
void p2p_peer_local_addr(const struct p2p_peer *p, struct p2p_ip *ip,
    uint16_t *port);
/* The matched capabilities (offsets set). */
const struct p2p_cap *p2p_peer_caps(const struct p2p_peer *p, unsigned *n);
/*
 * Sends code (the protocol's own) of proto, which the peer must share.
 * Returns: 0; P2P_EINVAL (not shared, code out of range); what
 *          p2p_conn_send returns.
 */
int p2p_peer_send(struct p2p_peer *p, const struct p2p_protocol *proto,
    uint64_t code, const uint8_t *data, size_t len);
/* Sends a message by absolute code (base protocol codes excluded). */
int p2p_peer_send_raw(struct p2p_peer *p, uint64_t code, const uint8_t *data,
    size_t len);
/* Says reason and drops the peer; P2P_SERVER_EV_DROP follows later. */
void p2p_peer_disconnect(struct p2p_peer *p, unsigned reason);

/*
 * The admission check both checkpoints run (v1.8.24 encHandshakeChecks),
 * written once: flags of the new connection, the peer counts.
 * Returns: 0 or the Disconnect reason (P2P_DISC_TOO_MANY_PEERS,
 *          P2P_DISC_ALREADY_CONNECTED, P2P_DISC_SELF).
 */
struct p2p_admit {
	unsigned flags;
	unsigned npeers, ninbound;
	unsigned max_peers, max_inbound;
	int connected;		/* a peer with this ID exists and stays */
	int self;		/* the ID is ours */
};
int p2p_server_admit(const struct p2p_admit *a);

#endif
