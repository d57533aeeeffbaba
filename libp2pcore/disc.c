/*
 * disc.c - a discovery v4 node on libevent (see disc.h): one UDP socket,
 * a FIFO of operations awaiting replies (every reply has the same 500 ms
 * timeout, so FIFO order is deadline order and one timer serves all), the
 * table and node database, and the lookups built on findnode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <p2p/disc.h>
#include <p2p/localnode.h>
#include <p2p/keccak.h>

#include "internal.h"

#define RECV_BATCH 64		/* datagrams per readable event */
#define SEND_BATCH 64		/* replies sent with one sendmmsg */

/* Replies made while a batch of datagrams is handled go out together at
 * its end: one system call instead of one per pong. */
struct outq {
	size_t n;
	struct mmsghdr msg[SEND_BATCH];
	struct iovec iov[SEND_BATCH];
	struct sockaddr_storage addr[SEND_BATCH];
	uint8_t type[SEND_BATCH];	/* for the per-type counters */
	uint8_t buf[SEND_BATCH][P2P_DISC_MAX_SEND];
};
#define LOOKUP_SEEN_MAX 1024	/* nodes one lookup remembers */
/* A lookup keeps twice k candidates, so that dropping a dead node lets the
 * next live one move up into the k that are asked and reported. */
#define LOOKUP_KEEP (2 * P2P_TABLE_BUCKET_SIZE)

enum op_kind { OP_PING, OP_FINDNODE, OP_ENR };
struct op {
	TAILQ_ENTRY(op) link;	/* d->wait */
	TAILQ_ENTRY(op) all;	/* d->ops */
	enum op_kind kind;
	int queued;		/* on d->wait */
	/* Sent right after our bonding ping's pong, before the remote's own
	 * ping: if that ping comes, the remote may have dropped the request
	 * as unbonded, so it goes again (instead of geth's fixed 500 ms
	 * wait for a ping that may never come). */
	int await_ping;
	struct p2p_node node;
	int ptype;		/* the reply awaited */
	uint8_t token[32];	/* its hash to match (pong, enrresponse) */
	uint64_t sent_us, deadline_us;
	struct p2p_pubkey target;
	struct p2p_node nodes[P2P_TABLE_BUCKET_SIZE];
	size_t nnodes;
	int packets;		/* neighbors packets received */
	union {
		p2p_disc_pong_cb *pong;
		p2p_disc_enr_cb *enr;
		p2p_disc_nodes_cb *nodes;
	} cb;
	void *arg;
};

TAILQ_HEAD(opq, op);

struct lookup {
	LIST_ENTRY(lookup) link;
	struct p2p_disc *d;
	struct p2p_pubkey target;
	struct p2p_nodeid tid;
	struct p2p_node result[LOOKUP_KEEP];
	size_t nresult;
	struct p2p_nodeid *seen;	/* asked or met, LOOKUP_SEEN_MAX */
	uint8_t *asked;
	size_t nseen;
	int pending;
	p2p_disc_seen_cb *seen_cb;
	p2p_disc_done_cb *done_cb;
	void *arg;
};

struct p2p_disc {
	struct p2p_disc_cfg cfg;
	struct p2p_privkey key;
	struct p2p_netlist restrict_list;
	int has_restrict;
	struct p2p_node *boot;
	size_t nboot;
	struct event_base *base;
	int fd;
	struct event *rev, *timer, *reval, *refresh, *sweep, *copy;
	struct p2p_node self;
	struct p2p_localnode *ln;	/* our record */
	int own_ln;
	struct p2p_table *tab;
	struct p2p_nodedb *db;
	int own_db;
	struct opq wait, ops;
	size_t npending;
	LIST_HEAD(, lookup) lookups;
	int refreshing;
	uint64_t rng;
	struct p2p_disc_stats st;
	struct outq *oq;	/* non-NULL while a read batch runs */
	struct outq *oq_mem;
	size_t saved;		/* copy_cb's count */
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
now_s(void)
{
	return (uint64_t)time(NULL);
}

static uint64_t
rnd(struct p2p_disc *d)
{
	return p2pi_splitmix64(&d->rng);
}

static int
same_node(const struct p2p_node *a, const struct p2p_nodeid *id,
    const struct p2p_ip *ip)
{
	return memcmp(a->id.b, id->b, sizeof(id->b)) == 0 &&
	    a->ip.len == ip->len && memcmp(a->ip.b, ip->b, ip->len) == 0;
}

/* ---- sending ---- */

static void
endpoint(struct p2p_disc_endpoint *ep, const struct p2p_ip *ip,
    uint16_t udp, uint16_t tcp)
{
	memset(ep, 0, sizeof(*ep));
	ep->ip_len = ip->len;
	memcpy(ep->ip, ip->b, ip->len);
	ep->udp = udp;
	ep->tcp = tcp;
}

static void
flush_out(struct p2p_disc *d, struct outq *q)
{
	size_t done = 0;

	while (done < q->n) {
		int k = sendmmsg(d->fd, q->msg + done, (unsigned)(q->n - done),
		    0);

		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* The socket buffer is full: the rest are lost, as
			 * UDP may lose them anyway. */
			d->st.dropped += q->n - done;
			break;
		}
		if (k <= 0) {
			/* This one datagram cannot go (no route, refused by
			 * a filter): skip it, the others may. */
			d->st.dropped++;
			done++;
			continue;
		}
		d->st.out += (uint64_t)k;
		for (int i = 0; i < k; i++)
			d->st.out_type[q->type[done + (size_t)i]]++;
		done += (size_t)k;
	}
	q->n = 0;
}

/* Encodes, signs and sends pkt to ip:port, or queues it while a read batch
 * runs.  Out: hash (may be NULL). */
static int
send_packet(struct p2p_disc *d, const struct p2p_ip *ip, uint16_t port,
    struct p2p_disc_packet *pkt, uint8_t hash[32])
{
	uint8_t one[P2P_DISC_MAX_SEND], *buf = one;
	struct sockaddr_storage ss;
	struct outq *q = d->oq;
	socklen_t sl;
	size_t n;
	int rc;

	if (ip->len != 4 && ip->len != 16)
		return P2P_EIP;
	if (d->has_restrict && !p2p_netlist_contains(&d->restrict_list, ip))
		return P2P_ERESTRICTED;
	if (pkt->type != P2P_DISC_ENRRESP)
		pkt->expiration = now_s() + P2P_DISC_EXPIRATION;
	if (q != NULL && q->n == SEND_BATCH)
		flush_out(d, q);
	if (q != NULL)
		buf = q->buf[q->n];
	rc = p2p_disc_encode(buf, P2P_DISC_MAX_SEND, &n, hash, pkt, &d->key);
	if (rc != 0)
		return rc;
	p2pi_to_sockaddr(&ss, &sl, ip, port);
	if (q != NULL) {
		struct mmsghdr *m = &q->msg[q->n];

		q->addr[q->n] = ss;
		q->type[q->n] = (uint8_t)pkt->type;
		q->iov[q->n].iov_base = buf;
		q->iov[q->n].iov_len = n;
		memset(m, 0, sizeof(*m));
		m->msg_hdr.msg_name = &q->addr[q->n];
		m->msg_hdr.msg_namelen = sl;
		m->msg_hdr.msg_iov = &q->iov[q->n];
		m->msg_hdr.msg_iovlen = 1;
		q->n++;
		return 0;
	}
	if (sendto(d->fd, buf, n, 0, (struct sockaddr *)&ss, sl) < 0)
		return P2P_ENET;
	d->st.out++;
	d->st.out_type[pkt->type]++;
	return 0;
}

/* ---- the reply queue ---- */

static void
arm_timer(struct p2p_disc *d)
{
	struct op *a = TAILQ_FIRST(&d->wait);
	uint64_t next, now = now_us();
	struct timeval tv;

	if (a == NULL) {
		event_del(d->timer);
		return;
	}
	next = a->deadline_us > now ? a->deadline_us - now : 0;
	tv.tv_sec = (time_t)(next / 1000000);
	tv.tv_usec = (suseconds_t)(next % 1000000);
	event_add(d->timer, &tv);
}

static void
unqueue(struct p2p_disc *d, struct op *o)
{
	if (!o->queued)
		return;
	TAILQ_REMOVE(&d->wait, o, link);
	o->queued = 0;
	d->npending--;
}

static void
enqueue(struct p2p_disc *d, struct op *o)
{
	unqueue(d, o);
	o->deadline_us = now_us() + (uint64_t)(d->cfg.resp_timeout_ms ?
	    d->cfg.resp_timeout_ms : P2P_DISC_RESP_TIMEOUT_MS) * 1000;
	TAILQ_INSERT_TAIL(&d->wait, o, link);
	o->queued = 1;
	if (++d->npending > d->st.pending_max)
		d->st.pending_max = d->npending;
	/* Every deadline is now + 500 ms, so a new one is never the earliest:
	 * re-adding a timer that is due would only push its callback back
	 * behind the socket, and a busy socket would starve it. */
	if (!evtimer_pending(d->timer, NULL))
		arm_timer(d);
}

static struct op *
op_new(struct p2p_disc *d, enum op_kind kind, const struct p2p_node *n,
    void *arg)
{
	struct op *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->kind = kind;
	o->node = *n;
	o->arg = arg;
	TAILQ_INSERT_TAIL(&d->ops, o, all);
	return o;
}

static void
op_free(struct p2p_disc *d, struct op *o)
{
	unqueue(d, o);
	TAILQ_REMOVE(&d->ops, o, all);
	free(o);
}

/* Ends o: it leaves every list before its callback runs, so the callback
 * may start anything. */
static void
op_finish(struct p2p_disc *d, struct op *o, int err,
    const struct p2p_disc_packet *pkt, const struct p2p_enr *rec)
{
	struct op copy = *o;

	op_free(d, o);
	switch (copy.kind) {
	case OP_PING:
		copy.cb.pong(copy.arg, err, &copy.node,
		    err ? 0 : now_us() - copy.sent_us,
		    pkt ? pkt->u.pong.has_seq : 0,
		    pkt ? pkt->u.pong.enr_seq : 0);
		break;
	case OP_FINDNODE:
		if (err == P2P_ETIMEOUT && copy.packets > 0)
			err = 0;
		copy.cb.nodes(copy.arg, err, &copy.node, copy.nodes,
		    err ? 0 : copy.nnodes);
		break;
	case OP_ENR:
		copy.cb.enr(copy.arg, err, &copy.node, err ? NULL : rec);
		break;
	}
}

static void send_request_async(struct p2p_disc *d, struct op *o);

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_disc *d = arg;
	uint64_t now = now_us();
	struct op *o;

	(void)fd;
	(void)what;
	while ((o = TAILQ_FIRST(&d->wait)) != NULL && o->deadline_us <= now)
		op_finish(d, o, P2P_ETIMEOUT, NULL, NULL);
	arm_timer(d);
}

/* ---- operations ---- */

static int
check_target(struct p2p_disc *d, const struct p2p_node *n)
{
	if ((n->ip.len != 4 && n->ip.len != 16) || n->udp == 0)
		return P2P_EIP;
	if (d->has_restrict && !p2p_netlist_contains(&d->restrict_list,
	    &n->ip))
		return P2P_ERESTRICTED;
	if (d->npending >= P2P_DISC_MAX_PENDING)
		return P2P_ETOOBIG;
	return 0;
}

static int
start_ping(struct p2p_disc *d, struct op *o)
{
	struct p2p_disc_packet pkt;
	int rc;

	memset(&pkt, 0, sizeof(pkt));
	pkt.type = P2P_DISC_PING;
	pkt.u.ping.version = P2P_DISC_VERSION;
	endpoint(&pkt.u.ping.from, &d->self.ip, d->self.udp, d->self.tcp);
	endpoint(&pkt.u.ping.to, &o->node.ip, o->node.udp, o->node.tcp);
	pkt.u.ping.has_seq = 1;
	pkt.u.ping.enr_seq = p2p_localnode_seq(d->ln);
	rc = send_packet(d, &o->node.ip, o->node.udp, &pkt, o->token);
	if (rc != 0)
		return rc;
	o->ptype = P2P_DISC_PONG;
	o->sent_us = now_us();
	enqueue(d, o);
	return 0;
}

int
p2p_disc_ping(struct p2p_disc *d, const struct p2p_node *n,
    p2p_disc_pong_cb *cb, void *arg)
{
	struct op *o;
	int rc;

	if ((rc = check_target(d, n)) != 0)
		return rc;
	if ((o = op_new(d, OP_PING, n, arg)) == NULL)
		return P2P_ENOMEM;
	o->cb.pong = cb;
	if ((rc = start_ping(d, o)) != 0)
		op_free(d, o);
	return rc;
}

/* Sends o's findnode or ENRRequest and queues o for the reply.
 * Returns: 0, or the send error (o is left to the caller). */
static int
send_request(struct p2p_disc *d, struct op *o)
{
	struct p2p_disc_packet pkt;
	int rc;

	memset(&pkt, 0, sizeof(pkt));
	if (o->kind == OP_FINDNODE) {
		pkt.type = P2P_DISC_FINDNODE;
		memcpy(pkt.u.findnode.target, o->target.b, 64);
		o->ptype = P2P_DISC_NEIGHBORS;
	} else {
		pkt.type = P2P_DISC_ENRREQ;
		o->ptype = P2P_DISC_ENRRESP;
	}
	rc = send_packet(d, &o->node.ip, o->node.udp, &pkt, o->token);
	if (rc != 0)
		return rc;
	o->sent_us = now_us();
	enqueue(d, o);
	return 0;
}

/* send_request from a callback or timer: a failure ends o there. */
static void
send_request_async(struct p2p_disc *d, struct op *o)
{
	int rc = send_request(d, o);

	if (rc != 0)
		op_finish(d, o, rc, NULL, NULL);
}

/* The ping op used for bonding carries the waiting request in arg; the
 * request needs the disc, which the ping callback does not get: keep it in
 * a small pair. */
struct bond {
	struct p2p_disc *d;
	struct op *req;
};

static void
bonded(void *arg, int err, const struct p2p_node *n, uint64_t rtt,
    int has_seq, uint64_t seq)
{
	struct bond *b = arg;
	struct p2p_disc *d = b->d;
	struct op *o = b->req;

	(void)n;
	(void)rtt;
	(void)has_seq;
	(void)seq;
	free(b);
	if (err != 0) {
		op_finish(d, o, err, NULL, NULL);
		return;
	}
	o->await_ping = now_s() - p2p_nodedb_last_ping(d->db, &o->node.id,
	    &o->node.ip) >= P2P_DISC_BOND_EXPIRATION;
	send_request_async(d, o);
}

static int
need_bond(struct p2p_disc *d, const struct p2p_node *n)
{
	uint64_t last = p2p_nodedb_last_ping(d->db, &n->id, &n->ip);

	return now_s() - last > P2P_DISC_BOND_EXPIRATION ||
	    p2p_nodedb_fails(d->db, &n->id, &n->ip) > P2P_TABLE_MAX_FAILS;
}

static int
start_request(struct p2p_disc *d, struct op *o)
{
	struct bond *b;
	int rc;

	/* Failing here is reported by the return value, never through the
	 * callback: a caller may not expect it before the call returns. */
	if (!need_bond(d, &o->node)) {
		if ((rc = send_request(d, o)) != 0)
			op_free(d, o);
		return rc;
	}
	if ((b = malloc(sizeof(*b))) == NULL) {
		op_free(d, o);
		return P2P_ENOMEM;
	}
	b->d = d;
	b->req = o;
	if ((rc = p2p_disc_ping(d, &o->node, bonded, b)) != 0) {
		free(b);
		op_free(d, o);
	}
	return rc;
}

int
p2p_disc_findnode(struct p2p_disc *d, const struct p2p_node *n,
    const struct p2p_pubkey *target, p2p_disc_nodes_cb *cb, void *arg)
{
	struct op *o;
	int rc;

	if ((rc = check_target(d, n)) != 0)
		return rc;
	if ((o = op_new(d, OP_FINDNODE, n, arg)) == NULL)
		return P2P_ENOMEM;
	o->cb.nodes = cb;
	o->target = *target;
	return start_request(d, o);
}

int
p2p_disc_request_enr(struct p2p_disc *d, const struct p2p_node *n,
    p2p_disc_enr_cb *cb, void *arg)
{
	struct op *o;
	int rc;

	if ((rc = check_target(d, n)) != 0)
		return rc;
	if ((o = op_new(d, OP_ENR, n, arg)) == NULL)
		return P2P_ENOMEM;
	o->cb.enr = cb;
	return start_request(d, o);
}

/* ---- the table and the database ---- */

/*
 * Offers n to the table, whose rules (bucket room, IP limits) decide.  The
 * node DB learns of table nodes only through copy_cb: a bonded node the
 * table refused must not come back as a seed after a restart.
 */
static void
remember(struct p2p_disc *d, const struct p2p_node *n, int verified)
{
	if (verified)
		p2p_table_add_verified(d->tab, n, now_s());
	else
		p2p_table_add_seen(d->tab, n, now_s());
}

static void
table_event(void *arg, enum p2p_table_ev ev, const struct p2p_table_entry *e)
{
	struct p2p_disc *d = arg;
	struct p2p_disc_ev out;

	if (d->cfg.on_event == NULL)
		return;
	memset(&out, 0, sizeof(out));
	out.type = ev == P2P_TABLE_EV_ADDED ? P2P_DISC_EV_ADDED :
	    ev == P2P_TABLE_EV_REMOVED ? P2P_DISC_EV_REMOVED :
	    P2P_DISC_EV_REVALIDATED;
	out.node = &e->node;
	out.bucket = p2p_table_bucket_index(d->tab, &e->node.id);
	out.enr_seq = e->enr_seq;
	out.table_len = p2p_table_len(d->tab);
	d->cfg.on_event(d->cfg.arg, &out);
}

/* ---- handling packets ---- */

static int
bonded_with(struct p2p_disc *d, const struct p2p_nodeid *id,
    const struct p2p_ip *ip)
{
	return now_s() - p2p_nodedb_last_pong(d->db, id, ip) <=
	    P2P_DISC_BOND_EXPIRATION;
}

static void
pingback_pong(void *arg, int err, const struct p2p_node *n, uint64_t rtt,
    int has_seq, uint64_t seq)
{
	struct p2p_disc *d = arg;

	(void)rtt;
	(void)has_seq;
	(void)seq;
	if (err == 0)
		remember(d, n, 1);
}

static void
handle_ping(struct p2p_disc *d, const struct p2p_disc_packet *pkt,
    const uint8_t hash[32], const struct p2p_node *from)
{
	struct p2p_disc_packet pong;
	struct p2p_node n = *from;
	struct op *o, *next;

	memset(&pong, 0, sizeof(pong));
	pong.type = P2P_DISC_PONG;
	endpoint(&pong.u.pong.to, &from->ip, from->udp, pkt->u.ping.from.tcp);
	memcpy(pong.u.pong.ping_hash, hash, 32);
	pong.u.pong.has_seq = 1;
	pong.u.pong.enr_seq = p2p_localnode_seq(d->ln);
	if (send_packet(d, &from->ip, from->udp, &pong, NULL) != 0)
		return;
	n.tcp = pkt->u.ping.from.tcp;
	p2p_nodedb_set_last_ping(d->db, &n.id, &n.ip, now_s());
	/* Requests sent before this ping may have been dropped as unbonded:
	 * again, now that the remote has our pong (sent just above). */
	for (o = TAILQ_FIRST(&d->wait); o != NULL; o = next) {
		next = TAILQ_NEXT(o, link);
		if (!o->await_ping || !same_node(&o->node, &n.id, &n.ip))
			continue;
		o->await_ping = 0;
		if (o->packets == 0)
			send_request_async(d, o);
	}
	if (bonded_with(d, &n.id, &n.ip))
		remember(d, &n, 1);
	else if (d->npending < P2P_DISC_MAX_PENDING)
		p2p_disc_ping(d, &n, pingback_pong, d);
}

static struct op *
match(struct p2p_disc *d, int ptype, const struct p2p_node *from,
    const uint8_t *token)
{
	struct op *o;

	TAILQ_FOREACH(o, &d->wait, link)
		if (o->ptype == ptype && same_node(&o->node, &from->id,
		    &from->ip) && (token == NULL ||
		    memcmp(o->token, token, 32) == 0))
			return o;
	return NULL;
}

static void
handle_pong(struct p2p_disc *d, const struct p2p_disc_packet *pkt,
    const struct p2p_node *from)
{
	struct op *o = match(d, P2P_DISC_PONG, from, pkt->u.pong.ping_hash);

	if (o == NULL) {
		d->st.unsolicited++;
		return;
	}
	p2p_nodedb_set_last_pong(d->db, &from->id, &from->ip, now_s());
	/* What it saw our ping come from: behind a NAT, our external
	 * endpoint (v1.8.24 UDPEndpointStatement). */
	if (pkt->u.pong.to.ip_len != 0) {
		struct p2p_ip ip = { .len = pkt->u.pong.to.ip_len };

		memcpy(ip.b, pkt->u.pong.to.ip, ip.len);
		p2p_localnode_udp_statement(d->ln, &from->ip, from->udp, &ip,
		    pkt->u.pong.to.udp);
	}
	op_finish(d, o, 0, pkt, NULL);
}

static void
handle_findnode(struct p2p_disc *d, const struct p2p_disc_packet *pkt,
    const struct p2p_node *from)
{
	struct p2p_node closest[P2P_TABLE_BUCKET_SIZE + 1];
	struct p2p_disc_packet out;
	struct p2p_nodeid tid;
	struct p2p_pubkey tkey;
	size_t n, k = 0, given = 0;
	int sent = 0;

	if (!bonded_with(d, &from->id, &from->ip)) {
		d->st.unbonded++;
		return;
	}
	memcpy(tkey.b, pkt->u.findnode.target, 64);
	p2p_enode_id(&tid, &tkey);
	/* One more than k, because the requester is left out: it knows
	 * itself, and a slot spent on it hides a node it may need (v1.8.24
	 * sends it back). */
	n = p2p_table_closest(d->tab, &tid, closest,
	    P2P_TABLE_BUCKET_SIZE + 1);
	memset(&out, 0, sizeof(out));
	out.type = P2P_DISC_NEIGHBORS;
	for (size_t i = 0; i < n && given < P2P_TABLE_BUCKET_SIZE; i++) {
		struct p2p_disc_rpcnode *r;

		if (memcmp(closest[i].id.b, from->id.b, 32) == 0 ||
		    p2p_ip_check_relay(&from->ip, &closest[i].ip) != 0)
			continue;
		given++;
		r = &out.u.neighbors.nodes[k++];
		endpoint(&r->ep, &closest[i].ip, closest[i].udp,
		    closest[i].tcp);
		memcpy(r->id, closest[i].pub.b, 64);
		if (k == P2P_DISC_NEIGHBORS_PER_PACKET) {
			out.u.neighbors.n = k;
			send_packet(d, &from->ip, from->udp, &out, NULL);
			sent = 1;
			k = 0;
		}
	}
	if (k > 0 || !sent) {
		out.u.neighbors.n = k;
		send_packet(d, &from->ip, from->udp, &out, NULL);
	}
}

/* v1.8.24's nodeFromRPC checks, with NetRestrict. */
static int
node_from_rpc(struct p2p_disc *d, const struct p2p_node *sender,
    const struct p2p_disc_rpcnode *r, struct p2p_node *n)
{
	memset(n, 0, sizeof(*n));
	if (r->ep.ip_len != 4 && r->ep.ip_len != 16)
		return P2P_EIP;
	n->ip.len = r->ep.ip_len;
	memcpy(n->ip.b, r->ep.ip, r->ep.ip_len);
	if (r->ep.udp <= 1024)
		return P2P_EPORT;
	if (p2p_ip_check_relay(&sender->ip, &n->ip) != 0)
		return P2P_ERESTRICTED;
	if (d->has_restrict && !p2p_netlist_contains(&d->restrict_list,
	    &n->ip))
		return P2P_ERESTRICTED;
	if (p2p_secp_pubkey_parse(&n->pub, r->id, 64) != 0)
		return P2P_EPUBKEY;
	p2p_enode_id(&n->id, &n->pub);
	n->udp = r->ep.udp;
	n->tcp = r->ep.tcp;
	return 0;
}

static void
handle_neighbors(struct p2p_disc *d, const struct p2p_disc_packet *pkt,
    const struct p2p_node *from)
{
	struct op *o = match(d, P2P_DISC_NEIGHBORS, from, NULL);

	if (o == NULL) {
		d->st.unsolicited++;
		return;
	}
	o->packets++;
	for (size_t i = 0; i < pkt->u.neighbors.n &&
	    o->nnodes < P2P_TABLE_BUCKET_SIZE; i++) {
		struct p2p_node n;
		int dup = 0;

		if (node_from_rpc(d, from, &pkt->u.neighbors.nodes[i], &n) != 0)
			continue;
		for (size_t j = 0; j < o->nnodes; j++)
			dup |= memcmp(o->nodes[j].id.b, n.id.b, 32) == 0;
		if (!dup)
			o->nodes[o->nnodes++] = n;
	}
	/* Complete at 16 nodes, or at a packet that is not full: a responder
	 * splits at 12 per packet, so a short one is its last. */
	if (o->nnodes >= P2P_TABLE_BUCKET_SIZE ||
	    pkt->u.neighbors.n < P2P_DISC_NEIGHBORS_PER_PACKET)
		op_finish(d, o, 0, pkt, NULL);
}

static void
handle_enrreq(struct p2p_disc *d, const uint8_t hash[32],
    const struct p2p_node *from)
{
	struct p2p_disc_packet out;

	if (!bonded_with(d, &from->id, &from->ip)) {
		d->st.unbonded++;
		return;
	}
	memset(&out, 0, sizeof(out));
	out.type = P2P_DISC_ENRRESP;
	memcpy(out.u.enrresp.req_hash, hash, 32);
	/* A record that no longer fits leaves the last good one. */
	(void)p2p_localnode_record(d->ln, NULL);
	out.u.enrresp.enr = p2p_localnode_rlp(d->ln, &out.u.enrresp.enr_len);
	if (out.u.enrresp.enr_len == 0)
		return;
	send_packet(d, &from->ip, from->udp, &out, NULL);
}

static void
handle_enrresp(struct p2p_disc *d, const struct p2p_disc_packet *pkt,
    const struct p2p_node *from)
{
	struct op *o = match(d, P2P_DISC_ENRRESP, from,
	    pkt->u.enrresp.req_hash);
	struct p2p_enr *r;
	struct p2p_nodeid id;
	int rc;

	if (o == NULL) {
		d->st.unsolicited++;
		return;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		op_finish(d, o, P2P_ENOMEM, NULL, NULL);
		return;
	}
	rc = p2p_enr_decode(r, pkt->u.enrresp.enr, pkt->u.enrresp.enr_len);
	if (rc == 0)
		rc = p2p_enr_verify(r);
	if (rc == 0 && (p2p_enr_nodeid(r, &id) != 0 ||
	    memcmp(id.b, from->id.b, 32) != 0))
		rc = P2P_EIDENTITY;
	if (rc == 0) {
		p2p_table_set_enr_seq(d->tab, &from->id, r->seq);
		p2p_nodedb_put_node(d->db, &o->node, pkt->u.enrresp.enr,
		    pkt->u.enrresp.enr_len, r->seq, now_s());
	}
	op_finish(d, o, rc, NULL, rc == 0 ? r : NULL);
	free(r);
}


static void
handle(struct p2p_disc *d, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *ss)
{
	struct p2p_disc_packet pkt;
	struct p2p_node from;
	uint8_t hash[32];

	memset(&from, 0, sizeof(from));
	p2pi_from_sockaddr(ss, &from.ip, &from.udp);
	if (d->has_restrict && !p2p_netlist_contains(&d->restrict_list,
	    &from.ip)) {
		d->st.restricted++;
		return;
	}
	if (p2p_disc_decode(&pkt, hash, &from.pub, buf, len) != 0) {
		d->st.dropped++;
		return;
	}
	if (pkt.type != P2P_DISC_ENRRESP &&
	    p2p_disc_expired(pkt.expiration, now_s())) {
		d->st.expired++;
		return;
	}
	p2p_enode_id(&from.id, &from.pub);
	if (memcmp(from.id.b, d->self.id.b, 32) == 0) {
		d->st.dropped++;
		return;
	}
	/* The decoder accepts only types 1..6, the counters' slots. */
	d->st.in_type[pkt.type]++;
	switch (pkt.type) {
	case P2P_DISC_PING:
		handle_ping(d, &pkt, hash, &from);
		break;
	case P2P_DISC_PONG:
		handle_pong(d, &pkt, &from);
		break;
	case P2P_DISC_FINDNODE:
		handle_findnode(d, &pkt, &from);
		break;
	case P2P_DISC_NEIGHBORS:
		handle_neighbors(d, &pkt, &from);
		break;
	case P2P_DISC_ENRREQ:
		handle_enrreq(d, hash, &from);
		break;
	case P2P_DISC_ENRRESP:
		handle_enrresp(d, &pkt, &from);
		break;
	}
}

static void
read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_disc *d = arg;
	uint8_t buf[P2P_DISC_MAX_PACKET + 1];
	int batch = p2p_nodedb_begin(d->db) == 0;

	(void)what;
	d->oq = d->oq_mem;
	for (int i = 0; i < RECV_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC,
		    (struct sockaddr *)&ss, &sl);

		if (n < 0)
			break;
		d->st.in++;
		/* MSG_TRUNC gives the real size: an oversized datagram is
		 * dropped whole, not decoded from its first 2 KiB. */
		if ((size_t)n > P2P_DISC_MAX_PACKET) {
			d->st.dropped++;
			continue;
		}
		handle(d, buf, (size_t)n, &ss);
	}
	if (d->oq != NULL)
		flush_out(d, d->oq);
	d->oq = NULL;
	if (batch)
		p2p_nodedb_commit(d->db);
}

/* ---- lookups ---- */

static int
lookup_seen(struct lookup *l, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < l->nseen; i++)
		if (memcmp(l->seen[i].b, id->b, 32) == 0)
			return 1;
	return 0;
}

/* Inserts n into the distance-sorted result (at most 16). */
static void
lookup_push(struct lookup *l, const struct p2p_node *n)
{
	size_t i = l->nresult;

	while (i > 0 && p2p_enode_distcmp(&l->tid, &n->id,
	    &l->result[i - 1].id) < 0)
		i--;
	if (i >= LOOKUP_KEEP)
		return;
	if (l->nresult < LOOKUP_KEEP)
		l->nresult++;
	memmove(&l->result[i + 1], &l->result[i],
	    (l->nresult - 1 - i) * sizeof(l->result[0]));
	l->result[i] = *n;
}

static int
lookup_mark(struct lookup *l, const struct p2p_nodeid *id, int asked)
{
	for (size_t i = 0; i < l->nseen; i++) {
		if (memcmp(l->seen[i].b, id->b, 32) == 0) {
			if (asked)
				l->asked[i] = 1;
			return 0;
		}
	}
	if (l->nseen == LOOKUP_SEEN_MAX)
		return -1;
	l->seen[l->nseen] = *id;
	l->asked[l->nseen++] = (uint8_t)asked;
	return 1;
}

static int
lookup_asked(struct lookup *l, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < l->nseen; i++)
		if (memcmp(l->seen[i].b, id->b, 32) == 0)
			return l->asked[i];
	return 0;
}

static void
lookup_free(struct lookup *l)
{
	LIST_REMOVE(l, link);
	free(l->seen);
	free(l->asked);
	free(l);
}

static void lookup_reply(void *arg, int err, const struct p2p_node *n,
    const struct p2p_node *nodes, size_t count);

static void
lookup_step(struct lookup *l)
{
	struct p2p_disc *d = l->d;

	for (size_t i = 0; i < l->nresult && i < P2P_TABLE_BUCKET_SIZE &&
	    l->pending < P2P_TABLE_ALPHA; i++) {
		if (lookup_asked(l, &l->result[i].id))
			continue;
		lookup_mark(l, &l->result[i].id, 1);
		if (p2p_disc_findnode(d, &l->result[i], &l->target,
		    lookup_reply, l) == 0)
			l->pending++;
	}
	if (l->pending == 0) {
		struct p2p_node res[P2P_TABLE_BUCKET_SIZE];
		size_t n = l->nresult < P2P_TABLE_BUCKET_SIZE ? l->nresult :
		    P2P_TABLE_BUCKET_SIZE;

		memcpy(res, l->result, n * sizeof(res[0]));
		p2p_disc_done_cb *done = l->done_cb;
		void *arg = l->arg;

		lookup_free(l);
		if (done != NULL)
			done(arg, res, n);
	}
}

static void
lookup_reply(void *arg, int err, const struct p2p_node *n,
    const struct p2p_node *nodes, size_t count)
{
	struct lookup *l = arg;
	struct p2p_disc *d = l->d;
	unsigned fails = p2p_nodedb_fails(d->db, &n->id, &n->ip);

	l->pending--;
	/* A node that did not answer is no answer to the lookup (v1.8.24
	 * kept it in the result: a dead node could crowd out a live one). */
	if (err != 0) {
		for (size_t i = 0; i < l->nresult; i++) {
			if (memcmp(l->result[i].id.b, n->id.b, 32) != 0)
				continue;
			memmove(&l->result[i], &l->result[i + 1],
			    (l->nresult - i - 1) * sizeof(l->result[0]));
			l->nresult--;
			break;
		}
	}
	/* v1.8.24's failure count: five in a row and the node is gone. */
	if (err != 0 || count == 0) {
		p2p_nodedb_set_fails(d->db, &n->id, &n->ip, ++fails);
		if (fails >= P2P_TABLE_MAX_FAILS)
			p2p_table_delete(d->tab, &n->id);
	} else if (fails > 0) {
		p2p_nodedb_set_fails(d->db, &n->id, &n->ip, fails - 1);
	}
	for (size_t i = 0; i < count; i++) {
		if (memcmp(nodes[i].id.b, d->self.id.b, 32) == 0 ||
		    lookup_seen(l, &nodes[i].id))
			continue;
		if (lookup_mark(l, &nodes[i].id, 0) < 0)
			break;
		remember(d, &nodes[i], 0);
		lookup_push(l, &nodes[i]);
		if (l->seen_cb != NULL)
			l->seen_cb(l->arg, &nodes[i]);
	}
	lookup_step(l);
}

static void
random_target(struct p2p_disc *d, struct p2p_pubkey *t)
{
	for (size_t i = 0; i < sizeof(t->b); i += 8) {
		uint64_t r = rnd(d);

		memcpy(t->b + i, &r, 8);
	}
}

int
p2p_disc_lookup(struct p2p_disc *d, const struct p2p_pubkey *target,
    p2p_disc_seen_cb *seen, p2p_disc_done_cb *done, void *arg)
{
	struct lookup *l = calloc(1, sizeof(*l));
	struct p2p_node start[P2P_DISC_MAX_BOOTNODES > P2P_TABLE_BUCKET_SIZE ?
	    P2P_DISC_MAX_BOOTNODES : P2P_TABLE_BUCKET_SIZE];
	size_t n;

	if (l == NULL)
		return P2P_ENOMEM;
	l->seen = calloc(LOOKUP_SEEN_MAX, sizeof(*l->seen));
	l->asked = calloc(LOOKUP_SEEN_MAX, 1);
	if (l->seen == NULL || l->asked == NULL) {
		free(l->seen);
		free(l->asked);
		free(l);
		return P2P_ENOMEM;
	}
	l->d = d;
	if (target != NULL)
		l->target = *target;
	else
		random_target(d, &l->target);
	p2p_enode_id(&l->tid, &l->target);
	l->seen_cb = seen;
	l->done_cb = done;
	l->arg = arg;
	LIST_INSERT_HEAD(&d->lookups, l, link);
	lookup_mark(l, &d->self.id, 1);
	n = p2p_table_closest(d->tab, &l->tid, start, P2P_TABLE_BUCKET_SIZE);
	/* An empty table starts from the bootnodes (geth refreshes first,
	 * which seeds the table with them). */
	for (size_t i = 0; n == 0 && i < d->nboot; i++)
		start[n++] = d->boot[i];
	/* Seen from the start, so that a reply naming one of them does not
	 * add it to the result a second time. */
	for (size_t i = 0; i < n; i++)
		if (lookup_mark(l, &start[i].id, 0) > 0)
			lookup_push(l, &start[i]);
	lookup_step(l);
	return 0;
}

/* ---- maintenance ---- */

static void
arm_reval(struct p2p_disc *d)
{
	uint64_t ms = rnd(d) % P2P_DISC_REVALIDATE_MS;
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	event_add(d->reval, &tv);
}

static void
reval_pong(void *arg, int err, const struct p2p_node *n, uint64_t rtt,
    int has_seq, uint64_t seq)
{
	struct p2p_disc *d = arg;
	int b = p2p_table_bucket_index(d->tab, &n->id);

	(void)rtt;
	if (err == 0)
		p2p_table_revalidated(d->tab, n, has_seq ? seq : 0, b);
	else
		p2p_table_replace_dead(d->tab, &n->id, b, NULL);
	arm_reval(d);
}

static void
reval_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_disc *d = arg;
	struct p2p_node n;
	int b;

	(void)fd;
	(void)what;
	if (p2p_table_pick_revalidate(d->tab, &n, &b) == 1 &&
	    p2p_disc_ping(d, &n, reval_pong, d) == 0)
		return;
	arm_reval(d);
}

static void
refresh_done(void *arg, const struct p2p_node *closest, size_t count)
{
	struct p2p_disc *d = arg;

	(void)closest;
	(void)count;
	/* The self lookup, then three random ones, one after the other. */
	if (++d->refreshing <= 4 &&
	    p2p_disc_lookup(d, NULL, NULL, refresh_done, d) == 0)
		return;
	d->refreshing = 0;
	if (d->cfg.on_event != NULL) {
		struct p2p_disc_ev ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = P2P_DISC_EV_REFRESHED;
		ev.table_len = p2p_table_len(d->tab);
		d->cfg.on_event(d->cfg.arg, &ev);
	}
}

static void
refresh_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_disc *d = arg;
	struct p2p_node seeds[P2P_DISC_SEED_COUNT];
	size_t n = 0;

	(void)fd;
	(void)what;
	if (d->refreshing)
		return;
	/* Seeds (geth loadSeedNodes) go in as seen nodes, through the
	 * table's IP limits like any other. */
	p2p_nodedb_seeds(d->db, seeds, P2P_DISC_SEED_COUNT,
	    P2P_NODEDB_SEED_MAX_AGE, now_s(), &n);
	for (size_t i = 0; i < n; i++)
		remember(d, &seeds[i], 0);
	for (size_t i = 0; i < d->nboot; i++)
		remember(d, &d->boot[i], 0);
	d->refreshing = 1;
	if (p2p_disc_lookup(d, &d->self.pub, NULL, refresh_done, d) != 0)
		d->refreshing = 0;
}

static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_disc *d = arg;

	(void)fd;
	(void)what;
	p2p_nodedb_expire(d->db, now_s(), NULL);
}

static void
copy_entry(void *arg, const struct p2p_table_entry *e, int bucket)
{
	struct p2p_disc *d = arg;
	uint64_t now = now_s(), min = d->cfg.seed_min_s ?
	    d->cfg.seed_min_s : P2P_DISC_SEED_MIN_TABLE_S;

	(void)bucket;
	if (e->liveness > 0 && now >= e->added_at + min &&
	    p2p_nodedb_put_live(d->db, &e->node, now) == 0)
		d->saved++;
}

/* geth copyLiveNodes: the nodes that have answered a revalidation and
 * stayed in the table a while are the seeds of the next start. */
static void
copy_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_disc *d = arg;
	int batch = p2p_nodedb_begin(d->db) == 0;

	(void)fd;
	(void)what;
	d->saved = 0;
	p2p_table_foreach(d->tab, copy_entry, d);
	if (batch)
		p2p_nodedb_commit(d->db);
	if (d->saved > 0 && d->cfg.on_event != NULL) {
		struct p2p_disc_ev ev = { .type = P2P_DISC_EV_SAVED,
		    .saved = d->saved, .table_len = p2p_table_len(d->tab) };

		d->cfg.on_event(d->cfg.arg, &ev);
	}
}

size_t
p2p_disc_save(struct p2p_disc *d)
{
	copy_cb(-1, 0, d);
	return d->saved;
}

/* ---- setup ---- */

static int
bind_socket(struct p2p_disc *d)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	d->fd = socket(d->self.ip.len == 16 ? AF_INET6 : AF_INET,
	    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0)
		return P2P_ENET;
	p2pi_to_sockaddr(&ss, &sl, &d->self.ip, d->cfg.port);
	if (bind(d->fd, (struct sockaddr *)&ss, sl) != 0)
		return P2P_ENET;
	sl = sizeof(ss);
	if (getsockname(d->fd, (struct sockaddr *)&ss, &sl) != 0)
		return P2P_ENET;
	p2pi_from_sockaddr(&ss, &d->self.ip, &d->self.udp);
	d->self.tcp = d->cfg.tcp_port;
	if (d->cfg.ext_ip.len != 0)
		d->self.ip = d->cfg.ext_ip;
	return 0;
}

static void
start_maintenance(struct p2p_disc *d)
{
	uint32_t ms = d->cfg.copy_ms ? d->cfg.copy_ms :
	    P2P_DISC_COPY_NODES_MS;
	struct timeval rt = { d->cfg.refresh_s ? (time_t)d->cfg.refresh_s :
	    P2P_DISC_REFRESH_S, 0 };
	struct timeval st = { P2P_NODEDB_CLEANUP_INTERVAL, 0 };
	struct timeval ct = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	event_add(d->refresh, &rt);
	event_active(d->refresh, EV_TIMEOUT, 0);
	event_add(d->sweep, &st);
	event_add(d->copy, &ct);
	arm_reval(d);
}

int
p2p_disc_new(struct p2p_disc **out, struct event_base *base,
    const struct p2p_disc_cfg *cfg)
{
	struct p2p_disc *d;
	struct p2p_table_cfg tcfg;
	int rc;

	*out = NULL;
	if (cfg->nbootnodes > P2P_DISC_MAX_BOOTNODES)
		return P2P_EINVAL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return P2P_ENOMEM;
	d->fd = -1;
	d->cfg = *cfg;
	d->base = base;
	d->key = *cfg->key;
	TAILQ_INIT(&d->wait);
	TAILQ_INIT(&d->ops);
	LIST_INIT(&d->lookups);
	if (cfg->netrestrict != NULL) {
		d->restrict_list = *cfg->netrestrict;
		d->has_restrict = 1;
	}
	if (cfg->seed != 0)
		d->rng = cfg->seed;
	else if ((rc = p2pi_random(&d->rng, sizeof(d->rng))) != 0)
		goto fail;
	if ((rc = p2p_secp_pubkey(&d->self.pub, &d->key)) != 0)
		goto fail;
	p2p_enode_id(&d->self.id, &d->self.pub);
	d->self.ip = cfg->ip;
	if (d->self.ip.len == 0) {
		d->self.ip.len = 4;
		d->self.ip.b[0] = 127;
		d->self.ip.b[3] = 1;
	}
	rc = P2P_ENOMEM;
	if (cfg->nbootnodes > 0) {
		d->boot = calloc(cfg->nbootnodes, sizeof(*d->boot));
		if (d->boot == NULL)
			goto fail;
		memcpy(d->boot, cfg->bootnodes,
		    cfg->nbootnodes * sizeof(*d->boot));
		d->nboot = cfg->nbootnodes;
	}
	if ((rc = bind_socket(d)) != 0)
		goto fail;
	rc = P2P_ENOMEM;
	if ((d->oq_mem = malloc(sizeof(*d->oq_mem))) == NULL)
		goto fail;
	d->oq_mem->n = 0;
	if (cfg->db != NULL) {
		d->db = cfg->db;
	} else {
		if ((rc = p2p_nodedb_open(&d->db, NULL, &d->self.id)) != 0)
			goto fail;
		d->own_db = 1;
	}
	if (cfg->local != NULL) {
		d->ln = cfg->local;
	} else {
		if ((rc = p2p_localnode_new(&d->ln, &d->key, d->db)) != 0)
			goto fail;
		d->own_ln = 1;
	}
	/* A record promises only what listens: "tcp" only with a TCP
	 * listener beside us. */
	if (d->cfg.ext_ip.len != 0)
		p2p_localnode_set_static_ip(d->ln, &d->cfg.ext_ip);
	else
		p2p_localnode_set_ip(d->ln, &d->self.ip);
	p2p_localnode_set_udp(d->ln, d->self.udp);
	p2p_localnode_set_tcp(d->ln, d->self.tcp);
	if ((rc = p2p_localnode_record(d->ln, NULL)) != 0)
		goto fail;
	memset(&tcfg, 0, sizeof(tcfg));
	tcfg.self = d->self.id;
	tcfg.seed = rnd(d);
	tcfg.on_event = table_event;
	tcfg.arg = d;
	if ((rc = p2p_table_new(&d->tab, &tcfg)) != 0)
		goto fail;
	rc = P2P_ENOMEM;
	d->rev = event_new(base, d->fd, EV_READ | EV_PERSIST, read_cb, d);
	d->timer = evtimer_new(base, timer_cb, d);
	d->reval = evtimer_new(base, reval_cb, d);
	d->refresh = event_new(base, -1, EV_PERSIST, refresh_cb, d);
	d->sweep = event_new(base, -1, EV_PERSIST, sweep_cb, d);
	d->copy = event_new(base, -1, EV_PERSIST, copy_cb, d);
	if (d->rev == NULL || d->timer == NULL || d->reval == NULL ||
	    d->refresh == NULL || d->sweep == NULL || d->copy == NULL)
		goto fail;
	event_add(d->rev, NULL);
	if (cfg->maintain)
		start_maintenance(d);
	*out = d;
	return 0;
fail:
	p2p_disc_free(d);
	return rc;
}

void
p2p_disc_free(struct p2p_disc *d)
{
	struct op *o;

	if (d == NULL)
		return;
	while ((o = TAILQ_FIRST(&d->ops)) != NULL) {
		/* A bonding ping's arg is the struct bond it owns. */
		if (o->kind == OP_PING && o->cb.pong == bonded)
			free(o->arg);
		op_free(d, o);
	}
	while (!LIST_EMPTY(&d->lookups))
		lookup_free(LIST_FIRST(&d->lookups));
	if (d->rev)
		event_free(d->rev);
	if (d->timer)
		event_free(d->timer);
	if (d->reval)
		event_free(d->reval);
	if (d->refresh)
		event_free(d->refresh);
	if (d->sweep)
		event_free(d->sweep);
	if (d->copy)
		event_free(d->copy);
	if (d->fd >= 0)
		close(d->fd);
	p2p_table_free(d->tab);
	if (d->own_ln)
		p2p_localnode_free(d->ln);
	if (d->own_db)
		p2p_nodedb_close(d->db);
	free(d->boot);
	free(d->oq_mem);
	p2p_wipe(&d->key, sizeof(d->key));
	free(d);
}

const struct p2p_node *
p2p_disc_self(const struct p2p_disc *d)
{
	return &d->self;
}

const struct p2p_enr *
p2p_disc_record(struct p2p_disc *d)
{
	const struct p2p_enr *r;

	(void)p2p_localnode_record(d->ln, &r);
	return r;
}

struct p2p_localnode *
p2p_disc_localnode(struct p2p_disc *d)
{
	return d->ln;
}

struct p2p_table *
p2p_disc_table(struct p2p_disc *d)
{
	return d->tab;
}

struct p2p_nodedb *
p2p_disc_db(struct p2p_disc *d)
{
	return d->db;
}

void
p2p_disc_get_stats(const struct p2p_disc *d, struct p2p_disc_stats *s)
{
	*s = d->st;
}
