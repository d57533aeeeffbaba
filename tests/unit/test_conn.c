/*
 * test_conn.c - a p2p_conn against a hostile peer written by hand in the
 * same process: the connection accepts one end of a socketpair on its own
 * event_base, the test drives the other end with the library's codecs
 * (rlpx.h, frame.h, proto.h) between short slices of the loop.
 *
 * The peer floods Pings without reading, reads a trickle, dribbles a
 * frame a byte at a time, sends codes no capability has, a second Hello
 * and Pongs nobody asked for.  Tests wait for conditions (a CLOSE, a
 * count, bytes queued), never for a time: the peer acts at most once per
 * slice, so a loaded machine only makes it slower than the connection's
 * small timeouts.  HANG_MS only stops a hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include <p2p/conn.h>
#include <p2p/frame.h>
#include <p2p/proto.h>
#include <p2p/rlpx.h>

#include "unit.h"

#define SLICE_MS 5
#define HANG_MS 30000		/* a hang guard only */
#define CAP (64u << 10)		/* the output cap most tests set */
/* One Pong over the cap: the connection pauses once it crosses. */
#define PONG_SLACK 64

struct peer {
	struct event_base *base;
	struct p2p_conn *c;
	int fd;				/* the peer's end */
	struct p2p_privkey ckey, pkey;	/* the connection's, the peer's */
	struct p2p_pubkey cpub, ppub;
	struct p2p_rlpx_hs *hs;		/* until the ack is read */
	struct p2p_frame *f;
	struct evbuffer *in, *out;
	/* How the peer behaves. */
	int reading;			/* reads at all */
	size_t read_per_slice;		/* 0: all there is */
	unsigned dribble;		/* one byte per this many slices */
	unsigned slices;
	long pings_left;		/* Pings still to send */
	int answer_pings;
	int want;			/* Pongs a test waits for */
	/* What the peer received. */
	int rx_hello, rx_ping, rx_pong, rx_disc, rx_err;
	unsigned disc_reason;
	/* What the connection reported. */
	int ev[P2P_CONN_EV_CLOSE + 1];
	int msgs[32];			/* MSG events by code */
	int close_err, close_reason;
	size_t max_out;			/* most output seen queued */
};

static void
sample(struct peer *p)
{
	size_t n;

	if (p->c != NULL && !p->ev[P2P_CONN_EV_CLOSE] &&
	    (n = p2p_conn_output_len(p->c)) > p->max_out)
		p->max_out = n;
}

static void
conn_cb(struct p2p_conn *c, const struct p2p_conn_ev *ev, void *arg)
{
	struct peer *p = arg;

	(void)c;
	p->ev[ev->type]++;
	if (ev->type == P2P_CONN_EV_MSG && ev->code < 32)
		p->msgs[ev->code]++;
	if (ev->type == P2P_CONN_EV_CLOSE) {
		p->close_err = ev->err;
		p->close_reason = ev->reason;
	}
	sample(p);
}

/* Queues one message from the peer. */
static void
peer_send(struct peer *p, uint64_t code, const uint8_t *data, size_t len)
{
	size_t n = p2p_frame_write_size(p->f, len);
	uint8_t *buf = malloc(n);

	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	CHECK_INT(p2p_frame_write(p->f, code, data, len, buf, &n), 0);
	evbuffer_add(p->out, buf, n);
	free(buf);
}

static void
peer_send_empty(struct peer *p, uint64_t code)
{
	static const uint8_t empty[] = { 0xc0 };

	peer_send(p, code, empty, 1);
}

static void
peer_send_hello(struct peer *p)
{
	struct p2p_hello h;
	uint8_t buf[P2P_PROTO_HELLO_MAX];
	size_t n = sizeof(buf);

	memset(&h, 0, sizeof(h));
	h.version = 4;		/* no snappy: simpler for both */
	strcpy(h.client, "hostile/v0");
	strcpy(h.caps[0].name, "foo");
	h.caps[0].version = 1;
	h.ncaps = 1;
	h.id = p->ppub;
	CHECK_INT(p2p_proto_hello_encode(&h, buf, &n), 0);
	peer_send(p, P2P_PROTO_HELLO, buf, n);
}

static void
peer_got(struct peer *p, const struct p2p_frame_msg *m)
{
	switch (m->code) {
	case P2P_PROTO_HELLO:
		p->rx_hello++;
		break;
	case P2P_PROTO_DISCONNECT:
		p->rx_disc++;
		CHECK_INT(p2p_proto_disconnect_decode(m->data, m->len,
		    &p->disc_reason), 0);
		break;
	case P2P_PROTO_PING:
		p->rx_ping++;
		if (p->answer_pings)
			peer_send_empty(p, P2P_PROTO_PONG);
		break;
	case P2P_PROTO_PONG:
		p->rx_pong++;
		break;
	}
}

/* The ack, once all of it is in: secrets, frames, our Hello. */
static void
peer_read_ack(struct peer *p)
{
	size_t len = evbuffer_get_length(p->in), used = 0;
	struct p2p_rlpx_secrets s;
	const uint8_t *b;
	int rc;

	if (len > P2P_RLPX_MSG_MAX)
		len = P2P_RLPX_MSG_MAX;
	b = evbuffer_pullup(p->in, (ev_ssize_t)len);
	if ((rc = p2p_rlpx_ack_read(p->hs, b, len, &used)) == P2P_EAGAIN)
		return;
	CHECK_INT(rc, 0);
	CHECK_INT(p2p_rlpx_secrets(p->hs, &s), 0);
	evbuffer_drain(p->in, used);
	p2p_rlpx_hs_clear(p->hs);
	free(p->hs);
	p->hs = NULL;
	p->f = p2p_frame_new(&s);
	CHECK(p->f != NULL);
	if (p->f != NULL)
		peer_send_hello(p);
}

static void
peer_read(struct peer *p)
{
	uint8_t buf[16384];
	size_t budget = p->read_per_slice ? p->read_per_slice : SIZE_MAX;
	struct p2p_frame_msg m;
	size_t used;
	ssize_t r;
	int rc;

	while (p->reading && budget > 0) {
		r = recv(p->fd, buf, budget < sizeof(buf) ? budget :
		    sizeof(buf), 0);
		if (r <= 0)
			break;
		evbuffer_add(p->in, buf, (size_t)r);
		budget -= (size_t)r;
	}
	if (p->hs != NULL)
		peer_read_ack(p);
	while (p->f != NULL && p->rx_err == 0 &&
	    evbuffer_get_length(p->in) > 0) {
		rc = p2p_frame_read(p->f, evbuffer_pullup(p->in, -1),
		    evbuffer_get_length(p->in), &used, &m);
		evbuffer_drain(p->in, used);
		if (rc == P2P_EAGAIN)
			break;
		if (rc != 0)
			p->rx_err = rc;
		else
			peer_got(p, &m);
	}
}

static void
peer_write(struct peer *p)
{
	size_t n;
	ssize_t w;

	while (p->f != NULL && p->pings_left > 0 &&
	    evbuffer_get_length(p->out) < 65536) {
		peer_send_empty(p, P2P_PROTO_PING);
		p->pings_left--;
	}
	if ((n = evbuffer_get_length(p->out)) > 65536)
		n = 65536;
	if (p->dribble && n > 0)
		n = p->slices % p->dribble == 0 ? 1 : 0;
	if (n == 0)
		return;
	/* MSG_NOSIGNAL: the connection may have closed its end. */
	w = send(p->fd, evbuffer_pullup(p->out, (ev_ssize_t)n), n,
	    MSG_NOSIGNAL);
	if (w > 0)
		evbuffer_drain(p->out, (size_t)w);
}

/* One slice of the connection's loop, then the peer's turn. */
static void
slice(struct peer *p)
{
	struct timeval tv = { 0, SLICE_MS * 1000 };

	event_base_loopexit(p->base, &tv);
	event_base_dispatch(p->base);
	sample(p);
	p->slices++;
	peer_write(p);
	peer_read(p);
}

typedef int cond_fn(const struct peer *p);

/* Runs slices until cond; 0 if the hang guard stopped it. */
static int
wait_for(struct peer *p, cond_fn *cond)
{
	uint64_t end = unit_now_ms() + HANG_MS;

	while (!cond(p)) {
		if (unit_now_ms() > end) {
			CHECK_MSG(0, "hang guard: condition never met");
			return 0;
		}
		slice(p);
	}
	return 1;
}

static int
closed(const struct peer *p)
{
	return p->ev[P2P_CONN_EV_CLOSE] > 0;
}

static int
hellos_done(const struct peer *p)
{
	return closed(p) || (p->ev[P2P_CONN_EV_HELLO] > 0 && p->rx_hello > 0);
}

static void
key(struct p2p_privkey *k, uint8_t seed)
{
	for (size_t i = 0; i < sizeof(k->b); i++)
		k->b[i] = (uint8_t)(seed + i);
}

/* A connection config with generous timeouts (a test lowers the one it
 * is about) and no pinger, so output is only what the test causes. */
static void
peer_init(struct peer *p, struct p2p_conn_cfg *cfg)
{
	memset(p, 0, sizeof(*p));
	memset(cfg, 0, sizeof(*cfg));
	p->fd = -1;
	p->base = event_base_new();
	p->in = evbuffer_new();
	p->out = evbuffer_new();
	CHECK(p->base != NULL && p->in != NULL && p->out != NULL);
	key(&p->ckey, 0x11);
	key(&p->pkey, 0x42);
	CHECK_INT(p2p_secp_pubkey(&p->cpub, &p->ckey), 0);
	CHECK_INT(p2p_secp_pubkey(&p->ppub, &p->pkey), 0);
	cfg->base = p->base;
	cfg->key = &p->ckey;
	cfg->hello.version = P2P_PROTO_VERSION;
	strcpy(cfg->hello.client, "p2pcore-test");
	strcpy(cfg->hello.caps[0].name, "foo");
	cfg->hello.caps[0].version = 1;
	cfg->hello.caps[0].length = 2;	/* codes 0x10 and 0x11 */
	cfg->hello.ncaps = 1;
	cfg->handshake_ms = 20000;
	cfg->ping_ms = UINT32_MAX;
	cfg->read_ms = 20000;
	cfg->write_ms = 20000;
	cfg->cb = conn_cb;
	cfg->arg = p;
}

/* Connects the peer and runs the handshake to both Hellos.  The
 * connection's socket buffer is small so its output backs up soon. */
static int
peer_start(struct peer *p, const struct p2p_conn_cfg *cfg)
{
	int sv[2], sndbuf = 8192, err = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
		CHECK_MSG(0, "socketpair: %s", strerror(errno));
		return 0;
	}
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
	p->fd = sv[1];
	p->c = p2p_conn_accept(cfg, sv[0], &err);
	CHECK_INT(err, 0);
	p->hs = malloc(sizeof(*p->hs));
	if (p->c == NULL || p->hs == NULL)
		return 0;
	CHECK_INT(p2p_rlpx_hs_init(p->hs, 1, &p->pkey, &p->cpub), 0);
	CHECK_INT(p2p_rlpx_auth_write(p->hs, 0), 0);
	evbuffer_add(p->out, p->hs->auth, p->hs->authlen);
	p->reading = 1;
	if (!wait_for(p, hellos_done) || closed(p)) {
		CHECK_MSG(0, "handshake failed: %d", p->close_err);
		return 0;
	}
	return 1;
}

static void
peer_free(struct peer *p)
{
	p2p_conn_free(p->c);
	if (p->fd >= 0)
		close(p->fd);
	if (p->hs != NULL) {
		p2p_rlpx_hs_clear(p->hs);
		free(p->hs);
	}
	p2p_frame_free(p->f);
	if (p->in != NULL)
		evbuffer_free(p->in);
	if (p->out != NULL)
		evbuffer_free(p->out);
	if (p->base != NULL)
		event_base_free(p->base);
}

/* ---- 1. bounded output ---- */

static int
output_full(const struct peer *p)
{
	return closed(p) || p->max_out >= CAP;
}

static int
all_pongs(const struct peer *p)
{
	return closed(p) || (p->pings_left == 0 && p->rx_pong == p->want);
}

/*
 * A peer floods Pings and never reads: the Pongs stop at the cap (the
 * connection stops reading), and the connection is cut once the output
 * has not drained for the write timeout.
 */
static void
test_flood_never_read(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;
	const long n = 16 * CAP / 64;	/* Pongs for 16 caps */

	peer_init(&p, &cfg);
	cfg.max_output = CAP;
	cfg.write_ms = 1000;
	if (peer_start(&p, &cfg)) {
		p.reading = 0;
		p.pings_left = n;
		wait_for(&p, closed);
		CHECK_MSG(p.max_out <= CAP + PONG_SLACK, "output grew to %zu",
		    p.max_out);
		CHECK(p.msgs[P2P_PROTO_PING] < n);
		CHECK_INT(p.close_err, P2P_ETIMEOUT);
		CHECK_INT(p.close_reason, -1);
	}
	peer_free(&p);
}

/*
 * The peer floods Pings, reads nothing until the output is at the cap,
 * then reads everything: reading resumes (with the input read before the
 * pause) and every Ping gets its Pong, the output never over the cap.
 */
static void
test_flood_resumes(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;
	const long n = 4 * CAP / 64;

	peer_init(&p, &cfg);
	cfg.max_output = CAP;
	if (peer_start(&p, &cfg)) {
		p.reading = 0;
		p.pings_left = n;
		wait_for(&p, output_full);
		p.reading = 1;
		p.want = (int)n;
		wait_for(&p, all_pongs);
		CHECK(!closed(&p));
		CHECK_INT(p.rx_pong, n);
		CHECK_INT(p.msgs[P2P_PROTO_PING], n);
		CHECK_MSG(p.max_out <= CAP + PONG_SLACK, "output grew to %zu",
		    p.max_out);
	}
	peer_free(&p);
}

/*
 * The peer reads a trickle (256 bytes a slice) while flooding Pings:
 * written bytes do not reset the write timeout, the backlog must drain,
 * so it is cut, and the output stays capped meanwhile.
 */
static void
test_slow_reader_cut(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;
	const size_t cap = 4 * CAP;

	peer_init(&p, &cfg);
	cfg.max_output = cap;
	cfg.write_ms = 300;
	cfg.read_ms = 300;
	if (peer_start(&p, &cfg)) {
		p.read_per_slice = 256;
		p.pings_left = (long)(4 * cap / 64);
		wait_for(&p, closed);
		CHECK_MSG(p.max_out <= cap + PONG_SLACK, "output grew to %zu",
		    p.max_out);
		CHECK_INT(p.close_err, P2P_ETIMEOUT);
		CHECK_INT(p.close_reason, -1);	/* not the read timeout */
	}
	peer_free(&p);
}

/*
 * p2p_conn_send: one message of the largest size fits on an output under
 * the cap, a second one does not (P2P_ETOOBIG, nothing queued), a small
 * one still does.
 */
static void
test_send_hard_limit(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;
	size_t big = P2P_FRAME_MAX - 1, before;	/* + 1 byte of code */
	uint8_t *data = calloc(1, big);

	peer_init(&p, &cfg);
	cfg.max_output = CAP;
	CHECK(data != NULL);
	if (data != NULL && peer_start(&p, &cfg)) {
		p.reading = 0;
		CHECK_INT(p2p_conn_send(p.c, 0x10, data, big), 0);
		before = p2p_conn_output_len(p.c);
		CHECK(before > P2P_FRAME_MAX);
		CHECK_INT(p2p_conn_send(p.c, 0x10, data, big), P2P_ETOOBIG);
		CHECK_INT(p2p_conn_output_len(p.c), before);
		CHECK_INT(p2p_conn_send(p.c, 0x11, data, 1000), 0);
		CHECK(p2p_conn_output_len(p.c) <= CAP +
		    P2P_CONN_FRAME_WIRE_MAX);
		CHECK(!closed(&p));
	}
	free(data);
	peer_free(&p);
}

/* ---- 2. frame deadline ---- */

/*
 * A Ping frame dribbled a byte every 10 slices: each byte used to reset
 * the read timeout; now the frame has read_ms from its first byte.
 */
static void
test_frame_dribble_cut(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;

	peer_init(&p, &cfg);
	cfg.read_ms = 300;
	if (peer_start(&p, &cfg)) {
		p.dribble = 10;
		peer_send_empty(&p, P2P_PROTO_PING);
		peer_send_empty(&p, P2P_PROTO_PING);
		wait_for(&p, closed);
		CHECK_INT(p.msgs[P2P_PROTO_PING], 0);
		CHECK_INT(p.close_err, P2P_ETIMEOUT);
		CHECK_INT(p.close_reason, P2P_DISC_READ_TIMEOUT);
		CHECK(evbuffer_get_length(p.out) > 0);	/* frame unfinished */
		CHECK_INT(p.rx_disc, 1);
		CHECK_INT(p.disc_reason, P2P_DISC_READ_TIMEOUT);
	}
	peer_free(&p);
}

/* A peer that sends nothing after the Hellos: the idle timeout. */
static void
test_idle_timeout(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;

	peer_init(&p, &cfg);
	cfg.read_ms = 300;
	if (peer_start(&p, &cfg)) {
		wait_for(&p, closed);
		CHECK_INT(p.close_err, P2P_ETIMEOUT);
		CHECK_INT(p.close_reason, P2P_DISC_READ_TIMEOUT);
		CHECK_INT(p.rx_disc, 1);
		CHECK_INT(p.disc_reason, P2P_DISC_READ_TIMEOUT);
	}
	peer_free(&p);
}

static int
six_pings(const struct peer *p)
{
	return closed(p) || p->msgs[P2P_PROTO_PING] == 6;
}

/*
 * Whole frames keep a connection alive past read_ms: a Ping every 40
 * slices (at least 200 ms) for six Pings, against a 1 s read timeout.
 */
static void
test_frames_keep_alive(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;

	peer_init(&p, &cfg);
	cfg.read_ms = 1000;
	if (peer_start(&p, &cfg)) {
		while (!closed(&p) && p.msgs[P2P_PROTO_PING] < 6) {
			unsigned s = p.slices;

			peer_send_empty(&p, P2P_PROTO_PING);
			while (!closed(&p) && p.slices < s + 40)
				slice(&p);
		}
		wait_for(&p, six_pings);
		CHECK(!closed(&p));
		CHECK_INT(p.rx_pong, 6);
	}
	peer_free(&p);
}

/* ---- 3. protocol breaches ---- */

static int
msg_0x12(const struct peer *p)
{
	return closed(p) || p->msgs[0x12] > 0;
}

/* foo/1 has two codes, 0x10 and 0x11: 0x12 is beyond every capability. */
static void
test_code_beyond_caps(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;
	unsigned n;

	peer_init(&p, &cfg);
	if (peer_start(&p, &cfg)) {
		CHECK_INT(p2p_conn_caps(p.c, &n)[0].offset, 0x10);
		CHECK_INT(n, 1);
		peer_send_empty(&p, 0x11);
		peer_send_empty(&p, 0x12);
		wait_for(&p, msg_0x12);
		wait_for(&p, closed);
		CHECK_INT(p.msgs[0x11], 1);
		CHECK_INT(p.msgs[0x12], 0);
		CHECK_INT(p.close_err, P2P_EPROTO);
		CHECK_INT(p.close_reason, P2P_DISC_PROTOCOL_ERROR);
		CHECK_INT(p.rx_disc, 1);
		CHECK_INT(p.disc_reason, P2P_DISC_PROTOCOL_ERROR);
	}
	peer_free(&p);
}

static int
msg_hello(const struct peer *p)
{
	return closed(p) || p->msgs[P2P_PROTO_HELLO] > 0;
}

static void
test_second_hello(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;

	peer_init(&p, &cfg);
	if (peer_start(&p, &cfg)) {
		peer_send_hello(&p);
		wait_for(&p, msg_hello);
		wait_for(&p, closed);
		CHECK_INT(p.msgs[P2P_PROTO_HELLO], 0);
		CHECK_INT(p.close_err, P2P_EPROTO);
		CHECK_INT(p.close_reason, P2P_DISC_PROTOCOL_ERROR);
		CHECK_INT(p.rx_disc, 1);
		CHECK_INT(p.disc_reason, P2P_DISC_PROTOCOL_ERROR);
	}
	peer_free(&p);
}

static int
msg_0x10(const struct peer *p)
{
	return closed(p) || p->msgs[0x10] > 0;
}

static int
pong_event(const struct peer *p)
{
	return closed(p) || p->ev[P2P_CONN_EV_PONG] > 0;
}

/* A Pong nobody asked for is dropped; the one p2p_conn_ping asked for
 * is reported. */
static void
test_unrequested_pong(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;

	peer_init(&p, &cfg);
	if (peer_start(&p, &cfg)) {
		peer_send_empty(&p, P2P_PROTO_PONG);
		peer_send_empty(&p, 0x10);	/* a marker behind it */
		wait_for(&p, msg_0x10);
		CHECK(!closed(&p));
		CHECK_INT(p.ev[P2P_CONN_EV_PONG], 0);
		CHECK_INT(p.msgs[P2P_PROTO_PONG], 0);
		p.answer_pings = 1;
		CHECK_INT(p2p_conn_ping(p.c), 0);
		wait_for(&p, pong_event);
		CHECK(!closed(&p));
		CHECK_INT(p.ev[P2P_CONN_EV_PONG], 1);
		CHECK_INT(p.msgs[P2P_PROTO_PONG], 1);
	}
	peer_free(&p);
}

/* ---- 5. the handshake's crypto on a worker thread ---- */

static struct p2p_workers *pool;

/* The blocker and the connection's job are both in the pool. */
static int
job_queued2(const struct peer *p)
{
	return closed(p) || p2p_workers_pending(pool) > 1;
}

/* The whole handshake with cfg.workers: the Hellos pass, and the EC work
 * went through the pool (one job: auth read, ack write, secrets). */
static void
test_handshake_on_worker(void)
{
	struct peer p;
	struct p2p_conn_cfg cfg;

	peer_init(&p, &cfg);
	CHECK_INT(p2p_workers_new(&pool, p.base, 1), 0);
	cfg.workers = pool;
	if (peer_start(&p, &cfg)) {
		CHECK_INT(p2p_workers_done(pool), 1);
		peer_send_empty(&p, P2P_PROTO_PING);
		wait_for(&p, all_pongs);
		CHECK(!closed(&p));
	}
	peer_free(&p);
	p2p_workers_free(pool);
}

/* A job that holds the pool's one thread until a byte comes down fd. */
static void
block_run(void *arg)
{
	char c;

	(void)!read(*(int *)arg, &c, 1);
}

static void
block_done(void *arg, int cancelled)
{
	(void)arg;
	(void)cancelled;
}

/* The connection freed while its job waits in the queue (the pool's
 * thread is held by another job): the job, orphaned, frees the
 * handshake state itself (ASan checks): cancelled when the pool ends,
 * or with run_it, run and done from the loop. */
static void
freed_mid_job(int run_it)
{
	struct peer p;
	struct p2p_conn_cfg cfg;
	struct p2p_job blocker;
	int sv[2], hold[2], err = 0;

	peer_init(&p, &cfg);
	CHECK_INT(p2p_workers_new(&pool, p.base, 1), 0);
	CHECK(pipe(hold) == 0);
	blocker = (struct p2p_job){ .run = block_run, .done = block_done,
	    .arg = &hold[0] };
	p2p_workers_submit(pool, &blocker);
	cfg.workers = pool;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
	p.fd = sv[1];
	p.c = p2p_conn_accept(&cfg, sv[0], &err);
	p.hs = malloc(sizeof(*p.hs));
	CHECK(p.c != NULL && p.hs != NULL);
	CHECK_INT(p2p_rlpx_hs_init(p.hs, 1, &p.pkey, &p.cpub), 0);
	CHECK_INT(p2p_rlpx_auth_write(p.hs, 0), 0);
	evbuffer_add(p.out, p.hs->auth, p.hs->authlen);
	wait_for(&p, job_queued2);
	CHECK_MSG(!closed(&p), "closed: %d", p.close_err);
	p2p_conn_free(p.c);
	p.c = NULL;
	if (run_it) {
		uint64_t end = unit_now_ms() + HANG_MS;

		/* Let it run, and be done (orphaned) from the loop. */
		CHECK(write(hold[1], "x", 1) == 1);
		while (p2p_workers_done(pool) < 2 && unit_now_ms() < end)
			event_base_loop(p.base, EVLOOP_ONCE);
		CHECK_INT(p2p_workers_done(pool), 2);
	}
	close(hold[1]);		/* the blocker returns */
	p2p_workers_free(pool);
	close(hold[0]);
	peer_free(&p);
}

static void
test_freed_mid_job_cancelled(void)
{
	freed_mid_job(0);
}

static void
test_freed_mid_job_ran(void)
{
	freed_mid_job(1);
}

const struct unit_test unit_conn[] = {
	{ "flood_never_read", test_flood_never_read },
	{ "flood_resumes", test_flood_resumes },
	{ "slow_reader_cut", test_slow_reader_cut },
	{ "send_hard_limit", test_send_hard_limit },
	{ "frame_dribble_cut", test_frame_dribble_cut },
	{ "idle_timeout", test_idle_timeout },
	{ "frames_keep_alive", test_frames_keep_alive },
	{ "code_beyond_caps", test_code_beyond_caps },
	{ "second_hello", test_second_hello },
	{ "unrequested_pong", test_unrequested_pong },
	{ "handshake_on_worker", test_handshake_on_worker },
	{ "freed_mid_job_cancelled", test_freed_mid_job_cancelled },
	{ "freed_mid_job_ran", test_freed_mid_job_ran },
	{ 0 },
};
