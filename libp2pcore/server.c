/*
 * server.c - the devp2p server loop (server.h).  Everything runs on one
 * event_base, so the "run loop" of v1.8.24 is simply this file's state:
 * the peer set, the pending connections, the dial tasks; the channels of
 * the Go code become direct calls, and scheduling new dial tasks happens
 * in one deferred event (tick) after anything that may change the plan.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include <p2p/conn.h>
#include <p2p/disc.h>
#include <p2p/localnode.h>
#include <p2p/server.h>
#include <p2p/workers.h>

#include "internal.h"

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar) \
	for ((var) = TAILQ_FIRST(head); \
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1); \
	    (var) = (tvar))
#endif

/* A connection, from accept or dial to its close: pending until the
 * add-peer checkpoint passes, a peer after. */
struct p2p_peer {
	struct p2p_server *s;
	struct p2p_conn *c;
	TAILQ_ENTRY(p2p_peer) link;	/* s->pending, s->peers or s->gone */
	struct task *task;		/* the dial task waiting, or NULL */
	unsigned flags;
	struct p2p_node node;		/* inbound: known after AUTH */
	struct p2p_ip addr;
	uint16_t port;
	struct event *deadline;		/* both handshakes */
	enum { PC_PENDING, PC_PEER, PC_GONE } state;
	int refused;			/* our checkpoint's error */
	enum p2p_server_phase refused_at;
	uint64_t started_ms;		/* accepted or dial started */
	uint64_t added_ms;
};
TAILQ_HEAD(peerq, p2p_peer);

struct task {
	struct p2p_server *s;
	struct p2p_dial_task t;
	TAILQ_ENTRY(task) link;		/* s->running or s->queued */
	struct event *timer;		/* LOOKUP delay, WAIT */
	struct p2p_peer *pc;		/* DIAL: its connection */
	int redialed;			/* DIAL: resolved once after failing */
	int resolving;
};
TAILQ_HEAD(taskq, task);

struct p2p_server {
	struct p2p_server_cfg cfg;
	struct p2p_privkey key;
	struct p2p_netlist restrict_list;
	int has_restrict;
	struct p2p_node *boot, *statics, *trusted;
	size_t nboot, nstatic, ntrusted, trusted_cap;
	struct p2p_cap caps[P2P_PROTO_MAX_CAPS];
	unsigned ncaps;
	struct p2p_nodedb *db;
	int own_db;
	struct p2p_localnode *ln;
	struct p2p_workers *workers;
	struct p2p_disc *disc;
	struct p2p_dialer *dialer;
	struct evconnlistener *lis;
	struct p2p_ip lip;
	uint16_t lport;
	struct event *tick, *retry, *stop_ev, *stopped_ev;
	struct peerq pending, peers, gone;
	unsigned npending_in, npeers, ninbound, npending;
	struct taskq running, queued;
	unsigned nrunning, nqueued;
	int started, accept_paused;
	int up;				/* p2p_server_start completed */
	/* 0 running; then asked (stop_cb pending), draining (waiting for
	 * the connections to close), done (STOPPED reported). */
	enum { STOP_ASKED = 1, STOP_DRAINING, STOP_DONE } stopping;
	unsigned max_dialed, max_inbound;
};


static struct timeval
tv_ms(uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	return tv;
}

static void
emit(struct p2p_server *s, struct p2p_server_ev *ev)
{
	if (s->cfg.on_event != NULL)
		s->cfg.on_event(s->cfg.arg, ev);
}

/* Asks for a scheduling round once the current event is handled. */
static void
kick(struct p2p_server *s)
{
	if (s->started && !s->stopping)
		event_active(s->tick, EV_TIMEOUT, 0);
}

/* ---- admission ---- */

int
p2p_server_admit(const struct p2p_admit *a)
{
	int trusted = (a->flags & P2P_FLAG_TRUSTED) != 0;

	if (!trusted && !(a->flags & P2P_FLAG_STATIC_DIALED) &&
	    a->npeers >= a->max_peers)
		return P2P_DISC_TOO_MANY_PEERS;
	if (!trusted && (a->flags & P2P_FLAG_INBOUND) &&
	    a->ninbound >= a->max_inbound)
		return P2P_DISC_TOO_MANY_PEERS;
	if (a->connected)
		return P2P_DISC_ALREADY_CONNECTED;
	if (a->self)
		return P2P_DISC_SELF;
	return 0;
}

static int
reason_err(int reason)
{
	switch (reason) {
	case P2P_DISC_TOO_MANY_PEERS:
		return P2P_ETOOMANY;
	case P2P_DISC_ALREADY_CONNECTED:
		return P2P_ECONNECTED;
	case P2P_DISC_SELF:
		return P2P_ESELF;
	case P2P_DISC_USELESS_PEER:
		return P2P_EUSELESS;
	default:
		return P2P_EPROTO;
	}
}

static struct p2p_peer *
find_peer(const struct p2p_server *s, const struct p2p_nodeid *id)
{
	struct p2p_peer *p;

	TAILQ_FOREACH(p, &s->peers, link)
		if (memcmp(&p->node.id, id, sizeof(*id)) == 0)
			return p;
	return NULL;
}

static int
is_trusted(const struct p2p_server *s, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < s->ntrusted; i++)
		if (memcmp(&s->trusted[i].id, id, sizeof(*id)) == 0)
			return 1;
	return 0;
}

/*
 * Of two connections between the same two nodes, the one dialed by the
 * node with the lower ID stays; both sides decide alike.  Same direction
 * (a stale connection and a new one): the existing one stays, as v1.8.24.
 */
static int
new_wins(const struct p2p_server *s, const struct p2p_peer *pc,
    const struct p2p_peer *old)
{
	int new_ours = !(pc->flags & P2P_FLAG_INBOUND);
	int old_ours = !(old->flags & P2P_FLAG_INBOUND);
	int we_lower = memcmp(&p2p_localnode_node(s->ln)->id, &pc->node.id,
	    sizeof(pc->node.id)) < 0;

	if (new_ours == old_ours)
		return 0;
	return new_ours == we_lower;
}

/* The checkpoint: 0 or the Disconnect reason. */
static int
checkpoint(struct p2p_server *s, struct p2p_peer *pc, struct p2p_peer **old)
{
	struct p2p_admit a = {
		.flags = pc->flags, .npeers = s->npeers,
		.ninbound = s->ninbound, .max_peers =
		    (unsigned)s->cfg.max_peers,
		.max_inbound = s->max_inbound,
	};
	struct p2p_peer *e = find_peer(s, &pc->node.id);

	*old = NULL;
	if (e != NULL && !new_wins(s, pc, e))
		a.connected = 1;
	else if (e != NULL) {
		/* It will replace e: count without e. */
		*old = e;
		a.npeers--;
		if (e->flags & P2P_FLAG_INBOUND)
			a.ninbound--;
	}
	a.self = memcmp(&pc->node.id, &p2p_localnode_node(s->ln)->id,
	    sizeof(pc->node.id)) == 0;
	return p2p_server_admit(&a);
}

/* ---- connections ---- */

static void task_finish(struct task *t, const struct p2p_node *results,
    size_t n);
static void dial_ended(struct task *t, int err, enum p2p_server_phase ph);
static void set_accepting(struct p2p_server *s);
static void stop_cb(evutil_socket_t fd, short what, void *arg);
static void stopped_cb(evutil_socket_t fd, short what, void *arg);
static void maybe_stopped(struct p2p_server *s);

static void
pc_free(struct p2p_peer *pc)
{
	p2p_conn_free(pc->c);
	if (pc->deadline != NULL)
		event_free(pc->deadline);
	free(pc);
}

static enum p2p_server_phase
fail_phase(const struct p2p_peer *pc)
{
	if (pc->refused)
		return pc->refused_at;
	switch (pc->c != NULL ? p2p_conn_phase(pc->c) : -1) {
	case P2P_CONN_EV_TCP:
		return P2P_SERVER_PHASE_AUTH;
	case P2P_CONN_EV_AUTH:
		return P2P_SERVER_PHASE_HELLO;
	case P2P_CONN_EV_HELLO:
		return P2P_SERVER_PHASE_ADD;
	default:
		return P2P_SERVER_PHASE_TCP;
	}
}

/* A pending connection ended: report, free, and tell its dial task. */
static void
pending_end(struct p2p_peer *pc, int err, int reason, int remote)
{
	struct p2p_server *s = pc->s;
	struct p2p_server_ev ev = { .type = P2P_SERVER_EV_FAIL,
	    .node = &pc->node, .addr = pc->addr, .port = pc->port,
	    .flags = pc->flags, .err = pc->refused ? pc->refused : err,
	    .reason = reason, .remote = remote, .phase = fail_phase(pc),
	    .duration_ms = p2pi_mono_ms() - pc->started_ms };
	struct task *t = pc->task;

	TAILQ_REMOVE(&s->pending, pc, link);
	s->npending--;
	if (pc->flags & P2P_FLAG_INBOUND) {
		s->npending_in--;
		set_accepting(s);
	}
	emit(s, &ev);
	pc_free(pc);
	if (t != NULL) {
		t->pc = NULL;
		dial_ended(t, ev.err, ev.phase);
	}
	maybe_stopped(s);
	kick(s);
}

static void
proto_each(struct p2p_peer *p, int added, int err, int reason)
{
	const struct p2p_server_cfg *cfg = &p->s->cfg;
	unsigned n;
	const struct p2p_cap *caps = p2p_conn_caps(p->c, &n);

	for (unsigned i = 0; i < n; i++)
		for (size_t j = 0; j < cfg->nprotocols; j++) {
			const struct p2p_protocol *pr = &cfg->protocols[j];

			if (strcmp(pr->name, caps[i].name) != 0 ||
			    pr->version != caps[i].version)
				continue;
			if (added && pr->added != NULL)
				pr->added(pr->arg, p);
			else if (!added && pr->gone != NULL)
				pr->gone(pr->arg, p, err, reason);
		}
}

static void
peer_end(struct p2p_peer *p, int err, int reason, int remote)
{
	struct p2p_server *s = p->s;
	struct p2p_server_ev ev = { .type = P2P_SERVER_EV_DROP, .peer = p,
	    .node = &p->node, .addr = p->addr, .port = p->port,
	    .flags = p->flags, .err = err, .reason = reason,
	    .remote = remote, .duration_ms = p2pi_mono_ms() - p->added_ms };

	if (p->state == PC_PEER) {
		TAILQ_REMOVE(&s->peers, p, link);
		s->npeers--;
		if (p->flags & P2P_FLAG_INBOUND)
			s->ninbound--;
	} else {
		TAILQ_REMOVE(&s->gone, p, link);
	}
	proto_each(p, 0, err, reason);
	emit(s, &ev);
	pc_free(p);
	maybe_stopped(s);
	kick(s);
}

/* The message of a peer: to the protocol whose codes it falls in. */
static void
peer_msg(struct p2p_peer *p, const struct p2p_conn_ev *ev)
{
	const struct p2p_server_cfg *cfg = &p->s->cfg;
	unsigned n;
	const struct p2p_cap *caps = p2p_conn_caps(p->c, &n);

	if (ev->code < P2P_PROTO_BASE_LEN)
		return;
	for (unsigned i = 0; i < n; i++) {
		if (ev->code < caps[i].offset ||
		    ev->code >= (uint64_t)caps[i].offset + caps[i].length)
			continue;
		if (cfg->msg_events) {
			struct p2p_server_ev me = {
			    .type = P2P_SERVER_EV_MSGRECV, .peer = p,
			    .node = &p->node, .flags = p->flags,
			    .proto = caps[i].name,
			    .proto_version = caps[i].version,
			    .code = ev->code - caps[i].offset,
			    .data = ev->data, .size = ev->len };

			emit(p->s, &me);
		}
		for (size_t j = 0; j < cfg->nprotocols; j++) {
			const struct p2p_protocol *pr = &cfg->protocols[j];

			if (pr->msg != NULL && strcmp(pr->name,
			    caps[i].name) == 0 && pr->version ==
			    caps[i].version)
				pr->msg(pr->arg, p, ev->code - caps[i].offset,
				    ev->data, ev->len);
		}
		return;
	}
}

/* Encryption handshake done: the first checkpoint. */
static void
got_auth(struct p2p_peer *pc)
{
	struct p2p_server *s = pc->s;
	struct p2p_peer *old;
	int reason;

	if (pc->flags & P2P_FLAG_INBOUND) {
		/* v1.8.24 nodeFromConn: the address it came from. */
		pc->node.pub = *p2p_conn_remote_key(pc->c);
		p2p_enode_id(&pc->node.id, &pc->node.pub);
		pc->node.ip = pc->addr;
		pc->node.tcp = pc->node.udp = pc->port;
	}
	if (is_trusted(s, &pc->node.id))
		pc->flags |= P2P_FLAG_TRUSTED;
	if ((reason = checkpoint(s, pc, &old)) != 0) {
		pc->refused = reason_err(reason);
		pc->refused_at = P2P_SERVER_PHASE_ADMIT;
		p2p_conn_disconnect(pc->c, (unsigned)reason);
	}
}

/* Hellos exchanged: the add-peer checkpoint, then a peer. */
static void
got_hello(struct p2p_peer *pc)
{
	struct p2p_server *s = pc->s;
	struct p2p_peer *old = NULL;
	struct task *t = pc->task;
	unsigned n;
	int reason = 0;

	(void)p2p_conn_caps(pc->c, &n);
	if (s->cfg.nprotocols > 0 && n == 0)
		reason = P2P_DISC_USELESS_PEER;
	else
		reason = checkpoint(s, pc, &old);
	if (reason != 0) {
		pc->refused = reason_err(reason);
		pc->refused_at = P2P_SERVER_PHASE_ADD;
		p2p_conn_disconnect(pc->c, (unsigned)reason);
		return;
	}
	if (old != NULL) {
		/* The other connection to this node loses (see new_wins):
		 * it leaves the peer set now and reports its drop when
		 * closed. */
		TAILQ_REMOVE(&s->peers, old, link);
		s->npeers--;
		if (old->flags & P2P_FLAG_INBOUND)
			s->ninbound--;
		old->state = PC_GONE;
		TAILQ_INSERT_TAIL(&s->gone, old, link);
		p2p_conn_disconnect(old->c, P2P_DISC_ALREADY_CONNECTED);
	}
	event_del(pc->deadline);
	TAILQ_REMOVE(&s->pending, pc, link);
	s->npending--;
	if (pc->flags & P2P_FLAG_INBOUND) {
		s->npending_in--;
		set_accepting(s);
	}
	pc->state = PC_PEER;
	pc->added_ms = p2pi_mono_ms();
	pc->task = NULL;
	TAILQ_INSERT_TAIL(&s->peers, pc, link);
	s->npeers++;
	if (pc->flags & P2P_FLAG_INBOUND)
		s->ninbound++;
	{
		struct p2p_server_ev ev = { .type = P2P_SERVER_EV_ADD,
		    .peer = pc, .node = &pc->node, .addr = pc->addr,
		    .port = pc->port, .flags = pc->flags, .reason = -1,
		    .duration_ms = pc->added_ms - pc->started_ms };

		emit(s, &ev);
	}
	proto_each(pc, 1, 0, -1);
	/* v1.8.24: a dial task completes once its peer is added. */
	if (t != NULL) {
		t->pc = NULL;
		task_finish(t, NULL, 0);
	}
	kick(s);
}

static void
conn_cb(struct p2p_conn *c, const struct p2p_conn_ev *ev, void *arg)
{
	struct p2p_peer *pc = arg;

	(void)c;
	switch (ev->type) {
	case P2P_CONN_EV_TCP:
		if (!(pc->flags & P2P_FLAG_INBOUND)) {
			struct timeval tv = tv_ms(pc->s->cfg.handshake_ms ?
			    pc->s->cfg.handshake_ms : P2P_CONN_HANDSHAKE_MS);

			evtimer_add(pc->deadline, &tv);
		}
		break;
	case P2P_CONN_EV_AUTH:
		got_auth(pc);
		break;
	case P2P_CONN_EV_HELLO:
		got_hello(pc);
		break;
	case P2P_CONN_EV_MSG:
		if (pc->state == PC_PEER)
			peer_msg(pc, ev);
		break;
	case P2P_CONN_EV_PONG:
		break;
	case P2P_CONN_EV_CLOSE:
		if (pc->state == PC_PENDING)
			pending_end(pc, ev->err, ev->reason, ev->remote);
		else
			peer_end(pc, ev->err, ev->reason, ev->remote);
		break;
	}
}

/* Both handshakes share one deadline. */
static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_peer *pc = arg;

	(void)fd;
	(void)what;
	if (pc->state == PC_PENDING)
		pending_end(pc, P2P_ETIMEOUT, -1, 0);
}

static void
conn_cfg(const struct p2p_server *s, struct p2p_conn_cfg *cc,
    struct p2p_peer *pc)
{
	memset(cc, 0, sizeof(*cc));
	cc->base = s->cfg.base;
	cc->key = &s->key;
	cc->hello.version = P2P_PROTO_VERSION;
	if (s->cfg.name != NULL)
		snprintf(cc->hello.client, sizeof(cc->hello.client), "%s",
		    s->cfg.name);
	memcpy(cc->hello.caps, s->caps, s->ncaps * sizeof(s->caps[0]));
	cc->hello.ncaps = s->ncaps;
	cc->dial_ms = s->cfg.dial_ms;
	cc->handshake_ms = s->cfg.handshake_ms;
	cc->ping_ms = s->cfg.ping_ms;
	cc->read_ms = s->cfg.read_ms;
	cc->write_ms = s->cfg.write_ms;
	cc->workers = s->workers;
	cc->cb = conn_cb;
	cc->arg = pc;
}

static struct p2p_peer *
pc_new(struct p2p_server *s, unsigned flags)
{
	struct p2p_peer *pc = calloc(1, sizeof(*pc));

	if (pc == NULL)
		return NULL;
	pc->s = s;
	pc->flags = flags;
	pc->started_ms = p2pi_mono_ms();
	if ((pc->deadline = evtimer_new(s->cfg.base, deadline_cb, pc)) ==
	    NULL) {
		free(pc);
		return NULL;
	}
	return pc;
}

/* ---- listening ---- */

static void
set_accepting(struct p2p_server *s)
{
	int want = s->lis != NULL && !s->stopping && !s->accept_paused &&
	    s->npending_in < (unsigned)s->cfg.max_pending;

	if (s->lis == NULL)
		return;
	if (want)
		evconnlistener_enable(s->lis);
	else
		evconnlistener_disable(s->lis);
}

static void
accept_cb(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct p2p_server *s = arg;
	struct sockaddr_storage ss;
	struct p2p_conn_cfg cc;
	struct p2p_peer *pc;
	struct timeval tv;
	int err;

	(void)lis;
	if (s->stopping) {
		evutil_closesocket(fd);
		return;
	}
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, sa, (size_t)salen < sizeof(ss) ? (size_t)salen :
	    sizeof(ss));
	if ((pc = pc_new(s, P2P_FLAG_INBOUND)) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	p2pi_from_sockaddr(&ss, &pc->addr, &pc->port);
	/* Outside NetRestrict: closed before any crypto. */
	if (s->has_restrict &&
	    !p2p_netlist_contains(&s->restrict_list, &pc->addr)) {
		struct p2p_server_ev ev = { .type = P2P_SERVER_EV_FAIL,
		    .node = &pc->node, .addr = pc->addr, .port = pc->port,
		    .flags = pc->flags, .err = P2P_ERESTRICTED,
		    .reason = -1, .phase = P2P_SERVER_PHASE_TCP };

		evutil_closesocket(fd);
		emit(s, &ev);
		pc_free(pc);
		return;
	}
	conn_cfg(s, &cc, pc);
	if ((pc->c = p2p_conn_accept(&cc, fd, &err)) == NULL) {
		pc_free(pc);
		return;
	}
	TAILQ_INSERT_TAIL(&s->pending, pc, link);
	s->npending++;
	s->npending_in++;
	tv = tv_ms(s->cfg.handshake_ms ? s->cfg.handshake_ms :
	    P2P_CONN_HANDSHAKE_MS);
	evtimer_add(pc->deadline, &tv);
	/* No slot, no accept: the kernel's backlog holds the rest. */
	set_accepting(s);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_server *s = arg;

	(void)fd;
	(void)what;
	s->accept_paused = 0;
	set_accepting(s);
}

/* accept failed (EMFILE, ...): pause briefly rather than spin. */
static void
accept_error_cb(struct evconnlistener *lis, void *arg)
{
	struct p2p_server *s = arg;
	struct timeval tv = tv_ms(P2P_SERVER_ACCEPT_RETRY_MS);
	struct p2p_server_ev ev = { .type = P2P_SERVER_EV_ACCEPT_ERROR,
	    .err = P2P_ENET, .sys_errno = EVUTIL_SOCKET_ERROR(),
	    .reason = -1 };

	(void)lis;
	s->accept_paused = 1;
	set_accepting(s);
	evtimer_add(s->retry, &tv);
	emit(s, &ev);
}

/* Where to bind: the configured address, 127.0.0.1 when none (defaults
 * touch only loopback; every interface is 0.0.0.0, said outright). */
static struct p2p_ip
bind_ip(const struct p2p_server *s)
{
	struct p2p_ip ip = s->cfg.listen_ip;

	if (ip.len == 0) {
		ip.len = 4;
		ip.b[0] = 127;
		ip.b[3] = 1;
	}
	return ip;
}

static int
setup_listening(struct p2p_server *s)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct p2p_ip ip = bind_ip(s);

	p2pi_to_sockaddr(&ss, &sl, &ip, s->cfg.listen_port);
	s->lis = evconnlistener_new_bind(s->cfg.base, accept_cb, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    128, (struct sockaddr *)&ss, (int)sl);
	if (s->lis == NULL)
		return P2P_ENET;
	evconnlistener_set_error_cb(s->lis, accept_error_cb);
	sl = sizeof(ss);
	if (getsockname(evconnlistener_get_fd(s->lis), (struct sockaddr *)&ss,
	    &sl) != 0)
		return P2P_ENET;
	p2pi_from_sockaddr(&ss, &s->lip, &s->lport);
	return 0;
}

/* ---- dial tasks ---- */

static void schedule(struct p2p_server *s);

static void
task_free(struct task *t)
{
	if (t->timer != NULL)
		event_free(t->timer);
	free(t);
}

/* A task is over: tell the dialer, forget it, plan again. */
static void
task_finish(struct task *t, const struct p2p_node *results, size_t n)
{
	struct p2p_server *s = t->s;

	p2p_dialer_task_done(s->dialer, &t->t, p2pi_mono_ms(), results, n);
	TAILQ_REMOVE(&s->running, t, link);
	s->nrunning--;
	task_free(t);
	kick(s);
}

static void
dial_fail_event(struct task *t, int err, enum p2p_server_phase ph)
{
	struct p2p_server_ev ev = { .type = P2P_SERVER_EV_FAIL,
	    .node = &t->t.dest, .addr = t->t.dest.ip, .port = t->t.dest.tcp,
	    .flags = t->t.flags, .err = err, .reason = -1, .phase = ph };

	emit(t->s, &ev);
}

static void dial_start(struct task *t);
static void resolve_start(struct task *t);

/* v1.8.24 dialTask.Do: a static node whose TCP dial failed is resolved
 * through discovery (within its back-off) and dialed once more. */
static void
dial_ended(struct task *t, int err, enum p2p_server_phase ph)
{
	struct p2p_server *s = t->s;

	(void)err;
	if (ph == P2P_SERVER_PHASE_TCP && !t->redialed && !s->stopping &&
	    (t->t.flags & P2P_FLAG_STATIC_DIALED) &&
	    p2p_dialer_resolve_due(s->dialer, &t->t.dest.id, p2pi_mono_ms())) {
		t->redialed = 1;
		resolve_start(t);
		return;
	}
	task_finish(t, NULL, 0);
}

static void
resolved(struct task *t, const struct p2p_node *found)
{
	struct p2p_server *s = t->s;

	t->resolving = 0;
	p2p_dialer_resolved(s->dialer, &t->t.dest.id, found, p2pi_mono_ms());
	if (found == NULL) {
		dial_fail_event(t, P2P_ENOTFOUND, P2P_SERVER_PHASE_RESOLVE);
		task_finish(t, NULL, 0);
		return;
	}
	t->t.dest = *found;
	dial_start(t);
}

static void
resolve_done(void *arg, const struct p2p_node *closest, size_t count)
{
	struct task *t = arg;

	for (size_t i = 0; i < count; i++)
		if (memcmp(&closest[i].id, &t->t.dest.id,
		    sizeof(closest[i].id)) == 0) {
			resolved(t, &closest[i]);
			return;
		}
	resolved(t, NULL);
}

/* v1.8.24 Table.Resolve: the table's entry, else a lookup for the ID. */
static void
resolve_start(struct task *t)
{
	struct p2p_server *s = t->s;
	const struct p2p_table_entry *e;

	if (s->disc == NULL) {
		resolved(t, NULL);
		return;
	}
	if ((e = p2p_table_get(p2p_disc_table(s->disc), &t->t.dest.id)) !=
	    NULL) {
		struct p2p_node n = e->node;

		resolved(t, &n);
		return;
	}
	t->resolving = 1;
	if (p2p_disc_lookup(s->disc, &t->t.dest.pub, NULL, resolve_done, t)
	    != 0)
		resolved(t, NULL);
}

static void
dial_start(struct task *t)
{
	struct p2p_server *s = t->s;
	struct p2p_conn_cfg cc;
	struct p2p_peer *pc;
	int err;

	if (t->t.dest.ip.len == 0 || t->t.dest.tcp == 0) {
		/* Incomplete: resolve first (within the back-off). */
		if (!t->redialed && (t->t.flags & P2P_FLAG_STATIC_DIALED) &&
		    p2p_dialer_resolve_due(s->dialer, &t->t.dest.id,
		    p2pi_mono_ms())) {
			t->redialed = 1;
			resolve_start(t);
			return;
		}
		task_finish(t, NULL, 0);
		return;
	}
	if ((pc = pc_new(s, t->t.flags)) == NULL) {
		task_finish(t, NULL, 0);
		return;
	}
	pc->node = t->t.dest;
	pc->addr = t->t.dest.ip;
	pc->port = t->t.dest.tcp;
	pc->task = t;
	conn_cfg(s, &cc, pc);
	if ((pc->c = p2p_conn_dial(&cc, &t->t.dest, &err)) == NULL) {
		pc_free(pc);
		dial_fail_event(t, err, P2P_SERVER_PHASE_TCP);
		dial_ended(t, err, P2P_SERVER_PHASE_TCP);
		return;
	}
	t->pc = pc;
	TAILQ_INSERT_TAIL(&s->pending, pc, link);
	s->npending++;
}

static void
lookup_done(void *arg, const struct p2p_node *closest, size_t count)
{
	task_finish(arg, closest, count);
}

static void
task_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct task *t = arg;

	(void)fd;
	(void)what;
	if (t->t.kind == P2P_DIAL_TASK_LOOKUP && t->s->disc != NULL &&
	    p2p_disc_lookup(t->s->disc, NULL, NULL, lookup_done, t) == 0)
		return;
	task_finish(t, NULL, 0);
}

static void
task_start(struct p2p_server *s, struct task *t)
{
	TAILQ_INSERT_TAIL(&s->running, t, link);
	s->nrunning++;
	if (t->t.kind == P2P_DIAL_TASK_DIAL) {
		dial_start(t);
		return;
	}
	{
		struct timeval tv = tv_ms(t->t.delay_ms);

		evtimer_add(t->timer, &tv);
	}
}

static struct task *
task_new(struct p2p_server *s, const struct p2p_dial_task *dt)
{
	struct task *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->s = s;
	t->t = *dt;
	if ((t->timer = evtimer_new(s->cfg.base, task_timer_cb, t)) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

/* v1.8.24 run's scheduleTasks: queued tasks first, then new ones, at
 * most P2P_DIAL_MAX_ACTIVE running. */
static void
schedule(struct p2p_server *s)
{
	struct p2p_dial_peer *view;
	const struct p2p_dial_task *nt;
	struct p2p_peer *p;
	struct task *t;
	size_t n, i = 0;

	if (s->cfg.no_dial)
		return;
	while (s->nrunning < P2P_DIAL_MAX_ACTIVE &&
	    (t = TAILQ_FIRST(&s->queued)) != NULL) {
		TAILQ_REMOVE(&s->queued, t, link);
		s->nqueued--;
		task_start(s, t);
	}
	if (s->nrunning >= P2P_DIAL_MAX_ACTIVE)
		return;
	if ((view = calloc(s->npeers + 1, sizeof(*view))) == NULL)
		return;
	TAILQ_FOREACH(p, &s->peers, link) {
		view[i].id = p->node.id;
		view[i++].flags = p->flags;
	}
	nt = p2p_dialer_new_tasks(s->dialer, s->nrunning + s->nqueued, view,
	    i, p2pi_mono_ms(), &n);
	free(view);
	for (i = 0; i < n; i++) {
		if ((t = task_new(s, &nt[i])) == NULL) {
			/* Tell the dialer, so its state stays true. */
			p2p_dialer_task_done(s->dialer, &nt[i], p2pi_mono_ms(),
			    NULL, 0);
			continue;
		}
		if (s->nrunning < P2P_DIAL_MAX_ACTIVE) {
			task_start(s, t);
		} else {
			TAILQ_INSERT_TAIL(&s->queued, t, link);
			s->nqueued++;
		}
	}
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_server *s = arg;

	(void)fd;
	(void)what;
	if (s->started && !s->stopping)
		schedule(s);
}

/* ---- the dialer's view of discovery ---- */

static size_t
random_nodes(void *arg, struct p2p_node *out, size_t max)
{
	struct p2p_server *s = arg;

	if (s->disc == NULL)
		return 0;
	return p2p_table_random(p2p_disc_table(s->disc), out, max);
}

static void
static_dropped(void *arg, const struct p2p_node *n, int err)
{
	struct p2p_server *s = arg;
	struct p2p_server_ev ev = { .type = P2P_SERVER_EV_STATIC, .node = n,
	    .addr = n->ip, .port = n->tcp, .flags = P2P_FLAG_STATIC_DIALED,
	    .err = err, .reason = -1 };

	emit(s, &ev);
}

/* ---- life cycle ---- */

/* Our announced endpoint moved (a prediction, a NAT's address). */
static void
endpoint_changed(void *arg, const struct p2p_node *self, int source)
{
	struct p2p_server *s = arg;
	struct p2p_server_ev ev = { .type = P2P_SERVER_EV_ENDPOINT,
	    .node = self, .addr = self->ip, .port = self->udp, .reason = -1,
	    .source = source };

	if (s->up)
		emit(s, &ev);
}

/* max_peers split into dialed and inbound slots (v1.8.24 maxDialedConns,
 * maxInboundConns). */
static void
set_slots(struct p2p_server *s)
{
	s->max_dialed = 0;
	if (!s->cfg.no_dial && !s->cfg.no_discovery)
		s->max_dialed = (unsigned)s->cfg.max_peers /
		    (unsigned)(s->cfg.dial_ratio > 0 ? s->cfg.dial_ratio :
		    P2P_SERVER_DIAL_RATIO);
	s->max_inbound = (unsigned)s->cfg.max_peers - s->max_dialed;
}

void
p2p_server_cfg_init(struct p2p_server_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_peers = P2P_SERVER_MAX_PEERS;
	cfg->max_pending = P2P_SERVER_MAX_PENDING;
	cfg->dial_ratio = P2P_SERVER_DIAL_RATIO;
	cfg->listen = 1;
	cfg->listen_port = 30303;
}

static int
copy_nodes(struct p2p_node **dst, size_t *n, const struct p2p_node *src,
    size_t count)
{
	*dst = NULL;
	*n = 0;
	if (count == 0)
		return 0;
	if ((*dst = calloc(count, sizeof(**dst))) == NULL)
		return P2P_ENOMEM;
	memcpy(*dst, src, count * sizeof(**dst));
	*n = count;
	return 0;
}

int
p2p_server_new(struct p2p_server **out, const struct p2p_server_cfg *cfg)
{
	struct p2p_server *s;
	int rc;

	*out = NULL;
	if (cfg->base == NULL || cfg->key == NULL || cfg->max_peers < 0 ||
	    cfg->max_pending < 0 || cfg->dial_ratio < 0 ||
	    cfg->nprotocols > P2P_PROTO_MAX_CAPS ||
	    cfg->workers > P2P_WORKERS_MAX)
		return P2P_EINVAL;
	for (size_t i = 0; i < cfg->nprotocols; i++)
		if (cfg->protocols[i].name == NULL ||
		    cfg->protocols[i].name[0] == '\0' ||
		    strlen(cfg->protocols[i].name) > P2P_PROTO_CAP_NAME_MAX)
			return P2P_EINVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return P2P_ENOMEM;
	s->cfg = *cfg;
	s->key = *cfg->key;
	s->cfg.key = &s->key;
	if (s->cfg.max_pending == 0)
		s->cfg.max_pending = P2P_SERVER_MAX_PENDING;
	TAILQ_INIT(&s->pending);
	TAILQ_INIT(&s->peers);
	TAILQ_INIT(&s->gone);
	TAILQ_INIT(&s->running);
	TAILQ_INIT(&s->queued);
	if (cfg->netrestrict != NULL) {
		s->restrict_list = *cfg->netrestrict;
		s->has_restrict = 1;
		s->cfg.netrestrict = &s->restrict_list;
	}
	for (size_t i = 0; i < cfg->nprotocols; i++) {
		struct p2p_cap *c = &s->caps[s->ncaps++];

		snprintf(c->name, sizeof(c->name), "%s",
		    cfg->protocols[i].name);
		c->version = cfg->protocols[i].version;
		c->length = cfg->protocols[i].length;
	}
	if ((rc = copy_nodes(&s->boot, &s->nboot, cfg->bootnodes,
	    cfg->nbootnodes)) != 0 ||
	    (rc = copy_nodes(&s->statics, &s->nstatic, cfg->static_nodes,
	    cfg->nstatic)) != 0 ||
	    (rc = copy_nodes(&s->trusted, &s->ntrusted, cfg->trusted_nodes,
	    cfg->ntrusted)) != 0)
		goto fail;
	s->trusted_cap = s->ntrusted;
	rc = P2P_ENOMEM;
	s->tick = event_new(cfg->base, -1, 0, tick_cb, s);
	s->retry = evtimer_new(cfg->base, retry_cb, s);
	s->stop_ev = event_new(cfg->base, -1, 0, stop_cb, s);
	s->stopped_ev = event_new(cfg->base, -1, 0, stopped_cb, s);
	if (s->tick == NULL || s->retry == NULL || s->stop_ev == NULL ||
	    s->stopped_ev == NULL)
		goto fail;
	/* The key is checked now, not at start. */
	{
		struct p2p_pubkey pub;

		if ((rc = p2p_secp_pubkey(&pub, &s->key)) != 0)
			goto fail;
	}
	*out = s;
	return 0;
fail:
	p2p_server_free(s);
	return rc;
}

int
p2p_server_useless(const struct p2p_server *s)
{
	return s->cfg.no_dial && !s->cfg.listen;
}

int
p2p_server_start(struct p2p_server *s)
{
	struct p2p_dialer_cfg dc;
	int rc;

	if (s->started)
		return P2P_ESTATE;
	s->started = 1;
	if (s->cfg.workers > 0 &&
	    (rc = p2p_workers_new(&s->workers, s->cfg.base,
	    s->cfg.workers)) != 0)
		return rc;
	/* The local node. */
	if (s->cfg.db != NULL) {
		s->db = s->cfg.db;
	} else {
		struct p2p_pubkey pub;
		struct p2p_nodeid id;

		if ((rc = p2p_secp_pubkey(&pub, &s->key)) != 0)
			return rc;
		p2p_enode_id(&id, &pub);
		if ((rc = p2p_nodedb_open(&s->db, NULL, &id)) != 0)
			return rc;
		s->own_db = 1;
	}
	if ((rc = p2p_localnode_new(&s->ln, &s->key, s->db)) != 0)
		return rc;
	p2p_localnode_set_ip(s->ln, &s->cfg.listen_ip);
	if (s->cfg.ext_ip.len != 0)
		p2p_localnode_set_static_ip(s->ln, &s->cfg.ext_ip);
	p2p_localnode_on_endpoint(s->ln, endpoint_changed, s);
	/* Listening. */
	if (s->cfg.listen) {
		if ((rc = setup_listening(s)) != 0)
			return rc;
		p2p_localnode_set_tcp(s->ln, s->lport);
	}
	/* Discovery on the same port, UDP. */
	if (!s->cfg.no_discovery) {
		struct p2p_disc_cfg d;

		memset(&d, 0, sizeof(d));
		d.key = &s->key;
		d.ip = bind_ip(s);
		d.port = s->cfg.listen ? s->lport : s->cfg.listen_port;
		d.tcp_port = s->lport;
		d.ext_ip = s->cfg.ext_ip;
		d.local = s->ln;
		d.db = s->db;
		d.netrestrict = s->cfg.netrestrict;
		d.bootnodes = s->boot;
		d.nbootnodes = s->nboot;
		d.maintain = 1;
		if ((rc = p2p_disc_new(&s->disc, s->cfg.base, &d)) != 0)
			return rc;
	}
	if ((rc = p2p_localnode_record(s->ln, NULL)) != 0)
		return rc;
	/* The dialer. */
	set_slots(s);
	memset(&dc, 0, sizeof(dc));
	dc.self = p2p_localnode_node(s->ln)->id;
	dc.max_dyn_dials = s->max_dialed;
	dc.history_ms = s->cfg.dial_history_ms;
	dc.netrestrict = s->cfg.netrestrict;
	dc.bootnodes = s->boot;
	dc.nbootnodes = s->nboot;
	dc.random_nodes = random_nodes;
	dc.dropped = static_dropped;
	dc.arg = s;
	if ((rc = p2p_dialer_new(&s->dialer, &dc)) != 0)
		return rc;
	/* With no_dial the static set is kept (and shown) but never
	 * dialed: schedule does nothing. */
	for (size_t i = 0; i < s->nstatic; i++)
		if ((rc = p2p_dialer_add_static(s->dialer, &s->statics[i])) != 0)
			return rc;
	/* From now on a moved endpoint is news; before, it was set-up. */
	s->up = 1;
	kick(s);
	return 0;
}

static void
stopped_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_server *s = arg;
	struct p2p_server_ev ev = { .type = P2P_SERVER_EV_STOPPED,
	    .reason = -1 };

	(void)fd;
	(void)what;
	emit(s, &ev);
}

static void
maybe_stopped(struct p2p_server *s)
{
	if (s->stopping == STOP_DRAINING && TAILQ_EMPTY(&s->pending) &&
	    TAILQ_EMPTY(&s->peers) && TAILQ_EMPTY(&s->gone)) {
		s->stopping = STOP_DONE;
		event_active(s->stopped_ev, EV_TIMEOUT, 0);
	}
}

/* The stop itself, from the loop: p2p_server_stop may be called from
 * inside any of our callbacks, whose callers still use what this frees. */
static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_server *s = arg;
	struct p2p_peer *p, *next;
	struct task *t;

	(void)fd;
	(void)what;
	if (s->lis != NULL) {
		evconnlistener_free(s->lis);
		s->lis = NULL;
	}
	/* Discovery first: its lookups (and their callbacks into our
	 * tasks) end with it.  Its live nodes seed the next start. */
	if (s->disc != NULL)
		(void)p2p_disc_save(s->disc);
	p2p_disc_free(s->disc);
	s->disc = NULL;
	while ((t = TAILQ_FIRST(&s->queued)) != NULL) {
		TAILQ_REMOVE(&s->queued, t, link);
		task_free(t);
	}
	while ((t = TAILQ_FIRST(&s->running)) != NULL) {
		TAILQ_REMOVE(&s->running, t, link);
		if (t->pc != NULL)
			t->pc->task = NULL;
		task_free(t);
	}
	s->nrunning = s->nqueued = 0;
	TAILQ_FOREACH_SAFE(p, &s->pending, link, next)
		p2p_conn_disconnect(p->c, P2P_DISC_QUITTING);
	TAILQ_FOREACH_SAFE(p, &s->peers, link, next)
		p2p_conn_disconnect(p->c, P2P_DISC_QUITTING);
	s->stopping = STOP_DRAINING;
	maybe_stopped(s);
}

void
p2p_server_stop(struct p2p_server *s)
{
	if (s->stopping)
		return;
	/* Nothing new starts from now on (kick and accept look at this);
	 * the rest happens in stop_cb, from the loop. */
	s->stopping = STOP_ASKED;
	set_accepting(s);
	event_active(s->stop_ev, EV_TIMEOUT, 0);
}

static void
free_peers(struct peerq *q)
{
	struct p2p_peer *p;

	while ((p = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, p, link);
		pc_free(p);
	}
}

void
p2p_server_free(struct p2p_server *s)
{
	struct task *t;

	if (s == NULL)
		return;
	if (s->lis != NULL)
		evconnlistener_free(s->lis);
	p2p_disc_free(s->disc);
	while ((t = TAILQ_FIRST(&s->queued)) != NULL) {
		TAILQ_REMOVE(&s->queued, t, link);
		task_free(t);
	}
	while ((t = TAILQ_FIRST(&s->running)) != NULL) {
		TAILQ_REMOVE(&s->running, t, link);
		task_free(t);
	}
	free_peers(&s->pending);
	free_peers(&s->peers);
	free_peers(&s->gone);
	/* After the connections: their running jobs are orphans now, which
	 * the pool's last done calls free. */
	p2p_workers_free(s->workers);
	p2p_dialer_free(s->dialer);
	p2p_localnode_free(s->ln);
	if (s->own_db)
		p2p_nodedb_close(s->db);
	if (s->tick != NULL)
		event_free(s->tick);
	if (s->retry != NULL)
		event_free(s->retry);
	if (s->stop_ev != NULL)
		event_free(s->stop_ev);
	if (s->stopped_ev != NULL)
		event_free(s->stopped_ev);
	free(s->boot);
	free(s->statics);
	free(s->trusted);
	p2p_wipe(&s->key, sizeof(s->key));
	free(s);
}

/* ---- run-time changes ---- */

int
p2p_server_add_static(struct p2p_server *s, const struct p2p_node *n)
{
	int rc;

	if (s->dialer == NULL || s->stopping)
		return P2P_ESTATE;
	if ((rc = p2p_dialer_add_static(s->dialer, n)) == 0)
		kick(s);
	return rc;
}

int
p2p_server_remove_static(struct p2p_server *s, const struct p2p_nodeid *id)
{
	struct p2p_peer *p;
	int rc;

	if (s->dialer == NULL || s->stopping)
		return P2P_ESTATE;
	rc = p2p_dialer_remove_static(s->dialer, id);
	/* v1.8.24: and the peer is asked to leave. */
	if ((p = find_peer(s, id)) != NULL)
		p2p_conn_disconnect(p->c, P2P_DISC_REQUESTED);
	return rc;
}

int
p2p_server_add_trusted(struct p2p_server *s, const struct p2p_node *n)
{
	struct p2p_peer *p;

	if (!is_trusted(s, &n->id)) {
		if (s->ntrusted == s->trusted_cap) {
			size_t cap = s->trusted_cap ? s->trusted_cap * 2 : 8;
			struct p2p_node *t = realloc(s->trusted,
			    cap * sizeof(*t));

			if (t == NULL)
				return P2P_ENOMEM;
			s->trusted = t;
			s->trusted_cap = cap;
		}
		s->trusted[s->ntrusted++] = *n;
	}
	/* A trusted peer already connected is flagged at once. */
	if ((p = find_peer(s, &n->id)) != NULL)
		p->flags |= P2P_FLAG_TRUSTED;
	return 0;
}

int
p2p_server_remove_trusted(struct p2p_server *s, const struct p2p_nodeid *id)
{
	struct p2p_peer *p;
	int found = 0;

	for (size_t i = 0; i < s->ntrusted; i++)
		if (memcmp(&s->trusted[i].id, id, sizeof(*id)) == 0) {
			s->trusted[i] = s->trusted[--s->ntrusted];
			found = 1;
			break;
		}
	if ((p = find_peer(s, id)) != NULL)
		p->flags &= ~(unsigned)P2P_FLAG_TRUSTED;
	return found ? 0 : P2P_ENOTFOUND;
}

/* ---- queries ---- */

int
p2p_server_dial(struct p2p_server *s, const struct p2p_node *n)
{
	struct p2p_dial_task dt = { .kind = P2P_DIAL_TASK_DIAL,
	    .flags = P2P_FLAG_STATIC_DIALED, .dest = *n };
	struct task *t;
	int rc;

	if (!s->started || s->stopping)
		return P2P_ESTATE;
	if (n->ip.len == 0 || n->tcp == 0)
		return P2P_EINVAL;
	if (memcmp(&n->id, &p2p_localnode_node(s->ln)->id,
	    sizeof(n->id)) == 0)
		return P2P_ESELF;
	if (find_peer(s, &n->id) != NULL)
		return P2P_ECONNECTED;
	if (s->has_restrict && !p2p_netlist_contains(&s->restrict_list,
	    &n->ip))
		return P2P_ERESTRICTED;
	if ((rc = p2p_dialer_mark_dialing(s->dialer, n, dt.flags)) != 0)
		return rc;
	if ((t = task_new(s, &dt)) == NULL) {
		p2p_dialer_task_done(s->dialer, &dt, p2pi_mono_ms(), NULL, 0);
		return P2P_ENOMEM;
	}
	task_start(s, t);
	return 0;
}

int
p2p_server_set_limits(struct p2p_server *s, int max_peers, int max_pending,
    int dial_ratio)
{
	struct p2p_server_cfg old = s->cfg;
	unsigned old_dialed = s->max_dialed, old_inbound = s->max_inbound;
	int rc;

	if (max_peers > 100000 || max_pending == 0 || max_pending > 100000 ||
	    dial_ratio == 0 || dial_ratio > 100000)
		return P2P_EINVAL;
	if (max_peers >= 0)
		s->cfg.max_peers = max_peers;
	if (max_pending > 0)
		s->cfg.max_pending = max_pending;
	if (dial_ratio > 0)
		s->cfg.dial_ratio = dial_ratio;
	set_slots(s);
	if (s->dialer != NULL &&
	    (rc = p2p_dialer_set_max_dyn(s->dialer, s->max_dialed)) != 0) {
		s->cfg = old;
		s->max_dialed = old_dialed;
		s->max_inbound = old_inbound;
		return rc;
	}
	/* Peers over a lowered limit stay (as in geth); new ones wait. */
	set_accepting(s);
	kick(s);
	return 0;
}

void
p2p_server_announce(struct p2p_server *s, const struct p2p_ip *ip,
    uint16_t tcp, uint16_t udp)
{
	p2p_localnode_announce(s->ln, ip, s->lport != 0 ? tcp : 0,
	    s->disc != NULL ? udp : 0);
}

const struct p2p_node *
p2p_server_self(const struct p2p_server *s)
{
	return s->ln != NULL ? p2p_localnode_node(s->ln) : NULL;
}

int
p2p_server_record(struct p2p_server *s, const struct p2p_enr **rec)
{
	if (s->ln == NULL)
		return P2P_ESTATE;
	return p2p_localnode_record(s->ln, rec);
}

void
p2p_server_listen_addr(const struct p2p_server *s, struct p2p_ip *ip,
    uint16_t *port)
{
	*ip = s->lip;
	*port = s->lport;
}

struct p2p_disc *
p2p_server_disc(struct p2p_server *s)
{
	return s->disc;
}

struct p2p_dialer *
p2p_server_dialer(struct p2p_server *s)
{
	return s->dialer;
}

static void
count_static(void *arg, const struct p2p_dialer_static_info *si)
{
	(void)si;
	(*(unsigned *)arg)++;
}

void
p2p_server_counts(const struct p2p_server *s, struct p2p_server_counts *c)
{
	memset(c, 0, sizeof(*c));
	if (s->dialer != NULL)
		p2p_dialer_foreach_static(s->dialer, count_static, &c->statics);
	c->trusted = (unsigned)s->ntrusted;
	c->peers = s->npeers;
	c->inbound = s->ninbound;
	c->outbound = s->npeers - s->ninbound;
	c->pending = s->npending;
	c->dialing = s->npending - s->npending_in;
	c->tasks = s->nrunning + s->nqueued;
	c->max_peers = (unsigned)s->cfg.max_peers;
	c->max_inbound = s->max_inbound;
	c->max_dialed = s->max_dialed;
	c->max_pending = (unsigned)s->cfg.max_pending;
}

void
p2p_server_foreach_peer(struct p2p_server *s,
    void (*fn)(void *arg, struct p2p_peer *p), void *arg)
{
	struct p2p_peer *p, *next;

	TAILQ_FOREACH_SAFE(p, &s->peers, link, next)
		fn(arg, p);
}

struct p2p_peer *
p2p_server_peer(struct p2p_server *s, const struct p2p_nodeid *id)
{
	return find_peer(s, id);
}

const struct p2p_node *
p2p_peer_node(const struct p2p_peer *p)
{
	return &p->node;
}

const struct p2p_hello *
p2p_peer_hello(const struct p2p_peer *p)
{
	return p2p_conn_remote_hello(p->c);
}

unsigned
p2p_peer_flags(const struct p2p_peer *p)
{
	return p->flags;
}

void
p2p_peer_remote_addr(const struct p2p_peer *p, struct p2p_ip *ip,
    uint16_t *port)
{
	*ip = p->addr;
	*port = p->port;
}

void
p2p_peer_local_addr(const struct p2p_peer *p, struct p2p_ip *ip,
    uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = p2p_conn_fd(p->c);

	memset(ip, 0, sizeof(*ip));
	*port = 0;
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		p2pi_from_sockaddr(&ss, ip, port);
}

const struct p2p_cap *
p2p_peer_caps(const struct p2p_peer *p, unsigned *n)
{
	return p2p_conn_caps(p->c, n);
}

int
p2p_peer_send_raw(struct p2p_peer *p, uint64_t code, const uint8_t *data,
    size_t len)
{
	unsigned n;
	const struct p2p_cap *caps = p2p_conn_caps(p->c, &n);
	int rc;

	if (code < P2P_PROTO_BASE_LEN || p->state != PC_PEER)
		return P2P_EINVAL;
	if ((rc = p2p_conn_send(p->c, code, data, len)) != 0)
		return rc;
	if (p->s->cfg.msg_events)
		for (unsigned i = 0; i < n; i++)
			if (code >= caps[i].offset && code <
			    (uint64_t)caps[i].offset + caps[i].length) {
				struct p2p_server_ev ev = {
				    .type = P2P_SERVER_EV_MSGSEND, .peer = p,
				    .node = &p->node, .flags = p->flags,
				    .proto = caps[i].name,
				    .proto_version = caps[i].version,
				    .code = code - caps[i].offset,
				    .data = data, .size = len };

				emit(p->s, &ev);
			}
	return 0;
}

int
p2p_peer_send(struct p2p_peer *p, const struct p2p_protocol *proto,
    uint64_t code, const uint8_t *data, size_t len)
{
	unsigned n;
	const struct p2p_cap *caps = p2p_conn_caps(p->c, &n);

	if (code >= proto->length)
		return P2P_EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (strcmp(caps[i].name, proto->name) == 0 &&
		    caps[i].version == proto->version)
			return p2p_peer_send_raw(p, caps[i].offset + code,
			    data, len);
	return P2P_EINVAL;
}

void
p2p_peer_disconnect(struct p2p_peer *p, unsigned reason)
{
	p2p_conn_disconnect(p->c, reason);
}
