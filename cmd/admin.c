/*
 * admin.c - p2p-serverd's control methods.  The admin_* methods answer
 * as go-ethereum v1.8.24's node/api.go does (p2p.NodeInfo, p2p.PeerInfo,
 * p2p.PeerEvent: same names, parameters and JSON shapes), so that
 * `geth attach` and web3 scripts work; the p2p_* methods, in
 * admin_p2p.c, say what geth's users could not find out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <p2p/disc.h>
#include <p2p/enr.h>
#include <p2p/hex.h>
#include <p2p/json.h>
#include <p2p/table.h>

#include "admin.h"
#include "admin_int.h"
#include "control.h"
#include "rpc.h"
#include "serverd.h"

#define SUB_DATA		1u	/* peerEvents with payloads */
#define RECORDS_MAX		1024	/* peers' records kept */

/* ---- shapes ---- */

json_t *
admin_id_json(const struct p2p_nodeid *id)
{
	char hex[2 * sizeof(id->b) + 1];

	p2p_hex_encode(hex, id->b, sizeof(id->b));
	return json_string(hex);
}

static json_t *
cap_str(const char *name, unsigned version)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s/%u", name, version);
	return json_string(buf);
}

static struct record *
record_find(struct admin *a, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < a->nrecords; i++)
		if (memcmp(&a->records[i].id, id, sizeof(*id)) == 0)
			return &a->records[i];
	return NULL;
}

/* p2p.PeerInfo, with modern geth's enr when the record is known. */
json_t *
admin_peer_info(struct admin *a, struct p2p_peer *p)
{
	struct record *r = record_find(a, &p2p_peer_node(p)->id);
	const struct p2p_hello *h = p2p_peer_hello(p);
	const struct p2p_cap *caps;
	unsigned flags = p2p_peer_flags(p), n;
	json_t *o = json_object(), *c = json_array(), *net, *protos;
	struct p2p_ip ip;
	uint16_t port;

	if (r != NULL && r->text[0] != '\0')
		json_object_set_new(o, "enr", json_string(r->text));
	json_object_set_new(o, "enode", serverd_enode_json(p2p_peer_node(p)));
	json_object_set_new(o, "id", admin_id_json(&p2p_peer_node(p)->id));
	json_object_set_new(o, "name", json_string(h->client));
	for (unsigned i = 0; i < h->ncaps; i++)
		json_array_append_new(c, cap_str(h->caps[i].name,
		    h->caps[i].version));
	json_object_set_new(o, "caps", c);
	net = json_object();
	p2p_peer_local_addr(p, &ip, &port);
	json_object_set_new(net, "localAddress", serverd_addr_json(&ip, port));
	p2p_peer_remote_addr(p, &ip, &port);
	json_object_set_new(net, "remoteAddress", serverd_addr_json(&ip, port));
	json_object_set_new(net, "inbound",
	    json_boolean(flags & P2P_FLAG_INBOUND));
	json_object_set_new(net, "trusted",
	    json_boolean(flags & P2P_FLAG_TRUSTED));
	json_object_set_new(net, "static",
	    json_boolean(flags & P2P_FLAG_STATIC_DIALED));
	json_object_set_new(o, "network", net);
	/* Running protocols; they keep no metadata: geth's "unknown". */
	protos = json_object();
	caps = p2p_peer_caps(p, &n);
	for (unsigned i = 0; i < n; i++)
		json_object_set_new(protos, caps[i].name,
		    json_string("unknown"));
	json_object_set_new(o, "protocols", protos);
	return o;
}

/* Methods that take nothing (geth: "too many arguments, want at most
 * 0"). */
int
admin_no_args(struct ctl_call *call, json_t *params)
{
	char why[128];
	int rc;

	if ((rc = rpc_args(params, 0, "", why, sizeof(why))) != 0)
		return ctl_fail(call, rc, "%s", why);
	return 0;
}

/* "invalid enode: ..." as geth says it. */
int
admin_parse_url(struct ctl_call *call, json_t *v, struct p2p_node *n)
{
	const char *s = json_string_value(v);
	int rc;

	if ((rc = p2p_enr_parse_node(n, s, json_string_length(v))) != 0)
		return ctl_fail(call, RPC_SERVER_ERROR, "invalid enode: %s",
		    p2p_strerror(rc));
	return 0;
}

/* ---- rpc_ and admin_ (go-ethereum's) ---- */

static int
m_modules(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	(void)arg;
	int rc;

	if ((rc = admin_no_args(call, params)) != 0)
		return rc;
	*res = json_pack("{s:s,s:s,s:s,s:s}", "admin", "1.0", "p2p", "1.0",
	    "rpc", "1.0", "web3", "1.0");
	return 0;
}

/* geth's console greets with it (`geth attach`). */
static int
m_client_version(void *arg, struct ctl_call *call, json_t *params,
    json_t **res)
{
	struct admin *a = arg;
	int rc;

	if ((rc = admin_no_args(call, params)) != 0)
		return rc;
	*res = json_string(a->d->o->name);
	return 0;
}

static int
m_node_info(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	struct admin *a = arg;
	struct p2p_server *srv = a->d->srv;
	const struct p2p_node *self = p2p_server_self(srv);
	const struct p2p_hello *caps = &a->d->o->caps;
	const struct p2p_enr *rec;
	char text[P2P_ENR_TEXT_MAX], ipt[64];
	size_t len = sizeof(text);
	struct p2p_ip lip;
	uint16_t lport;
	json_t *o, *protos;
	int rc;

	if ((rc = admin_no_args(call, params)) != 0)
		return rc;
	o = json_object();
	json_object_set_new(o, "id", admin_id_json(&self->id));
	json_object_set_new(o, "name", json_string(a->d->o->name));
	json_object_set_new(o, "enode", serverd_enode_json(self));
	/* v1.8.24 wrote the record as 0x-hex RLP; every tool here and
	 * modern geth take the text form. */
	if (p2p_server_record(srv, &rec) == 0 &&
	    p2p_enr_format(rec, text, &len) == 0)
		json_object_set_new(o, "enr", json_stringn(text, len));
	else
		json_object_set_new(o, "enr", json_string(""));
	p2p_ip_format(ipt, &self->ip);
	json_object_set_new(o, "ip", json_string(ipt));
	json_object_set_new(o, "ports", json_pack("{s:i,s:i}", "discovery",
	    (int)self->udp, "listener", (int)self->tcp));
	p2p_server_listen_addr(srv, &lip, &lport);
	json_object_set_new(o, "listenAddr", serverd_addr_json(&lip, lport));
	protos = json_object();
	for (unsigned i = 0; i < caps->ncaps; i++)
		json_object_set_new(protos, caps->caps[i].name,
		    json_string("unknown"));
	json_object_set_new(o, "protocols", protos);
	*res = o;
	return 0;
}

struct peers_walk {
	struct admin *a;
	json_t *list;
};

static void
add_peer_info(void *arg, struct p2p_peer *p)
{
	struct peers_walk *w = arg;

	json_array_append_new(w->list, admin_peer_info(w->a, p));
}

static int
m_peers(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	struct admin *a = arg;
	int rc;

	if ((rc = admin_no_args(call, params)) != 0)
		return rc;
	struct peers_walk w = { .a = a, .list = json_array() };

	p2p_server_foreach_peer(a->d->srv, add_peer_info, &w);
	*res = w.list;
	return 0;
}

enum { ADD_STATIC, REMOVE_STATIC, ADD_TRUSTED, REMOVE_TRUSTED };

static int
change(struct admin *a, struct ctl_call *call, json_t *params, json_t **res,
    int what)
{
	struct p2p_server *srv = a->d->srv;
	struct p2p_node n;
	struct p2p_peer *p;
	char why[128];
	int rc;

	if ((rc = rpc_args(params, 1, "s", why, sizeof(why))) != 0)
		return ctl_fail(call, rc, "%s", why);
	if ((rc = admin_parse_url(call, json_array_get(params, 0), &n)) != 0)
		return rc;
	switch (what) {
	case ADD_STATIC:
		rc = p2p_server_add_static(srv, &n);
		break;
	case REMOVE_STATIC:
		/* v1.8.24: no longer static, and disconnected if it is a
		 * peer (an unknown node is no error). */
		p2p_server_remove_static(srv, &n.id);
		if ((p = p2p_server_peer(srv, &n.id)) != NULL)
			p2p_peer_disconnect(p, P2P_DISC_REQUESTED);
		rc = 0;
		break;
	case ADD_TRUSTED:
		rc = p2p_server_add_trusted(srv, &n);
		break;
	default:
		/* A trusted peer stays connected (v1.8.24). */
		p2p_server_remove_trusted(srv, &n.id);
		rc = 0;
		break;
	}
	if (rc != 0)
		return ctl_fail(call, RPC_SERVER_ERROR, "%s",
		    p2p_strerror(rc));
	*res = json_true();
	return 0;
}

static int
m_add_peer(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	return change(arg, call, params, res, ADD_STATIC);
}

static int
m_remove_peer(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	return change(arg, call, params, res, REMOVE_STATIC);
}

static int
m_add_trusted(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	return change(arg, call, params, res, ADD_TRUSTED);
}

static int
m_remove_trusted(void *arg, struct ctl_call *call, json_t *params,
    json_t **res)
{
	return change(arg, call, params, res, REMOVE_TRUSTED);
}

static int
m_datadir(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	struct admin *a = arg;
	char *abs;
	int rc;

	if ((rc = admin_no_args(call, params)) != 0)
		return rc;
	/* geth answers with an absolute path. */
	abs = realpath(a->d->o->datadir, NULL);
	*res = json_string(abs != NULL ? abs : a->d->o->datadir);
	free(abs);
	return 0;
}

static int
m_subscribe(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	json_t *name, *opts;
	unsigned flags = 0;
	char why[128];
	int rc;

	(void)arg;
	if ((rc = rpc_args(params, 1, "so", why, sizeof(why))) != 0)
		return ctl_fail(call, rc, "%s", why);
	name = json_array_get(params, 0);
	if (strcmp(json_string_value(name), "peerEvents") != 0)
		return ctl_fail(call, RPC_METHOD_NOT_FOUND, "no \"%.64s\" "
		    "subscription in admin namespace (there is peerEvents)",
		    json_string_value(name));
	opts = json_array_get(params, 1);
	if (json_is_object(opts)) {
		json_t *data = json_object_get(opts, "data");

		if (data != NULL && !json_is_boolean(data))
			return ctl_fail(call, RPC_INVALID_PARAMS, "invalid "
			    "argument 1: data must be true or false");
		if (json_is_true(data))
			flags |= SUB_DATA;
	}
	return ctl_subscribe(call, flags, res);
}

static int
m_unsubscribe(void *arg, struct ctl_call *call, json_t *params, json_t **res)
{
	char why[128];
	int rc;

	(void)arg;
	if ((rc = rpc_args(params, 1, "s", why, sizeof(why))) != 0)
		return ctl_fail(call, rc, "%s", why);
	if ((rc = ctl_unsubscribe(call, json_string_value(json_array_get(
	    params, 0)))) != 0)
		return rc;
	*res = json_true();
	return 0;
}

/* ---- peerEvents ---- */

/* p2p.PeerEvent, with modern geth's local and remote addresses. */
static json_t *
make_event(void *arg, unsigned flags)
{
	const struct p2p_server_ev *ev = arg;
	json_t *o = json_object();

	switch (ev->type) {
	case P2P_SERVER_EV_ADD:
		json_object_set_new(o, "type", json_string("add"));
		break;
	case P2P_SERVER_EV_DROP:
		json_object_set_new(o, "type", json_string("drop"));
		break;
	case P2P_SERVER_EV_MSGSEND:
		json_object_set_new(o, "type", json_string("msgsend"));
		break;
	default:
		json_object_set_new(o, "type", json_string("msgrecv"));
		break;
	}
	json_object_set_new(o, "peer", admin_id_json(&ev->node->id));
	if (ev->type == P2P_SERVER_EV_DROP)
		json_object_set_new(o, "error", json_string(ev->reason >= 0 ?
		    p2p_proto_disc_reason((unsigned)ev->reason) : ev->err ?
		    p2p_strerror(ev->err) : "disconnect requested"));
	if (ev->type == P2P_SERVER_EV_MSGSEND ||
	    ev->type == P2P_SERVER_EV_MSGRECV) {
		json_object_set_new(o, "protocol", json_string(ev->proto));
		json_object_set_new(o, "msg_code", p2p_json_uint(ev->code));
		json_object_set_new(o, "msg_size",
		    json_integer((json_int_t)ev->size));
		if (flags & SUB_DATA)
			p2p_json_set_data(o, "data", ev->data, ev->size);
		return o;
	}
	/* Modern geth's addresses, on add and drop. */
	if (ev->peer != NULL) {
		struct p2p_ip ip;
		uint16_t port;

		p2p_peer_local_addr(ev->peer, &ip, &port);
		if (ip.len != 0)
			json_object_set_new(o, "local", serverd_addr_json(&ip, port));
	}
	if (ev->addr.len != 0)
		json_object_set_new(o, "remote", serverd_addr_json(&ev->addr,
		    ev->port));
	return o;
}

/* ---- peers' records ---- */

static void
got_record(void *arg, int err, const struct p2p_node *n,
    const struct p2p_enr *rec)
{
	struct admin *a = arg;
	struct record *r = record_find(a, &n->id);
	size_t len = sizeof(r->text);

	/* Gone meanwhile, or no answer: admin_peers shows no enr. */
	if (r != NULL && (err != 0 || p2p_enr_format(rec, r->text, &len) !=
	    0))
		r->text[0] = '\0';
}

/* A peer was added: ask its discovery endpoint (known for nodes we
 * dialed or have in the table) for its record.  The request's arg is
 * the admin itself, so nothing is left over when discovery is freed with
 * requests pending (it calls no callback then). */
static void
record_fetch(struct admin *a, const struct p2p_server_ev *ev)
{
	struct p2p_disc *disc = p2p_server_disc(a->d->srv);
	const struct p2p_table_entry *e;
	struct p2p_node n = *ev->node;
	struct record *r;

	if (disc == NULL || a->nrecords >= RECORDS_MAX ||
	    record_find(a, &n.id) != NULL)
		return;
	if ((e = p2p_table_get(p2p_disc_table(disc), &n.id)) != NULL)
		n = e->node;
	else if (ev->flags & P2P_FLAG_INBOUND)
		return;		/* its UDP port is unknown */
	if (n.ip.len == 0 || n.udp == 0)
		return;
	if (a->records == NULL && (a->records = calloc(RECORDS_MAX,
	    sizeof(*a->records))) == NULL)
		return;
	r = &a->records[a->nrecords++];
	memset(r, 0, sizeof(*r));
	r->id = n.id;
	if (p2p_disc_request_enr(disc, &n, got_record, a) != 0)
		a->nrecords--;
}

static void
record_drop(struct admin *a, const struct p2p_nodeid *id)
{
	struct record *r = record_find(a, id);

	if (r != NULL)
		*r = a->records[--a->nrecords];
}

static const struct ctl_method methods[] = {
	{ "rpc_modules", m_modules },
	{ "web3_clientVersion", m_client_version },
	{ "admin_nodeInfo", m_node_info },
	{ "admin_peers", m_peers },
	{ "admin_addPeer", m_add_peer },
	{ "admin_removePeer", m_remove_peer },
	{ "admin_addTrustedPeer", m_add_trusted },
	{ "admin_removeTrustedPeer", m_remove_trusted },
	{ "admin_datadir", m_datadir },
	{ "admin_subscribe", m_subscribe },
	{ "admin_unsubscribe", m_unsubscribe },
	{ "p2p_connect", admin_p2p_connect },
	{ "p2p_disconnects", admin_p2p_disconnects },
	{ "p2p_dialState", admin_p2p_dial_state },
	{ "p2p_table", admin_p2p_table },
	{ "p2p_send", admin_p2p_send },
	{ "p2p_setLimits", admin_p2p_set_limits },
	{ "p2p_reload", admin_p2p_reload },
	{ "p2p_natState", admin_p2p_nat_state },
	{ NULL, NULL },
};

/* ---- the public face ---- */

struct admin *
admin_new(struct daemon *d, const char *path, char *err, size_t errlen)
{
	struct admin *a = calloc(1, sizeof(*a));

	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->d = d;
	LIST_INIT(&a->waiters);
	snprintf(a->path, sizeof(a->path), "%s", path);
	if (ctl_new(&a->ctl, d->base, path, methods, a, err, errlen) != 0) {
		free(a);
		return NULL;
	}
	return a;
}

void
admin_event(struct admin *a, const struct p2p_server_ev *ev)
{
	switch (ev->type) {
	case P2P_SERVER_EV_ADD:
		record_fetch(a, ev);
		admin_p2p_event(a, ev);
		break;
	case P2P_SERVER_EV_FAIL:
		admin_p2p_event(a, ev);
		return;
	case P2P_SERVER_EV_DROP:
		admin_p2p_event(a, ev);
		record_drop(a, &ev->node->id);
		break;
	case P2P_SERVER_EV_MSGSEND:
	case P2P_SERVER_EV_MSGRECV:
		break;
	default:
		return;
	}
	if (ctl_subscriptions(a->ctl) > 0)
		ctl_publish(a->ctl, "admin_subscription", make_event,
		    (void *)(uintptr_t)ev);
}

const char *
admin_path(const struct admin *a)
{
	return a->path;
}

void
admin_free(struct admin *a)
{
	if (a == NULL)
		return;
	/* Closing the clients cancels their waiters. */
	ctl_free(a->ctl);
	free(a->records);
	free(a);
}
