/*
 * dial.h - the dial scheduler of go-ethereum v1.8.24 (p2p/dial.go) as a
 * pure state machine: given the connected peers and the time, it says
 * which dials, lookups and waits to start next.  It does no I/O and reads
 * no clock: the server runs the tasks and reports back, so tests drive it
 * with a fake clock and a fake table.
 *
 * What it computes (dialstate.newTasks):
 *   - every static node not connected, not being dialed and not dialed
 *     within P2P_DIAL_HISTORY_MS is dialed; one that is ourselves or
 *     outside NetRestrict is dropped from the static set (and reported);
 *   - dynamic dials fill max_dyn_dials (MaxPeers / DialRatio) minus the
 *     dynamically dialed peers and dials under way: with no peers at all
 *     P2P_DIAL_FALLBACK_MS after the first call, one bootnode, taken
 *     round-robin; then half of what is still needed from random table
 *     nodes; then lookup results;
 *   - a lookup when the lookup results cannot cover what is needed and
 *     none runs; it starts no sooner than P2P_DIAL_LOOKUP_MS after the
 *     previous one (the task's delay_ms);
 *   - when nothing runs and nothing else can start but the history holds
 *     nodes, a wait until the oldest history entry expires.
 * Static nodes whose dial failed are resolved through discovery, with a
 * back-off of P2P_DIAL_RESOLVE_MIN_MS doubling to P2P_DIAL_RESOLVE_MAX_MS
 * (dialTask.resolve); incomplete static nodes (no IP) are resolved before
 * their first dial.
 *
 * Times are milliseconds on any monotonic clock the caller likes.
 */
#ifndef P2P_DIAL_H
#define P2P_DIAL_H

#include <stddef.h>
#include <stdint.h>

#include <p2p/enode.h>
#include <p2p/netutil.h>

#define P2P_DIAL_MAX_ACTIVE 16		/* maxActiveDialTasks */
#define P2P_DIAL_HISTORY_MS 30000	/* dialHistoryExpiration */
#define P2P_DIAL_LOOKUP_MS 4000		/* lookupInterval */
#define P2P_DIAL_FALLBACK_MS 20000	/* fallbackInterval */
#define P2P_DIAL_RESOLVE_MIN_MS 60000	/* initialResolveDelay */
#define P2P_DIAL_RESOLVE_MAX_MS 3600000	/* maxResolveDelay */

/* Connection flags, as v1.8.24's connFlag. */
#define P2P_FLAG_DYN_DIALED 0x1
#define P2P_FLAG_STATIC_DIALED 0x2
#define P2P_FLAG_INBOUND 0x4
#define P2P_FLAG_TRUSTED 0x8

enum p2p_dial_kind {
	P2P_DIAL_TASK_DIAL,	/* dial dest (resolve it first if incomplete) */
	P2P_DIAL_TASK_LOOKUP,	/* a random lookup after delay_ms */
	P2P_DIAL_TASK_WAIT,	/* sleep delay_ms, then ask again */
};

struct p2p_dial_task {
	enum p2p_dial_kind kind;
	unsigned flags;		/* DIAL: P2P_FLAG_STATIC_DIALED or _DYN_DIALED */
	struct p2p_node dest;	/* DIAL */
	uint64_t delay_ms;	/* LOOKUP, WAIT */
};

/* A connected peer as the scheduler sees it. */
struct p2p_dial_peer {
	struct p2p_nodeid id;
	unsigned flags;		/* P2P_FLAG_* */
};

/*
 * Fills out with up to max distinct random nodes of the discovery table
 * (v1.8.24's ReadRandomNodes).  Returns how many.
 */
typedef size_t p2p_dial_random_fn(void *arg, struct p2p_node *out,
    size_t max);
/* A static node dropped because it is ourselves (P2P_ESELF) or outside
 * NetRestrict (P2P_ERESTRICTED). */
typedef void p2p_dial_dropped_fn(void *arg, const struct p2p_node *n,
    int err);

struct p2p_dialer_cfg {
	struct p2p_nodeid self;
	unsigned max_dyn_dials;		/* 0: static dials only */
	const struct p2p_netlist *netrestrict;	/* copied; NULL: none */
	const struct p2p_node *bootnodes;	/* copied */
	size_t nbootnodes;
	p2p_dial_random_fn *random_nodes;	/* NULL: no table */
	p2p_dial_dropped_fn *dropped;		/* NULL: not told */
	uint32_t history_ms;	/* 0: P2P_DIAL_HISTORY_MS; tests shorten it */
	void *arg;
};

struct p2p_dialer;

/*
 * Returns: 0; P2P_ENOMEM.
 * Out:     *d, owned by the caller (p2p_dialer_free).
 */
int p2p_dialer_new(struct p2p_dialer **d, const struct p2p_dialer_cfg *cfg);
void p2p_dialer_free(struct p2p_dialer *d);

/* Adds n to the static set (replacing an entry with its ID, which keeps
 * its resolve back-off).  Returns: 0; P2P_ENOMEM. */
int p2p_dialer_add_static(struct p2p_dialer *d, const struct p2p_node *n);
/* Removes the static node id and its dial history entry, so that adding
 * it again dials at once.  Returns: 0; P2P_ENOTFOUND. */
int p2p_dialer_remove_static(struct p2p_dialer *d,
    const struct p2p_nodeid *id);
/* 1 if id is in the static set. */
int p2p_dialer_is_static(const struct p2p_dialer *d,
    const struct p2p_nodeid *id);

/*
 * The next tasks to start (dialstate.newTasks).  nrunning counts the
 * tasks started and not yet reported done (the server's running and
 * queued tasks); peers are the connected peers.  Dial tasks returned are
 * marked as dialing until p2p_dialer_task_done.
 * Returns: the tasks, an array owned by d, valid until the next call on
 *          d; *n their number (0 is fine).  NULL with *n 0 on P2P_ENOMEM.
 */
const struct p2p_dial_task *p2p_dialer_new_tasks(struct p2p_dialer *d,
    size_t nrunning, const struct p2p_dial_peer *peers, size_t npeers,
    uint64_t now_ms, size_t *n);

/*
 * Reports a task finished (dialstate.taskDone).  DIAL: the node enters
 * the dial history for P2P_DIAL_HISTORY_MS whatever the outcome, and is
 * no longer dialing.  LOOKUP: results (n of them) join the lookup buffer.
 * WAIT: nothing.
 */
void p2p_dialer_task_done(struct p2p_dialer *d, const struct p2p_dial_task *t,
    uint64_t now_ms, const struct p2p_node *results, size_t n);

/*
 * A dial the caller starts itself (an operator's "connect now"): n is
 * marked dialing, so no task dials it too, until p2p_dialer_task_done
 * with a DIAL task for it (which enters it in the history as usual).
 * Returns: 0; P2P_EDIALING (a dial is under way); P2P_ENOMEM.
 */
int p2p_dialer_mark_dialing(struct p2p_dialer *d, const struct p2p_node *n,
    unsigned flags);
/* Changes the dynamic dial budget (max_peers changed at run time).
 * Returns: 0; P2P_ENOMEM (nothing changed). */
int p2p_dialer_set_max_dyn(struct p2p_dialer *d, unsigned max_dyn);

/*
 * Static nodes' resolution (dialTask.resolve).  resolve_due says whether
 * the static node id may be resolved now (it is static and its back-off
 * has passed since the last attempt); resolved reports an attempt:
 * found != NULL updates the node's address and resets the back-off,
 * NULL doubles it (to P2P_DIAL_RESOLVE_MAX_MS at most).
 */
int p2p_dialer_resolve_due(const struct p2p_dialer *d,
    const struct p2p_nodeid *id, uint64_t now_ms);
void p2p_dialer_resolved(struct p2p_dialer *d, const struct p2p_nodeid *id,
    const struct p2p_node *found, uint64_t now_ms);

/*
 * The checks every dial candidate passes (dialstate.checkDial), in this
 * order: P2P_EDIALING, P2P_ECONNECTED, P2P_ESELF, P2P_ERESTRICTED,
 * P2P_ERECENT; 0 if it may be dialed.  The history is as of the last
 * p2p_dialer_new_tasks.
 */
int p2p_dialer_check(const struct p2p_dialer *d, const struct p2p_node *n,
    const struct p2p_dial_peer *peers, size_t npeers);

/* For introspection (the control API's dial state). */
struct p2p_dialer_static_info {
	struct p2p_node node;
	int dialing;
	uint64_t last_resolved_ms;	/* 0: never */
	uint64_t resolve_delay_ms;
};
struct p2p_dialer_hist_info {
	struct p2p_nodeid id;
	uint64_t expires_ms;
};
/* Calls fn for each static node, in the order they were added. */
void p2p_dialer_foreach_static(const struct p2p_dialer *d,
    void (*fn)(void *arg, const struct p2p_dialer_static_info *s),
    void *arg);
/* Calls fn for each history entry, soonest expiry first. */
void p2p_dialer_foreach_history(const struct p2p_dialer *d,
    void (*fn)(void *arg, const struct p2p_dialer_hist_info *h), void *arg);

#endif
