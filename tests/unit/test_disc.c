/*
 * test_disc.c - the discovery engine (disc.c) over real UDP on 127.0.0.1.
 * A raw "attacker" socket of the test's own sends crafted and damaged
 * packets to a p2p_disc node and watches what comes back and what the
 * node's counters say; a flood of pings stays within the pending-reply
 * cap; two nodes on one event_base use the public API.  Each test has its
 * own event_base, runs it in slices of at most 2 s and frees everything.
 * timer_starved guards a fixed bug: reply timeouts starved on a busy loop.
 * v1824_peer plays go-ethereum v1.8.24 toward a crawler (ENRRequest
 * dropped, first findnode dropped, neighbors empty or not) and checks the
 * results a crawl counts answers by.  sybil_db and seed_ip_limits: the
 * node DB seeds only nodes the table held (copied from it as v1.8.24's
 * copyLiveNodes does), so 400 identities of one attacker cannot fill a
 * restarted table past its IP limits; they run the copy every 20 ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/event.h>

#include <p2p/disc.h>
#include <p2p/iptrack.h>
#include <p2p/keccak.h>
#include <p2p/rlp.h>

#include "unit.h"
#include "internal.h"

#define RX_MAX 64		/* datagrams an env keeps */
#define GUARD_MIN_MS 60000	/* the least any wait for a condition gets */
#define SLICE_MS 2		/* loop slice while waiting for something */
#define QUIET_MS 700		/* how long "nothing comes back" waits */
#define ATT_TCP 30399		/* the TCP port the attacker advertises */
#define SETTLE_EVERY 16		/* datagrams sent before letting the node
				 * read, so its socket buffer never fills */

static uint64_t rng_state = 0x5eed5eed;

static uint64_t
rnd(void)
{
	return p2pi_splitmix64(&rng_state);
}

static void
rnd_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

static uint64_t
unix_now(void)
{
	return (uint64_t)time(NULL);
}

static struct p2p_ip
loopback(uint8_t last)
{
	struct p2p_ip ip = { .len = 4, .b = { 127, 0, 0, last } };

	return ip;
}

static void
keygen(struct p2p_privkey *k, struct p2p_pubkey *pub)
{
	if (p2p_secp_keygen(k) != 0 || p2p_secp_pubkey(pub, k) != 0)
		abort();
}

/* A made-up node on 127.0.0.2.. with a real key and a port over 1024. */
static void
made_up_node(struct p2p_node *n, size_t i)
{
	struct p2p_privkey k;

	memset(n, 0, sizeof(*n));
	keygen(&k, &n->pub);
	p2p_enode_id(&n->id, &n->pub);
	n->ip = loopback((uint8_t)(2 + i % 250));
	n->udp = n->tcp = (uint16_t)(30303 + i);
}

/* Adds n made-up nodes to t, the table of a new node, leaving a free slot
 * in every bucket so that whoever bonds next gets into the table too. */
static void
fill_table(struct p2p_table *t, size_t n)
{
	size_t per[P2P_TABLE_NBUCKETS] = { 0 }, added = 0;

	for (size_t i = 0; added < n; i++) {
		struct p2p_node node;
		int b;

		if (i > 100 * n)
			abort();
		made_up_node(&node, i);
		b = p2p_table_bucket_index(t, &node.id);
		if (per[b] == P2P_TABLE_BUCKET_SIZE - 1 ||
		    p2p_table_add_seen(t, &node, unix_now()) != 1)
			continue;
		per[b]++;
		added++;
	}
}

/* ---- sockets ---- */

/* A non-blocking UDP socket on 127.0.0.1:0; rcvbuf > 0 asks for that
 * receive buffer (forced when we may).  Out: port. */
static int
udp_socket(uint16_t *port, int rcvbuf)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		abort();
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
		abort();
	*port = ntohs(sa.sin_port);
	return fd;
}

static int
send_to(int fd, uint16_t port, const void *buf, size_t len)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	return sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) ==
	    (ssize_t)len ? 0 : -1;
}

/* ---- the event loop ---- */

/* Runs base for ms milliseconds (callers keep ms at 2000 or less). */
static void
run_ms(struct event_base *base, unsigned ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

typedef int cond_fn(void *arg);

/* Runs base in short slices until cond(arg) or ms pass.  Returns cond. */
static int
run_until(struct event_base *base, cond_fn *cond, void *arg, unsigned ms)
{
	/* ms is a hang guard, never a speed assumption: a loaded machine
	 * under ASan gets at least GUARD_MIN_MS before a wait fails. */
	uint64_t end = unit_now_ms() + (ms > GUARD_MIN_MS ? ms : GUARD_MIN_MS);

	while (!cond(arg) && unit_now_ms() < end)
		run_ms(base, SLICE_MS);
	return cond(arg);
}

/* ---- the attacker ---- */

struct rx {
	uint8_t buf[P2P_DISC_MAX_PACKET];
	size_t len;
	uint16_t port;			/* the sender's */
	int ok;				/* decoded and authenticated */
	struct p2p_disc_packet pkt;	/* points into buf */
	uint8_t hash[32];
	struct p2p_pubkey from;
};

struct env {
	struct event_base *base;
	struct p2p_disc *d;
	struct p2p_privkey dkey;	/* the node's */
	struct p2p_privkey key;		/* the attacker's */
	struct p2p_pubkey pub;
	struct p2p_nodeid id;
	int fd;
	uint16_t port, dport;		/* the attacker's, the node's */
	struct event *ev;
	struct rx *rx;			/* RX_MAX + 1 (a scratch one) */
	size_t nrx, lost, sent;
};

static void
att_read(evutil_socket_t fd, short what, void *arg)
{
	struct env *e = arg;

	(void)what;
	for (;;) {
		struct rx *r = &e->rx[e->nrx];
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		ssize_t n = recvfrom(fd, r->buf, sizeof(r->buf), 0,
		    (struct sockaddr *)&sa, &sl);

		if (n < 0)
			break;
		if (e->nrx == RX_MAX) {
			e->lost++;
			continue;
		}
		r->len = (size_t)n;
		r->port = ntohs(sa.sin_port);
		r->ok = p2p_disc_decode(&r->pkt, r->hash, &r->from, r->buf,
		    r->len) == 0;
		e->nrx++;
	}
}

/* The node's reply timeout for the next env_open (0: the default). */
static uint32_t env_resp_timeout_ms;

static void
env_open(struct env *e)
{
	struct p2p_disc_cfg cfg;
	struct p2p_pubkey dpub;

	memset(e, 0, sizeof(*e));
	if ((e->base = event_base_new()) == NULL ||
	    (e->rx = calloc(RX_MAX + 1, sizeof(*e->rx))) == NULL)
		abort();
	keygen(&e->dkey, &dpub);
	keygen(&e->key, &e->pub);
	p2p_enode_id(&e->id, &e->pub);
	memset(&cfg, 0, sizeof(cfg));
	cfg.key = &e->dkey;
	cfg.ip = loopback(1);
	cfg.seed = rnd() | 1;
	cfg.resp_timeout_ms = env_resp_timeout_ms;
	if (p2p_disc_new(&e->d, e->base, &cfg) != 0)
		abort();
	e->dport = p2p_disc_self(e->d)->udp;
	e->fd = udp_socket(&e->port, 1 << 20);
	e->ev = event_new(e->base, e->fd, EV_READ | EV_PERSIST, att_read, e);
	if (e->ev == NULL || event_add(e->ev, NULL) != 0)
		abort();
}

static void
env_close(struct env *e)
{
	CHECK_INT(e->lost, 0);
	event_free(e->ev);
	p2p_disc_free(e->d);
	close(e->fd);
	event_base_free(e->base);
	free(e->rx);
}

static void
stats(const struct env *e, struct p2p_disc_stats *st)
{
	p2p_disc_get_stats(e->d, st);
}

struct want_in {
	const struct env *e;
	uint64_t in;
};

static int
node_read(void *arg)
{
	struct want_in *w = arg;
	struct p2p_disc_stats st;

	stats(w->e, &st);
	return st.in >= w->in;
}

/* Runs the loop until the node has read everything sent so far. */
static int
settle(struct env *e)
{
	struct want_in w = { e, e->sent };

	return run_until(e->base, node_read, &w, 2000);
}

/* Sends a raw datagram to the node, letting it read every few. */
static void
send_raw(struct env *e, const void *buf, size_t len)
{
	if (send_to(e->fd, e->dport, buf, len) != 0)
		abort();
	if (++e->sent % SETTLE_EVERY == 0)
		settle(e);
}

/* Encodes pkt signed with key (NULL: the attacker's). */
static size_t
encode(const struct env *e, const struct p2p_disc_packet *pkt,
    const struct p2p_privkey *key, uint8_t *buf, uint8_t hash[32])
{
	size_t n;

	if (p2p_disc_encode(buf, P2P_DISC_MAX_SEND, &n, hash, pkt,
	    key ? key : &e->key) != 0)
		abort();
	return n;
}

static void
send_pkt(struct env *e, const struct p2p_disc_packet *pkt,
    const struct p2p_privkey *key, uint8_t hash[32])
{
	uint8_t buf[P2P_DISC_MAX_SEND];

	send_raw(e, buf, encode(e, pkt, key, buf, hash));
}

/* Signs keccak256(type || data) of the packet in buf[0..len) with key and
 * recomputes its hash, as an attacker re-signs what it altered. */
static void
resign(uint8_t *buf, size_t len, const struct p2p_privkey *key)
{
	uint8_t digest[32];

	p2p_keccak256(digest, buf + 97, len - 97);
	if (p2p_secp_sign(buf + 32, digest, key) != 0)
		abort();
	p2p_keccak256(buf, buf + 32, len - 32);
}

static void
set_ep(struct p2p_disc_endpoint *ep, uint16_t udp, uint16_t tcp)
{
	memset(ep, 0, sizeof(*ep));
	ep->ip_len = 4;
	memcpy(ep->ip, loopback(1).b, 4);
	ep->udp = udp;
	ep->tcp = tcp;
}

static int
is_ep(const struct p2p_disc_endpoint *ep, uint16_t udp, uint16_t tcp)
{
	return ep->ip_len == 4 && memcmp(ep->ip, loopback(1).b, 4) == 0 &&
	    ep->udp == udp && ep->tcp == tcp;
}

static void
mkpkt(struct p2p_disc_packet *p, int type, uint64_t exp)
{
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->expiration = exp;
}

/* A ping from the attacker to the node. */
static void
mkping(const struct env *e, struct p2p_disc_packet *p, uint64_t exp)
{
	mkpkt(p, P2P_DISC_PING, exp);
	p->u.ping.version = P2P_DISC_VERSION;
	set_ep(&p->u.ping.from, e->port, ATT_TCP);
	set_ep(&p->u.ping.to, e->dport, e->dport);
}

static void
send_ping(struct env *e, uint8_t hash[32])
{
	struct p2p_disc_packet p;

	mkping(e, &p, unix_now() + 20);
	send_pkt(e, &p, NULL, hash);
}

/* Answers the node's ping r, signed with key (NULL: the attacker's). */
static void
send_pong(struct env *e, const struct rx *r, const struct p2p_privkey *key)
{
	struct p2p_disc_packet p;

	mkpkt(&p, P2P_DISC_PONG, unix_now() + 20);
	set_ep(&p.u.pong.to, e->dport, e->dport);
	memcpy(p.u.pong.ping_hash, r->hash, 32);
	send_pkt(e, &p, key, NULL);
}

static const struct rx *
find_rx(const struct env *e, size_t from, int type)
{
	for (size_t i = from; i < e->nrx; i++)
		if (e->rx[i].ok && e->rx[i].pkt.type == type)
			return &e->rx[i];
	return NULL;
}

static size_t
count_rx(const struct env *e, size_t from, int type)
{
	size_t n = 0;

	for (size_t i = from; i < e->nrx; i++)
		n += e->rx[i].ok && e->rx[i].pkt.type == type;
	return n;
}

struct want_rx {
	const struct env *e;
	size_t from;
	int type;
};

static int
got_rx(void *arg)
{
	struct want_rx *w = arg;

	return find_rx(w->e, w->from, w->type) != NULL;
}

/* The first packet of type at or after rx[from], waiting up to ms. */
static const struct rx *
wait_rx(struct env *e, size_t from, int type, unsigned ms)
{
	struct want_rx w = { e, from, type };

	run_until(e->base, got_rx, &w, ms);
	return find_rx(e, from, type);
}

static int
bonded(void *arg)
{
	struct env *e = arg;
	struct p2p_ip ip = loopback(1);

	return p2p_nodedb_last_pong(p2p_disc_db(e->d), &e->id, &ip) != 0;
}

static int
attacker_in_table(void *arg)
{
	struct env *e = arg;

	return p2p_table_get(p2p_disc_table(e->d), &e->id) != NULL;
}

/* The endpoint proof: ping the node, answer its ping-back.  Returns 1 once
 * the node has recorded the pong. */
static int
bond(struct env *e)
{
	size_t from = e->nrx;
	const struct rx *r;

	send_ping(e, NULL);
	if ((r = wait_rx(e, from, P2P_DISC_PING, 1000)) == NULL)
		return 0;
	send_pong(e, r, NULL);
	return run_until(e->base, bonded, e, 1000);
}

/* ---- 1. ping ---- */

static void
test_ping_pong(void)
{
	struct env e;
	struct p2p_disc_stats st;
	const struct p2p_node *self;
	const struct rx *pong, *ping;
	uint8_t h[32];

	env_open(&e);
	self = p2p_disc_self(e.d);
	send_ping(&e, h);
	pong = wait_rx(&e, 0, P2P_DISC_PONG, 1000);
	ping = wait_rx(&e, 0, P2P_DISC_PING, 1000);
	CHECK(pong != NULL);
	CHECK(ping != NULL);
	if (pong != NULL) {
		CHECK(memcmp(pong->pkt.u.pong.ping_hash, h, 32) == 0);
		CHECK(memcmp(pong->from.b, self->pub.b, 64) == 0);
		CHECK_INT(pong->port, e.dport);
		CHECK(is_ep(&pong->pkt.u.pong.to, e.port, ATT_TCP));
		CHECK_INT(pong->pkt.u.pong.has_seq, 1);
		CHECK_INT(pong->pkt.u.pong.enr_seq, p2p_disc_record(e.d)->seq);
		CHECK(!p2p_disc_expired(pong->pkt.expiration, unix_now()));
	}
	if (ping != NULL) {
		/* The pong goes first, then the ping-back. */
		CHECK(pong == NULL || pong < ping);
		CHECK(memcmp(ping->from.b, self->pub.b, 64) == 0);
		CHECK_INT(ping->pkt.u.ping.version, P2P_DISC_VERSION);
		CHECK(is_ep(&ping->pkt.u.ping.from, e.dport, self->tcp));
		CHECK(is_ep(&ping->pkt.u.ping.to, e.port, ATT_TCP));
		CHECK_INT(ping->pkt.u.ping.has_seq, 1);
		CHECK_INT(ping->pkt.u.ping.enr_seq, p2p_disc_record(e.d)->seq);
	}
	stats(&e, &st);
	CHECK_INT(st.in, 1);
	CHECK_INT(st.out, 2);
	CHECK_INT(st.dropped + st.expired + st.unsolicited + st.unbonded, 0);
	CHECK_INT(count_rx(&e, 0, P2P_DISC_PONG), 1);
	CHECK_INT(count_rx(&e, 0, P2P_DISC_PING), 1);
	CHECK_INT(e.nrx, 2);
	/* No bond yet: the attacker stays out of the table. */
	CHECK(!attacker_in_table(&e));
	env_close(&e);
}

/* ---- 2. findnode ---- */

struct want_nodes {
	const struct env *e;
	size_t from, n;
};

static int
got_nodes(void *arg)
{
	struct want_nodes *w = arg;
	size_t n = 0;

	for (size_t i = w->from; i < w->e->nrx; i++)
		if (w->e->rx[i].ok &&
		    w->e->rx[i].pkt.type == P2P_DISC_NEIGHBORS)
			n += w->e->rx[i].pkt.u.neighbors.n;
	return n >= w->n;
}

/* The 16 nodes the node should give for tid: its closest, the attacker
 * left out.  Returns the count. */
static size_t
expected_neighbors(struct env *e, const struct p2p_nodeid *tid,
    struct p2p_node *out)
{
	struct p2p_node c[P2P_TABLE_BUCKET_SIZE + 1];
	size_t n = p2p_table_closest(p2p_disc_table(e->d), tid, c,
	    P2P_TABLE_BUCKET_SIZE + 1), k = 0;

	for (size_t i = 0; i < n && k < P2P_TABLE_BUCKET_SIZE; i++)
		if (memcmp(c[i].id.b, e->id.b, 32) != 0)
			out[k++] = c[i];
	return k;
}

/* Checks the neighbors packets in rx[from..] against want[0..nwant). */
static void
check_neighbors(const struct env *e, size_t from,
    const struct p2p_node *want, size_t nwant)
{
	size_t k = 0, packets = 0;

	for (size_t i = from; i < e->nrx; i++) {
		const struct p2p_disc_packet *p = &e->rx[i].pkt;

		if (!e->rx[i].ok || p->type != P2P_DISC_NEIGHBORS)
			continue;
		packets++;
		CHECK(p->u.neighbors.n <= P2P_DISC_NEIGHBORS_PER_PACKET);
		for (size_t j = 0; j < p->u.neighbors.n; j++, k++) {
			const struct p2p_disc_rpcnode *r =
			    &p->u.neighbors.nodes[j];

			CHECK(memcmp(r->id, e->pub.b, 64) != 0);
			if (k >= nwant)
				continue;
			CHECK_MSG(memcmp(r->id, want[k].pub.b, 64) == 0,
			    "neighbor %zu is not the expected node", k);
			CHECK(r->ep.ip_len == 4 &&
			    memcmp(r->ep.ip, want[k].ip.b, 4) == 0);
			CHECK_INT(r->ep.udp, want[k].udp);
			CHECK_INT(r->ep.tcp, want[k].tcp);
		}
	}
	CHECK_INT(k, nwant);
	CHECK_INT(packets, (nwant + P2P_DISC_NEIGHBORS_PER_PACKET - 1) /
	    P2P_DISC_NEIGHBORS_PER_PACKET);
}

static void
test_findnode_bond(void)
{
	struct env e;
	struct p2p_disc_packet p;
	struct p2p_disc_stats st;
	struct p2p_node want[P2P_TABLE_BUCKET_SIZE];
	struct p2p_pubkey target;
	struct p2p_nodeid tid;
	uint8_t fn[P2P_DISC_MAX_SEND];
	const struct rx *pingback;
	size_t fnlen, nwant;

	env_open(&e);
	fill_table(p2p_disc_table(e.d), 30);
	/* The attacker's own key as the target: once it is in the table it
	 * is the closest node, and must still be left out. */
	target = e.pub;
	tid = e.id;
	mkpkt(&p, P2P_DISC_FINDNODE, unix_now() + 20);
	memcpy(p.u.findnode.target, target.b, 64);
	fnlen = encode(&e, &p, NULL, fn, NULL);

	/* A ping whose ping-back goes unanswered proves nothing. */
	send_ping(&e, NULL);
	send_raw(&e, fn, fnlen);
	run_ms(e.base, QUIET_MS);
	CHECK(find_rx(&e, 0, P2P_DISC_NEIGHBORS) == NULL);
	stats(&e, &st);
	CHECK_INT(st.unbonded, 1);
	CHECK_INT(st.out, 2);		/* the pong and the ping-back */

	/* Answering the ping-back after its 500 ms bonds nothing either. */
	pingback = find_rx(&e, 0, P2P_DISC_PING);
	CHECK(pingback != NULL);
	if (pingback != NULL)
		send_pong(&e, pingback, NULL);
	send_raw(&e, fn, fnlen);
	settle(&e);
	run_ms(e.base, 300);
	CHECK(find_rx(&e, 0, P2P_DISC_NEIGHBORS) == NULL);
	stats(&e, &st);
	CHECK_INT(st.unsolicited, 1);
	CHECK_INT(st.unbonded, 2);
	CHECK(!bonded(&e));

	CHECK(bond(&e));
	CHECK(attacker_in_table(&e));
	nwant = expected_neighbors(&e, &tid, want);
	CHECK_INT(nwant, P2P_TABLE_BUCKET_SIZE);
	{
		size_t from = e.nrx;
		struct want_nodes w = { &e, from, nwant };

		send_raw(&e, fn, fnlen);
		CHECK(run_until(e.base, got_nodes, &w, 1000));
		run_ms(e.base, 50);	/* nothing more may follow */
		check_neighbors(&e, from, want, nwant);
	}
	stats(&e, &st);
	CHECK_INT(st.unbonded, 2);
	env_close(&e);
}

/* ---- 3. ENRRequest ---- */

static void
check_enr_response(const struct env *e, const struct rx *r,
    const uint8_t req_hash[32])
{
	struct p2p_enr rec;
	struct p2p_nodeid id;
	struct p2p_ip ip;
	uint16_t udp = 0;

	CHECK(memcmp(r->pkt.u.enrresp.req_hash, req_hash, 32) == 0);
	CHECK_INT(p2p_enr_decode(&rec, r->pkt.u.enrresp.enr,
	    r->pkt.u.enrresp.enr_len), 0);
	CHECK_INT(p2p_enr_verify(&rec), 0);
	CHECK_INT(p2p_enr_nodeid(&rec, &id), 0);
	CHECK(memcmp(id.b, p2p_disc_self(e->d)->id.b, 32) == 0);
	CHECK_INT(rec.seq, p2p_disc_record(e->d)->seq);
	CHECK_INT(p2p_enr_get_ip(&rec, &ip), 0);
	CHECK(ip.len == 4 && memcmp(ip.b, loopback(1).b, 4) == 0);
	CHECK_INT(p2p_enr_get_port(&rec, "udp", &udp), 0);
	CHECK_INT(udp, e->dport);
}

static void
test_enr_request(void)
{
	struct env e;
	struct p2p_disc_packet p;
	struct p2p_disc_stats st;
	uint8_t req[P2P_DISC_MAX_SEND], h[32];
	const struct rx *r;
	size_t reqlen, from;

	env_open(&e);
	mkpkt(&p, P2P_DISC_ENRREQ, unix_now() + 20);
	reqlen = encode(&e, &p, NULL, req, h);
	send_raw(&e, req, reqlen);
	run_ms(e.base, QUIET_MS);
	CHECK_INT(e.nrx, 0);
	stats(&e, &st);
	CHECK_INT(st.unbonded, 1);
	CHECK_INT(st.out, 0);

	CHECK(bond(&e));
	from = e.nrx;
	send_raw(&e, req, reqlen);
	r = wait_rx(&e, from, P2P_DISC_ENRRESP, 1000);
	CHECK(r != NULL);
	if (r != NULL)
		check_enr_response(&e, r, h);

	/* Bonded or not, an expired request is not answered. */
	from = e.nrx;
	mkpkt(&p, P2P_DISC_ENRREQ, unix_now() - 1);
	send_pkt(&e, &p, NULL, NULL);
	settle(&e);
	run_ms(e.base, 200);
	CHECK_INT(e.nrx, from);
	stats(&e, &st);
	CHECK_INT(st.expired, 1);
	CHECK_INT(st.unbonded, 1);
	env_close(&e);
}

/* ---- 4. damaged packets ---- */

/* Sends damaged copies of the good ping g[0..n): altered signature and
 * hash, every truncation, RLP cut short under a valid signature.
 * Returns how many were sent. */
static size_t
send_damaged(struct env *e, const uint8_t *g, size_t n)
{
	static const size_t more[] = { 98, 99, 150 };
	uint8_t b[P2P_DISC_MAX_SEND];
	size_t sent = e->sent;

	memcpy(b, g, n);
	b[40] ^= 1;			/* signature byte; hash now wrong */
	send_raw(e, b, n);
	memcpy(b, g, n);
	b[96] = 4;			/* recovery id out of range */
	p2p_keccak256(b, b + 32, n - 32);
	send_raw(e, b, n);
	memcpy(b, g, n);
	memset(b + 32, 0, 32);		/* r = 0 */
	p2p_keccak256(b, b + 32, n - 32);
	send_raw(e, b, n);
	memcpy(b, g, n);
	b[5] ^= 0x80;			/* hash byte */
	send_raw(e, b, n);
	for (size_t len = 0; len < P2P_DISC_HEAD_LEN; len++)
		send_raw(e, g, len);
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		send_raw(e, g, more[i] < n ? more[i] : n - 1);
	send_raw(e, g, n - 1);
	/* Cut short, then signed again: the hash and signature hold, the
	 * RLP does not. */
	for (size_t cut = 0; cut < n - P2P_DISC_HEAD_LEN; cut += 7) {
		memcpy(b, g, P2P_DISC_HEAD_LEN + cut);
		resign(b, P2P_DISC_HEAD_LEN + cut, &e->key);
		send_raw(e, b, P2P_DISC_HEAD_LEN + cut);
	}
	return e->sent - sent;
}

/* Garbage, oversized datagrams, unknown types, a packet signed with the
 * node's own key.  Returns how many were sent. */
static size_t
send_junk(struct env *e, const uint8_t *g, size_t n)
{
	static const size_t sizes[] = { 1, 50, 97, 98, 99, 200, 1280, 2048,
	    2049, 4096 };
	static uint8_t b[4096];
	struct p2p_disc_packet p;
	size_t sent = e->sent;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		rnd_bytes(b, sizes[i]);
		send_raw(e, b, sizes[i]);
	}
	/* A good ping padded to 2049 bytes, signed with the padding (EIP-8
	 * allows trailing data): one byte over what is read. */
	memcpy(b, g, n);
	memset(b + n, 0, P2P_DISC_MAX_PACKET + 1 - n);
	resign(b, P2P_DISC_MAX_PACKET + 1, &e->key);
	send_raw(e, b, P2P_DISC_MAX_PACKET + 1);
	memcpy(b, g, n);
	b[97] = 7;
	resign(b, n, &e->key);
	send_raw(e, b, n);
	b[97] = 0;
	resign(b, n, &e->key);
	send_raw(e, b, n);
	mkping(e, &p, unix_now() + 20);
	send_pkt(e, &p, &e->dkey, NULL);
	return e->sent - sent;
}

static void
test_dropped(void)
{
	static uint8_t b[P2P_DISC_MAX_PACKET];
	struct env e;
	struct p2p_disc_packet p;
	struct p2p_disc_stats st;
	uint8_t g[P2P_DISC_MAX_SEND], h[32];
	const struct rx *r;
	size_t n, bad, from;

	env_open(&e);
	mkping(&e, &p, unix_now() + 20);
	n = encode(&e, &p, NULL, g, h);
	mkping(&e, &p, unix_now() - 10);
	send_pkt(&e, &p, NULL, NULL);
	bad = send_damaged(&e, g, n);
	bad += send_junk(&e, g, n);
	CHECK(settle(&e));
	stats(&e, &st);
	CHECK_INT(st.in, bad + 1);
	CHECK_INT(st.expired, 1);
	CHECK_INT(st.dropped, bad);
	CHECK_INT(st.out, 0);
	CHECK_INT(e.nrx, 0);

	/* Padded to exactly 2048 bytes, a ping is still read. */
	memcpy(b, g, n);
	memset(b + n, 0, P2P_DISC_MAX_PACKET - n);
	resign(b, P2P_DISC_MAX_PACKET, &e.key);
	send_raw(&e, b, P2P_DISC_MAX_PACKET);
	r = wait_rx(&e, 0, P2P_DISC_PONG, 1000);
	CHECK(r != NULL && memcmp(r->pkt.u.pong.ping_hash, b, 32) == 0);
	/* And the good ping itself, sent first of all but not yet used. */
	from = e.nrx;
	send_raw(&e, g, n);
	r = wait_rx(&e, from, P2P_DISC_PONG, 1000);
	CHECK(r != NULL && memcmp(r->pkt.u.pong.ping_hash, h, 32) == 0);
	env_close(&e);
}

/* ---- 5. unsolicited replies ---- */

/* A pong with a random hash, neighbors listing the nodes l[0..4) and the
 * attacker's own record as an ENRResponse: nobody asked for any. */
static void
send_unsolicited(struct env *e, const struct p2p_node *l)
{
	struct p2p_disc_packet p;
	struct p2p_enr rec;
	uint8_t rlp[P2P_ENR_MAX_SIZE];
	size_t rlplen = sizeof(rlp);

	mkpkt(&p, P2P_DISC_PONG, unix_now() + 20);
	set_ep(&p.u.pong.to, e->dport, e->dport);
	rnd_bytes(p.u.pong.ping_hash, 32);
	send_pkt(e, &p, NULL, NULL);

	mkpkt(&p, P2P_DISC_NEIGHBORS, unix_now() + 20);
	p.u.neighbors.n = 4;
	for (size_t i = 0; i < 4; i++) {
		set_ep(&p.u.neighbors.nodes[i].ep, l[i].udp, l[i].tcp);
		memcpy(p.u.neighbors.nodes[i].ep.ip, l[i].ip.b, 4);
		memcpy(p.u.neighbors.nodes[i].id, l[i].pub.b, 64);
	}
	send_pkt(e, &p, NULL, NULL);

	p2p_enr_init(&rec);
	if (p2p_enr_set_ip(&rec, &l[0].ip) != 0 ||
	    p2p_enr_set_uint(&rec, "udp", e->port) != 0 ||
	    p2p_enr_sign(&rec, &e->key) != 0 ||
	    p2p_enr_encode(&rec, rlp, &rlplen) != 0)
		abort();
	mkpkt(&p, P2P_DISC_ENRRESP, 0);
	rnd_bytes(p.u.enrresp.req_hash, 32);
	p.u.enrresp.enr = rlp;
	p.u.enrresp.enr_len = rlplen;
	send_pkt(e, &p, NULL, NULL);
}

/* The table still has len nodes, none of them l[0..4) or the attacker. */
static void
check_table_unchanged(struct env *e, size_t len, const struct p2p_node *l)
{
	const struct p2p_table *t = p2p_disc_table(e->d);

	CHECK_INT(p2p_table_len(t), len);
	for (size_t i = 0; i < 4; i++)
		CHECK(p2p_table_get(t, &l[i].id) == NULL);
	CHECK(!attacker_in_table(e));
	CHECK(!bonded(e));
}

static void
test_unsolicited(void)
{
	struct env e;
	struct p2p_disc_stats st;
	struct p2p_node l[4];
	struct p2p_privkey other;
	struct p2p_pubkey opub;
	const struct rx *pingback;
	size_t len;

	env_open(&e);
	fill_table(p2p_disc_table(e.d), 20);
	len = p2p_table_len(p2p_disc_table(e.d));
	for (size_t i = 0; i < 4; i++)
		made_up_node(&l[i], 100 + i);
	send_unsolicited(&e, l);
	CHECK(settle(&e));
	stats(&e, &st);
	CHECK_INT(st.unsolicited, 3);
	CHECK_INT(st.out, 0);
	check_table_unchanged(&e, len, l);

	/* Again while a ping-back to the attacker is outstanding, plus its
	 * right hash from another identity. */
	send_ping(&e, NULL);
	pingback = wait_rx(&e, 0, P2P_DISC_PING, 1000);
	CHECK(pingback != NULL);
	if (pingback == NULL) {
		env_close(&e);
		return;
	}
	send_unsolicited(&e, l);
	keygen(&other, &opub);
	send_pong(&e, pingback, &other);
	CHECK(settle(&e));
	stats(&e, &st);
	CHECK_INT(st.unsolicited, 7);
	check_table_unchanged(&e, len, l);

	/* None of that used up the wait: the real pong still bonds. */
	send_pong(&e, pingback, NULL);
	CHECK(run_until(e.base, attacker_in_table, &e, 1000));
	CHECK_INT(p2p_table_len(p2p_disc_table(e.d)), len + 1);
	stats(&e, &st);
	CHECK_INT(st.unsolicited, 7);
	CHECK_INT(st.dropped + st.expired + st.unbonded, 0);
	env_close(&e);
}

/* ---- 6. a ping flood ---- */

#define FLOOD_PINGS 8000		/* 4 per key: every key pings again and again */
#define FLOOD_KEYS 2000
#define FLOOD_PKT 192		/* room for one encoded ping */
#define FLOOD_WINDOW 128		/* pings in flight at once */
#define FLOOD_STALL_MS 3000	/* no reply this long: count the rest lost
				 * (on loopback only a drop does that: a
				 * shorter wait fired when the process was
				 * not run, reopened the window and
				 * overflowed the socket buffers) */
#define FLOOD_VERIFY_EVERY 256	/* pongs checked in full (signature) */
#define FLOOD_PROBE_MS 50	/* how often the node pings a silent port */
#define FLOOD_PROBES 200
#define FLOOD_GUARD_MS 300000	/* a hang guard only: a loaded machine
				 * under ASan is slow, never this slow */

struct hidx {
	uint8_t h[32];
	uint32_t i;
};

struct flood;

/* One of the node's own pings to a silent port during the flood. */
struct probe {
	struct flood *f;
	uint64_t start_ms;
};

struct flood {
	struct event_base *base;
	struct p2p_disc *d;
	struct p2p_node silent;
	struct probe probe[FLOOD_PROBES];
	size_t nprobe, refused, timeouts;
	uint64_t probe_ms, probe_max_ms;
	const struct p2p_pubkey *node;
	int fd;
	uint16_t dport;
	uint8_t (*pkt)[FLOOD_PKT];
	uint8_t *len;
	struct hidx *idx;		/* sorted by hash */
	uint8_t *answered;
	uint64_t *pb_ms;		/* when each ping-back came */
	size_t npb, sent, pongs, dups, strays, lost;
	uint64_t progress_ms;
	int done;
};

static int
hidx_cmp(const void *a, const void *b)
{
	return memcmp(((const struct hidx *)a)->h,
	    ((const struct hidx *)b)->h, 32);
}

/* The ping hash of a pong, without the cost of recovering its signer. */
static int
pong_hash(const uint8_t *buf, size_t n, uint8_t h[32])
{
	struct p2p_rlp_item list, it;
	struct p2p_rlp_iter i;

	if (n <= P2P_DISC_HEAD_LEN ||
	    p2p_rlp_decode_prefix(&list, buf + P2P_DISC_HEAD_LEN,
	    n - P2P_DISC_HEAD_LEN) != 0 || p2p_rlp_iter_init(&i, &list) != 0 ||
	    p2p_rlp_iter_next(&i, &it) != 1 || p2p_rlp_iter_next(&i, &it) != 1)
		return -1;
	return p2p_rlp_bytes_exact(&it, h, 32);
}

static void
flood_pong(struct flood *f, const uint8_t *buf, size_t n)
{
	struct hidx key, *hit;

	if (pong_hash(buf, n, key.h) != 0 || (hit = bsearch(&key, f->idx,
	    FLOOD_PINGS, sizeof(*f->idx), hidx_cmp)) == NULL) {
		f->strays++;
		return;
	}
	if (f->answered[hit->i]++) {
		f->dups++;
		return;
	}
	if (f->pongs++ % FLOOD_VERIFY_EVERY == 0) {
		struct p2p_disc_packet p;
		struct p2p_pubkey from;

		if (p2p_disc_decode(&p, NULL, &from, buf, n) != 0 ||
		    memcmp(from.b, f->node->b, 64) != 0)
			f->strays++;
	}
}

static void
flood_pump(struct flood *f)
{
	while (f->sent < FLOOD_PINGS &&
	    f->sent < f->pongs + f->lost + FLOOD_WINDOW &&
	    send_to(f->fd, f->dport, f->pkt[f->sent], f->len[f->sent]) == 0)
		f->sent++;
}

static void
flood_read(evutil_socket_t fd, short what, void *arg)
{
	struct flood *f = arg;
	uint8_t buf[P2P_DISC_MAX_PACKET];
	ssize_t n;

	(void)what;
	while ((n = recv(fd, buf, sizeof(buf), 0)) >= 0) {
		f->progress_ms = unit_now_ms();
		if (n > P2P_DISC_HEAD_LEN && buf[97] == P2P_DISC_PING &&
		    f->npb < FLOOD_PINGS)
			f->pb_ms[f->npb++] = f->progress_ms;
		else if (n > P2P_DISC_HEAD_LEN && buf[97] == P2P_DISC_PONG)
			flood_pong(f, buf, (size_t)n);
		else
			f->strays++;
	}
	flood_pump(f);
}

static void
probe_done(void *arg, int err, const struct p2p_node *n, uint64_t rtt,
    int has_seq, uint64_t seq)
{
	struct probe *p = arg;
	uint64_t took = unit_now_ms() - p->start_ms;

	(void)n;
	(void)rtt;
	(void)has_seq;
	(void)seq;
	if (err == P2P_ETIMEOUT)
		p->f->timeouts++;
	if (took > p->f->probe_max_ms)
		p->f->probe_max_ms = took;
}

/* The node's own requests go on during the flood: how late do their
 * timeouts come, and how many are refused for the pending cap? */
static void
flood_probe(struct flood *f, uint64_t now)
{
	struct probe *p = &f->probe[f->nprobe];
	int rc;

	if (f->nprobe == FLOOD_PROBES || now - f->probe_ms < FLOOD_PROBE_MS)
		return;
	f->probe_ms = now;
	p->f = f;
	p->start_ms = now;
	if ((rc = p2p_disc_ping(f->d, &f->silent, probe_done, p)) == 0)
		f->nprobe++;
	else
		f->refused += rc == P2P_ETOOBIG;
}

static void
flood_tick(evutil_socket_t fd, short what, void *arg)
{
	struct flood *f = arg;
	uint64_t now = unit_now_ms();

	(void)fd;
	(void)what;
	if (!f->done)
		flood_probe(f, now);
	if (now - f->progress_ms > FLOOD_STALL_MS) {
		/* What is still out is lost: open the window again. */
		if (f->sent > f->pongs + f->lost)
			f->lost = f->sent - f->pongs;
		f->done = f->sent == FLOOD_PINGS;
		f->progress_ms = now;
	}
	if (f->pongs == FLOOD_PINGS)
		f->done = 1;
	if (f->done)
		event_base_loopbreak(f->base);
	else
		flood_pump(f);
}

/* Signs every ping up front: ping i from key i % FLOOD_KEYS, made unique
 * by its enr_seq. */
static void
flood_prepare(struct flood *f, const struct env *e)
{
	struct p2p_privkey *keys = calloc(FLOOD_KEYS, sizeof(*keys));
	struct p2p_disc_packet p;

	f->pkt = calloc(FLOOD_PINGS, sizeof(*f->pkt));
	f->len = calloc(FLOOD_PINGS, 1);
	f->idx = calloc(FLOOD_PINGS, sizeof(*f->idx));
	f->answered = calloc(FLOOD_PINGS, 1);
	f->pb_ms = calloc(FLOOD_PINGS, sizeof(*f->pb_ms));
	if (keys == NULL || f->pkt == NULL || f->len == NULL ||
	    f->idx == NULL || f->answered == NULL || f->pb_ms == NULL)
		abort();
	for (size_t k = 0; k < FLOOD_KEYS; k++)
		if (p2p_secp_keygen(&keys[k]) != 0)
			abort();
	mkping(e, &p, unix_now() + 60);
	p.u.ping.has_seq = 1;
	for (size_t i = 0; i < FLOOD_PINGS; i++) {
		size_t n;

		p.u.ping.enr_seq = i;
		if (p2p_disc_encode(f->pkt[i], FLOOD_PKT, &n, f->idx[i].h, &p,
		    &keys[i % FLOOD_KEYS]) != 0)
			abort();
		f->len[i] = (uint8_t)n;
		f->idx[i].i = (uint32_t)i;
	}
	qsort(f->idx, FLOOD_PINGS, sizeof(*f->idx), hidx_cmp);
	free(keys);
}

static void
flood_free(struct flood *f)
{
	free(f->pkt);
	free(f->len);
	free(f->idx);
	free(f->answered);
	free(f->pb_ms);
}

/* The most ping-backs that came within any span of ms. */
static size_t
max_in_span(const uint64_t *t, size_t n, uint64_t ms)
{
	size_t best = 0;

	for (size_t i = 0, j = 0; j < n; j++) {
		while (t[j] - t[i] >= ms)
			i++;
		if (j - i + 1 > best)
			best = j - i + 1;
	}
	return best;
}

/* Points f at e's node and socket, and at a silent socket for the
 * probes.  Returns that socket. */
static int
flood_start(struct flood *f, struct env *e)
{
	int sfd;

	f->base = e->base;
	f->d = e->d;
	f->node = &p2p_disc_self(e->d)->pub;
	f->fd = e->fd;
	f->dport = e->dport;
	sfd = udp_socket(&f->silent.udp, 0);
	f->silent.tcp = f->silent.udp;
	f->silent.ip = loopback(1);
	f->silent.pub = e->pub;
	f->silent.id = e->id;
	return sfd;
}

static int
flood_is_done(void *arg)
{
	return ((struct flood *)arg)->done;
}

/* Every probe has timed out, the node has read every ping and all it
 * sent has been read here: counts, not a time, end the test. */
static int
flood_is_settled(void *arg)
{
	struct flood *f = arg;
	struct p2p_disc_stats st;

	p2p_disc_get_stats(f->d, &st);
	return f->timeouts == f->nprobe && st.in == f->sent &&
	    st.out == f->pongs + f->dups + f->strays + f->npb + f->nprobe;
}

static void
flood_check(const struct flood *f, const struct env *e)
{
	struct p2p_disc_stats st;
	size_t span = max_in_span(f->pb_ms, f->npb,
	    P2P_DISC_RESP_TIMEOUT_MS - 50);

	printf("# flood: %zu pongs, %zu ping-backs (at most %zu within "
	    "450 ms), %zu counted lost; own pings meanwhile: %zu sent, %zu "
	    "refused (ETOOBIG), %zu timed out, the latest after %llu ms\n",
	    f->pongs, f->npb, span, f->lost, f->nprobe, f->refused,
	    f->timeouts, (unsigned long long)f->probe_max_ms);
	CHECK(f->done);
	CHECK_INT(f->sent, FLOOD_PINGS);
	CHECK_MSG(f->pongs >= FLOOD_PINGS * 9 / 10, "only %zu pongs",
	    f->pongs);
	CHECK_INT(f->dups, 0);
	CHECK_INT(f->strays, 0);
	CHECK(f->npb > 0);
	stats(e, &st);
	/* Ping-backs are never answered, so they pile up as pending replies
	 * until the cap stops them.  The span of their arrival times above
	 * is printed only: it depends on how promptly this process ran. */
	CHECK_MSG(st.pending_max <= P2P_DISC_MAX_PENDING, "%llu replies "
	    "pending at once, over the %d cap",
	    (unsigned long long)st.pending_max, P2P_DISC_MAX_PENDING);
	CHECK_INT(f->timeouts, f->nprobe);
	CHECK(f->probe_max_ms >= P2P_DISC_RESP_TIMEOUT_MS);
	CHECK(st.in <= FLOOD_PINGS);
	CHECK(st.in >= f->pongs);
	CHECK_INT(st.dropped + st.expired + st.unsolicited, 0);
	CHECK_INT(st.out, f->pongs + f->npb + f->nprobe);
}

static void
test_flood(void)
{
	struct env e;
	struct flood f;
	struct event *rev, *tick;
	struct timeval tv = { 0, 5000 };
	uint64_t t0;
	int sfd;

	env_open(&e);
	memset(&f, 0, sizeof(f));
	flood_prepare(&f, &e);
	sfd = flood_start(&f, &e);
	event_del(e.ev);
	rev = event_new(e.base, e.fd, EV_READ | EV_PERSIST, flood_read, &f);
	tick = event_new(e.base, -1, EV_PERSIST, flood_tick, &f);
	if (rev == NULL || tick == NULL || event_add(rev, NULL) != 0 ||
	    event_add(tick, &tv) != 0)
		abort();
	t0 = unit_now_ms();
	f.progress_ms = t0;
	flood_pump(&f);
	run_until(e.base, flood_is_done, &f, FLOOD_GUARD_MS);
	printf("# flood: %zu pings in %.2f s\n", f.sent,
	    (double)(unit_now_ms() - t0) / 1000);
	/* Let the last probes time out and every reply come in. */
	event_del(tick);
	run_until(e.base, flood_is_settled, &f, FLOOD_GUARD_MS);
	flood_check(&f, &e);
	event_free(rev);
	event_free(tick);
	close(sfd);
	flood_free(&f);
	env_close(&e);
}

/* The cap itself: P2P_DISC_MAX_PENDING pings of our own to a socket that
 * never answers fill it; then a ping is answered with a pong and no
 * ping-back, and requests are refused, until the 500 ms have passed. */

struct tally {
	size_t ok, timeout, other;
};

static void
tally_pong(void *arg, int err, const struct p2p_node *n, uint64_t rtt,
    int has_seq, uint64_t seq)
{
	struct tally *t = arg;

	(void)n;
	(void)rtt;
	(void)has_seq;
	(void)seq;
	if (err == 0)
		t->ok++;
	else if (err == P2P_ETIMEOUT)
		t->timeout++;
	else
		t->other++;
}

static void
never_nodes(void *arg, int err, const struct p2p_node *n,
    const struct p2p_node *nodes, size_t count)
{
	(void)err;
	(void)n;
	(void)nodes;
	(void)count;
	((struct tally *)arg)->other++;
}

static void
never_enr(void *arg, int err, const struct p2p_node *n,
    const struct p2p_enr *r)
{
	(void)err;
	(void)n;
	(void)r;
	((struct tally *)arg)->other++;
}

static int
one_answered(void *arg)
{
	return ((struct tally *)arg)->ok >= 1;
}

static void
test_pending_cap(void)
{
	struct env e;
	struct tally t = { 0, 0, 0 };
	struct p2p_disc_stats st0, st;
	struct p2p_disc_packet ping, pong;
	struct p2p_pubkey from;
	struct p2p_node sink;
	struct p2p_privkey skey;
	uint8_t buf[P2P_DISC_MAX_PACKET + 1], hash[32];
	size_t fails = 0, from_rx;
	ssize_t n;
	uint16_t sport;
	int sfd;

	/* Nothing may time out on its own here, however slow the machine:
	 * the cap is drained by a reply, an event, not by the clock. */
	env_resp_timeout_ms = 3600 * 1000;
	env_open(&e);
	env_resp_timeout_ms = 0;
	sfd = udp_socket(&sport, 0);
	/* The sink is a node of its own, so that its pong leaves the
	 * attacker unbonded (and pinged back at the end). */
	memset(&sink, 0, sizeof(sink));
	keygen(&skey, &sink.pub);
	p2p_enode_id(&sink.id, &sink.pub);
	sink.ip = loopback(1);
	sink.udp = sink.tcp = sport;
	for (size_t i = 0; i < P2P_DISC_MAX_PENDING; i++)
		fails += p2p_disc_ping(e.d, &sink, tally_pong, &t) != 0;
	CHECK_INT(fails, 0);
	CHECK_INT(p2p_disc_ping(e.d, &sink, tally_pong, &t), P2P_ETOOBIG);
	CHECK_INT(p2p_disc_findnode(e.d, &sink, &e.pub, never_nodes, &t),
	    P2P_ETOOBIG);
	CHECK_INT(p2p_disc_request_enr(e.d, &sink, never_enr, &t),
	    P2P_ETOOBIG);
	/* Full: a ping is answered with a pong and no ping-back. */
	stats(&e, &st0);
	send_ping(&e, NULL);
	CHECK(wait_rx(&e, 0, P2P_DISC_PONG, 300) != NULL);
	stats(&e, &st);
	CHECK_INT(st.out - st0.out, 1);
	CHECK_INT(t.ok + t.timeout + t.other, 0);
	/* The sink answers one of the node's pings: one slot frees. */
	n = recv(sfd, buf, sizeof(buf), 0);
	CHECK(n > 0 && p2p_disc_decode(&ping, hash, &from, buf, (size_t)n) ==
	    0 && ping.type == P2P_DISC_PING);
	mkpkt(&pong, P2P_DISC_PONG, unix_now() + 20);
	set_ep(&pong.u.pong.to, e.dport, e.dport);
	memcpy(pong.u.pong.ping_hash, hash, 32);
	n = (ssize_t)encode(&e, &pong, &skey, buf, NULL);
	CHECK_INT(send_to(sfd, e.dport, buf, (size_t)n), 0);
	CHECK(run_until(e.base, one_answered, &t, 1000));
	CHECK_INT(t.ok, 1);
	/* Room again: a ping is answered and pinged back. */
	from_rx = e.nrx;
	send_ping(&e, NULL);
	CHECK(wait_rx(&e, from_rx, P2P_DISC_PONG, 1000) != NULL);
	CHECK(wait_rx(&e, from_rx, P2P_DISC_PING, 1000) != NULL);
	close(sfd);
	env_close(&e);
}

/* ---- 7. two nodes through the API ---- */

struct result {
	int done, err;
	uint64_t rtt_us, seq, at_ms;
	int has_seq;
	struct p2p_nodeid id;		/* the node the callback names */
	struct p2p_enr rec;
	struct p2p_node nodes[P2P_TABLE_BUCKET_SIZE];
	size_t n;
};

static void
on_pong(void *arg, int err, const struct p2p_node *n, uint64_t rtt,
    int has_seq, uint64_t seq)
{
	struct result *r = arg;

	r->done++;
	r->err = err;
	r->id = n->id;
	r->rtt_us = rtt;
	r->has_seq = has_seq;
	r->seq = seq;
	r->at_ms = unit_now_ms();
}

static void
on_enr(void *arg, int err, const struct p2p_node *n, const struct p2p_enr *rec)
{
	struct result *r = arg;

	r->done++;
	r->err = err;
	r->id = n->id;
	if (rec != NULL)
		r->rec = *rec;
}

static void
on_nodes(void *arg, int err, const struct p2p_node *n,
    const struct p2p_node *nodes, size_t count)
{
	struct result *r = arg;

	r->done++;
	r->err = err;
	r->id = n->id;
	r->n = count < P2P_TABLE_BUCKET_SIZE ? count : P2P_TABLE_BUCKET_SIZE;
	memcpy(r->nodes, nodes, r->n * sizeof(r->nodes[0]));
}

static int
is_done(void *arg)
{
	return ((struct result *)arg)->done > 0;
}

static struct p2p_disc *
new_node(struct event_base *base)
{
	struct p2p_disc_cfg cfg;
	struct p2p_privkey k;
	struct p2p_pubkey pub;
	struct p2p_disc *d;

	keygen(&k, &pub);
	memset(&cfg, 0, sizeof(cfg));
	cfg.key = &k;
	cfg.ip = loopback(1);
	cfg.seed = rnd() | 1;
	if (p2p_disc_new(&d, base, &cfg) != 0)
		abort();
	return d;
}

static void
check_enr_of(const struct result *r, struct p2p_disc *b)
{
	struct p2p_nodeid id;

	CHECK_INT(r->done, 1);
	CHECK_INT(r->err, 0);
	CHECK(memcmp(r->id.b, p2p_disc_self(b)->id.b, 32) == 0);
	CHECK_INT(p2p_enr_nodeid(&r->rec, &id), 0);
	CHECK(memcmp(id.b, p2p_disc_self(b)->id.b, 32) == 0);
	CHECK_INT(r->rec.seq, p2p_disc_record(b)->seq);
	CHECK_INT(p2p_enr_verify(&r->rec), 0);
}

/* r's nodes are exactly b's table without a. */
static void
check_nodes_of(const struct result *r, struct p2p_disc *a,
    struct p2p_disc *b, size_t want)
{
	const struct p2p_table *t = p2p_disc_table(b);

	CHECK_INT(r->done, 1);
	CHECK_INT(r->err, 0);
	CHECK_INT(r->n, want);
	/* a is in b's table (bonded), and left out of the answer. */
	CHECK(p2p_table_get(t, &p2p_disc_self(a)->id) != NULL);
	CHECK_INT(p2p_table_len(t), want + 1);
	for (size_t i = 0; i < r->n; i++) {
		const struct p2p_table_entry *te = p2p_table_get(t,
		    &r->nodes[i].id);

		CHECK(te != NULL);
		if (te == NULL)
			continue;
		CHECK(memcmp(te->node.pub.b, r->nodes[i].pub.b, 64) == 0);
		CHECK_INT(te->node.udp, r->nodes[i].udp);
		CHECK(memcmp(te->node.ip.b, r->nodes[i].ip.b, 4) == 0);
	}
}

static void
ping_closed_port(struct p2p_disc *a, struct event_base *base,
    const struct p2p_node *like)
{
	struct p2p_node n = *like;
	struct result r;
	uint64_t t0;
	uint16_t port;

	close(udp_socket(&port, 0));
	n.udp = port;
	memset(&r, 0, sizeof(r));
	t0 = unit_now_ms();
	CHECK_INT(p2p_disc_ping(a, &n, on_pong, &r), 0);
	CHECK(run_until(base, is_done, &r, 1500));
	CHECK_INT(r.done, 1);
	CHECK_INT(r.err, P2P_ETIMEOUT);
	CHECK_MSG(r.at_ms - t0 >= P2P_DISC_RESP_TIMEOUT_MS - 10 &&
	    r.at_ms - t0 < 1000, "timed out after %llu ms",
	    (unsigned long long)(r.at_ms - t0));
	n.udp = 0;
	CHECK_INT(p2p_disc_ping(a, &n, on_pong, &r), P2P_EIP);
}

static void
test_two_nodes(void)
{
	struct event_base *base = event_base_new();
	struct p2p_disc *a, *b;
	struct result *r = calloc(1, sizeof(*r));
	struct p2p_privkey tk;
	struct p2p_pubkey target;
	const struct p2p_node *nb;

	if (base == NULL || r == NULL)
		abort();
	a = new_node(base);
	b = new_node(base);
	nb = p2p_disc_self(b);
	fill_table(p2p_disc_table(b), 5);

	/* No bond yet: ping, wait for b's ping, then ask. */
	CHECK_INT(p2p_disc_request_enr(a, nb, on_enr, r), 0);
	CHECK(run_until(base, is_done, r, 2000));
	check_enr_of(r, b);

	memset(r, 0, sizeof(*r));
	keygen(&tk, &target);
	CHECK_INT(p2p_disc_findnode(a, nb, &target, on_nodes, r), 0);
	CHECK(run_until(base, is_done, r, 2000));
	check_nodes_of(r, a, b, 5);

	memset(r, 0, sizeof(*r));
	CHECK_INT(p2p_disc_ping(a, nb, on_pong, r), 0);
	CHECK(run_until(base, is_done, r, 2000));
	CHECK_INT(r->done, 1);
	CHECK_INT(r->err, 0);
	CHECK(r->rtt_us > 0);
	CHECK_INT(r->has_seq, 1);
	CHECK_INT(r->seq, p2p_disc_record(b)->seq);
	CHECK(memcmp(r->id.b, nb->id.b, 32) == 0);
	/* b answered a and holds it as verified; a holds b. */
	CHECK(p2p_table_get(p2p_disc_table(a), &nb->id) != NULL);

	ping_closed_port(a, base, nb);
	p2p_disc_free(a);
	p2p_disc_free(b);
	event_base_free(base);
	free(r);
}

/* Lookup results: every node once (a node the lookup started from and a
 * reply named again was once counted twice). */
struct lookup_res {
	int done;
	size_t n;
	struct p2p_node nodes[P2P_TABLE_BUCKET_SIZE];
};

static void
on_lookup_done(void *arg, const struct p2p_node *closest, size_t count)
{
	struct lookup_res *lr = arg;

	lr->done = 1;
	lr->n = count;
	memcpy(lr->nodes, closest, count * sizeof(closest[0]));
}

static int
lookup_is_done(void *arg)
{
	return ((struct lookup_res *)arg)->done;
}

static void
test_lookup_distinct(void)
{
	enum { N = 8 };
	struct event_base *base = event_base_new();
	struct p2p_disc *d[N];
	struct lookup_res lr;
	struct p2p_privkey tk;
	struct p2p_pubkey target;

	if (base == NULL)
		abort();
	for (int i = 0; i < N; i++)
		d[i] = new_node(base);
	/* Everyone knows everyone, so replies name nodes the first node
	 * started from but has not asked yet (alpha is 3). */
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			if (i != j)
				p2p_table_add_verified(p2p_disc_table(d[i]),
				    p2p_disc_self(d[j]), 1);
	memset(&lr, 0, sizeof(lr));
	keygen(&tk, &target);
	CHECK_INT(p2p_disc_lookup(d[0], &target, NULL, on_lookup_done, &lr),
	    0);
	CHECK(run_until(base, lookup_is_done, &lr, 3000));
	CHECK_INT(lr.n, N - 1);
	for (size_t i = 0; i < lr.n; i++)
		for (size_t j = i + 1; j < lr.n; j++)
			CHECK(memcmp(lr.nodes[i].id.b, lr.nodes[j].id.b, 32) != 0);
	for (int i = 0; i < N; i++)
		p2p_disc_free(d[i]);
	event_base_free(base);
}

/* What the node received through p2p_disc_findnode. */
struct got_list {
	int done, err;
	size_t n;
	struct p2p_node nodes[P2P_TABLE_BUCKET_SIZE];
};

static void
on_list(void *arg, int err, const struct p2p_node *n,
    const struct p2p_node *nodes, size_t count)
{
	struct got_list *g = arg;

	(void)n;
	g->done = 1;
	g->err = err;
	g->n = count;
	memcpy(g->nodes, nodes, count * sizeof(nodes[0]));
}

static int
list_done(void *arg)
{
	return ((struct got_list *)arg)->done;
}

static void
rpcnode(struct p2p_disc_rpcnode *r, const char *ip, uint16_t udp,
    const struct p2p_pubkey *pub)
{
	struct p2p_ip a;

	if (p2p_ip_parse(&a, ip, strlen(ip)) != 0)
		abort();
	memset(r, 0, sizeof(*r));
	r->ep.ip_len = a.len;
	memcpy(r->ep.ip, a.b, a.len);
	r->ep.udp = r->ep.tcp = udp;
	memcpy(r->id, pub->b, 64);
}

/*
 * v1.8.24's relay rules in the engine, both ways.  Answering findnode, a
 * node in a special range (192.0.2.0/24, documentation) is never handed
 * out.  Receiving neighbors, it drops UDP ports up to 1024, special
 * addresses, keys that are not curve points, and (NetRestrict) addresses
 * outside the allowed networks; the rest reach the caller.
 */
static void
test_relay_rules(void)
{
	struct env e;
	struct p2p_node special, node;
	struct p2p_disc_packet p;
	struct p2p_netlist only_loopback;
	struct p2p_pubkey k[5];
	struct p2p_privkey sk;
	struct got_list g;
	const struct rx *r;
	size_t from;

	env_open(&e);
	/* Out: the special node stays in the table, out of replies. */
	made_up_node(&special, 1);
	special.ip.len = 4;
	special.ip.b[0] = 192;
	special.ip.b[1] = 0;
	special.ip.b[2] = 2;
	special.ip.b[3] = 5;
	made_up_node(&node, 2);
	CHECK_INT(p2p_table_add_verified(p2p_disc_table(e.d), &special, 1), 1);
	CHECK_INT(p2p_table_add_verified(p2p_disc_table(e.d), &node, 1), 1);
	CHECK(bond(&e));
	from = e.nrx;
	mkpkt(&p, P2P_DISC_FINDNODE, unix_now() + 20);
	memcpy(p.u.findnode.target, special.pub.b, 64);
	send_pkt(&e, &p, NULL, NULL);
	r = wait_rx(&e, from, P2P_DISC_NEIGHBORS, 1000);
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_INT(r->pkt.u.neighbors.n, 1);
		CHECK(memcmp(r->pkt.u.neighbors.nodes[0].id, node.pub.b,
		    64) == 0);
	}

	/* In: the node asks the attacker, who answers with one good node and
	 * four it must drop. */
	CHECK_INT(p2p_netlist_parse(&only_loopback, "127.0.0.0/8"), 0);
	env_close(&e);
	env_open(&e);
	p2p_disc_free(e.d);
	{
		struct p2p_disc_cfg cfg;

		memset(&cfg, 0, sizeof(cfg));
		cfg.key = &e.dkey;
		cfg.ip = loopback(1);
		cfg.seed = rnd() | 1;
		cfg.netrestrict = &only_loopback;
		if (p2p_disc_new(&e.d, e.base, &cfg) != 0)
			abort();
		e.dport = p2p_disc_self(e.d)->udp;
	}
	for (int i = 0; i < 5; i++)
		keygen(&sk, &k[i]);
	memset(&k[3], 0x5a, sizeof(k[3]));	/* not on the curve */
	memset(&node, 0, sizeof(node));
	node.pub = e.pub;
	p2p_enode_id(&node.id, &node.pub);
	node.ip = loopback(1);
	node.udp = node.tcp = e.port;
	memset(&g, 0, sizeof(g));
	from = e.nrx;
	CHECK_INT(p2p_disc_findnode(e.d, &node, &k[0], on_list, &g), 0);
	r = wait_rx(&e, from, P2P_DISC_PING, 1000);	/* its bonding ping */
	CHECK(r != NULL);
	if (r != NULL)
		send_pong(&e, r, NULL);
	r = wait_rx(&e, from, P2P_DISC_FINDNODE, 1000);
	CHECK(r != NULL);
	mkpkt(&p, P2P_DISC_NEIGHBORS, unix_now() + 20);
	rpcnode(&p.u.neighbors.nodes[0], "127.0.0.9", 30400, &k[0]);
	rpcnode(&p.u.neighbors.nodes[1], "127.0.0.10", 1000, &k[1]);
	rpcnode(&p.u.neighbors.nodes[2], "192.0.2.7", 30400, &k[2]);
	rpcnode(&p.u.neighbors.nodes[3], "127.0.0.11", 30400, &k[3]);
	rpcnode(&p.u.neighbors.nodes[4], "10.1.2.3", 30400, &k[4]);
	p.u.neighbors.n = 5;
	send_pkt(&e, &p, NULL, NULL);
	CHECK(run_until(e.base, list_done, &g, 1000));
	CHECK_INT(g.err, 0);
	CHECK_INT(g.n, 1);
	CHECK(g.n == 0 || memcmp(g.nodes[0].pub.b, k[0].b, 64) == 0);
	CHECK(g.n == 0 || g.nodes[0].udp == 30400);
	env_close(&e);
}

/* v1.8.24's rule: a node that fails findnode five times in a row leaves
 * the table; each failed lookup query counts one, in the node DB. */
static void
test_findnode_failures(void)
{
	struct event_base *base = event_base_new();
	struct p2p_disc *a;
	struct p2p_node dead;
	struct p2p_privkey k;
	struct lookup_res lr;
	uint16_t port;

	if (base == NULL)
		abort();
	a = new_node(base);
	memset(&dead, 0, sizeof(dead));
	keygen(&k, &dead.pub);
	p2p_enode_id(&dead.id, &dead.pub);
	dead.ip.len = 4;
	dead.ip.b[0] = 127;
	dead.ip.b[3] = 1;
	close(udp_socket(&port, 0));	/* a port nobody answers on */
	dead.udp = dead.tcp = port;
	CHECK_INT(p2p_table_add_verified(p2p_disc_table(a), &dead, 1), 1);
	for (unsigned i = 1; i <= P2P_TABLE_MAX_FAILS; i++) {
		memset(&lr, 0, sizeof(lr));
		CHECK_INT(p2p_disc_lookup(a, &dead.pub, NULL, on_lookup_done,
		    &lr), 0);
		CHECK(run_until(base, lookup_is_done, &lr, 2000));
		CHECK_INT(lr.n, 0);
		CHECK_INT(p2p_nodedb_fails(p2p_disc_db(a), &dead.id, &dead.ip),
		    i);
		CHECK_MSG((p2p_table_get(p2p_disc_table(a), &dead.id) != NULL) ==
		    (i < P2P_TABLE_MAX_FAILS), "after %u failures", i);
	}
	p2p_disc_free(a);
	event_base_free(base);
}

/*
 * A busy node: every loop iteration starts a request before the reply
 * timer's callback gets its turn (an always-writable socket's callback
 * pings).  The timer must still fire once the first deadline is past.
 * When enqueue() re-added the timer on every request, that took an already
 * fired timer off libevent's active list and the timeout waited until the
 * pending cap stopped new requests.
 */
struct starve {
	struct p2p_disc *d;
	struct p2p_node silent;
	uint64_t start_ms;
	struct result probe;
	struct tally extra;
	size_t started, refused;
};

static void
starve_cb(evutil_socket_t fd, short what, void *arg)
{
	struct starve *s = arg;

	(void)fd;
	(void)what;
	if (s->probe.done || unit_now_ms() < s->start_ms)
		return;
	if (p2p_disc_ping(s->d, &s->silent, tally_pong, &s->extra) == 0)
		s->started++;
	else
		s->refused++;
}

static void
test_timer_starved(void)
{
	struct env e;
	struct starve *s = calloc(1, sizeof(*s));
	struct event *busy;
	uint64_t t0;
	int sfd;

	if (s == NULL)
		abort();
	env_open(&e);
	sfd = udp_socket(&s->silent.udp, 0);
	s->d = e.d;
	s->silent.tcp = s->silent.udp;
	s->silent.ip = loopback(1);
	s->silent.pub = e.pub;
	s->silent.id = e.id;
	busy = event_new(e.base, sfd, EV_WRITE | EV_PERSIST, starve_cb, s);
	if (busy == NULL || event_add(busy, NULL) != 0)
		abort();
	t0 = unit_now_ms();
	/* Busy from 10 ms before the deadline: fewer requests than the cap
	 * by far, unless the timeout waits for the cap. */
	s->start_ms = t0 + P2P_DISC_RESP_TIMEOUT_MS - 10;
	CHECK_INT(p2p_disc_ping(e.d, &s->silent, on_pong, &s->probe), 0);
	CHECK(run_until(e.base, is_done, &s->probe, 1500));
	CHECK_INT(s->probe.err, P2P_ETIMEOUT);
	CHECK_MSG(s->refused == 0 && s->started < P2P_DISC_MAX_PENDING / 2,
	    "%zu requests started (%zu refused) before the timeout came, "
	    "%llu ms after the ping", s->started, s->refused,
	    (unsigned long long)(s->probe.at_ms - t0));
	event_free(busy);
	close(sfd);
	env_close(&e);
	free(s);
}

/*
 * A peer as go-ethereum v1.8.24 is toward `p2p-discover crawl` (its
 * bootnode's trace): an ENRRequest is an unknown packet type, dropped; a
 * ping gets a pong and, until our pong comes, a ping-back; a findnode
 * from a node whose pong it lacks is dropped ("unknown node"), and here
 * the first one always is; later ones get neighbors, empty while its table
 * holds no node it has revalidated (v1.8.24 hands out no other).  What a
 * crawl relies on: the failed ENRRequest ends alone (P2P_ETIMEOUT) and the
 * bond holds; a dropped findnode is P2P_ETIMEOUT; an answered one is err 0
 * even when it names no node: answering and knowing nobody stay apart
 * (the crawl once counted only replies naming someone, and reported a
 * v1.8.24 bootnode with nothing to give as never responding).
 */
#define V1824_GIVE 3		/* nodes in its later neighbors */
#define V1824_GUARD_MS 10000	/* a hang guard only */

struct v1824 {
	struct env *e;
	size_t seen;			/* rx[] handled so far */
	uint8_t ping_hash[32];		/* its ping-back's */
	int pinged, bonded;		/* ping-back sent, its pong came */
	size_t pings, enrreqs, findnodes, answered;
	struct p2p_pubkey give[V1824_GIVE];
	struct result *wait;		/* the operation awaited */
};

static void
v1824_neighbors(struct v1824 *v)
{
	struct p2p_disc_packet p;
	char ip[16];

	mkpkt(&p, P2P_DISC_NEIGHBORS, unix_now() + 20);
	/* The second findnode finds its table without a revalidated node. */
	for (size_t i = 0; v->findnodes > 2 && i < V1824_GIVE; i++) {
		snprintf(ip, sizeof(ip), "127.0.0.%zu", 20 + i);
		rpcnode(&p.u.neighbors.nodes[p.u.neighbors.n++], ip,
		    (uint16_t)(30400 + i), &v->give[i]);
	}
	send_pkt(v->e, &p, NULL, NULL);
	v->answered++;
}

/* Answers what the node sent since the last call, as v1.8.24 does. */
static void
v1824_react(struct v1824 *v)
{
	struct env *e = v->e;
	struct p2p_disc_packet p;

	for (; v->seen < e->nrx; v->seen++) {
		const struct rx *r = &e->rx[v->seen];

		if (!r->ok)
			continue;
		switch (r->pkt.type) {
		case P2P_DISC_PING:
			v->pings++;
			send_pong(e, r, NULL);
			if (!v->bonded) {
				mkping(e, &p, unix_now() + 20);
				send_pkt(e, &p, NULL, v->ping_hash);
				v->pinged = 1;
			}
			break;
		case P2P_DISC_PONG:
			if (v->pinged && memcmp(r->pkt.u.pong.ping_hash,
			    v->ping_hash, 32) == 0)
				v->bonded = 1;
			break;
		case P2P_DISC_ENRREQ:
			v->enrreqs++;		/* "unknown type: 5" */
			break;
		case P2P_DISC_FINDNODE:
			if (v->findnodes++ > 0 && v->bonded)
				v1824_neighbors(v);
			break;
		}
	}
}

static int
v1824_done(void *arg)
{
	struct v1824 *v = arg;

	v1824_react(v);
	return v->wait->done > 0;
}

/* One findnode to the peer as the crawl asks it; Out: res. */
static void
v1824_findnode(struct v1824 *v, const struct p2p_node *peer,
    struct result *res)
{
	memset(res, 0, sizeof(*res));
	v->wait = res;
	CHECK_INT(p2p_disc_findnode(v->e->d, peer, &peer->pub, on_nodes,
	    res), 0);
	CHECK(run_until(v->e->base, v1824_done, v, V1824_GUARD_MS));
	CHECK_INT(res->done, 1);
}

static void
test_v1824_peer(void)
{
	struct env e;
	struct v1824 *v = calloc(1, sizeof(*v));
	struct p2p_privkey sk;
	struct p2p_node peer;
	struct p2p_disc_stats st;
	struct result res;

	if (v == NULL)
		abort();
	env_open(&e);
	v->e = &e;
	for (size_t i = 0; i < V1824_GIVE; i++)
		keygen(&sk, &v->give[i]);
	memset(&peer, 0, sizeof(peer));
	peer.pub = e.pub;
	peer.id = e.id;
	peer.ip = loopback(1);
	peer.udp = peer.tcp = e.port;

	/* Its record: the bond, then requests it never answers. */
	memset(&res, 0, sizeof(res));
	v->wait = &res;
	CHECK_INT(p2p_disc_request_enr(e.d, &peer, on_enr, &res), 0);
	CHECK(run_until(e.base, v1824_done, v, V1824_GUARD_MS));
	CHECK_INT(res.done, 1);
	CHECK_INT(res.err, P2P_ETIMEOUT);
	CHECK_INT(v->pings, 1);
	CHECK(v->bonded);
	/* After our ping's pong, and again after its ping-back. */
	CHECK_INT(v->enrreqs, 2);

	/* Dropped: a timeout, no nodes. */
	v1824_findnode(v, &peer, &res);
	CHECK_INT(res.err, P2P_ETIMEOUT);
	CHECK_INT(res.n, 0);
	/* Answered, naming nobody: an answer all the same. */
	v1824_findnode(v, &peer, &res);
	CHECK_INT(res.err, 0);
	CHECK_INT(res.n, 0);
	CHECK(memcmp(res.id.b, e.id.b, 32) == 0);
	/* Answered with its nodes. */
	v1824_findnode(v, &peer, &res);
	CHECK_INT(res.err, 0);
	CHECK_INT(res.n, V1824_GIVE);
	for (size_t i = 0; i < res.n && i < V1824_GIVE; i++)
		CHECK(memcmp(res.nodes[i].pub.b, v->give[i].b, 64) == 0 &&
		    res.nodes[i].udp == 30400 + i);

	/* Neither failure cost the bond: no second ping. */
	CHECK_INT(v->pings, 1);
	CHECK_INT(v->findnodes, 3);
	CHECK_INT(v->answered, 2);
	stats(&e, &st);
	CHECK_INT(st.dropped + st.expired + st.unsolicited + st.unbonded, 0);
	env_close(&e);
	free(v);
}

/* ---- 14. the node DB keeps only what the table held ---- */

#define SYBILS 400		/* identities of one attacker, one address */

/* The IDs that ever entered a node's table (ADDED events). */
struct held {
	struct p2p_nodeid id[2 * SYBILS];
	size_t n;
};

static int
held_has(const struct held *h, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < h->n; i++)
		if (memcmp(h->id[i].b, id->b, 32) == 0)
			return 1;
	return 0;
}

static void
held_event(void *arg, const struct p2p_disc_ev *ev)
{
	struct held *h = arg;

	if (ev->type == P2P_DISC_EV_ADDED && !held_has(h, &ev->node->id) &&
	    h->n < 2 * SYBILS)
		h->id[h->n++] = ev->node->id;
}

/* A maintained node with key k on the DB file path (opened into *db, the
 * caller's to close after the node), copying table nodes to it every
 * 20 ms once they have been in the table 1 s. */
static struct p2p_disc *
db_node(struct event_base *base, const struct p2p_privkey *k,
    const char *path, struct p2p_nodedb **db, struct held *h,
    const struct p2p_netlist *nl)
{
	struct p2p_disc_cfg cfg;
	struct p2p_nodeid self;
	struct p2p_pubkey pub;
	struct p2p_disc *d;

	if (p2p_secp_pubkey(&pub, k) != 0)
		abort();
	p2p_enode_id(&self, &pub);
	if (p2p_nodedb_open(db, path, &self) != 0)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	cfg.key = k;
	cfg.ip = loopback(1);
	cfg.seed = rnd() | 1;
	cfg.db = *db;
	cfg.netrestrict = nl;
	cfg.maintain = 1;
	cfg.refresh_s = 3600;
	cfg.copy_ms = 20;
	cfg.seed_min_s = 1;
	cfg.on_event = h != NULL ? held_event : NULL;
	cfg.arg = h;
	if (p2p_disc_new(&d, base, &cfg) != 0)
		abort();
	return d;
}

struct tab_copy {
	struct p2p_node node[P2P_TABLE_NBUCKETS * P2P_TABLE_BUCKET_SIZE];
	int bucket[P2P_TABLE_NBUCKETS * P2P_TABLE_BUCKET_SIZE];
	unsigned liveness[P2P_TABLE_NBUCKETS * P2P_TABLE_BUCKET_SIZE];
	size_t n;
};

static void
tab_copy_one(void *arg, const struct p2p_table_entry *e, int bucket)
{
	struct tab_copy *c = arg;

	c->node[c->n] = e->node;
	c->bucket[c->n] = bucket;
	c->liveness[c->n++] = e->liveness;
}

static void
tab_copy(struct p2p_table *t, struct tab_copy *c)
{
	c->n = 0;
	p2p_table_foreach(t, tab_copy_one, c);
}

/* Stands in for revalidation rounds (one node per 0..10 s): every node
 * in the table has answered one. */
static void
revalidate_all(struct p2p_table *t)
{
	struct tab_copy *c = malloc(sizeof(*c));

	if (c == NULL)
		abort();
	tab_copy(t, c);
	for (size_t i = 0; i < c->n; i++)
		CHECK_INT(p2p_table_revalidated(t, &c->node[i], 0,
		    c->bucket[i]), 1);
	free(c);
}

/* The seeds d's DB gives (at most SYBILS + 16) into out. */
static size_t
db_seeds(struct p2p_disc *d, struct p2p_node *out)
{
	size_t n = 0;

	CHECK_INT(p2p_nodedb_seeds(p2p_disc_db(d), out, SYBILS + 16,
	    P2P_NODEDB_SEED_MAX_AGE, unix_now(), &n), 0);
	return n;
}

static int
among(const struct p2p_node *v, size_t n, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(v[i].id.b, id->b, 32) == 0)
			return 1;
	return 0;
}

/* Every table node that passed a revalidation is a seed in the DB. */
static int
table_copied(void *arg)
{
	struct p2p_disc *d = arg;
	struct p2p_node *seeds = calloc(SYBILS + 16, sizeof(*seeds));
	struct tab_copy *c = malloc(sizeof(*c));
	size_t n;
	int ok = 1;

	if (seeds == NULL || c == NULL)
		abort();
	n = db_seeds(d, seeds);
	tab_copy(p2p_disc_table(d), c);
	for (size_t i = 0; i < c->n && ok; i++)
		ok = c->liveness[i] == 0 || among(seeds, n, &c->node[i].id);
	free(seeds);
	free(c);
	return ok;
}

/* How many of d's seeds never were in the table h watched. */
static size_t
seeds_not_held(struct p2p_disc *d, const struct held *h, size_t *total)
{
	struct p2p_node *seeds = calloc(SYBILS + 16, sizeof(*seeds));
	size_t bad = 0;

	if (seeds == NULL)
		abort();
	*total = db_seeds(d, seeds);
	for (size_t i = 0; i < *total; i++)
		bad += !held_has(h, &seeds[i].id);
	free(seeds);
	return bad;
}

static int
table_seeded(void *arg)
{
	return p2p_table_len(p2p_disc_table(arg)) > 0;
}

/* An attacker: SYBILS identities behind one socket on 127.0.0.1. */
struct sybil {
	struct p2p_disc *d;
	int fd;
	uint16_t port;
	struct p2p_privkey key[SYBILS];
	struct p2p_node node[SYBILS];
	size_t cur;			/* the identity bonding now */
};

static void
sybil_send(struct sybil *s, struct p2p_disc_packet *p)
{
	uint8_t buf[P2P_DISC_MAX_SEND];
	size_t n;

	p->expiration = unix_now() + 20;
	if (p2p_disc_encode(buf, sizeof(buf), &n, NULL, p,
	    &s->key[s->cur]) != 0 ||
	    send_to(s->fd, p2p_disc_self(s->d)->udp, buf, n) != 0)
		abort();
}

/* Answers every ping waiting on the socket as identity s->cur (the node
 * pings back the identity that pinged it last; a revalidation ping meant
 * for another gets a pong it does not match, as no answer).  Returns 1
 * once the node has s->cur's pong. */
static int
sybil_bonded(void *arg)
{
	struct sybil *s = arg;
	uint8_t buf[P2P_DISC_MAX_PACKET], hash[32];
	struct p2p_disc_packet in, out;
	struct p2p_pubkey from;
	ssize_t n;

	while ((n = recv(s->fd, buf, sizeof(buf), 0)) > 0) {
		if (p2p_disc_decode(&in, hash, &from, buf, (size_t)n) != 0 ||
		    in.type != P2P_DISC_PING)
			continue;
		memset(&out, 0, sizeof(out));
		out.type = P2P_DISC_PONG;
		set_ep(&out.u.pong.to, p2p_disc_self(s->d)->udp,
		    p2p_disc_self(s->d)->udp);
		memcpy(out.u.pong.ping_hash, hash, 32);
		sybil_send(s, &out);
	}
	return p2p_nodedb_last_pong(p2p_disc_db(s->d), &s->node[s->cur].id,
	    &s->node[s->cur].ip) != 0;
}

/* Every identity pings the node and answers its ping-back. */
static void
sybil_attack(struct sybil *s, struct event_base *base)
{
	struct p2p_disc_packet p;

	for (s->cur = 0; s->cur < SYBILS; s->cur++) {
		mkpkt(&p, P2P_DISC_PING, 0);
		p.u.ping.version = P2P_DISC_VERSION;
		set_ep(&p.u.ping.from, s->port, ATT_TCP);
		set_ep(&p.u.ping.to, p2p_disc_self(s->d)->udp,
		    p2p_disc_self(s->d)->udp);
		sybil_send(s, &p);
		CHECK_MSG(run_until(base, sybil_bonded, s, 5000),
		    "identity %zu did not bond", s->cur);
	}
}

/*
 * SYBILS identities from 127.0.0.1 bond with a node; its table takes a
 * few, and only those may seed: the DB's seeds are nodes that were in the
 * table, and so is every node of the table seeded from the DB after a
 * restart.  The bonding bookkeeping of the others stays.  (Without the
 * fix every bonded node was a seed, and the restarted table held mostly
 * nodes the first one had refused.)
 */
static void
test_sybil_db(void)
{
	struct event_base *base = event_base_new();
	struct sybil *s = calloc(1, sizeof(*s));
	struct held *h = calloc(1, sizeof(*h));
	struct p2p_privkey k;
	struct p2p_pubkey pub;
	struct p2p_nodedb *db;
	struct tab_copy *c = malloc(sizeof(*c));
	char dir[64], path[96];
	size_t total, refused = SYBILS;

	if (base == NULL || s == NULL || h == NULL || c == NULL)
		abort();
	unit_mkdtemp(dir, sizeof(dir), "disc-db");
	snprintf(path, sizeof(path), "%s/nodes.db", dir);
	keygen(&k, &pub);
	s->d = db_node(base, &k, path, &db, h, NULL);
	s->fd = udp_socket(&s->port, 1 << 20);
	for (size_t i = 0; i < SYBILS; i++) {
		memset(&s->node[i], 0, sizeof(s->node[i]));
		keygen(&s->key[i], &s->node[i].pub);
		p2p_enode_id(&s->node[i].id, &s->node[i].pub);
		s->node[i].ip = loopback(1);
		s->node[i].udp = s->port;
	}
	sybil_attack(s, base);
	for (size_t i = 0; i < SYBILS; i++)
		refused -= held_has(h, &s->node[i].id);
	CHECK_MSG(refused > SYBILS / 2, "the table took %zu of %d",
	    SYBILS - refused, SYBILS);
	revalidate_all(p2p_disc_table(s->d));
	CHECK(run_until(base, table_copied, s->d, 10000));
	CHECK_INT(seeds_not_held(s->d, h, &total), 0);
	CHECK(total > 0);
	printf("# sybil_db: the table took %zu of %d identities; %zu seeds\n",
	    SYBILS - refused, SYBILS, total);
	p2p_disc_free(s->d);
	p2p_nodedb_close(db);

	/* The restart. */
	s->d = db_node(base, &k, path, &db, NULL, NULL);
	CHECK(run_until(base, table_seeded, s->d, 5000));
	tab_copy(p2p_disc_table(s->d), c);
	CHECK_INT(c->n, total < P2P_DISC_SEED_COUNT ? total :
	    P2P_DISC_SEED_COUNT);
	for (size_t i = 0; i < c->n; i++)
		CHECK_MSG(held_has(h, &c->node[i].id),
		    "seeded node %zu was never in the table", i);
	for (size_t i = 0; i < SYBILS; i++)
		CHECK_MSG(p2p_nodedb_last_pong(db, &s->node[i].id,
		    &s->node[i].ip) != 0, "identity %zu lost its bond", i);
	p2p_disc_free(s->d);
	p2p_nodedb_close(db);
	close(s->fd);
	unit_rmdir(dir);
	free(c);
	free(h);
	free(s);
	event_base_free(base);
}

/* A made-up node at ip with a real key; its DB rows say it bonded, and it
 * has a node row (as a record or a crawl writes one). */
static void
bonded_elsewhere(struct p2p_nodedb *db, struct p2p_node *n,
    struct p2p_ip ip)
{
	struct p2p_privkey k;

	memset(n, 0, sizeof(*n));
	keygen(&k, &n->pub);
	p2p_enode_id(&n->id, &n->pub);
	n->ip = ip;
	n->udp = n->tcp = 30303;
	CHECK_INT(p2p_nodedb_put_node(db, n, NULL, 0, 0, unix_now()), 0);
	CHECK_INT(p2p_nodedb_set_last_ping(db, &n->id, &n->ip, unix_now()),
	    0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &n->id, &n->ip, unix_now()),
	    0);
}

/* Checks the /24 limits of t for ip: per table and per bucket. */
static void
check_ip_limits(const struct p2p_table *t, const struct p2p_ip *ip)
{
	CHECK(p2p_table_ip_count(t, ip, -1) <= P2P_TABLE_IP_LIMIT);
	for (int b = 0; b < P2P_TABLE_NBUCKETS; b++)
		CHECK_MSG(p2p_table_ip_count(t, ip, b) <=
		    P2P_TABLE_BUCKET_IP_LIMIT, "bucket %d", b);
}

/*
 * The /24 limits hold for a table seeded from the DB.  Made-up nodes on
 * public addresses (the node may send only inside 127.0.0.0/8, so it
 * sends them nothing): 10 honest ones on 10 /24s and SYBILS identities on
 * one address, all bonded as far as the DB knows, all offered to the
 * table, which takes the honest ones and at most 10 of the others.  After
 * a restart the table holds the same: every honest node, the attacker
 * within the limits.  (Without the fix 30 random bonded nodes were the
 * seeds: mostly the attacker's, honest ones left out.)
 */
static void
test_seed_ip_limits(void)
{
	enum { HONEST = 10 };
	struct event_base *base = event_base_new();
	struct held *h = calloc(1, sizeof(*h));
	struct tab_copy *c = malloc(sizeof(*c));
	struct p2p_node honest[HONEST], n;
	struct p2p_ip sip = { .len = 4, .b = { 203, 0, 113, 7 } };
	struct p2p_netlist nl;
	struct p2p_privkey k;
	struct p2p_pubkey pub;
	struct p2p_nodedb *db;
	struct p2p_disc *d;
	struct p2p_table *t;
	char dir[64], path[96];
	size_t total;

	if (base == NULL || h == NULL || c == NULL ||
	    p2p_netlist_parse(&nl, "127.0.0.0/8") != 0)
		abort();
	unit_mkdtemp(dir, sizeof(dir), "disc-ip");
	snprintf(path, sizeof(path), "%s/nodes.db", dir);
	keygen(&k, &pub);
	d = db_node(base, &k, path, &db, h, &nl);
	t = p2p_disc_table(d);
	for (int i = 0; i < HONEST; i++) {
		struct p2p_ip ip = { .len = 4,
		    .b = { (uint8_t)(20 + i), 1, 2, 3 } };

		bonded_elsewhere(db, &honest[i], ip);
		CHECK_INT(p2p_table_add_seen(t, &honest[i], unix_now()), 1);
	}
	CHECK_INT(p2p_nodedb_begin(db), 0);
	for (int i = 0; i < SYBILS; i++) {
		bonded_elsewhere(db, &n, sip);
		p2p_table_add_seen(t, &n, unix_now());
	}
	CHECK_INT(p2p_nodedb_commit(db), 0);
	check_ip_limits(t, &sip);
	revalidate_all(t);
	CHECK(run_until(base, table_copied, d, 10000));
	CHECK_INT(seeds_not_held(d, h, &total), 0);
	CHECK_INT(total, p2p_table_len(t));
	p2p_disc_free(d);
	p2p_nodedb_close(db);

	/* The restart. */
	d = db_node(base, &k, path, &db, NULL, &nl);
	t = p2p_disc_table(d);
	CHECK(run_until(base, table_seeded, d, 5000));
	CHECK_INT(p2p_table_len(t), total);
	for (int i = 0; i < HONEST; i++)
		CHECK_MSG(p2p_table_get(t, &honest[i].id) != NULL,
		    "honest node %d not seeded", i);
	check_ip_limits(t, &sip);
	tab_copy(t, c);
	for (size_t i = 0; i < c->n; i++)
		CHECK_MSG(held_has(h, &c->node[i].id),
		    "seeded node %zu was never in the table", i);
	p2p_disc_free(d);
	p2p_nodedb_close(db);
	unit_rmdir(dir);
	free(c);
	free(h);
	event_base_free(base);
}

/* ---- per-type counters ---- */

static uint64_t
sum_types(const uint64_t *c)
{
	uint64_t n = 0;

	for (int t = 0; t < P2P_DISC_STATS_TYPES; t++)
		n += c[t];
	return n;
}

/* The by-type counters (metrics read them) see both send paths: replies
 * batched while a read runs (sendmmsg) and a ping from the API (sendto);
 * a packet dropped before handling is not counted by type. */
static void
test_type_counts(void)
{
	struct env e;
	struct p2p_disc_packet p;
	struct p2p_disc_stats st;
	struct p2p_node att;
	struct result r;
	const struct rx *ping;
	size_t from;

	env_open(&e);
	fill_table(p2p_disc_table(e.d), 5);
	CHECK(bond(&e));
	stats(&e, &st);
	CHECK_INT(st.in_type[P2P_DISC_PING], 1);
	CHECK_INT(st.in_type[P2P_DISC_PONG], 1);
	CHECK_INT(st.out_type[P2P_DISC_PONG], 1);
	CHECK_INT(st.out_type[P2P_DISC_PING], 1);

	mkping(&e, &p, unix_now() - 1);
	send_pkt(&e, &p, NULL, NULL);
	settle(&e);
	stats(&e, &st);
	CHECK_INT(st.expired, 1);
	CHECK_INT(st.in_type[P2P_DISC_PING], 1);

	from = e.nrx;
	mkpkt(&p, P2P_DISC_FINDNODE, unix_now() + 20);
	memcpy(p.u.findnode.target, e.pub.b, 64);
	send_pkt(&e, &p, NULL, NULL);
	CHECK(wait_rx(&e, from, P2P_DISC_NEIGHBORS, 1000) != NULL);
	mkpkt(&p, P2P_DISC_ENRREQ, unix_now() + 20);
	send_pkt(&e, &p, NULL, NULL);
	CHECK(wait_rx(&e, from, P2P_DISC_ENRRESP, 1000) != NULL);

	memset(&att, 0, sizeof(att));
	memset(&r, 0, sizeof(r));
	att.pub = e.pub;
	att.id = e.id;
	att.ip = loopback(1);
	att.udp = e.port;
	from = e.nrx;
	CHECK_INT(p2p_disc_ping(e.d, &att, on_pong, &r), 0);
	ping = wait_rx(&e, from, P2P_DISC_PING, 1000);
	CHECK(ping != NULL);
	if (ping != NULL)
		send_pong(&e, ping, NULL);
	CHECK(run_until(e.base, is_done, &r, 1000));
	CHECK_INT(r.err, 0);

	stats(&e, &st);
	CHECK_INT(st.in_type[0], 0);
	CHECK_INT(st.in_type[P2P_DISC_PING], 1);
	CHECK_INT(st.in_type[P2P_DISC_PONG], 2);
	CHECK_INT(st.in_type[P2P_DISC_FINDNODE], 1);
	CHECK_INT(st.in_type[P2P_DISC_NEIGHBORS], 0);
	CHECK_INT(st.in_type[P2P_DISC_ENRREQ], 1);
	CHECK_INT(st.in_type[P2P_DISC_ENRRESP], 0);
	CHECK_INT(st.out_type[0], 0);
	CHECK_INT(st.out_type[P2P_DISC_PING], 2);
	CHECK_INT(st.out_type[P2P_DISC_PONG], 1);
	CHECK_INT(st.out_type[P2P_DISC_FINDNODE], 0);
	CHECK_INT(st.out_type[P2P_DISC_NEIGHBORS],
	    count_rx(&e, 0, P2P_DISC_NEIGHBORS));
	CHECK(st.out_type[P2P_DISC_NEIGHBORS] >= 1);
	CHECK_INT(st.out_type[P2P_DISC_ENRRESP], 1);
	CHECK_INT(sum_types(st.out_type), st.out);
	CHECK_INT(sum_types(st.in_type), st.in - st.expired);
	CHECK_INT(st.out, e.nrx);
	env_close(&e);
}

/* ---- endpoint prediction ---- */

struct predicted {
	struct p2p_disc *d;
	struct p2p_ip ip;
	uint16_t port;
};

static int
record_says(void *arg)
{
	struct predicted *w = arg;
	const struct p2p_enr *r = p2p_disc_record(w->d);
	struct p2p_ip ip;
	uint16_t port;

	return p2p_enr_get_ip(r, &ip) == 0 && ip.len == w->ip.len &&
	    memcmp(ip.b, w->ip.b, ip.len) == 0 &&
	    p2p_enr_get_port(r, "udp", &port) == 0 && port == w->port;
}

struct count_at_least {
	const int *n;
	int want;
};

static int
count_reached(void *arg)
{
	struct count_at_least *c = arg;

	return *c->n >= c->want;
}

static void
ponged(void *arg, int err, const struct p2p_node *n, uint64_t rtt_us,
    int has_seq, uint64_t enr_seq)
{
	(void)n;
	(void)rtt_us;
	(void)has_seq;
	(void)enr_seq;
	if (err == 0)
		(*(int *)arg)++;
}

/* Ten nodes answer our pings with pongs saying our endpoint is a WAN
 * address (as they would behind a NAT): the record follows them with a
 * new sequence number (v1.8.24 UDPEndpointStatement); nine would not. */
static void
test_endpoint_prediction(void)
{
	enum { N = P2P_IPTRACK_MIN_STATEMENTS };
	struct env e;
	struct p2p_privkey keys[N];
	struct p2p_node nodes[N];
	int fds[N];
	struct predicted w;
	uint64_t seq0;
	int pongs = 0;

	env_open(&e);
	w.d = e.d;
	w.ip.len = 4;
	memcpy(w.ip.b, (uint8_t[]){ 198, 51, 100, 7 }, 4);
	w.port = 40404;
	seq0 = p2p_disc_record(e.d)->seq;
	for (int i = 0; i < N; i++) {
		memset(&nodes[i], 0, sizeof(nodes[i]));
		keygen(&keys[i], &nodes[i].pub);
		p2p_enode_id(&nodes[i].id, &nodes[i].pub);
		nodes[i].ip = loopback(1);
		fds[i] = udp_socket(&nodes[i].udp, 1 << 16);
		nodes[i].tcp = nodes[i].udp;
	}
	for (int i = 0; i < N; i++) {
		uint8_t buf[P2P_DISC_MAX_PACKET];
		struct p2p_disc_packet ping, pong;
		struct p2p_pubkey from;
		uint8_t hash[32];
		ssize_t n = -1;

		CHECK_INT(p2p_disc_ping(e.d, &nodes[i], ponged, &pongs), 0);
		/* Our node sends its ping; the fake node answers. */
		for (int k = 0; k < 200 && n < 0; k++) {
			run_ms(e.base, 5);
			n = recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT);
		}
		CHECK(n > 0);
		if (n <= 0 || p2p_disc_decode(&ping, hash, &from, buf,
		    (size_t)n) != 0)
			break;
		mkpkt(&pong, P2P_DISC_PONG, unix_now() + 20);
		pong.u.pong.to.ip_len = 4;
		memcpy(pong.u.pong.to.ip, w.ip.b, 4);
		pong.u.pong.to.udp = w.port;
		memcpy(pong.u.pong.ping_hash, hash, 32);
		{
			uint8_t out[P2P_DISC_MAX_SEND];
			size_t len = encode(&e, &pong, &keys[i], out, NULL);

			CHECK_INT(send_to(fds[i], e.dport, out, len), 0);
		}
		if (i == N - 2) {
			/* Nine pongs handled: no prediction yet. */
			struct count_at_least c = { &pongs, N - 1 };

			CHECK(run_until(e.base, count_reached, &c, 2000));
			CHECK(!record_says(&w));
		}
	}
	CHECK(run_until(e.base, record_says, &w, 2000));
	CHECK_INT(pongs, N);
	CHECK(p2p_disc_record(e.d)->seq > seq0);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	env_close(&e);
}

const struct unit_test unit_disc[] = {
	{ "endpoint_prediction", test_endpoint_prediction },
	{ "ping_pong", test_ping_pong },
	{ "findnode_bond", test_findnode_bond },
	{ "enr_request", test_enr_request },
	{ "dropped", test_dropped },
	{ "unsolicited", test_unsolicited },
	{ "flood", test_flood },
	{ "pending_cap", test_pending_cap },
	{ "two_nodes", test_two_nodes },
	{ "timer_starved", test_timer_starved },
	{ "lookup_distinct", test_lookup_distinct },
	{ "findnode_failures", test_findnode_failures },
	{ "relay_rules", test_relay_rules },
	{ "v1824_peer", test_v1824_peer },
	{ "sybil_db", test_sybil_db },
	{ "seed_ip_limits", test_seed_ip_limits },
	{ "type_counts", test_type_counts },
	{ NULL, NULL },
};
