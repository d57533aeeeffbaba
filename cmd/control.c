/*
 * control.c - the control socket: a JSON-RPC 2.0 server on a UNIX stream
 * socket, on the daemon's loop.  Each client has a bounded input buffer
 * (rpc.c finds the values in it), its calls in progress, and its
 * subscriptions.  A request is answered when its method returns, or
 * later (CTL_ASYNC); a batch when all its calls are done.  Clients are
 * freed from the loop, never from inside a callback that still uses
 * them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "cli.h"
#include "control.h"
#include "rpc.h"

/* Input is read in pieces of this size; a value may be up to
 * RPC_MAX_REQUEST bytes, so the buffer holds at most their sum. */
#define READ_CHUNK	(64 * 1024)
#define ACCEPT_RETRY_MS	100

struct client;
struct batch;

struct ctl_call {
	struct client *cl;
	struct batch *b;
	size_t slot;
	json_t *id;			/* NULL: a notification */
	enum { CALL_IN_FN, CALL_ASYNC, CALL_DONE } state;
	int code;			/* ctl_fail */
	char msg[512];
	json_t *early;			/* answered inside its method */
	void (*cancel)(void *);
	void *cancel_arg;
	TAILQ_ENTRY(ctl_call) link;	/* cl->calls while async */
};

/* One request or batch read from a client, until every call in it is
 * answered. */
struct batch {
	struct client *cl;
	int is_batch;
	size_t n, left;
	json_t **answers;		/* NULL slots: notifications */
};

struct sub {
	struct client *cl;
	char id[2 + 32 + 1];
	unsigned flags;
	struct batch *pending;		/* its subscribe not answered yet */
	TAILQ_ENTRY(sub) link;		/* cl->subs */
	TAILQ_ENTRY(sub) all;		/* ctl->subs */
};

struct client {
	struct ctl *ctl;
	struct bufferevent *bev;
	TAILQ_ENTRY(client) link;
	char *buf;
	size_t len, cap, off;		/* off: bytes of buf consumed */
	struct rpc_scan scan;
	TAILQ_HEAD(, ctl_call) calls;
	TAILQ_HEAD(, sub) subs;
	unsigned nsubs;
	int paused;			/* too much unread output */
	int closing;			/* say the last word, then close */
	int eof;			/* it will send no more */
	int dead;			/* freed from the loop soon */
	struct event *reaper;
};

struct ctl {
	struct event_base *base;
	const struct ctl_method *methods;
	void *arg;
	struct evconnlistener *lis;
	struct event *retry;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	TAILQ_HEAD(, client) clients;
	TAILQ_HEAD(, sub) subs;
	size_t nclients, nsubs;
};

static void client_kill(struct client *cl, const char *why);
static void process(struct client *cl);
static void maybe_done(struct client *cl);

/* ---- the socket ---- */

/* Something accepts on path: a daemon is using it. */
static int
live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return 0;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return rc;
}

static int
make_socket(struct ctl *c, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd;

	if (strlen(c->path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: path longer than %zu bytes", c->path,
		    sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	if (lstat(c->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket",
			    c->path);
			return -1;
		}
		if (live(&sa)) {
			snprintf(err, errlen, "%s is in use by a running "
			    "daemon", c->path);
			return -1;
		}
		/* Stale: left by a daemon that did not exit cleanly. */
		if (unlink(c->path) != 0) {
			snprintf(err, errlen, "%s: cannot remove the stale "
			    "socket: %s", c->path, strerror(errno));
			return -1;
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* No moment when the socket is open to others. */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		umask(old);
		snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(c->path, 0600) != 0 || lstat(c->path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
		close(fd);
		unlink(c->path);
		return -1;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	return fd;
}

/* ---- output ---- */

static void
send_value(struct client *cl, json_t *v)
{
	struct evbuffer *out;
	char *s;

	if (v == NULL || cl->dead)
		return;
	if ((s = json_dumps(v, JSON_COMPACT)) == NULL) {
		client_kill(cl, "out of memory");
		return;
	}
	out = bufferevent_get_output(cl->bev);
	evbuffer_add(out, s, strlen(s));
	evbuffer_add(out, "\n", 1);
	free(s);
	if (evbuffer_get_length(out) <= CTL_OUT_MAX)
		return;
	if (cl->nsubs > 0) {
		client_kill(cl, "a subscriber that does not read its events "
		    "was dropped");
		return;
	}
	/* Answers are not read: read no more requests until they are. */
	cl->paused = 1;
	bufferevent_disable(cl->bev, EV_READ);
}

/* ---- batches and calls ---- */

static void
batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		json_decref(b->answers[i]);
	free(b->answers);
	free(b);
}

static void
batch_flush(struct batch *b)
{
	struct client *cl = b->cl;
	struct sub *s;

	if (!b->is_batch) {
		send_value(cl, b->answers[0]);
	} else {
		json_t *a = json_array();

		for (size_t i = 0; i < b->n; i++)
			if (b->answers[i] != NULL)
				json_array_append(a, b->answers[i]);
		/* All notifications: nothing is said. */
		if (json_array_size(a) > 0)
			send_value(cl, a);
		json_decref(a);
	}
	/* Events follow the answer that gave the subscription's ID. */
	TAILQ_FOREACH(s, &cl->subs, link)
		if (s->pending == b)
			s->pending = NULL;
	batch_free(b);
}

static void
answer(struct ctl_call *call, json_t *v)
{
	struct batch *b = call->b;
	struct client *cl = call->cl;

	if (call->id != NULL)
		b->answers[call->slot] = v;
	else
		json_decref(v);
	json_decref(call->id);
	free(call);
	if (--b->left == 0) {
		batch_flush(b);
		maybe_done(cl);
	}
}

static json_t *
error_of(struct ctl_call *call, int code)
{
	return rpc_error(call->id, code, call->msg[0] ? call->msg :
	    "method failed");
}

int
ctl_fail(struct ctl_call *call, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(call->msg, sizeof(call->msg), fmt, ap);
	va_end(ap);
	call->code = code;
	return code;
}

static void
finish(struct ctl_call *call, json_t *v)
{
	if (call->state == CALL_ASYNC)
		TAILQ_REMOVE(&call->cl->calls, call, link);
	if (call->state == CALL_IN_FN) {
		/* Answered before its method returned: keep it for then. */
		call->state = CALL_DONE;
		call->early = v;
		return;
	}
	answer(call, v);
}

void
ctl_reply(struct ctl_call *call, json_t *result)
{
	finish(call, rpc_result(call->id, result));
}

void
ctl_reply_error(struct ctl_call *call, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(call->msg, sizeof(call->msg), fmt, ap);
	va_end(ap);
	finish(call, error_of(call, code));
}

void
ctl_on_cancel(struct ctl_call *call, void (*fn)(void *arg), void *arg)
{
	call->cancel = fn;
	call->cancel_arg = arg;
}

static const struct ctl_method *
find_method(const struct ctl *c, const char *name)
{
	for (const struct ctl_method *m = c->methods; m->name != NULL; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

static void
call_start(struct batch *b, size_t slot, json_t *v)
{
	struct client *cl = b->cl;
	struct ctl_call *call = calloc(1, sizeof(*call));
	const struct ctl_method *m;
	struct rpc_req r;
	json_t *result = NULL, *empty = NULL;
	int rc;

	if (call == NULL) {
		b->answers[slot] = rpc_error(NULL, RPC_SERVER_ERROR,
		    "out of memory");
		if (--b->left == 0)
			batch_flush(b);
		return;
	}
	call->cl = cl;
	call->b = b;
	call->slot = slot;
	if ((rc = rpc_req_check(v, &r, call->msg, sizeof(call->msg))) != 0) {
		/* An invalid request is answered even without an id. */
		call->id = json_incref(r.id != NULL ? r.id : json_null());
		answer(call, error_of(call, rc));
		return;
	}
	call->id = json_incref(r.id);
	if ((m = find_method(cl->ctl, r.method)) == NULL) {
		ctl_fail(call, RPC_METHOD_NOT_FOUND, "the method %.100s does "
		    "not exist/is not available", r.method);
		answer(call, error_of(call, RPC_METHOD_NOT_FOUND));
		return;
	}
	if (r.params == NULL)
		r.params = empty = json_array();
	rc = m->fn(cl->ctl->arg, call, r.params, &result);
	json_decref(empty);
	if (rc == CTL_ASYNC && call->state == CALL_DONE) {
		/* Answered from inside: finish now. */
		answer(call, call->early);
		return;
	}
	if (rc == CTL_ASYNC) {
		call->state = CALL_ASYNC;
		TAILQ_INSERT_TAIL(&cl->calls, call, link);
		return;
	}
	answer(call, rc == 0 ? rpc_result(call->id, result) :
	    error_of(call, rc));
}

/* One whole value from the client: a request or a batch. */
static void
handle_value(struct client *cl, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	struct batch *b;
	char msg[300];
	size_t n;

	if (v == NULL) {
		/* The stream cannot be trusted past this: answer, close. */
		snprintf(msg, sizeof(msg), "parse error: %s (at byte %d)",
		    jerr.text, jerr.position);
		json_t *e = rpc_error(NULL, RPC_PARSE_ERROR, msg);

		send_value(cl, e);
		json_decref(e);
		client_kill(cl, NULL);
		return;
	}
	n = json_is_array(v) ? json_array_size(v) : 1;
	if (json_is_array(v) && (n == 0 || n > RPC_MAX_BATCH)) {
		json_t *e;

		snprintf(msg, sizeof(msg), n == 0 ? "empty batch" :
		    "a batch of %zu requests (at most %d)", n, RPC_MAX_BATCH);
		e = rpc_error(NULL, RPC_INVALID_REQUEST, msg);
		send_value(cl, e);
		json_decref(e);
		json_decref(v);
		return;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->answers = calloc(n, sizeof(*b->answers))) == NULL) {
		free(b);
		json_decref(v);
		client_kill(cl, "out of memory");
		return;
	}
	b->cl = cl;
	b->is_batch = json_is_array(v);
	b->n = b->left = n;
	for (size_t i = 0; i < n; i++)
		call_start(b, i, b->is_batch ? json_array_get(v, i) : v);
	json_decref(v);
}

/* ---- input ---- */

/* A value over the limit: the stream cannot be followed past it. */
static void
too_large(struct client *cl)
{
	char msg[100];
	json_t *e;

	snprintf(msg, sizeof(msg), "request larger than %d bytes",
	    RPC_MAX_REQUEST);
	e = rpc_error(NULL, RPC_INVALID_REQUEST, msg);
	send_value(cl, e);
	json_decref(e);
	client_kill(cl, NULL);
}

/* Runs the complete values in the buffer, as long as the client is
 * read. */
static void
process(struct client *cl)
{
	size_t start, end;
	enum rpc_scan_result r;

	while (!cl->dead && !cl->closing && !cl->paused) {
		r = rpc_scan_feed(&cl->scan, cl->buf + cl->off,
		    cl->len - cl->off, &start, &end);
		if (r == RPC_SCAN_MORE)
			break;
		if (r != RPC_SCAN_VALUE) {
			json_t *e = rpc_error(NULL, RPC_PARSE_ERROR, r ==
			    RPC_SCAN_DEEP ? "parse error: nested too deep" :
			    "parse error: not a JSON object or array");

			send_value(cl, e);
			json_decref(e);
			client_kill(cl, NULL);
			return;
		}
		rpc_scan_reset(&cl->scan);
		if (end - start > RPC_MAX_REQUEST) {
			too_large(cl);
			return;
		}
		cl->off += end;
		handle_value(cl, cl->buf + cl->off - end + start, end - start);
	}
	if (cl->dead)
		return;
	/* Drop what was consumed, keeping a partial value. */
	if (cl->off > 0) {
		memmove(cl->buf, cl->buf + cl->off, cl->len - cl->off);
		cl->len -= cl->off;
		cl->off = 0;
	}
	if (cl->len - cl->scan.start > RPC_MAX_REQUEST && !cl->closing)
		too_large(cl);
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (!cl->dead && !cl->closing && !cl->paused &&
	    evbuffer_get_length(in) > 0) {
		size_t want = evbuffer_get_length(in);

		if (want > READ_CHUNK)
			want = READ_CHUNK;
		if (cl->cap - cl->len < want) {
			size_t ncap = cl->len + want;
			char *nb = realloc(cl->buf, ncap);

			if (nb == NULL) {
				client_kill(cl, "out of memory");
				return;
			}
			cl->buf = nb;
			cl->cap = ncap;
		}
		cl->len += (size_t)evbuffer_remove(in, cl->buf + cl->len,
		    want);
		process(cl);
	}
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct client *cl = arg;
	size_t left = evbuffer_get_length(bufferevent_get_output(bev));

	if (cl->closing && left == 0) {
		client_kill(cl, NULL);
		return;
	}
	if (cl->paused && left <= CTL_OUT_MAX / 4) {
		cl->paused = 0;
		bufferevent_enable(bev, EV_READ);
		process(cl);
		read_cb(bev, cl);
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client *cl = arg;

	(void)bev;
	if (what & BEV_EVENT_ERROR) {
		/* Gone: nothing more can be said to it. */
		cl->closing = 1;
		client_kill(cl, NULL);
	} else if (what & BEV_EVENT_EOF) {
		/* Half closed, perhaps (echo ... | socat): it may still
		 * read the answers to what it sent. */
		cl->eof = 1;
		bufferevent_disable(cl->bev, EV_READ);
		maybe_done(cl);
	}
}

/* A client that sent its last request goes once all are answered; a
 * value it left unfinished is a parse error, said before closing. */
static void
maybe_done(struct client *cl)
{
	if (!cl->eof || !TAILQ_EMPTY(&cl->calls) || cl->dead)
		return;
	if (cl->scan.started && !cl->closing) {
		json_t *e = rpc_error(NULL, RPC_PARSE_ERROR, "parse error: "
		    "unexpected end of input");

		send_value(cl, e);
		json_decref(e);
		cl->scan.started = 0;
	}
	client_kill(cl, NULL);
}

/* ---- clients ---- */

static void
client_free(struct client *cl)
{
	struct ctl *c = cl->ctl;
	struct ctl_call *call;
	struct sub *s;

	while ((call = TAILQ_FIRST(&cl->calls)) != NULL) {
		struct batch *b = call->b;

		TAILQ_REMOVE(&cl->calls, call, link);
		if (call->cancel != NULL)
			call->cancel(call->cancel_arg);
		json_decref(call->id);
		free(call);
		if (--b->left == 0)
			batch_free(b);
	}
	while ((s = TAILQ_FIRST(&cl->subs)) != NULL) {
		TAILQ_REMOVE(&cl->subs, s, link);
		TAILQ_REMOVE(&c->subs, s, all);
		c->nsubs--;
		free(s);
	}
	TAILQ_REMOVE(&c->clients, cl, link);
	c->nclients--;
	bufferevent_free(cl->bev);
	event_free(cl->reaper);
	free(cl->buf);
	free(cl);
	if (c->lis != NULL && c->nclients < CTL_MAX_CLIENTS)
		evconnlistener_enable(c->lis);
}

static void
reaper_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	client_free(arg);
}

/*
 * Ends a client from the loop, not from inside the callback that is
 * using it.  With unsent output and no why, the output goes first (a
 * parse error's answer); why is logged.
 */
static void
client_kill(struct client *cl, const char *why)
{
	struct evbuffer *out = bufferevent_get_output(cl->bev);

	if (why != NULL)
		cli_warn("control: %s", why);
	if (why == NULL && !cl->closing && !cl->dead &&
	    evbuffer_get_length(out) > 0) {
		cl->closing = 1;
		bufferevent_disable(cl->bev, EV_READ);
		bufferevent_setwatermark(cl->bev, EV_WRITE, 0, 0);
		return;
	}
	if (cl->dead)
		return;
	cl->dead = 1;
	bufferevent_disable(cl->bev, EV_READ | EV_WRITE);
	event_active(cl->reaper, EV_TIMEOUT, 0);
}

static void
accept_cb(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct ctl *c = arg;
	struct client *cl;

	(void)lis;
	(void)sa;
	(void)salen;
	if (c->nclients >= CTL_MAX_CLIENTS ||
	    (cl = calloc(1, sizeof(*cl))) == NULL) {
		close(fd);
		return;
	}
	cl->ctl = c;
	TAILQ_INIT(&cl->calls);
	TAILQ_INIT(&cl->subs);
	cl->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	cl->reaper = event_new(c->base, -1, 0, reaper_cb, cl);
	if (cl->bev == NULL || cl->reaper == NULL) {
		if (cl->bev != NULL)
			bufferevent_free(cl->bev);
		else
			close(fd);
		if (cl->reaper != NULL)
			event_free(cl->reaper);
		free(cl);
		return;
	}
	TAILQ_INSERT_TAIL(&c->clients, cl, link);
	c->nclients++;
	if (c->nclients >= CTL_MAX_CLIENTS)
		evconnlistener_disable(c->lis);
	/* Read no more than a chunk ahead; write callbacks when answers
	 * drain below a quarter of the cap. */
	bufferevent_setwatermark(cl->bev, EV_READ, 0, READ_CHUNK);
	bufferevent_setwatermark(cl->bev, EV_WRITE, CTL_OUT_MAX / 4, 0);
	bufferevent_setcb(cl->bev, read_cb, write_cb, event_cb, cl);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl *c = arg;

	(void)fd;
	(void)what;
	if (c->nclients < CTL_MAX_CLIENTS)
		evconnlistener_enable(c->lis);
}

static void
accept_error_cb(struct evconnlistener *lis, void *arg)
{
	struct ctl *c = arg;
	struct timeval tv = { 0, ACCEPT_RETRY_MS * 1000 };

	/* Out of descriptors, mostly: wait instead of spinning. */
	evconnlistener_disable(lis);
	evtimer_add(c->retry, &tv);
}

/* ---- the public face ---- */

int
ctl_new(struct ctl **out, struct event_base *base, const char *path,
    const struct ctl_method *methods, void *arg, char *err, size_t errlen)
{
	struct ctl *c = calloc(1, sizeof(*c));
	int fd;

	*out = NULL;
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->base = base;
	c->methods = methods;
	c->arg = arg;
	TAILQ_INIT(&c->clients);
	TAILQ_INIT(&c->subs);
	snprintf(c->path, sizeof(c->path), "%s", path);
	if (strlen(path) >= sizeof(c->path)) {
		snprintf(err, errlen, "%s: path longer than %zu bytes", path,
		    sizeof(c->path) - 1);
		free(c);
		return -1;
	}
	if ((fd = make_socket(c, err, errlen)) < 0) {
		free(c);
		return -1;
	}
	c->retry = evtimer_new(base, retry_cb, c);
	c->lis = evconnlistener_new(base, accept_cb, c, LEV_OPT_CLOSE_ON_FREE,
	    128, fd);
	if (c->lis == NULL || c->retry == NULL) {
		snprintf(err, errlen, "%s: cannot listen", path);
		if (c->lis == NULL)
			close(fd);
		c->path[0] = '\0';
		unlink(path);
		ctl_free(c);
		return -1;
	}
	evconnlistener_set_error_cb(c->lis, accept_error_cb);
	*out = c;
	return 0;
}

void
ctl_free(struct ctl *c)
{
	struct client *cl;
	struct stat st;

	if (c == NULL)
		return;
	while ((cl = TAILQ_FIRST(&c->clients)) != NULL)
		client_free(cl);
	if (c->lis != NULL)
		evconnlistener_free(c->lis);
	if (c->retry != NULL)
		event_free(c->retry);
	/* Only our own socket: another daemon may have replaced it. */
	if (c->path[0] != '\0' && lstat(c->path, &st) == 0 &&
	    st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	free(c);
}

size_t
ctl_clients(const struct ctl *c)
{
	return c->nclients;
}

int
ctl_subscribe(struct ctl_call *call, unsigned flags, json_t **id)
{
	struct client *cl = call->cl;
	struct ctl *c = cl->ctl;
	uint8_t rnd[16];
	struct sub *s;

	if (cl->nsubs >= CTL_MAX_SUBS)
		return ctl_fail(call, RPC_SERVER_ERROR, "too many "
		    "subscriptions on this connection (at most %d)",
		    CTL_MAX_SUBS);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ctl_fail(call, RPC_SERVER_ERROR, "out of memory");
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		free(s);
		return ctl_fail(call, RPC_SERVER_ERROR, "no randomness");
	}
	memcpy(s->id, "0x", 2);
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(s->id + 2 + 2 * i, 3, "%02x", rnd[i]);
	s->cl = cl;
	s->flags = flags;
	s->pending = call->b;
	TAILQ_INSERT_TAIL(&cl->subs, s, link);
	TAILQ_INSERT_TAIL(&c->subs, s, all);
	cl->nsubs++;
	c->nsubs++;
	*id = json_string(s->id);
	return 0;
}

int
ctl_unsubscribe(struct ctl_call *call, const char *id)
{
	struct client *cl = call->cl;
	struct sub *s;

	TAILQ_FOREACH(s, &cl->subs, link)
		if (strcmp(s->id, id) == 0) {
			TAILQ_REMOVE(&cl->subs, s, link);
			TAILQ_REMOVE(&cl->ctl->subs, s, all);
			cl->nsubs--;
			cl->ctl->nsubs--;
			free(s);
			return 0;
		}
	return ctl_fail(call, RPC_SERVER_ERROR, "subscription not found");
}

size_t
ctl_subscriptions(const struct ctl *c)
{
	return c != NULL ? c->nsubs : 0;
}

#define PUBLISH_CACHE 4

void
ctl_publish(struct ctl *c, const char *method,
    json_t *(*make)(void *arg, unsigned flags), void *arg)
{
	struct { unsigned flags; json_t *v; } cache[PUBLISH_CACHE];
	size_t ncache = 0;
	struct sub *s, *next;

	if (c == NULL)
		return;
	/* send_value may drop a slow subscriber: walk with care. */
	for (s = TAILQ_FIRST(&c->subs); s != NULL; s = next) {
		json_t *v = NULL, *note;
		size_t i;

		next = TAILQ_NEXT(s, all);
		if (s->pending != NULL || s->cl->dead || s->cl->closing)
			continue;
		for (i = 0; i < ncache; i++)
			if (cache[i].flags == s->flags) {
				v = cache[i].v;
				break;
			}
		if (i == ncache) {
			v = make(arg, s->flags);
			if (ncache < PUBLISH_CACHE) {
				cache[ncache].flags = s->flags;
				cache[ncache++].v = v;
			}
		}
		if (v != NULL) {
			note = json_pack("{s:s,s:s,s:{s:s,s:O}}", "jsonrpc",
			    "2.0", "method", method, "params",
			    "subscription", s->id, "result", v);
			send_value(s->cl, note);
			json_decref(note);
		}
		if (i >= PUBLISH_CACHE)
			json_decref(v);
	}
	for (size_t i = 0; i < ncache; i++)
		json_decref(cache[i].v);
}
