/*
 * disc.h - a discovery v4 node on a caller-owned libevent event_base: the
 * UDP socket, endpoint proofs, reply matching, findnode/ENR requests,
 * iterative lookups and (optionally) the maintenance of a Kademlia table
 * (revalidation, refresh, seeding it from the node database, copying its
 * live nodes there and sweeping it), as go-ethereum v1.8.24's
 * p2p/discover does.
 *
 * Deviations from v1.8.24, each one later geth's behaviour: a findnode that
 * times out after at least one neighbors packet is a success (v1.8.24
 * counted it as a failure, which drops every node of a small network); an
 * answer to ENRRequest (EIP-868) exists; pings and pongs carry our ENR
 * sequence number.  Two of our own: neighbors never list the requester
 * itself (the slot goes to the 17th closest); a lookup drops nodes that
 * did not answer from its result, keeping 32 candidates so the next live
 * one moves up; and bonding does not sleep 500 ms for the remote's ping:
 * the request goes right after its pong and again if that ping comes.
 *
 * Every operation completes through its callback exactly once, unless the
 * node is freed first (then never); an error found before anything is
 * sent is returned instead, and the callback never runs.  Callbacks may
 * start new operations.  Packets made while received datagrams are being
 * handled leave in one sendmmsg afterwards, so a send failure there shows
 * as a timeout, as a lost datagram would.
 */
#ifndef P2P_DISC_H
#define P2P_DISC_H

#include <p2p/discv4.h>
#include <p2p/enode.h>
#include <p2p/enr.h>
#include <p2p/netutil.h>
#include <p2p/nodedb.h>
#include <p2p/table.h>

struct event_base;
struct p2p_disc;
struct p2p_localnode;

#define P2P_DISC_RESP_TIMEOUT_MS 500	/* a reply must come within this */
#define P2P_DISC_BOND_EXPIRATION 86400	/* s an endpoint proof lasts */
#define P2P_DISC_REFRESH_S 1800		/* table refresh interval */
#define P2P_DISC_REVALIDATE_MS 10000	/* revalidation at random 0..this */
#define P2P_DISC_SEED_COUNT 30		/* seeds read from the node DB */
#define P2P_DISC_COPY_NODES_MS 30000	/* live table nodes copied to
					 * the node DB (geth
					 * copyNodesInterval) */
#define P2P_DISC_SEED_MIN_TABLE_S 300	/* time in the table before a
					 * node is copied (geth
					 * seedMinTableTime) */
#define P2P_DISC_MAX_PENDING 4096	/* replies awaited at once */
#define P2P_DISC_MAX_BOOTNODES 64

enum p2p_disc_evtype {
	P2P_DISC_EV_ADDED = 1,		/* entered a bucket */
	P2P_DISC_EV_REMOVED,		/* left a bucket */
	P2P_DISC_EV_REVALIDATED,	/* answered a revalidation ping */
	P2P_DISC_EV_REFRESHED,		/* a refresh round ended */
	P2P_DISC_EV_SAVED,		/* table nodes saved as seeds (saved) */
};

struct p2p_disc_ev {
	enum p2p_disc_evtype type;
	const struct p2p_node *node;	/* NULL for REFRESHED */
	int bucket;
	uint64_t enr_seq;
	size_t table_len;		/* nodes in the table after it */
	size_t saved;			/* SAVED: nodes written this round */
};

struct p2p_disc_cfg {
	const struct p2p_privkey *key;	/* copied */
	struct p2p_ip ip;		/* bind address (len 0: 127.0.0.1) */
	uint16_t port;			/* bind port, 0 picks one */
	/* The TCP port something listens on beside us (a server), put in
	 * pings and our record; 0: none, and the record has no "tcp". */
	uint16_t tcp_port;
	/* The address to announce when it is not the bound one (bound to
	 * 0.0.0.0, or behind NAT); len 0: the bound address. */
	struct p2p_ip ext_ip;
	/* Our record's keeper, shared with a server beside us; NULL: one
	 * the node owns.  Either way the node sets its IP and ports. */
	struct p2p_localnode *local;
	/* The node database; NULL: an in-memory one the node owns. */
	struct p2p_nodedb *db;
	const struct p2p_netlist *netrestrict;	/* NULL: none; copied */
	const struct p2p_node *bootnodes;	/* copied */
	size_t nbootnodes;
	int maintain;		/* run the table: refresh, revalidation,
				 * node DB seeding, copies and sweeps */
	uint32_t refresh_s;	/* refresh interval; 0: P2P_DISC_REFRESH_S */
	/* With maintain, every copy_ms the table's nodes that have passed a
	 * revalidation and been in the table seed_min_s are written to the
	 * node DB as live, the only nodes it seeds the table from (geth
	 * copyLiveNodes); 0: P2P_DISC_COPY_NODES_MS, P2P_DISC_SEED_MIN_TABLE_S
	 * (shorter ones are for tests). */
	uint32_t copy_ms;
	uint32_t seed_min_s;
	uint64_t seed;		/* PRNG seed; 0: from getrandom */
	/* How long a reply is awaited; 0: P2P_DISC_RESP_TIMEOUT_MS. */
	uint32_t resp_timeout_ms;
	void (*on_event)(void *arg, const struct p2p_disc_ev *ev);
	void *arg;
};

/* Slots of the per-type counters: indexed by enum p2p_disc_type
 * (P2P_DISC_PING 1 .. P2P_DISC_ENRRESP 6); slot 0 stays 0. */
#define P2P_DISC_STATS_TYPES 7

/* Packet counters, for tools, benchmarks and metrics. */
struct p2p_disc_stats {
	uint64_t in, out, dropped, expired, unsolicited, unbonded, restricted;
	/* The most replies ever awaited at once (<= P2P_DISC_MAX_PENDING). */
	uint64_t pending_max;
	/* By packet type: in_type counts packets that were handled (decoded,
	 * signed, not expired, not our own), so in - sum(in_type) are the
	 * ones dropped before that; out_type counts datagrams the kernel
	 * took, as out does. */
	uint64_t in_type[P2P_DISC_STATS_TYPES];
	uint64_t out_type[P2P_DISC_STATS_TYPES];
};

/*
 * Binds the socket and starts.  Owner: the caller, p2p_disc_free.
 * Returns: 0; P2P_ENET (errno says why); P2P_EPRIVKEY; P2P_ENOMEM;
 *          P2P_EINVAL (too many bootnodes); P2P_EDB.
 */
int p2p_disc_new(struct p2p_disc **d, struct event_base *base,
    const struct p2p_disc_cfg *cfg);
/* Copies the table's live nodes to the node DB now (what maintain does
 * every copy_ms), as seeds for the next start; a server stopping calls
 * it.  Returns how many were written. */
size_t p2p_disc_save(struct p2p_disc *d);
/* Closes the socket and cancels everything; no callback runs after. */
void p2p_disc_free(struct p2p_disc *d);

/* Our node (ip, bound UDP port, TCP port) and our signed record. */
const struct p2p_node *p2p_disc_self(const struct p2p_disc *d);
const struct p2p_enr *p2p_disc_record(struct p2p_disc *d);
struct p2p_table *p2p_disc_table(struct p2p_disc *d);
/* Our node as discovery announces it (cfg.local, or its own). */
struct p2p_localnode *p2p_disc_localnode(struct p2p_disc *d);
struct p2p_nodedb *p2p_disc_db(struct p2p_disc *d);
void p2p_disc_get_stats(const struct p2p_disc *d, struct p2p_disc_stats *s);

/* err: 0, P2P_ETIMEOUT, P2P_ENET, P2P_ERESTRICTED, P2P_ETOOBIG (too many
 * replies pending).  has_seq/enr_seq: the pong's EIP-868 field. */
typedef void p2p_disc_pong_cb(void *arg, int err, const struct p2p_node *n,
    uint64_t rtt_us, int has_seq, uint64_t enr_seq);
/* Pings n (a node with ip and udp); the pong must match the ping's hash. */
int p2p_disc_ping(struct p2p_disc *d, const struct p2p_node *n,
    p2p_disc_pong_cb *cb, void *arg);

/* r is valid during the call only; its node ID was checked to be n's. */
typedef void p2p_disc_enr_cb(void *arg, int err, const struct p2p_node *n,
    const struct p2p_enr *r);
/* Bonds with n if needed (our ping answered), then asks for its record
 * (EIP-868).  err adds P2P_EENRSIG and other record errors. */
int p2p_disc_request_enr(struct p2p_disc *d, const struct p2p_node *n,
    p2p_disc_enr_cb *cb, void *arg);

/* nodes: the checked neighbors (relay rules, ports > 1024, NetRestrict,
 * valid keys), valid during the call only.  err 0: n sent neighbors, even
 * if they name no node (count 0: a young v1.8.24 node gives only nodes it
 * has revalidated) or none passed the checks; P2P_ETIMEOUT: none came. */
typedef void p2p_disc_nodes_cb(void *arg, int err, const struct p2p_node *n,
    const struct p2p_node *nodes, size_t count);
/* Bonds if needed, then findnode(target); collects up to 16 nodes. */
int p2p_disc_findnode(struct p2p_disc *d, const struct p2p_node *n,
    const struct p2p_pubkey *target, p2p_disc_nodes_cb *cb, void *arg);

/* Called for every node a lookup meets for the first time. */
typedef void p2p_disc_seen_cb(void *arg, const struct p2p_node *n);
/* The closest nodes found (at most 16), closest first. */
typedef void p2p_disc_done_cb(void *arg, const struct p2p_node *closest,
    size_t count);
/*
 * An iterative lookup toward target (alpha 3, k 16), starting from the
 * table's closest nodes, else the bootnodes.  target NULL: a random one.
 * Met nodes are added to the table (as seen).
 */
int p2p_disc_lookup(struct p2p_disc *d, const struct p2p_pubkey *target,
    p2p_disc_seen_cb *seen, p2p_disc_done_cb *done, void *arg);

#endif
