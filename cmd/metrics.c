/*
 * metrics.c - p2p-serverd's Prometheus endpoint (metrics.h).  Counters
 * that only events can give (dial and accept results, the handshake
 * time, messages by capability and code) are kept here, in fixed tables
 * allocated once with the endpoint, so an event never allocates and a
 * peer cannot grow them: label values come from bounded sets (phases,
 * error and Disconnect reason names, our own capabilities).  Everything
 * the server, its discovery and its node database already count is read
 * when scraped.  The text format is Prometheus' 0.0.4; the HTTP side is
 * libevent's evhttp on the daemon's own loop, with short timeouts and
 * small request limits, since nothing but GET /metrics is served.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include <p2p/dial.h>
#include <p2p/disc.h>
#include <p2p/nodedb.h>
#include <p2p/p2p.h>
#include <p2p/proto.h>
#include <p2p/table.h>

#include "metrics.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define HTTP_TIMEOUT_S 10	/* a scraper is quick or gone */
#define HTTP_HEADERS_MAX 8192
#define HTTP_BODY_MAX 1024	/* GET has none */
#define LISTEN_BACKLOG 16

#define NPHASES (P2P_SERVER_PHASE_ADD + 1)
/* (direction, phase, reason) series: 2 x 6 x the error and Disconnect
 * names could pass this only in theory; the rest count as reason
 * "other" of their phase. */
#define FAIL_SERIES_MAX 256
/* (capability, code) series; past it, messages count under cap and code
 * "other".  The slots are a power of two, at least twice as many. */
#define MSG_SERIES_MAX 1024
#define MSG_SLOTS 2048

enum { DIR_OUT, DIR_IN };	/* dials, inbound connections */
enum { MSG_IN, MSG_OUT };	/* ingress, egress */

static const char *const dir_name[2] = { "outbound", "inbound" };
static const char *const phase_name[NPHASES] = {
	"resolve", "tcp", "auth", "admit", "hello", "add",
};
/* Indexed by enum p2p_disc_type. */
static const char *const disc_type_name[P2P_DISC_STATS_TYPES] = {
	NULL, "ping", "pong", "findnode", "neighbors", "enrrequest",
	"enrresponse",
};

/* Handshake duration buckets, in ms so that "le" compares exactly. */
static const uint64_t bucket_ms[] = {
	5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
};
#define NBUCKETS (sizeof(bucket_ms) / sizeof(bucket_ms[0]))

struct hist {
	uint64_t bucket[NBUCKETS];	/* per bucket, made cumulative when
					 * written */
	uint64_t count, sum_ms;
};

struct fail_series {
	int dir;
	enum p2p_server_phase phase;
	const char *reason;	/* static: p2p_errname, p2p_proto_disc_reason */
	uint64_t n;
};

struct msg_series {
	char cap[P2P_PROTO_CAP_NAME_MAX + 1];
	unsigned version;
	uint64_t code;
	uint64_t n[2], bytes[2];	/* MSG_IN, MSG_OUT */
};

struct metrics {
	struct p2p_server *srv;		/* borrowed */
	char *dbpath;			/* owned copy; NULL: none */
	struct evhttp *http;
	uint16_t port;
	uint64_t success[2];		/* DIR_* */
	struct hist hs[2];
	struct fail_series fail[FAIL_SERIES_MAX];
	size_t nfail;
	uint64_t fail_other[2][NPHASES];
	uint64_t accept_errors;
	struct msg_series msg[MSG_SERIES_MAX];
	uint16_t slot[MSG_SLOTS];	/* index into msg + 1; 0: free */
	size_t nmsg;
	uint64_t other_n[2], other_bytes[2];
};

/* ---- counting events ---- */

static void
count_added(struct metrics *m, const struct p2p_server_ev *ev)
{
	int dir = ev->flags & P2P_FLAG_INBOUND ? DIR_IN : DIR_OUT;
	struct hist *h = &m->hs[dir];
	size_t i;

	m->success[dir]++;
	for (i = 0; i < NBUCKETS && ev->duration_ms > bucket_ms[i]; i++)
		;
	if (i < NBUCKETS)
		h->bucket[i]++;
	h->count++;
	h->sum_ms += ev->duration_ms;
}

static void
count_failed(struct metrics *m, const struct p2p_server_ev *ev)
{
	int dir = ev->flags & P2P_FLAG_INBOUND ? DIR_IN : DIR_OUT;
	const char *reason;
	struct fail_series *f;

	if ((unsigned)ev->phase >= NPHASES)
		return;
	reason = ev->reason >= 0 ? p2p_proto_disc_reason(
	    (unsigned)ev->reason) : p2p_errname(ev->err);
	for (size_t i = 0; i < m->nfail; i++) {
		f = &m->fail[i];
		if (f->dir == dir && f->phase == ev->phase &&
		    strcmp(f->reason, reason) == 0) {
			f->n++;
			return;
		}
	}
	if (m->nfail == FAIL_SERIES_MAX) {
		m->fail_other[dir][ev->phase]++;
		return;
	}
	f = &m->fail[m->nfail++];
	f->dir = dir;
	f->phase = ev->phase;
	f->reason = reason;
	f->n = 1;
}

static uint32_t
msg_hash(const char *cap, unsigned version, uint64_t code)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *cap != '\0'; cap++)
		h = (h ^ (uint8_t)*cap) * 16777619u;
	h = (h ^ version) * 16777619u;
	return (h ^ (uint32_t)code ^ (uint32_t)(code >> 32)) * 16777619u;
}

/* The series of (cap, version, code), made if there is room; NULL: the
 * table is full. */
static struct msg_series *
msg_find(struct metrics *m, const char *cap, unsigned version,
    uint64_t code)
{
	uint32_t i = msg_hash(cap, version, code) & (MSG_SLOTS - 1);
	struct msg_series *s;

	for (; m->slot[i] != 0; i = (i + 1) & (MSG_SLOTS - 1)) {
		s = &m->msg[m->slot[i] - 1];
		if (s->version == version && s->code == code &&
		    strcmp(s->cap, cap) == 0)
			return s;
	}
	if (m->nmsg == MSG_SERIES_MAX || strlen(cap) >= sizeof(s->cap))
		return NULL;
	s = &m->msg[m->nmsg++];
	memcpy(s->cap, cap, strlen(cap) + 1);
	s->version = version;
	s->code = code;
	m->slot[i] = (uint16_t)m->nmsg;
	return s;
}

static void
count_msg(struct metrics *m, const struct p2p_server_ev *ev, int dir)
{
	struct msg_series *s = NULL;

	if (ev->proto != NULL)
		s = msg_find(m, ev->proto, ev->proto_version, ev->code);
	if (s == NULL) {
		m->other_n[dir]++;
		m->other_bytes[dir] += ev->size;
		return;
	}
	s->n[dir]++;
	s->bytes[dir] += ev->size;
}

void
metrics_event(struct metrics *m, const struct p2p_server_ev *ev)
{
	switch (ev->type) {
	case P2P_SERVER_EV_ADD:
		count_added(m, ev);
		break;
	case P2P_SERVER_EV_FAIL:
		count_failed(m, ev);
		break;
	case P2P_SERVER_EV_MSGRECV:
		count_msg(m, ev, MSG_IN);
		break;
	case P2P_SERVER_EV_MSGSEND:
		count_msg(m, ev, MSG_OUT);
		break;
	case P2P_SERVER_EV_ACCEPT_ERROR:
		m->accept_errors++;
		break;
	default:
		break;
	}
}

/* ---- writing the text format ---- */

static void
family(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/* A label value, escaped as the text format wants. */
static void
label_value(struct evbuffer *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			evbuffer_add_printf(b, "\\%c", *s);
		else if (*s == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, s, 1);
	}
}

static void
write_server(struct metrics *m, struct evbuffer *b)
{
	struct p2p_server_counts c;

	p2p_server_counts(m->srv, &c);
	family(b, "p2p_peers", "gauge", "Connected peers by direction.");
	evbuffer_add_printf(b, "p2p_peers{direction=\"inbound\"} %u\n"
	    "p2p_peers{direction=\"outbound\"} %u\n", c.inbound, c.outbound);
	family(b, "p2p_peers_limit", "gauge",
	    "Peer slot limits (max_dialed: dynamic dials).");
	evbuffer_add_printf(b, "p2p_peers_limit{kind=\"max_peers\"} %u\n"
	    "p2p_peers_limit{kind=\"max_inbound\"} %u\n"
	    "p2p_peers_limit{kind=\"max_dialed\"} %u\n"
	    "p2p_peers_limit{kind=\"max_pending\"} %u\n", c.max_peers,
	    c.max_inbound, c.max_dialed, c.max_pending);
	family(b, "p2p_pending_handshakes", "gauge",
	    "Connections in the encryption or protocol handshake.");
	evbuffer_add_printf(b, "p2p_pending_handshakes %u\n", c.pending);
	family(b, "p2p_dials_running", "gauge", "Dials under way.");
	evbuffer_add_printf(b, "p2p_dials_running %u\n", c.dialing);
	family(b, "p2p_static_nodes", "gauge", "Nodes in the static set.");
	evbuffer_add_printf(b, "p2p_static_nodes %u\n", c.statics);
	family(b, "p2p_trusted_nodes", "gauge", "Nodes in the trusted set.");
	evbuffer_add_printf(b, "p2p_trusted_nodes %u\n", c.trusted);
	family(b, "p2p_accept_errors_total", "counter",
	    "Failed accepts (accepting pauses after each).");
	evbuffer_add_printf(b, "p2p_accept_errors_total %" PRIu64 "\n",
	    m->accept_errors);
}

/* p2p_dials_total or p2p_inbound_connections_total. */
static void
write_results(struct metrics *m, struct evbuffer *b, int dir)
{
	const char *name = dir == DIR_IN ? "p2p_inbound_connections_total" :
	    "p2p_dials_total";

	family(b, name, "counter", dir == DIR_IN ?
	    "Inbound connections by result: success (added as a peer) or "
	    "the phase that failed, with the error or Disconnect reason." :
	    "Dials by result: success (added as a peer) or the phase that "
	    "failed, with the error or Disconnect reason.");
	evbuffer_add_printf(b, "%s{result=\"success\"} %" PRIu64 "\n", name,
	    m->success[dir]);
	for (size_t i = 0; i < m->nfail; i++) {
		const struct fail_series *f = &m->fail[i];

		if (f->dir != dir)
			continue;
		evbuffer_add_printf(b, "%s{result=\"%s\",reason=\"", name,
		    phase_name[f->phase]);
		label_value(b, f->reason);
		evbuffer_add_printf(b, "\"} %" PRIu64 "\n", f->n);
	}
	for (int p = 0; p < NPHASES; p++)
		if (m->fail_other[dir][p] != 0)
			evbuffer_add_printf(b, "%s{result=\"%s\","
			    "reason=\"other\"} %" PRIu64 "\n", name,
			    phase_name[p], m->fail_other[dir][p]);
}

static void
write_hist(struct metrics *m, struct evbuffer *b)
{
	const char *name = "p2p_handshake_duration_seconds";

	family(b, name, "histogram",
	    "Time from accept or dial start to the peer being added.");
	for (int dir = 0; dir < 2; dir++) {
		const struct hist *h = &m->hs[dir];
		uint64_t cum = 0;

		for (size_t i = 0; i < NBUCKETS; i++) {
			cum += h->bucket[i];
			evbuffer_add_printf(b, "%s_bucket{direction=\"%s\","
			    "le=\"%" PRIu64 ".%03" PRIu64 "\"} %" PRIu64 "\n",
			    name, dir_name[dir], bucket_ms[i] / 1000,
			    bucket_ms[i] % 1000, cum);
		}
		evbuffer_add_printf(b, "%s_bucket{direction=\"%s\","
		    "le=\"+Inf\"} %" PRIu64 "\n", name, dir_name[dir],
		    h->count);
		evbuffer_add_printf(b, "%s_sum{direction=\"%s\"} %" PRIu64
		    ".%03" PRIu64 "\n", name, dir_name[dir], h->sum_ms / 1000,
		    h->sum_ms % 1000);
		evbuffer_add_printf(b, "%s_count{direction=\"%s\"} %" PRIu64
		    "\n", name, dir_name[dir], h->count);
	}
}

/* One of the four message families; series never seen are left out. */
static void
write_msgs(struct metrics *m, struct evbuffer *b, int dir, int bytes)
{
	char name[64];

	snprintf(name, sizeof(name), "p2p_%s_%s_total", dir == MSG_IN ?
	    "ingress" : "egress", bytes ? "bytes" : "messages");
	family(b, name, "counter", bytes ?
	    "Capability message payload bytes by capability and code." :
	    "Capability messages by capability and code.");
	for (size_t i = 0; i < m->nmsg; i++) {
		const struct msg_series *s = &m->msg[i];

		if (s->n[dir] == 0)
			continue;
		evbuffer_add_printf(b, "%s{cap=\"", name);
		label_value(b, s->cap);
		evbuffer_add_printf(b, "/%u\",code=\"%" PRIu64 "\"} %" PRIu64
		    "\n", s->version, s->code, bytes ? s->bytes[dir] :
		    s->n[dir]);
	}
	if (m->other_n[dir] != 0)
		evbuffer_add_printf(b, "%s{cap=\"other\",code=\"other\"} %"
		    PRIu64 "\n", name, bytes ? m->other_bytes[dir] :
		    m->other_n[dir]);
}

static void
count_bucket(void *arg, const struct p2p_table_entry *e, int bucket)
{
	size_t *per = arg;

	(void)e;
	if (bucket >= 0 && bucket < P2P_TABLE_NBUCKETS)
		per[bucket]++;
}

static void
write_disc_packets(struct evbuffer *b, const struct p2p_disc_stats *st)
{
	const char *name = "p2p_discovery_packets_total";

	family(b, name, "counter", "Discovery packets handled (in) and sent "
	    "(out) by type.");
	for (int t = 1; t < P2P_DISC_STATS_TYPES; t++)
		evbuffer_add_printf(b, "%s{direction=\"in\",type=\"%s\"} %"
		    PRIu64 "\n%s{direction=\"out\",type=\"%s\"} %" PRIu64
		    "\n", name, disc_type_name[t], st->in_type[t], name,
		    disc_type_name[t], st->out_type[t]);
	name = "p2p_discovery_datagrams_total";
	family(b, name, "counter", "Discovery datagrams received and sent.");
	evbuffer_add_printf(b, "%s{direction=\"in\"} %" PRIu64 "\n"
	    "%s{direction=\"out\"} %" PRIu64 "\n", name, st->in, name,
	    st->out);
	name = "p2p_discovery_dropped_packets_total";
	family(b, name, "counter", "Discovery packets ignored, by why "
	    "(error: undecodable, oversized, our own or not sent).");
	evbuffer_add_printf(b, "%s{reason=\"error\"} %" PRIu64 "\n"
	    "%s{reason=\"expired\"} %" PRIu64 "\n"
	    "%s{reason=\"unsolicited\"} %" PRIu64 "\n"
	    "%s{reason=\"unbonded\"} %" PRIu64 "\n"
	    "%s{reason=\"restricted\"} %" PRIu64 "\n", name, st->dropped,
	    name, st->expired, name, st->unsolicited, name, st->unbonded,
	    name, st->restricted);
}

static void
write_disc(struct evbuffer *b, struct p2p_disc *d)
{
	struct p2p_table *t = p2p_disc_table(d);
	size_t per[P2P_TABLE_NBUCKETS] = { 0 };
	struct p2p_disc_stats st;

	p2p_disc_get_stats(d, &st);
	write_disc_packets(b, &st);
	family(b, "p2p_discovery_pending_replies_peak", "gauge",
	    "The most discovery replies awaited at once.");
	evbuffer_add_printf(b, "p2p_discovery_pending_replies_peak %" PRIu64
	    "\n", st.pending_max);
	family(b, "p2p_discovery_table_nodes", "gauge",
	    "Nodes in the discovery table.");
	evbuffer_add_printf(b, "p2p_discovery_table_nodes %zu\n",
	    p2p_table_len(t));
	p2p_table_foreach(t, count_bucket, per);
	family(b, "p2p_discovery_bucket_nodes", "gauge",
	    "Nodes in each bucket of the discovery table.");
	for (int i = 0; i < P2P_TABLE_NBUCKETS; i++)
		evbuffer_add_printf(b, "p2p_discovery_bucket_nodes"
		    "{bucket=\"%d\"} %zu\n", i, per[i]);
}

static void
write_db(struct metrics *m, struct evbuffer *b, struct p2p_disc *d)
{
	struct stat sb;
	size_t n;

	if (d != NULL && p2p_nodedb_count(p2p_disc_db(d), &n) == 0) {
		family(b, "p2p_nodedb_nodes", "gauge",
		    "Nodes in the node database.");
		evbuffer_add_printf(b, "p2p_nodedb_nodes %zu\n", n);
	}
	if (m->dbpath != NULL && stat(m->dbpath, &sb) == 0) {
		family(b, "p2p_nodedb_size_bytes", "gauge",
		    "Size of the node database file.");
		evbuffer_add_printf(b, "p2p_nodedb_size_bytes %jd\n",
		    (intmax_t)sb.st_size);
	}
}

static void
write_all(struct metrics *m, struct evbuffer *b)
{
	struct p2p_disc *d = p2p_server_disc(m->srv);

	write_server(m, b);
	write_results(m, b, DIR_OUT);
	write_results(m, b, DIR_IN);
	write_hist(m, b);
	for (int dir = 0; dir < 2; dir++) {
		write_msgs(m, b, dir, 0);
		write_msgs(m, b, dir, 1);
	}
	if (d != NULL)
		write_disc(b, d);
	write_db(m, b, d);
}

/* ---- HTTP ---- */

/* HEAD: the headers GET would give, no body.  libevent 2.1 would send
 * the output buffer after a HEAD reply's headers, so the body is built
 * aside only to give its Content-Length. */
static void
head_reply(struct metrics *m, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	char len[32];

	if (b == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	write_all(m, b);
	snprintf(len, sizeof(len), "%zu", evbuffer_get_length(b));
	evbuffer_free(b);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Length", len);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

static void
handle_request(struct evhttp_request *req, void *arg)
{
	struct metrics *m = arg;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path = u != NULL ? evhttp_uri_get_path(u) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (path == NULL || strcmp(path, "/metrics") != 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		/* Not evhttp_send_error: it drops the headers set here. */
		evhttp_add_header(h, "Allow", "GET, HEAD");
		evhttp_add_header(h, "Content-Type", "text/plain");
		evbuffer_add_printf(evhttp_request_get_output_buffer(req),
		    "method not allowed\n");
		evhttp_send_reply(req, HTTP_BADMETHOD, "Method Not Allowed",
		    NULL);
		return;
	}
	evhttp_add_header(h, "Content-Type", CONTENT_TYPE);
	if (cmd == EVHTTP_REQ_HEAD) {
		head_reply(m, req);
		return;
	}
	write_all(m, evhttp_request_get_output_buffer(req));
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

/* A listening TCP socket on ip:port.  Returns the fd, or -1 with errno
 * set.  Out: bound: the port. */
static int
listen_on(const struct p2p_ip *ip, uint16_t port, uint16_t *bound)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd, one = 1, e;

	memset(&ss, 0, sizeof(ss));
	if (ip->len == 16) {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ip->b, 16);
		sin6->sin6_port = htons(port);
		sl = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		if (ip->len == 4)
			memcpy(&sin->sin_addr, ip->b, 4);
		else
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons(port);
		sl = sizeof(*sin);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
	    listen(fd, LISTEN_BACKLOG) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*bound = ntohs(ss.ss_family == AF_INET6 ? sin6->sin6_port :
	    sin->sin_port);
	return fd;
}

static int
start_http(struct metrics *m, struct event_base *base,
    const struct p2p_ip *ip, uint16_t port, char *err, size_t errlen)
{
	char ipt[64];
	int fd;

	if ((m->http = evhttp_new(base)) == NULL) {
		snprintf(err, errlen, "cannot set up HTTP");
		return -1;
	}
	/* Every method reaches handle_request, which answers 405 itself
	 * (evhttp would say 501 Not Implemented). */
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_timeout(m->http, HTTP_TIMEOUT_S);
	evhttp_set_max_headers_size(m->http, HTTP_HEADERS_MAX);
	evhttp_set_max_body_size(m->http, HTTP_BODY_MAX);
	evhttp_set_gencb(m->http, handle_request, m);
	if ((fd = listen_on(ip, port, &m->port)) < 0) {
		p2p_ip_format(ipt, ip);
		snprintf(err, errlen, "cannot listen on %s:%u: %s",
		    ipt[0] != '\0' ? ipt : "127.0.0.1", port, strerror(errno));
		return -1;
	}
	/* On success evhttp owns fd (it closes it when freed). */
	if (evhttp_accept_socket_with_handle(m->http, fd) == NULL) {
		close(fd);
		snprintf(err, errlen, "cannot accept HTTP connections");
		return -1;
	}
	return 0;
}

struct metrics *
metrics_new(struct event_base *base, const struct p2p_ip *ip, uint16_t port,
    struct p2p_server *srv, const char *dbpath, char *err, size_t errlen)
{
	struct metrics *m;

	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (dbpath != NULL && (m->dbpath = strdup(dbpath)) == NULL)) {
		snprintf(err, errlen, "out of memory");
		free(m);
		return NULL;
	}
	m->srv = srv;
	if (start_http(m, base, ip, port, err, errlen) != 0) {
		metrics_free(m);
		return NULL;
	}
	return m;
}

uint16_t
metrics_port(const struct metrics *m)
{
	return m->port;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->http != NULL)
		evhttp_free(m->http);
	free(m->dbpath);
	free(m);
}
