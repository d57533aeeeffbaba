/*
 * nodedb.h - the discovery node database: nodes seen on the network, their
 * latest records and per-IP ping/pong/findnode bookkeeping, kept across
 * restarts in one SQLite file, behaving as go-ethereum v1.8.24's
 * p2p/enode/nodedb.go.
 *
 * The file holds three tables: meta (schema version, the local node's ID,
 * the local record's sequence number), node (one row per node ID: endpoint,
 * public key, latest record, first-seen time, and when the table last held
 * it) and endpoint (one row per (node ID, IP): last ping received, last
 * pong received, findnode failures; geth keys these per IP because the
 * endpoint proof is per IP).
 * IPv4-mapped IPv6 addresses are keyed as their 4 IPv4 bytes, as geth's
 * To16() keys make them one address.
 *
 * Only nodes the table has held are seeds (p2p_nodedb_put_live, which the
 * discovery engine calls as v1.8.24's copyLiveNodes writes): anyone can
 * bond with many identities from one address, so the bonding bookkeeping
 * and records stored for other nodes (p2p_nodedb_put_node) never seed a
 * table, else a restart would bring back what the table's IP limits
 * refused.
 *
 * Times are unix seconds (uint64_t in the API, INTEGER in the file); a time
 * above INT64_MAX is refused with P2P_EINVAL.  Sequence numbers are
 * uint64_t stored as INTEGER: values above INT64_MAX are stored as their
 * two's-complement int64 and converted back on reading, and every
 * comparison is done as unsigned, so the whole uint64_t range works.
 *
 * The journal is WAL with synchronous=NORMAL: a committed write survives
 * the process being killed (kill -9); a power loss may lose the last
 * commits but never corrupts the file.
 *
 * A handle is used by one thread at a time.  Every function with a handle
 * records a detail message on failure (p2p_nodedb_errmsg).  Pointers
 * passed in are borrowed for the call only.
 */
#ifndef P2P_NODEDB_H
#define P2P_NODEDB_H

#include <p2p/enode.h>

struct p2p_nodedb;

#define P2P_NODEDB_SCHEMA 2		/* bump on schema change: an
					 * older/newer file is wiped */
#define P2P_NODEDB_NODE_EXPIRATION 86400 /* s: nodes whose last pong is
					 * older are deleted by the sweep */
#define P2P_NODEDB_CLEANUP_INTERVAL 3600 /* s: how often the owner should
					 * call p2p_nodedb_expire */
#define P2P_NODEDB_SEED_MAX_AGE (5 * 86400) /* s: seeds must have ponged
					 * within this */
#define P2P_NODEDB_ENR_MAX 300		/* largest stored record (EIP-778) */
#define P2P_NODEDB_ERRMSG_MAX 256	/* p2p_nodedb_errmsg length cap */

/*
 * Opens (creating) the database at path, or a private in-memory one when
 * path is NULL, "" or ":memory:".  A file written for another self ID or with
 * another schema version is wiped (as geth does on a version mismatch).
 * A SQLite file that is not a node database (tables but no meta table) is
 * refused, never wiped.
 * Returns: 0; P2P_EDB (cannot open or create, not a database, corrupt,
 *          locked, not a node database); P2P_ENOMEM.
 * Out:     db: the new handle, owned by the caller (p2p_nodedb_close); NULL
 *          on error, when p2p_nodedb_errmsg(NULL) gives the reason for
 *          this thread's last failed open.
 * In:      path: borrowed (SQLite keeps its own copy); self: the local
 *          node's ID, whose rows p2p_nodedb_expire never deletes.
 */
int p2p_nodedb_open(struct p2p_nodedb **db, const char *path,
    const struct p2p_nodeid *self);

/* Closes db, rolling back an open batch.  NULL is accepted. */
void p2p_nodedb_close(struct p2p_nodedb *db);

/*
 * Returns: the detail of db's last failure ("put_node: database is
 *          locked"), "" if none; with db NULL, the reason this thread's
 *          last p2p_nodedb_open failed.  Static or owned by db: valid until
 *          the next call on db (or the next open).
 */
const char *p2p_nodedb_errmsg(const struct p2p_nodedb *db);

/*
 * Batch writes: between begin and commit everything is one transaction
 * (the discovery engine batches one event-loop tick).  Without begin each
 * call is its own transaction.
 * Returns: 0; P2P_EINVAL (begin inside a batch, commit or rollback
 *          outside one); P2P_EDB (begin: the file is locked by another
 *          writer beyond the busy timeout; commit: the batch is rolled
 *          back, nothing of it is kept).
 */
int p2p_nodedb_begin(struct p2p_nodedb *db);
int p2p_nodedb_commit(struct p2p_nodedb *db);
/* Discards the open batch. */
int p2p_nodedb_rollback(struct p2p_nodedb *db);

/*
 * Inserts or updates a node: its endpoint (ip, udp, tcp) and public key
 * always and, when enr != NULL, its latest record, which only replaces a
 * stored one of lower or equal sequence number (an older record is
 * ignored, not an error).  first_seen is set to now on insert only.  An
 * IPv4-mapped IPv6 ip is stored (and read back) as its 4 IPv4 bytes.
 * A new node is not live (not a seed); a live one stays live.
 * Returns: 0; P2P_EINVAL (n->id is not keccak256(n->pub), ip.len not 0, 4
 *          or 16, enr_len 0, now > INT64_MAX); P2P_EENRSIZE (enr_len >
 *          P2P_NODEDB_ENR_MAX); P2P_EDB; P2P_ENOMEM.
 * In:      n: the node; enr, enr_len: its raw RLP record or NULL;
 *          enr_seq: the record's sequence number; now: unix seconds.
 */
int p2p_nodedb_put_node(struct p2p_nodedb *db, const struct p2p_node *n,
    const uint8_t *enr, size_t enr_len, uint64_t enr_seq, uint64_t now);

/*
 * As p2p_nodedb_put_node without a record (a stored one is kept), and
 * marks the node live at now: it has lived in the table, and
 * p2p_nodedb_seeds may return it from now on.
 * Returns: as p2p_nodedb_put_node; P2P_EINVAL also for now == 0.
 */
int p2p_nodedb_put_live(struct p2p_nodedb *db, const struct p2p_node *n,
    uint64_t now);

/*
 * Looks a node up.
 * Returns: 0; P2P_ENOTFOUND; P2P_EDB (also for a stored row that does not
 *          hold a valid node); P2P_ENOMEM.
 * Out:     n: the node, id recomputed from the stored key (may be NULL);
 *          enr: the record, P2P_NODEDB_ENR_MAX bytes of room (may be NULL);
 *          enr_len: its length, 0 when none is stored (may be NULL, and
 *          must not be NULL when enr is not); first_seen (may be NULL).
 */
int p2p_nodedb_get_node(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    struct p2p_node *n, uint8_t *enr, size_t *enr_len, uint64_t *first_seen);

/*
 * Removes the node row and all its per-IP rows, atomically.  An unknown ID
 * is not an error.
 * Returns: 0; P2P_EDB; P2P_ENOMEM.
 */
int p2p_nodedb_delete_node(struct p2p_nodedb *db,
    const struct p2p_nodeid *id);

/*
 * Per (id, ip) timestamps and counters.  Setting them for an unknown node
 * creates the per-IP row only (no node row needed).  The getters return 0
 * when unknown, and also on a database error (then p2p_nodedb_errmsg says
 * so).
 * Setters return: 0; P2P_EINVAL (ip.len not 4 or 16, t > INT64_MAX);
 *          P2P_EDB; P2P_ENOMEM.
 */
/* The last ping RECEIVED from id at ip. */
int p2p_nodedb_set_last_ping(struct p2p_nodedb *db,
    const struct p2p_nodeid *id, const struct p2p_ip *ip, uint64_t t);
uint64_t p2p_nodedb_last_ping(struct p2p_nodedb *db,
    const struct p2p_nodeid *id, const struct p2p_ip *ip);
/* The last pong received from id at ip. */
int p2p_nodedb_set_last_pong(struct p2p_nodedb *db,
    const struct p2p_nodeid *id, const struct p2p_ip *ip, uint64_t t);
uint64_t p2p_nodedb_last_pong(struct p2p_nodedb *db,
    const struct p2p_nodeid *id, const struct p2p_ip *ip);
/* Findnode failures. */
int p2p_nodedb_set_fails(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    const struct p2p_ip *ip, unsigned fails);
unsigned p2p_nodedb_fails(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    const struct p2p_ip *ip);

/*
 * Picks up to max live nodes (p2p_nodedb_put_live) whose newest last pong
 * (any IP) is within max_age seconds of now (now - pong <= max_age), in
 * random order, for seeding the table (geth QuerySeeds).
 * Returns: 0; P2P_EINVAL (now > INT64_MAX); P2P_EDB; P2P_ENOMEM.
 * Out:     out: max nodes of room; n: how many were written.
 */
int p2p_nodedb_seeds(struct p2p_nodedb *db, struct p2p_node *out,
    size_t max, uint64_t max_age, uint64_t now, size_t *n);

/*
 * The hourly sweep, in one transaction: with threshold = now -
 * P2P_NODEDB_NODE_EXPIRATION, deletes every node whose newest last pong
 * (any IP; none counts as 0) is below threshold, with all its per-IP rows,
 * and every per-IP row without a node row whose last ping and last pong
 * are both below threshold.  Per-IP rows of a kept node are kept.  The
 * local node's (self's) rows are never deleted.
 * Returns: 0; P2P_EINVAL (now > INT64_MAX); P2P_EDB; P2P_ENOMEM.
 * Out:     deleted: node rows deleted (per-IP rows not counted); may be
 *          NULL.
 */
int p2p_nodedb_expire(struct p2p_nodedb *db, uint64_t now,
    uint64_t *deleted);

/*
 * The local record's sequence number, persisted so it only grows.
 * p2p_nodedb_local_seq returns 0 if never stored (or on a database error,
 * see p2p_nodedb_errmsg).
 * set returns: 0 (an equal value is accepted); P2P_EINVAL (seq is smaller
 *          than the stored one, which is kept); P2P_EDB; P2P_ENOMEM.
 */
uint64_t p2p_nodedb_local_seq(struct p2p_nodedb *db);
int p2p_nodedb_set_local_seq(struct p2p_nodedb *db, uint64_t seq);

/*
 * Calls fn for every node row (in ID order), for listing and crawl resume;
 * stops early when fn returns non-zero (fn keeps its own error in arg if
 * it needs one).  fn's pointers are valid during the call only.  fn may
 * read the database but must not write it or call p2p_nodedb_foreach.
 * Returns: 0 (also when fn stopped it); P2P_EDB (also for a stored row
 *          that does not hold a valid node); P2P_ENOMEM.
 */
int p2p_nodedb_foreach(struct p2p_nodedb *db,
    int (*fn)(void *arg, const struct p2p_node *n, const uint8_t *enr,
    size_t enr_len, uint64_t first_seen), void *arg);

/* Returns: 0; P2P_EDB; P2P_ENOMEM.  Out: n: the number of node rows. */
int p2p_nodedb_count(struct p2p_nodedb *db, size_t *n);

#endif
