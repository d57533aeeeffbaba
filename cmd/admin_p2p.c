/*
 * admin_p2p.c - p2p-serverd's p2p_* control methods: what go-ethereum's
 * admin_* API never told its users.  How a dial ended (p2p_connect waits
 * for the outcome), why peers left (p2p_disconnects), what the dialer
 * and discovery hold (p2p_dialState, p2p_table), the NAT's state, and
 * run-time changes (p2p_send, p2p_setLimits, p2p_reload).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>

#include <p2p/disc.h>
#include <p2p/hex.h>
#include <p2p/json.h>
#include <p2p/nat.h>
#include <p2p/nodedb.h>
#include <p2p/table.h>

#include "admin_int.h"
#include "cli.h"
#include "control.h"
#include "peer.h"
#include "rpc.h"
#include "serverd.h"

#define CONNECT_TIMEOUT_MS	20000	/* dial (15 s) + handshakes */
#define CONNECT_TIMEOUT_MAX_MS	600000

static const char *const phase_names[] = { "resolve", "tcp", "auth",
	"admit", "hello", "add" };

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- p2p_connect ---- */

static json_t *
failure(const struct p2p_server_ev *ev)
{
	json_t *o = json_object();
	char detail[256];
	int err = ev->err ? ev->err : P2P_ECLOSED;

	if (err == P2P_ECLOSED && ev->phase == P2P_SERVER_PHASE_AUTH)
		snprintf(detail, sizeof(detail), "the remote closed the "
		    "connection during the auth exchange: a wrong node ID in "
		    "the enode URL is the usual cause");
	else if (ev->reason >= 0)
		snprintf(detail, sizeof(detail), "%s sent Disconnect: %s",
		    ev->remote ? "peer" : "we",
		    p2p_proto_disc_reason((unsigned)ev->reason));
	else
		snprintf(detail, sizeof(detail), "%s", p2p_strerror(err));
	json_object_set_new(o, "ok", json_false());
	json_object_set_new(o, "enode", serverd_enode_json(ev->node));
	json_object_set_new(o, "id", admin_id_json(&ev->node->id));
	json_object_set_new(o, "phase", json_string(phase_names[ev->phase]));
	json_object_set_new(o, "error", json_string(p2p_errname(err)));
	json_object_set_new(o, "detail", json_string(detail));
	json_object_set_new(o, "disconnect",
	    peer_disconnect_json(ev->reason, ev->remote));
	json_object_set_new(o, "duration_ms",
	    json_integer((json_int_t)ev->duration_ms));
	return o;
}

static json_t *
success(struct admin *a, struct p2p_peer *p, int already,
    uint64_t duration_ms)
{
	json_t *info = admin_peer_info(a, p), *o = json_object();

	json_object_set_new(o, "ok", json_true());
	json_object_set(o, "enode", json_object_get(info, "enode"));
	json_object_set(o, "id", json_object_get(info, "id"));
	json_object_set(o, "name", json_object_get(info, "name"));
	json_object_set(o, "caps", json_object_get(info, "caps"));
	json_object_set(o, "network", json_object_get(info, "network"));
	json_object_set_new(o, "already", json_boolean(already));
	if (!already)
		json_object_set_new(o, "duration_ms",
		    json_integer((json_int_t)duration_ms));
	json_decref(info);
	return o;
}

static void
waiter_free(struct waiter *w)
{
	LIST_REMOVE(w, link);
	event_free(w->timer);
	free(w);
}

static void
waiter_cancel(void *arg)
{
	waiter_free(arg);
}

static void
waiter_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct waiter *w = arg;
	struct ctl_call *call = w->call;
	json_t *o = json_object();

	(void)fd;
	(void)what;
	json_object_set_new(o, "ok", json_false());
	json_object_set_new(o, "id", admin_id_json(&w->id));
	json_object_set_new(o, "phase", json_string("timeout"));
	json_object_set_new(o, "error", json_string("ETIMEOUT"));
	json_object_set_new(o, "detail", json_string("no outcome within the "
	    "timeout; the dial goes on"));
	json_object_set_new(o, "disconnect", json_null());
	waiter_free(w);
	ctl_reply(call, o);
}

/* The outcome of a dial, for the p2p_connect calls waiting on it. */
static void
connect_outcome(struct admin *a, const struct p2p_server_ev *ev)
{
	struct waiter *w, *next;

	for (w = LIST_FIRST(&a->waiters); w != NULL; w = next) {
		struct ctl_call *call = w->call;
		struct p2p_peer *p;
		json_t *res;

		next = LIST_NEXT(w, link);
		if (memcmp(&w->id, &ev->node->id, sizeof(w->id)) != 0)
			continue;
		if (ev->type == P2P_SERVER_EV_ADD) {
			res = success(a, ev->peer, 0, ev->duration_ms);
		} else if (ev->flags & P2P_FLAG_INBOUND) {
			continue;	/* not our dial */
		} else if ((p = p2p_server_peer(a->d->srv, &w->id)) != NULL) {
			/* Lost to its own dial to us, which stays. */
			res = success(a, p, 1, 0);
		} else {
			res = failure(ev);
		}
		waiter_free(w);
		ctl_reply(call, res);
	}
}

static int
connect_opts(struct ctl_call *call, json_t *opts, uint64_t *timeout_ms,
    int *keep)
{
	json_t *t = json_object_get(opts, "timeout"),
	    *st = json_object_get(opts, "static");

	if (t != NULL && json_is_string(t)) {
		if (cli_parse_duration(json_string_value(t), timeout_ms) != 0)
			return ctl_fail(call, RPC_INVALID_PARAMS, "invalid "
			    "argument 1: timeout is not a duration (10s, "
			    "500ms)");
	} else if (t != NULL && json_is_integer(t) &&
	    json_integer_value(t) > 0) {
		*timeout_ms = (uint64_t)json_integer_value(t);
	} else if (t != NULL) {
		return ctl_fail(call, RPC_INVALID_PARAMS, "invalid argument "
		    "1: timeout must be a duration or milliseconds");
	}
	if (*timeout_ms == 0 || *timeout_ms > CONNECT_TIMEOUT_MAX_MS)
		return ctl_fail(call, RPC_INVALID_PARAMS, "invalid argument "
		    "1: timeout out of range (at most %d s)",
		    CONNECT_TIMEOUT_MAX_MS / 1000);
	if (st != NULL && !json_is_boolean(st))
		return ctl_fail(call, RPC_INVALID_PARAMS, "invalid argument "
		    "1: static must be true or false");
	*keep = json_is_true(st);
	return 0;
}

int
admin_p2p_connect(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	struct admin *a = arg;
	struct p2p_server *srv = a->d->srv;
	uint64_t timeout_ms = CONNECT_TIMEOUT_MS;
	struct p2p_node n;
	struct p2p_peer *p;
	struct waiter *w;
	struct timeval tv;
	char why[128];
	int keep = 0, rc;

	if ((rc = rpc_args(params, 1, "so", why, sizeof(why))) != 0)
		return ctl_fail(call, rc, "%s", why);
	if ((rc = admin_parse_url(call, json_array_get(params, 0), &n)) != 0)
		return rc;
	if (json_is_object(json_array_get(params, 1)) &&
	    (rc = connect_opts(call, json_array_get(params, 1), &timeout_ms,
	    &keep)) != 0)
		return rc;
	if (n.ip.len == 0 || n.tcp == 0)
		return ctl_fail(call, RPC_INVALID_PARAMS, "invalid argument "
		    "0: the node has no %s", n.ip.len == 0 ? "IP address" :
		    "TCP port");
	if (keep && (rc = p2p_server_add_static(srv, &n)) != 0)
		return ctl_fail(call, RPC_SERVER_ERROR, "%s",
		    p2p_strerror(rc));
	if ((p = p2p_server_peer(srv, &n.id)) != NULL) {
		*res = success(a, p, 1, 0);
		return 0;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->timer = evtimer_new(a->d->base, waiter_timeout, w)) == NULL) {
		free(w);
		return ctl_fail(call, RPC_SERVER_ERROR, "out of memory");
	}
	w->a = a;
	w->call = call;
	w->id = n.id;
	LIST_INSERT_HEAD(&a->waiters, w, link);
	ctl_on_cancel(call, waiter_cancel, w);
	tv.tv_sec = (time_t)(timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
	evtimer_add(w->timer, &tv);
	/* The outcome may come from inside (a dial that fails at once):
	 * w is gone then, and the call answered. */
	rc = p2p_server_dial(srv, &n);
	if (rc == 0 || rc == P2P_EDIALING)
		return CTL_ASYNC;
	waiter_free(w);
	ctl_on_cancel(call, NULL, NULL);
	return ctl_fail(call, RPC_SERVER_ERROR, "cannot dial: %s",
	    p2p_strerror(rc));
}

/* ---- p2p_disconnects ---- */

static void
record_gone(struct admin *a, const struct p2p_server_ev *ev)
{
	struct gone *g = &a->gone[a->gone_next];
	static const struct p2p_nodeid zero;

	memset(g, 0, sizeof(*g));
	g->at_ms = wall_ms();
	g->node = *ev->node;
	g->known = memcmp(&ev->node->id, &zero, sizeof(zero)) != 0;
	g->inbound = (ev->flags & P2P_FLAG_INBOUND) != 0;
	g->phase = ev->type == P2P_SERVER_EV_DROP ? -1 : (int)ev->phase;
	g->err = ev->type == P2P_SERVER_EV_FAIL && ev->err == 0 ?
	    P2P_ECLOSED : ev->err;
	g->reason = ev->reason;
	g->remote = ev->remote;
	g->duration_ms = ev->duration_ms;
	a->gone_next = (a->gone_next + 1) % DISCONNECTS_MAX;
	if (a->ngone < DISCONNECTS_MAX)
		a->ngone++;
}

static json_t *
gone_json(const struct gone *g)
{
	json_t *o = json_object();

	json_object_set_new(o, "at", p2p_json_uint(g->at_ms));
	json_object_set_new(o, "enode", g->known ? serverd_enode_json(&g->node) :
	    json_null());
	json_object_set_new(o, "id", g->known ? admin_id_json(&g->node.id) :
	    json_null());
	json_object_set_new(o, "remote", serverd_addr_json(&g->node.ip, g->node.tcp));
	json_object_set_new(o, "direction", json_string(g->inbound ?
	    "inbound" : "outbound"));
	json_object_set_new(o, "phase", json_string(g->phase < 0 ? "peer" :
	    phase_names[g->phase]));
	json_object_set_new(o, "error", g->err ?
	    json_string(p2p_errname(g->err)) : json_null());
	json_object_set_new(o, "detail", g->err ?
	    json_string(p2p_strerror(g->err)) : json_null());
	json_object_set_new(o, "disconnect",
	    peer_disconnect_json(g->reason, g->remote));
	json_object_set_new(o, "duration_ms",
	    json_integer((json_int_t)g->duration_ms));
	return o;
}

int
admin_p2p_disconnects(void *arg, struct ctl_call *call, json_t *params,
    json_t **res)
{
	struct admin *a = arg;
	int rc;

	if ((rc = admin_no_args(call, params)) != 0)
		return rc;
	*res = json_array();
	for (size_t i = 0; i < a->ngone; i++) {
		size_t k = (a->gone_next + DISCONNECTS_MAX - 1 - i) %
		    DISCONNECTS_MAX;

		json_array_append_new(*res, gone_json(&a->gone[k]));
	}
	return 0;
}

/* ---- p2p_dialState ---- */

struct dial_walk {
	struct admin *a;
	json_t *list;
	uint64_t now;
};

static void
static_one(void *arg, const struct p2p_dialer_static_info *si)
{
	struct dial_walk *w = arg;
	json_t *o = json_object();
	uint64_t next = si->last_resolved_ms + si->resolve_delay_ms;

	json_object_set_new(o, "enode", serverd_enode_json(&si->node));
	json_object_set_new(o, "id", admin_id_json(&si->node.id));
	json_object_set_new(o, "connected", json_boolean(
	    p2p_server_peer(w->a->d->srv, &si->node.id) != NULL));
	json_object_set_new(o, "dialing", json_boolean(si->dialing));
	json_object_set_new(o, "last_resolved_ms", si->last_resolved_ms ?
	    p2p_json_uint(w->now - si->last_resolved_ms) : json_null());
	json_object_set_new(o, "resolve_backoff_ms",
	    p2p_json_uint(si->resolve_delay_ms));
	json_object_set_new(o, "next_resolve_in_ms", si->last_resolved_ms ?
	    p2p_json_uint(next > w->now ? next - w->now : 0) : json_null());
	json_array_append_new(w->list, o);
}

static void
hist_one(void *arg, const struct p2p_dialer_hist_info *h)
{
	struct dial_walk *w = arg;

	json_array_append_new(w->list, json_pack("{s:o,s:o}", "id",
	    admin_id_json(&h->id), "expires_in_ms", p2p_json_uint(h->expires_ms >
	    w->now ? h->expires_ms - w->now : 0)));
}

static json_t *
slots_json(struct admin *a)
{
	struct p2p_server_counts c;

	p2p_server_counts(a->d->srv, &c);
	return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}",
	    "peers", c.peers, "max_peers", c.max_peers, "inbound", c.inbound,
	    "max_inbound", c.max_inbound, "outbound", c.outbound,
	    "max_dialed", c.max_dialed, "pending", c.pending, "max_pending",
	    c.max_pending, "dialing", c.dialing, "tasks", c.tasks, "static",
	    c.statics, "trusted", c.trusted);
}

int
admin_p2p_dial_state(void *arg, struct ctl_call *call, json_t *params,
    json_t **res)
{
	struct admin *a = arg;
	struct p2p_dialer *dl = p2p_server_dialer(a->d->srv);
	struct dial_walk w = { .a = a, .now = peer_now_us() / 1000 };
	json_t *o;
	int rc;

	if ((rc = admin_no_args(call, params)) != 0)
		return rc;
	o = json_object();
	json_object_set_new(o, "slots", slots_json(a));
	w.list = json_array();
	if (dl != NULL)
		p2p_dialer_foreach_static(dl, static_one, &w);
	json_object_set_new(o, "static", w.list);
	w.list = json_array();
	if (dl != NULL)
		p2p_dialer_foreach_history(dl, hist_one, &w);
	json_object_set_new(o, "history", w.list);
	*res = o;
	return 0;
}

/* ---- p2p_table ---- */

struct table_walk {
	struct p2p_nodedb *db;
	json_t *list;
	uint64_t now_s;
};

static void
table_one(void *arg, const struct p2p_table_entry *e, int bucket)
{
	struct table_walk *w = arg;
	json_t *o = json_object();
	uint64_t pong = 0;
	unsigned fails = 0;

	if (w->db != NULL) {
		pong = p2p_nodedb_last_pong(w->db, &e->node.id, &e->node.ip);
		fails = p2p_nodedb_fails(w->db, &e->node.id, &e->node.ip);
	}
	json_object_set_new(o, "bucket", json_integer(bucket));
	json_object_set_new(o, "enode", serverd_enode_json(&e->node));
	json_object_set_new(o, "id", admin_id_json(&e->node.id));
	json_object_set_new(o, "last_pong", pong ? p2p_json_uint(pong) :
	    json_null());
	json_object_set_new(o, "findnode_fails", json_integer(fails));
	json_object_set_new(o, "liveness", json_integer(e->liveness));
	json_object_set_new(o, "enr_seq", p2p_json_uint(e->enr_seq));
	json_array_append_new(w->list, o);
}

int
admin_p2p_table(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	struct admin *a = arg;
	struct p2p_disc *disc = p2p_server_disc(a->d->srv);
	struct table_walk w;
	int rc;

	if ((rc = admin_no_args(call, params)) != 0)
		return rc;
	if (disc == NULL)
		return ctl_fail(call, RPC_SERVER_ERROR, "discovery is off "
		    "(--nodiscover)");
	w.db = p2p_disc_db(disc);
	w.list = json_array();
	p2p_table_foreach(p2p_disc_table(disc), table_one, &w);
	*res = w.list;
	return 0;
}

/* ---- p2p_send ---- */

static int
find_target(struct admin *a, struct ctl_call *call, json_t *v,
    struct p2p_peer **p)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	struct p2p_node n;

	if (len == 2 * sizeof(n.id.b) && p2p_hex_decode_exact(n.id.b,
	    sizeof(n.id.b), s, len) == 0) {
		/* A node ID, as admin_peers and peerEvents give it. */
	} else if (p2p_enr_parse_node(&n, s, len) != 0) {
		return ctl_fail(call, RPC_INVALID_PARAMS, "invalid argument "
		    "0: not an enode URL, enr: record or node ID");
	}
	if ((*p = p2p_server_peer(a->d->srv, &n.id)) == NULL)
		return ctl_fail(call, RPC_SERVER_ERROR, "not connected to "
		    "that node");
	return 0;
}

static const struct p2p_protocol *
find_proto(struct admin *a, const char *cap)
{
	const struct p2p_hello *h = &a->d->o->caps;
	size_t nlen = strcspn(cap, "/");

	for (unsigned i = 0; i < h->ncaps; i++) {
		char full[64];

		snprintf(full, sizeof(full), "%s/%u", h->caps[i].name,
		    h->caps[i].version);
		if (strcmp(full, cap) == 0 || (cap[nlen] == '\0' &&
		    strcmp(h->caps[i].name, cap) == 0))
			return &a->d->protos[i];
	}
	return NULL;
}

int
admin_p2p_send(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	struct admin *a = arg;
	const struct p2p_protocol *proto = NULL;
	struct p2p_peer *p;
	const char *hex;
	uint8_t *data;
	size_t hlen, len;
	char why[128];
	int rc;

	if ((rc = rpc_args(params, 3, "siss", why, sizeof(why))) != 0)
		return ctl_fail(call, rc, "%s", why);
	if (json_integer_value(json_array_get(params, 1)) < 0)
		return ctl_fail(call, RPC_INVALID_PARAMS, "invalid argument "
		    "1: a negative message code");
	if (json_array_size(params) > 3 &&
	    json_is_string(json_array_get(params, 3)) &&
	    (proto = find_proto(a, json_string_value(json_array_get(params,
	    3)))) == NULL)
		return ctl_fail(call, RPC_INVALID_PARAMS, "invalid argument "
		    "3: we run no capability %.64s (see --caps)",
		    json_string_value(json_array_get(params, 3)));
	hex = json_string_value(json_array_get(params, 2));
	hlen = json_string_length(json_array_get(params, 2));
	if (hlen >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
		hex += 2;
		hlen -= 2;
	}
	if ((rc = find_target(a, call, json_array_get(params, 0), &p)) != 0)
		return rc;
	if ((data = malloc(hlen / 2 + 1)) == NULL)
		return ctl_fail(call, RPC_SERVER_ERROR, "out of memory");
	len = hlen / 2 + 1;
	if (p2p_hex_decode(data, &len, hex, hlen) != 0) {
		free(data);
		return ctl_fail(call, RPC_INVALID_PARAMS, "invalid argument "
		    "2: not hex");
	}
	{
		uint64_t code = (uint64_t)json_integer_value(
		    json_array_get(params, 1));

		rc = proto != NULL ? p2p_peer_send(p, proto, code, data, len) :
		    p2p_peer_send_raw(p, code, data, len);
	}
	free(data);
	if (rc == P2P_EINVAL)
		return ctl_fail(call, RPC_INVALID_PARAMS, "invalid argument "
		    "1: the code is not one of a capability the peer shares "
		    "(base protocol codes 0x00-0x0f are the server's)");
	if (rc != 0)
		return ctl_fail(call, RPC_SERVER_ERROR, "send: %s",
		    p2p_strerror(rc));
	*res = json_true();
	return 0;
}

/* ---- p2p_natState ---- */

int
admin_p2p_nat_state(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	static const char *const kinds[] = { "none", "any", "extip", "upnp",
		"pmp" };
	struct admin *a = arg;
	struct p2p_nat_state st;
	json_t *o;
	char ipt[64];
	int rc;

	if ((rc = admin_no_args(call, params)) != 0)
		return rc;
	o = json_object();
	json_object_set_new(o, "nat", json_string(kinds[a->d->o->nat.kind]));
	if (a->d->nat == NULL) {
		json_object_set_new(o, "method", json_null());
		*res = o;
		return 0;
	}
	p2p_nat_state(a->d->nat, &st);
	json_object_set_new(o, "method", st.method ? json_string(st.method) :
	    json_null());
	json_object_set_new(o, "searching", json_boolean(st.searching));
	p2p_ip_format(ipt, &st.gateway);
	json_object_set_new(o, "gateway", st.gateway.len ? json_string(ipt) :
	    json_null());
	p2p_ip_format(ipt, &st.ext_ip);
	json_object_set_new(o, "external_ip", st.ext_ip.len ?
	    json_string(ipt) : json_null());
	json_object_set_new(o, "tcp", st.ext_tcp ? json_integer(st.ext_tcp) :
	    json_null());
	json_object_set_new(o, "udp", st.ext_udp ? json_integer(st.ext_udp) :
	    json_null());
	json_object_set_new(o, "lifetime", json_integer(st.lifetime_s));
	json_object_set_new(o, "renewals", p2p_json_uint(st.renewals));
	json_object_set_new(o, "last_error", st.last_error ?
	    json_string(st.last_error) : json_null());
	*res = o;
	return 0;
}

/* ---- p2p_setLimits, p2p_reload ---- */

static int
limit_of(struct ctl_call *call, json_t *o, const char *key, int *v)
{
	json_t *x = json_object_get(o, key);

	*v = -1;
	if (x == NULL)
		return 0;
	if (!json_is_integer(x) || json_integer_value(x) < 0 ||
	    json_integer_value(x) > 100000)
		return ctl_fail(call, RPC_INVALID_PARAMS, "invalid argument "
		    "0: %s must be an integer from 0 to 100000", key);
	*v = (int)json_integer_value(x);
	return 0;
}

int
admin_p2p_set_limits(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	struct admin *a = arg;
	struct p2p_server_counts c;
	json_t *o = json_array_get(params, 0), *v;
	const char *key;
	int mp = -1, mpend = -1, ratio = -1, rc;
	char why[128];

	if ((rc = rpc_args(params, 0, "o", why, sizeof(why))) != 0)
		return ctl_fail(call, rc, "%s", why);
	if (json_is_object(o)) {
		json_object_foreach(o, key, v) {
			if (strcmp(key, "maxpeers") != 0 &&
			    strcmp(key, "maxpendpeers") != 0 &&
			    strcmp(key, "dialratio") != 0)
				return ctl_fail(call, RPC_INVALID_PARAMS,
				    "invalid argument 0: unknown limit "
				    "\"%.40s\" (maxpeers, maxpendpeers, "
				    "dialratio)", key);
		}
		if ((rc = limit_of(call, o, "maxpeers", &mp)) != 0 ||
		    (rc = limit_of(call, o, "maxpendpeers", &mpend)) != 0 ||
		    (rc = limit_of(call, o, "dialratio", &ratio)) != 0)
			return rc;
		if (mpend == 0 || ratio == 0)
			return ctl_fail(call, RPC_INVALID_PARAMS, "invalid "
			    "argument 0: %s cannot be 0", mpend == 0 ?
			    "maxpendpeers" : "dialratio");
	}
	if ((rc = p2p_server_set_limits(a->d->srv, mp, mpend, ratio)) != 0)
		return ctl_fail(call, RPC_SERVER_ERROR, "%s",
		    p2p_strerror(rc));
	if (mp >= 0)
		a->d->o->maxpeers = mp;
	if (mpend > 0)
		a->d->o->maxpend = mpend;
	if (ratio > 0)
		a->d->o->dialratio = ratio;
	p2p_server_counts(a->d->srv, &c);
	*res = json_pack("{s:i,s:i,s:i,s:i,s:i}", "max_peers", c.max_peers,
	    "max_inbound", c.max_inbound, "max_dialed", c.max_dialed,
	    "max_pending", c.max_pending, "dial_ratio", a->d->o->dialratio);
	return 0;
}

int
admin_p2p_reload(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	struct admin *a = arg;
	char why[512];
	int rc;

	if ((rc = admin_no_args(call, params)) != 0)
		return rc;
	if (serverd_reload(a->d, res, why, sizeof(why)) != 0)
		return ctl_fail(call, RPC_SERVER_ERROR, "%s (nothing changed)",
		    why);
	return 0;
}

void
admin_p2p_event(struct admin *a, const struct p2p_server_ev *ev)
{
	switch (ev->type) {
	case P2P_SERVER_EV_ADD:
		connect_outcome(a, ev);
		break;
	case P2P_SERVER_EV_FAIL:
		record_gone(a, ev);
		connect_outcome(a, ev);
		break;
	case P2P_SERVER_EV_DROP:
		record_gone(a, ev);
		break;
	default:
		break;
	}
}
