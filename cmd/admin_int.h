/*
 * admin_int.h - what admin.c (go-ethereum's admin_* methods, peerEvents,
 * peers' records) and admin_p2p.c (the p2p_* methods) share: the state
 * behind the control socket and the shapes both answer with.  Not for
 * other files; admin.h is the module's face.
 */
#ifndef P2P_CMD_ADMIN_INT_H
#define P2P_CMD_ADMIN_INT_H

#include <stdint.h>
#include <sys/queue.h>

#include <jansson.h>

#include <p2p/enr.h>
#include <p2p/server.h>

#include "control.h"

#define DISCONNECTS_MAX		256	/* p2p_disconnects keeps these */

/* One drop or refusal, for p2p_disconnects. */
struct gone {
	uint64_t at_ms;			/* wall clock */
	struct p2p_node node;
	int known;			/* node is known (not an inbound
					 * connection that ended early) */
	int inbound;
	int phase;			/* -1: was a peer */
	int err, reason, remote;
	uint64_t duration_ms;
};

/* A p2p_connect waiting for its outcome. */
struct waiter {
	struct admin *a;
	struct ctl_call *call;
	struct p2p_nodeid id;
	struct event *timer;
	LIST_ENTRY(waiter) link;
};

/* A peer's record, asked for over discovery once it is added (modern
 * geth shows it in admin_peers). */
struct record {
	struct p2p_nodeid id;
	char text[P2P_ENR_TEXT_MAX];
};

struct admin {
	struct daemon *d;
	struct record *records;
	size_t nrecords;
	struct ctl *ctl;
	char path[4096];
	struct gone gone[DISCONNECTS_MAX];
	size_t ngone, gone_next;
	LIST_HEAD(, waiter) waiters;
};

/* admin.c.  The json_t results are new references, owned by the
 * caller. */
json_t *admin_id_json(const struct p2p_nodeid *id);
/* p2p.PeerInfo, with modern geth's enr when the record is known. */
json_t *admin_peer_info(struct admin *a, struct p2p_peer *p);
/* 0 if params is empty; else the call failed (geth's wording). */
int admin_no_args(struct ctl_call *call, json_t *params);
/* 0 with *n; else the call failed ("invalid enode: ..."). */
int admin_parse_url(struct ctl_call *call, json_t *v, struct p2p_node *n);

/* admin_p2p.c: the p2p_* methods (ctl_method functions, arg the admin),
 * and the server events they follow (dial outcomes, disconnects). */
ctl_fn admin_p2p_connect, admin_p2p_disconnects, admin_p2p_dial_state,
    admin_p2p_table, admin_p2p_send, admin_p2p_set_limits, admin_p2p_reload,
    admin_p2p_nat_state;
void admin_p2p_event(struct admin *a, const struct p2p_server_ev *ev);

#endif
