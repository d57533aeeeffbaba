/*
 * conn.c - an RLPx connection driven by libevent: a bufferevent carries
 * the bytes, the handshake and frame codecs (rlpx.c, frame.c) and the base
 * protocol codec (proto.c) do the work.  One timer enforces whichever
 * read deadline the current phase has, a second checks that queued output
 * keeps draining, and reading pauses while the output is at its cap
 * (conn.h says what a peer gets for each).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <p2p/conn.h>
#include <p2p/frame.h>
#include <p2p/rlpx.h>

enum state {
	ST_CONNECTING,	/* TCP connect under way (dialer) */
	ST_AUTH,	/* waiting for auth (recipient) or ack (initiator) */
	ST_HELLO,	/* our Hello sent, waiting for theirs */
	ST_RUNNING,
	ST_CLOSING,	/* a Disconnect is being written */
	ST_CLOSED,
};

struct p2p_conn {
	struct p2p_conn_cfg cfg;
	struct p2p_privkey key;
	enum state state;
	int phase;
	struct bufferevent *bev;
	struct event *timer;	/* the current phase's (read) deadline */
	struct event *wtimer;	/* the write progress check */
	struct event *pinger;
	struct p2p_rlpx_hs *hs;	/* during the handshake only */
	struct p2p_frame *frame;
	struct p2p_pubkey remote;
	int remote_eip8;
	struct p2p_hello rhello;
	struct p2p_cap caps[P2P_PROTO_MAX_CAPS];
	unsigned ncaps;
	int snappy;
	uint64_t code_end;	/* first message code beyond the matched caps */
	uint64_t queued;	/* bytes ever queued for the peer */
	uint64_t wtarget;	/* queued at the last write check */
	int paused;		/* output at the cap: not reading */
	int partial;		/* a frame has begun and not yet ended */
	uint64_t ping_at;	/* when p2p_conn_ping queued its Ping, 0 none */
	/* What CLOSE will say once a Disconnect being written is out. */
	int close_err, close_reason;
	struct hs_job *job;	/* handshake crypto on a worker, or NULL */
};

/*
 * The handshake's EC work on a worker thread (cfg.workers): the message
 * as received so far, and what the codec made of it.  While it runs the
 * connection reads nothing and touches neither hs nor the job; if the
 * connection ends meanwhile, the job is orphaned (c NULL) and frees hs
 * and itself when done.
 */
struct hs_job {
	struct p2p_job j;
	struct p2p_conn *c;
	struct p2p_rlpx_hs *hs;
	uint8_t buf[P2P_RLPX_MSG_MAX];
	size_t len, used;
	int rc;
	struct p2p_rlpx_secrets s;
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static struct timeval
tv_ms(uint32_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) *
	    1000 };

	return tv;
}

static void
arm(struct p2p_conn *c, uint32_t ms)
{
	struct timeval tv = tv_ms(ms);

	evtimer_add(c->timer, &tv);
}

static size_t
out_len(const struct p2p_conn *c)
{
	return c->bev != NULL ?
	    evbuffer_get_length(bufferevent_get_output(c->bev)) : 0;
}

/* Starts a write check period: what is queued now must be written by the
 * next check. */
static void
arm_write(struct p2p_conn *c)
{
	struct timeval tv = tv_ms(c->cfg.write_ms);

	c->wtarget = c->queued;
	evtimer_add(c->wtimer, &tv);
}

/*
 * The output reached its cap: take no more input, which is what makes
 * Pongs and replies, until the peer has drained half of it.  The read
 * deadline would blame the peer for our not reading, so it waits too.
 */
static void
pause_reading(struct p2p_conn *c)
{
	c->paused = 1;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setwatermark(c->bev, EV_WRITE, c->cfg.max_output / 2, 0);
	if (c->state == ST_RUNNING)
		evtimer_del(c->timer);
}

/* Bookkeeping after n bytes were added to the output. */
static void
queued(struct p2p_conn *c, size_t n)
{
	c->queued += n;
	if (!c->paused && c->state < ST_CLOSING &&
	    out_len(c) >= c->cfg.max_output)
		pause_reading(c);
	if (c->state == ST_RUNNING && !evtimer_pending(c->wtimer, NULL))
		arm_write(c);
}

/* Queues raw bytes (the handshake messages). */
static int
put(struct p2p_conn *c, const void *p, size_t n)
{
	if (bufferevent_write(c->bev, p, n) != 0)
		return P2P_ENOMEM;
	queued(c, n);
	return 0;
}

/* Queues one message whatever the output holds: the connection's own
 * (Hello, Ping, Pong, Disconnect) are small and, with reading paused at
 * the cap, bounded; p2p_conn_send applies the limit for the rest. */
static int
queue_msg(struct p2p_conn *c, uint64_t code, const uint8_t *data,
    size_t len)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct evbuffer_iovec v;
	size_t n = p2p_frame_write_size(c->frame, len);
	int rc;

	if (evbuffer_reserve_space(out, (ev_ssize_t)n, &v, 1) < 1)
		return P2P_ENOMEM;
	if ((rc = p2p_frame_write(c->frame, code, data, len, v.iov_base,
	    &n)) != 0)
		return rc;
	v.iov_len = n;
	if (evbuffer_commit_space(out, &v, 1) != 0)
		return P2P_ENOMEM;
	queued(c, n);
	return 0;
}

static void
emit(struct p2p_conn *c, struct p2p_conn_ev *ev)
{
	c->cfg.cb(c, ev, c->cfg.arg);
}

/* Releases the socket, timers and secrets; c itself stays. */
static void
teardown(struct p2p_conn *c)
{
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	if (c->timer != NULL)
		evtimer_del(c->timer);
	if (c->wtimer != NULL)
		evtimer_del(c->wtimer);
	if (c->pinger != NULL)
		evtimer_del(c->pinger);
	if (c->job != NULL) {
		/* The worker still uses hs: the job frees it when done. */
		c->job->c = NULL;
		c->job = NULL;
		c->hs = NULL;
	}
	if (c->hs != NULL) {
		p2p_rlpx_hs_clear(c->hs);
		free(c->hs);
		c->hs = NULL;
	}
	p2p_frame_free(c->frame);
	c->frame = NULL;
	p2p_wipe(&c->key, sizeof(c->key));
}

/*
 * The end: tears down and reports CLOSE.  The callback may free c, so
 * every caller returns at once without touching c again.
 */
static void
finish(struct p2p_conn *c, int err, int sys_errno, int reason, int remote)
{
	struct p2p_conn_ev ev = { .type = P2P_CONN_EV_CLOSE, .err = err,
	    .sys_errno = sys_errno, .reason = reason, .remote = remote };

	if (c->state == ST_CLOSED)
		return;
	c->state = ST_CLOSED;
	teardown(c);
	emit(c, &ev);
}

/*
 * Ends the connection for err, first telling the peer reason when there
 * is a frame codec to say it with (go-ethereum never sends
 * DiscNetworkError, so neither do we: pass reason -1).
 */
static void
fail(struct p2p_conn *c, int err, int reason)
{
	uint8_t body[8];
	size_t n = sizeof(body);

	if (reason < 0 || c->frame == NULL || c->state >= ST_CLOSING ||
	    p2p_proto_disconnect_encode((unsigned)reason, body, &n) != 0 ||
	    queue_msg(c, P2P_PROTO_DISCONNECT, body, n) != 0) {
		finish(c, err, 0, reason < 0 || c->frame == NULL ? -1 : reason,
		    0);
		return;
	}
	c->state = ST_CLOSING;
	c->close_err = err;
	c->close_reason = reason;
	bufferevent_disable(c->bev, EV_READ);
	/* write_cb now waits for an empty output; the 1 s deadline alone
	 * bounds the wait. */
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	evtimer_del(c->wtimer);
	evtimer_del(c->pinger);
	arm(c, P2P_CONN_DISC_WRITE_MS);
}

static int
send_hello(struct p2p_conn *c)
{
	uint8_t buf[P2P_PROTO_HELLO_MAX];
	size_t n = sizeof(buf);
	int rc;

	if ((rc = p2p_proto_hello_encode(&c->cfg.hello, buf, &n)) != 0)
		return rc;
	return queue_msg(c, P2P_PROTO_HELLO, buf, n);
}

/* Both handshake messages are known and the secrets derived (s): start
 * framing, send our Hello. */
static int
auth_done(struct p2p_conn *c, struct p2p_rlpx_secrets *sp)
{
	struct p2p_rlpx_secrets s = *sp;
	struct p2p_conn_ev ev = { .type = P2P_CONN_EV_AUTH };

	p2p_wipe(sp, sizeof(*sp));
	c->frame = p2p_frame_new(&s);
	c->remote = s.remote;
	c->remote_eip8 = c->hs->remote_eip8;
	p2p_wipe(&s, sizeof(s));
	p2p_rlpx_hs_clear(c->hs);
	free(c->hs);
	c->hs = NULL;
	if (c->frame == NULL)
		return P2P_ENOMEM;
	c->state = ST_HELLO;
	c->phase = P2P_CONN_EV_AUTH;
	arm(c, c->cfg.handshake_ms);
	emit(c, &ev);
	if (c->state != ST_HELLO)	/* the callback disconnected */
		return 0;
	return send_hello(c);
}

/* The codec's part of reading a handshake message: read it (the
 * recipient then writes its ack) and derive the secrets.  Returns 0,
 * P2P_EAGAIN (more bytes wanted) or an error.  Thread-safe on its own hs:
 * a worker may run it. */
static int
hs_step(struct p2p_rlpx_hs *hs, const uint8_t *p, size_t len, size_t *used,
    struct p2p_rlpx_secrets *s)
{
	int rc;

	if (hs->initiator)
		rc = p2p_rlpx_ack_read(hs, p, len, used);
	else
		rc = p2p_rlpx_auth_read(hs, p, len, used);
	if (rc == 0 && !hs->initiator)
		rc = p2p_rlpx_ack_write(hs);
	if (rc == 0)
		rc = p2p_rlpx_secrets(hs, s);
	return rc;
}

/* hs_step done: send the ack (recipient) and go on to the Hellos. */
static int
hs_stepped(struct p2p_conn *c, struct evbuffer *in, size_t used,
    struct p2p_rlpx_secrets *s)
{
	int rc;

	evbuffer_drain(in, used);
	if (!c->hs->initiator &&
	    (rc = put(c, c->hs->ack, c->hs->acklen)) != 0)
		return rc;
	return auth_done(c, s);
}

static void read_cb(struct bufferevent *bev, void *arg);

static void
job_run(void *arg)
{
	struct hs_job *j = arg;

	j->rc = hs_step(j->hs, j->buf, j->len, &j->used, &j->s);
}

static void
job_done(void *arg, int cancelled)
{
	struct hs_job *j = arg;
	struct p2p_conn *c = j->c;
	int rc = cancelled ? P2P_EINTERRUPTED : j->rc;

	if (c == NULL) {
		/* Orphaned: the connection ended while the job ran. */
		p2p_rlpx_hs_clear(j->hs);
		free(j->hs);
	} else {
		c->job = NULL;
		if (rc == 0)
			rc = hs_stepped(c, bufferevent_get_input(c->bev),
			    j->used, &j->s);
	}
	p2p_wipe(j, sizeof(*j));
	free(j);
	if (c == NULL || c->state >= ST_CLOSING)
		return;
	if (rc != 0 && rc != P2P_EAGAIN) {
		fail(c, rc, -1);
		return;
	}
	/* Read again, starting with what came meanwhile. */
	bufferevent_enable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		read_cb(c->bev, c);
}

/* Hands the message received so far to a worker, once the codec will do
 * more than ask for bytes.  Returns 0 or an error. */
static int
offload(struct p2p_conn *c, const uint8_t *p, size_t len)
{
	struct hs_job *j;
	int rc;

	if ((rc = p2p_rlpx_read_ready(c->hs, p, len)) <= 0)
		return rc;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return P2P_ENOMEM;
	j->j.run = job_run;
	j->j.done = job_done;
	j->j.arg = j;
	j->c = c;
	j->hs = c->hs;
	memcpy(j->buf, p, len);
	j->len = len;
	c->job = j;
	bufferevent_disable(c->bev, EV_READ);
	p2p_workers_submit(c->cfg.workers, &j->j);
	return 0;
}

/* Feeds the handshake message received so far to the codec.  Returns 0
 * when there is nothing more to do now (waiting, or done), else an
 * error. */
static int
read_handshake(struct p2p_conn *c, struct evbuffer *in)
{
	size_t len = evbuffer_get_length(in), used = 0;
	struct p2p_rlpx_secrets s;
	const uint8_t *p;
	int rc;

	if (c->job != NULL)
		return 0;
	if (len > P2P_RLPX_MSG_MAX)
		len = P2P_RLPX_MSG_MAX;
	if ((p = evbuffer_pullup(in, (ev_ssize_t)len)) == NULL && len > 0)
		return P2P_ENOMEM;
	if (c->cfg.workers != NULL)
		return offload(c, p, len);
	rc = hs_step(c->hs, p, len, &used, &s);
	if (rc == P2P_EAGAIN)
		return 0;
	if (rc != 0)
		return rc;
	return hs_stepped(c, in, used, &s);
}

static void
ping_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_conn *c = arg;
	static const uint8_t empty[] = { 0xc0 };

	(void)fd;
	(void)what;
	if (queue_msg(c, P2P_PROTO_PING, empty, 1) != 0)
		fail(c, P2P_ENOMEM, -1);
}

/* Checks that the output drains: all that was queued at the previous
 * check must be written by now (conn.h). */
static void
wtimer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_conn *c = arg;
	size_t n = out_len(c);

	(void)fd;
	(void)what;
	if (c->state != ST_RUNNING || n == 0)
		return;		/* the next message queued starts a period */
	if (c->queued - n < c->wtarget) {
		fail(c, P2P_ETIMEOUT, -1);
		return;
	}
	arm_write(c);
}

/* The peer's Hello arrived. */
static void
got_hello(struct p2p_conn *c, const struct p2p_frame_msg *m)
{
	struct p2p_conn_ev ev = { .type = P2P_CONN_EV_HELLO };
	int rc;

	if (m->len > P2P_PROTO_HELLO_MAX) {
		fail(c, P2P_ETOOBIG, P2P_DISC_PROTOCOL_ERROR);
		return;
	}
	if ((rc = p2p_proto_hello_decode(&c->rhello, m->data, m->len)) != 0) {
		fail(c, rc, P2P_DISC_PROTOCOL_ERROR);
		return;
	}
	if (p2p_proto_hello_check(&c->rhello, &c->remote) != 0) {
		fail(c, P2P_EIDENTITY, P2P_DISC_UNEXPECTED_IDENTITY);
		return;
	}
	c->ncaps = p2p_proto_match_caps(c->cfg.hello.caps,
	    c->cfg.hello.ncaps, c->rhello.caps, c->rhello.ncaps, c->caps);
	if (c->ncaps == 0 && c->cfg.require_caps) {
		fail(c, P2P_EPROTO, P2P_DISC_USELESS_PEER);
		return;
	}
	c->code_end = P2P_PROTO_BASE_LEN;
	for (unsigned i = 0; i < c->ncaps; i++)
		if (c->code_end < (uint64_t)c->caps[i].offset +
		    c->caps[i].length)
			c->code_end = (uint64_t)c->caps[i].offset +
			    c->caps[i].length;
	c->snappy = c->rhello.version >= 5 && c->cfg.hello.version >= 5;
	p2p_frame_set_snappy(c->frame, c->snappy);
	c->state = ST_RUNNING;
	c->phase = P2P_CONN_EV_HELLO;
	arm(c, c->cfg.read_ms);	/* frames are only read unpaused */
	if (out_len(c) > 0)
		arm_write(c);
	if (c->cfg.ping_ms != UINT32_MAX) {
		struct timeval p = tv_ms(c->cfg.ping_ms);

		evtimer_add(c->pinger, &p);
	}
	emit(c, &ev);
}

/* One message from the frame reader.  Returns non-zero when the
 * connection ended (c may be gone). */
static int
got_msg(struct p2p_conn *c, const struct p2p_frame_msg *m)
{
	struct p2p_conn_ev ev = { .type = P2P_CONN_EV_MSG, .code = m->code,
	    .data = m->data, .len = m->len };
	static const uint8_t empty[] = { 0xc0 };
	unsigned reason;

	if (m->code == P2P_PROTO_DISCONNECT) {
		if (p2p_proto_disconnect_decode(m->data, m->len, &reason) != 0)
			reason = P2P_DISC_PROTOCOL_ERROR;
		finish(c, P2P_EDISCONNECTED, 0, (int)reason, 1);
		return 1;
	}
	if (c->state == ST_HELLO) {
		if (m->code != P2P_PROTO_HELLO)
			fail(c, P2P_EPROTO, P2P_DISC_PROTOCOL_ERROR);
		else
			got_hello(c, m);
		return c->state != ST_RUNNING;
	}
	if (m->code == P2P_PROTO_HELLO || m->code >= c->code_end) {
		/* A second Hello, or a code no shared capability has. */
		fail(c, P2P_EPROTO, P2P_DISC_PROTOCOL_ERROR);
		return 1;
	}
	if (m->code == P2P_PROTO_PING &&
	    queue_msg(c, P2P_PROTO_PONG, empty, 1) != 0) {
		fail(c, P2P_ENOMEM, -1);
		return 1;
	}
	if (m->code == P2P_PROTO_PONG) {
		struct p2p_conn_ev pong = { .type = P2P_CONN_EV_PONG };

		if (c->ping_at == 0)
			return 0;	/* nobody asked: drop it */
		pong.rtt_us = now_us() - c->ping_at;
		c->ping_at = 0;
		emit(c, &pong);
		if (c->state != ST_RUNNING)
			return 1;
	}
	emit(c, &ev);
	return c->state != ST_RUNNING;
}

/* Runs every complete frame in the input through the codec. */
static void
read_frames(struct p2p_conn *c, struct evbuffer *in)
{
	struct evbuffer_iovec v;
	struct p2p_frame_msg m;
	size_t used;
	int rc;

	while (!c->paused && evbuffer_get_length(in) > 0) {
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		if (!c->partial) {
			/* A frame begins: it has read_ms to end, however
			 * slowly its bytes come. */
			c->partial = 1;
			if (c->state == ST_RUNNING)
				arm(c, c->cfg.read_ms);
		}
		rc = p2p_frame_read(c->frame, v.iov_base, v.iov_len, &used,
		    &m);
		evbuffer_drain(in, used);
		if (rc == P2P_EAGAIN)
			continue;
		if (rc != 0) {
			/* A broken stream: go-ethereum's DiscNetworkError,
			 * which it never sends. */
			fail(c, rc, -1);
			return;
		}
		/* And the next frame has read_ms to begin. */
		c->partial = 0;
		if (c->state == ST_RUNNING)
			arm(c, c->cfg.read_ms);
		if (got_msg(c, &m))
			return;
	}
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct p2p_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	int rc;

	if (c->state == ST_AUTH) {
		if ((rc = read_handshake(c, in)) != 0) {
			fail(c, rc, -1);
			return;
		}
		if (c->state == ST_AUTH)
			return;
	}
	if (c->state == ST_HELLO || c->state == ST_RUNNING)
		read_frames(c, in);
}

/* The peer drained half the capped output: read again, starting with
 * what was read before the pause (no read event comes for that). */
static void
resume_reading(struct p2p_conn *c)
{
	c->paused = 0;
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	bufferevent_enable(c->bev, EV_READ);
	if (c->state == ST_RUNNING)
		arm(c, c->cfg.read_ms);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		read_cb(c->bev, c);
}

/* Output drained to the low watermark: all of it when closing (the
 * Disconnect is out), half the cap when paused. */
static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct p2p_conn *c = arg;
	size_t n = evbuffer_get_length(bufferevent_get_output(bev));

	if (c->state == ST_CLOSING) {
		if (n == 0)
			finish(c, c->close_err, 0, c->close_reason, 0);
		return;
	}
	if (c->paused && n <= c->cfg.max_output / 2)
		resume_reading(c);
}

static void
start_handshake(struct p2p_conn *c)
{
	struct p2p_conn_ev ev = { .type = P2P_CONN_EV_TCP };
	int rc, one = 1;

	setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one));
	c->state = ST_AUTH;
	c->phase = P2P_CONN_EV_TCP;
	arm(c, c->cfg.handshake_ms);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	emit(c, &ev);
	if (c->state != ST_AUTH)
		return;
	if (c->hs->initiator) {
		rc = p2p_rlpx_auth_write(c->hs, c->cfg.legacy_auth);
		if (rc != 0 || (rc = put(c, c->hs->auth, c->hs->authlen)) != 0)
			fail(c, rc, -1);
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct p2p_conn *c = arg;
	int e = EVUTIL_SOCKET_ERROR();

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		start_handshake(c);
		return;
	}
	if (c->state == ST_CLOSING) {
		finish(c, c->close_err, 0, c->close_reason, 0);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		finish(c, P2P_ECLOSED, 0, -1, 0);
		return;
	}
	if (e == ECONNREFUSED)
		finish(c, P2P_ECONNREFUSED, e, -1, 0);
	else if (e == ECONNRESET || e == EPIPE)
		finish(c, P2P_ECLOSED, e, -1, 0);
	else
		finish(c, P2P_ENET, e, -1, 0);
}

/* The current phase's deadline passed. */
static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_conn *c = arg;

	(void)fd;
	(void)what;
	if (c->state == ST_CLOSING)
		finish(c, c->close_err, 0, c->close_reason, 0);
	else if (c->state == ST_RUNNING)
		/* Idle or dribbling reader: tell the peer, as ethereumjs
		 * does. */
		fail(c, P2P_ETIMEOUT, P2P_DISC_READ_TIMEOUT);
	else
		fail(c, P2P_ETIMEOUT, -1);
}

static uint32_t
dflt(uint32_t v, uint32_t d)
{
	return v ? v : d;
}

static struct p2p_conn *
conn_new(const struct p2p_conn_cfg *cfg, int fd, int initiator,
    const struct p2p_pubkey *remote, int *err)
{
	struct p2p_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		*err = P2P_ENOMEM;
		goto fail;
	}
	c->cfg = *cfg;
	c->key = *cfg->key;
	c->cfg.key = &c->key;
	c->cfg.dial_ms = dflt(cfg->dial_ms, P2P_CONN_DIAL_MS);
	c->cfg.handshake_ms = dflt(cfg->handshake_ms, P2P_CONN_HANDSHAKE_MS);
	c->cfg.ping_ms = dflt(cfg->ping_ms, P2P_CONN_PING_MS);
	c->cfg.read_ms = dflt(cfg->read_ms, P2P_CONN_READ_MS);
	c->cfg.write_ms = dflt(cfg->write_ms, P2P_CONN_WRITE_MS);
	c->cfg.max_output = cfg->max_output ? cfg->max_output :
	    P2P_CONN_MAX_OUTPUT;
	/* So that the hard limit (cap + one frame) cannot overflow. */
	if (c->cfg.max_output > SIZE_MAX / 4)
		c->cfg.max_output = SIZE_MAX / 4;
	c->phase = -1;
	c->close_reason = -1;
	if (!cfg->keep_hello_id &&
	    (*err = p2p_secp_pubkey(&c->cfg.hello.id, &c->key)) != 0) {
		p2p_conn_free(c);
		goto fail;
	}
	c->hs = malloc(sizeof(*c->hs));
	c->bev = bufferevent_socket_new(cfg->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->timer = evtimer_new(cfg->base, timer_cb, c);
	c->wtimer = evtimer_new(cfg->base, wtimer_cb, c);
	c->pinger = event_new(cfg->base, -1, EV_PERSIST, ping_cb, c);
	if (c->hs == NULL || c->bev == NULL || c->timer == NULL ||
	    c->wtimer == NULL || c->pinger == NULL) {
		if (c->bev == NULL && fd >= 0)
			evutil_closesocket(fd);
		*err = P2P_ENOMEM;
		p2p_conn_free(c);
		return NULL;
	}
	if ((*err = p2p_rlpx_hs_init(c->hs, initiator, &c->key, remote)) != 0) {
		p2p_conn_free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	bufferevent_set_max_single_read(c->bev, 1 << 18);
	return c;
fail:
	if (fd >= 0)
		evutil_closesocket(fd);
	return NULL;
}

struct p2p_conn *
p2p_conn_dial(const struct p2p_conn_cfg *cfg, const struct p2p_node *remote,
    int *err)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	struct p2p_conn *c;

	memset(&ss, 0, sizeof(ss));
	if (remote->ip.len == 4) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(remote->tcp);
		memcpy(&in4->sin_addr, remote->ip.b, 4);
		sl = sizeof(*in4);
	} else if (remote->ip.len == 16) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(remote->tcp);
		memcpy(&in6->sin6_addr, remote->ip.b, 16);
		sl = sizeof(*in6);
	} else {
		*err = P2P_EINVAL;
		return NULL;
	}
	if (remote->tcp == 0) {
		*err = P2P_EINVAL;
		return NULL;
	}
	if ((c = conn_new(cfg, -1, 1, &remote->pub, err)) == NULL)
		return NULL;
	c->remote = remote->pub;
	c->state = ST_CONNECTING;
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&ss,
	    (int)sl) != 0) {
		int e = errno;

		p2p_conn_free(c);
		errno = e;
		*err = e == ECONNREFUSED ? P2P_ECONNREFUSED : P2P_ENET;
		return NULL;
	}
	arm(c, c->cfg.dial_ms);
	return c;
}

struct p2p_conn *
p2p_conn_accept(const struct p2p_conn_cfg *cfg, int fd, int *err)
{
	struct p2p_conn *c;

	if (evutil_make_socket_nonblocking(fd) != 0) {
		evutil_closesocket(fd);
		*err = P2P_ENET;
		return NULL;
	}
	if ((c = conn_new(cfg, fd, 0, NULL, err)) == NULL)
		return NULL;
	/* The TCP event comes from the loop, not from inside this call. */
	c->state = ST_CONNECTING;
	bufferevent_trigger_event(c->bev, BEV_EVENT_CONNECTED,
	    BEV_TRIG_DEFER_CALLBACKS);
	return c;
}

int
p2p_conn_send(struct p2p_conn *c, uint64_t code, const uint8_t *data,
    size_t len)
{
	size_t n;

	if (c->frame == NULL || c->state >= ST_CLOSING)
		return P2P_EINVAL;
	/* What the frame can take on the wire: no frame is larger than
	 * P2P_CONN_FRAME_WIRE_MAX (the codec refuses bigger content). */
	n = p2p_frame_write_size(c->frame, len);
	if (n > P2P_CONN_FRAME_WIRE_MAX)
		n = P2P_CONN_FRAME_WIRE_MAX;
	if (out_len(c) + n > c->cfg.max_output + P2P_CONN_FRAME_WIRE_MAX)
		return P2P_ETOOBIG;
	return queue_msg(c, code, data, len);
}

int
p2p_conn_ping(struct p2p_conn *c)
{
	static const uint8_t empty[] = { 0xc0 };
	int rc;

	if (c->state != ST_RUNNING)
		return P2P_EINVAL;
	if ((rc = p2p_conn_send(c, P2P_PROTO_PING, empty, 1)) == 0)
		c->ping_at = now_us();
	return rc;
}

void
p2p_conn_disconnect(struct p2p_conn *c, unsigned reason)
{
	if (c->state >= ST_CLOSING)
		return;
	if (c->frame != NULL) {
		fail(c, 0, (int)reason);
		return;
	}
	/* Nothing to say it with: close from the loop, soon. */
	c->state = ST_CLOSING;
	c->close_err = 0;
	c->close_reason = -1;
	if (c->bev != NULL)
		bufferevent_disable(c->bev, EV_READ);
	arm(c, 0);
}

void
p2p_conn_free(struct p2p_conn *c)
{
	if (c == NULL)
		return;
	teardown(c);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->wtimer != NULL)
		event_free(c->wtimer);
	if (c->pinger != NULL)
		event_free(c->pinger);
	p2p_wipe(c, sizeof(*c));
	free(c);
}

int
p2p_conn_fd(const struct p2p_conn *c)
{
	return c->bev != NULL ? (int)bufferevent_getfd(c->bev) : -1;
}

int
p2p_conn_phase(const struct p2p_conn *c)
{
	return c->phase;
}

const struct p2p_pubkey *
p2p_conn_remote_key(const struct p2p_conn *c)
{
	return &c->remote;
}

int
p2p_conn_remote_eip8(const struct p2p_conn *c)
{
	return c->remote_eip8;
}

const struct p2p_hello *
p2p_conn_remote_hello(const struct p2p_conn *c)
{
	return &c->rhello;
}

const struct p2p_cap *
p2p_conn_caps(const struct p2p_conn *c, unsigned *n)
{
	*n = c->ncaps;
	return c->caps;
}

int
p2p_conn_snappy(const struct p2p_conn *c)
{
	return c->snappy;
}

size_t
p2p_conn_output_len(const struct p2p_conn *c)
{
	return out_len(c);
}
