/*
 * table.h - the discovery v4 Kademlia routing table, as a pure data
 * structure: go-ethereum v1.8.24 p2p/discover/table.go's buckets, constants
 * and insertion rules, without its I/O, clock or goroutines.
 *
 * The network engine owns the policy (when to ping, when to revalidate,
 * what a findnode failure means) and calls in; the table only decides where
 * a node goes.  Nothing here does I/O, reads a clock or locks: times are
 * the caller's `now` (seconds, any epoch), randomness comes from a private
 * PRNG seeded by the caller, and a table is used by one thread at a time.
 *
 * Layout (geth): 17 buckets by log distance d = logdist(self, id).  Nodes
 * at d <= 240 share bucket 0, bucket i > 0 holds d = 240 + i, so bucket 16
 * is the far half of the ID space.  Each bucket keeps up to 16 entries
 * ordered by last contact (front = most recently seen alive) and up to 10
 * replacements (front = newest), nodes that were seen while the bucket was
 * full and that replace an entry that fails revalidation.
 *
 * IP limits (geth's DistinctNetSet): per bucket at most 2 nodes, per table
 * at most 10 nodes, from one /24 (IPv4) or one /24 prefix of the 16-byte
 * address (IPv6).  As in geth, replacements count against both limits like
 * entries do.  LAN addresses (netutil.IsLAN: 127/8, ::1, 0/8, 10/8,
 * 172.16/12, 192.168/16, fe80::/10, fc00::/7) are exempt.  IPv4-mapped
 * IPv6 addresses are treated as IPv4.
 *
 * The local node (cfg.self) is never added; nodes without an IP (ip.len 0)
 * neither.
 */
#ifndef P2P_TABLE_H
#define P2P_TABLE_H

#include <p2p/enode.h>

#define P2P_TABLE_ALPHA 3		/* Kademlia lookup concurrency */
#define P2P_TABLE_BUCKET_SIZE 16
#define P2P_TABLE_MAX_REPLACEMENTS 10	/* per bucket */
#define P2P_TABLE_NBUCKETS 17		/* 256 / 15 */
#define P2P_TABLE_MIN_DISTANCE 239	/* 256 - 17: bucket 0 holds
					 * logdist <= this + 1 */
#define P2P_TABLE_BUCKET_IP_LIMIT 2	/* per /24 per bucket */
#define P2P_TABLE_IP_LIMIT 10		/* per /24 per table */
#define P2P_TABLE_SUBNET 24		/* prefix bits of both limits */
#define P2P_TABLE_MAX_FAILS 5		/* findnode failures before a
					 * node is dropped (geth
					 * maxFindnodeFailures) */

struct p2p_table;

enum p2p_table_ev {
	P2P_TABLE_EV_ADDED = 1,
	P2P_TABLE_EV_REMOVED,
	P2P_TABLE_EV_REVALIDATED,
};

struct p2p_table_entry {
	struct p2p_node node;
	uint64_t added_at;	/* caller's clock, seconds, when it entered
				 * a bucket */
	uint64_t enr_seq;	/* latest ENR seq known (0 unknown) */
	unsigned liveness;	/* successful revalidations since added */
};

struct p2p_table_cfg {
	struct p2p_nodeid self;
	uint64_t seed;		/* seeds the table's private PRNG
				 * (splitmix64), for reproducible tests */
	/*
	 * Called on bucket membership changes (not for replacement-list
	 * changes): ADDED when a node enters a bucket (including a promoted
	 * replacement), REMOVED when it leaves one, REVALIDATED after
	 * p2p_table_revalidated.  May be NULL.  e is borrowed for the call.
	 * Must not call back into the table.
	 */
	void (*on_event)(void *arg, enum p2p_table_ev ev,
	    const struct p2p_table_entry *e);
	void *arg;		/* passed to on_event, not owned */
};

/*
 * Creates an empty table.  Memory is fixed (about 70 KiB): nothing else is
 * allocated later.
 * Returns: 0; P2P_ENOMEM (*t = NULL).
 * Out:     t: the table, owned by the caller (p2p_table_free).
 * In:      cfg: copied; cfg->arg is kept and passed to cfg->on_event.
 */
int p2p_table_new(struct p2p_table **t, const struct p2p_table_cfg *cfg);

/* Frees t; NULL is accepted.  No events fire. */
void p2p_table_free(struct p2p_table *t);

/*
 * geth addSeenNode: a node that may or may not be live goes to the END of
 * its bucket if there is room and the IP limits allow, else, if the bucket
 * is full, to the front of its replacement list (at most 10, the oldest
 * dropped; the IP limits apply there too).  A node already in the
 * replacement list stays where it is, with its old endpoint.  A node that
 * leaves the replacement list for the bucket keeps its place in the limits.
 * Returns: 1 added to the bucket (ADDED event), 2 added to the
 *          replacements, 0 nothing (already in the bucket, already a
 *          replacement, self, no IP, or over an IP limit).
 * In:      n: borrowed.  now: caller's clock, becomes added_at.
 */
int p2p_table_add_seen(struct p2p_table *t, const struct p2p_node *n,
    uint64_t now);

/*
 * geth addVerifiedNode (v1.8.24's bumpOrAdd): a node verified live goes to
 * the FRONT of its bucket; if it is already there it is moved to the front
 * and its endpoint updated (unless the new IP would break a limit: then it
 * keeps the old one; added_at, enr_seq and liveness are kept).  Otherwise
 * as p2p_table_add_seen.
 * Returns: 1 added to or moved within the bucket (ADDED event only when
 *          added), 2 added to the replacements, 0 nothing.
 * In:      n: borrowed.  now: caller's clock.
 */
int p2p_table_add_verified(struct p2p_table *t, const struct p2p_node *n,
    uint64_t now);

/*
 * Removes the node from its bucket (REMOVED event) without promoting a
 * replacement (geth's delete, used after P2P_TABLE_MAX_FAILS findnode
 * failures).  Replacements are not searched.
 * Returns: 1 if removed, 0 if absent.
 */
int p2p_table_delete(struct p2p_table *t, const struct p2p_nodeid *id);

/*
 * Returns: the entry in a bucket (not a replacement), or NULL.  Points into
 *          the table: valid until the next call that changes the table.
 */
const struct p2p_table_entry *p2p_table_get(const struct p2p_table *t,
    const struct p2p_nodeid *id);

/*
 * Sets the ENR sequence number known for a bucket entry.
 * Returns: 0; P2P_ENOTFOUND if id is in no bucket.
 */
int p2p_table_set_enr_seq(struct p2p_table *t, const struct p2p_nodeid *id,
    uint64_t seq);

/*
 * The up-to-max bucket nodes closest to target by XOR distance, closest
 * first (geth closest(); replacements are not included).
 * Returns: the count, min(max, p2p_table_len(t)).
 * Out:     out: max nodes.
 */
size_t p2p_table_closest(const struct p2p_table *t,
    const struct p2p_nodeid *target, struct p2p_node *out, size_t max);

/* Returns: the number of nodes in buckets (replacements not counted). */
size_t p2p_table_len(const struct p2p_table *t);

/*
 * geth nodeToRevalidate: the LAST (least recently seen alive) node of a
 * random non-empty bucket.  The caller pings it and reports the outcome
 * with p2p_table_revalidated or p2p_table_replace_dead, passing *bucket.
 * Returns: 1 (out and *bucket filled), 0 if the table is empty.
 */
int p2p_table_pick_revalidate(struct p2p_table *t, struct p2p_node *out,
    int *bucket);

/*
 * The node answered: move it to the front of its bucket, update its
 * endpoint from n (unless the new IP would break a limit), liveness++, and
 * enr_seq if higher (REVALIDATED event).
 * Returns: 1; 0 if it is no longer in that bucket (nothing changed).
 * In:      n: borrowed.  bucket: from p2p_table_pick_revalidate.
 */
int p2p_table_revalidated(struct p2p_table *t, const struct p2p_node *n,
    uint64_t enr_seq, int bucket);

/*
 * The node did not answer (geth replace): if it is still the last entry of
 * that bucket it is removed (REMOVED event) and a random replacement, if
 * any, is appended to the bucket (ADDED event; its added_at is the latest
 * `now` the table was given).  If it is no longer last it was bumped or
 * replaced meanwhile, and nothing happens.
 * Returns: 1 if a replacement was promoted, 0 otherwise.
 * Out:     promoted: the promoted node, if non-NULL and 1 is returned.
 */
int p2p_table_replace_dead(struct p2p_table *t, const struct p2p_nodeid *id,
    int bucket, struct p2p_node *promoted);

/*
 * geth ReadRandomNodes: up to max distinct bucket nodes: the buckets are
 * shuffled, then their heads taken in turn (so live, diverse nodes come
 * first).  For seeding lookups and serving random nodes.
 * Returns: the count, min(max, p2p_table_len(t)).
 * Out:     out: max nodes.
 */
size_t p2p_table_random(struct p2p_table *t, struct p2p_node *out,
    size_t max);

/*
 * Calls fn for every bucket entry (bucket 0 first, front to back).  e is
 * borrowed for the call; fn must not change the table.
 */
void p2p_table_foreach(const struct p2p_table *t,
    void (*fn)(void *arg, const struct p2p_table_entry *e, int bucket),
    void *arg);

/* Returns: the bucket id belongs in, 0..16. */
int p2p_table_bucket_index(const struct p2p_table *t,
    const struct p2p_nodeid *id);

/*
 * The replacement list of a bucket, newest first (for debugging output and
 * tests).
 * Returns: the count copied, at most P2P_TABLE_MAX_REPLACEMENTS; 0 for a
 *          bucket outside 0..16.
 * Out:     out: max nodes.
 */
size_t p2p_table_replacements(const struct p2p_table *t, int bucket,
    struct p2p_node *out, size_t max);

/*
 * How many nodes (entries and replacements) of ip's /24 the table holds,
 * as its IP limits count them: in one bucket (0..16), or table-wide if
 * bucket is -1.  For tests and diagnostics.
 * Returns: the count; 0 for LAN (exempt) addresses or ip.len 0.
 */
unsigned p2p_table_ip_count(const struct p2p_table *t,
    const struct p2p_ip *ip, int bucket);

#endif
