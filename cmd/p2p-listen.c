/*
 * p2p-listen - the recipient's side of p2p-dial: accepts RLPx connections
 * and reports each one's phases as NDJSON (accept, auth, hello, pong,
 * disconnect).  With --session it serves one peer and becomes a scriptable
 * one: commands on stdin, messages on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/listener.h>

#include <p2p/conn.h>
#include <p2p/enode.h>
#include <p2p/json.h>

#include "cli.h"
#include "peer.h"

static const char usage[] =
    "p2p-listen [options]";

static const char options[] =
    "      --addr IP:PORT       where to listen (default 127.0.0.1:30303;"
    " port 0 picks one)\n"
    "      --nodekey FILE       our node key (default: a fresh one)\n"
    "      --nodekeyhex HEX     our node key as 64 hex characters\n"
    "      --count N            exit after N connections have ended\n"
    "      --stage STAGE        disconnect after tcp, auth, hello or ping;"
    " none\n"
    "                           (the default) leaves it to the peer\n"
    "      --caps LIST          capabilities to advertise:"
    " name/version[:length],...\n"
    "      --name NAME          client name in our Hello\n"
    "      --no-snappy          advertise Hello version 4 (no snappy)\n"
    "      --require-caps       disconnect peers sharing no capability\n"
    "      --reason N           Disconnect reason for --stage (default 0)\n"
    "      --handshake-timeout DUR  deadline of each handshake (default"
    " 5s)\n"
    "      --timeout DUR        exit 1 if --count is not reached by then\n"
    "      --max-pending N      handshakes in progress at once (default"
    " 50)\n"
    "      --pidfile FILE       write our pid to FILE once listening\n"
    "      --detach             run in the background; return once"
    " listening\n"
    "      --session            one peer; commands on stdin after the"
    " Hello\n"
    "      --linger DUR         --session: wait DUR after end of input"
    " (default 1s)\n"
    "  -h, --help               show this help\n"
    "  -V, --version            show the version\n";

struct opts {
	struct p2p_conn_cfg cfg;
	struct p2p_privkey key;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int stage;
	uint64_t count, reason, timeout_ms, linger_ms, max_pending;
	int session, detach;
	const char *pidfile;
};

struct peer {
	struct listen *l;
	uint64_t n;
	char addr[64];
	struct p2p_conn *c;
	struct peer_session *sess;
	uint64_t t0, t_auth;
	int reached;
	int pending;		/* counted in l->pending */
	struct peer *next, **prevp;
};

struct listen {
	struct event_base *base;
	struct opts *o;
	struct evconnlistener *lis;
	struct peer *peers;
	uint64_t accepted, ended, pending;
	int failed;
	int signal;		/* the signal that stopped us, 0 none */
	int paused;		/* accepting stopped: LISTEN_* reasons */
	struct event *retry;	/* accepting again after an error */
	time_t error_shown;	/* last accept error reported */
	uint64_t errors_hidden;
};

/* Why accepting is paused: more connections would exceed --count, the
 * handshakes in progress are at --max-pending, or accept failed (out of
 * file descriptors) and we wait a moment before trying again. */
enum { LISTEN_COUNT = 1, LISTEN_PENDING = 2, LISTEN_BACKOFF = 4 };
#define ACCEPT_RETRY_MS 200
#define ACCEPT_REPORT_S 10

enum { OPT_ADDR = 256, OPT_NODEKEY, OPT_NODEKEYHEX, OPT_COUNT, OPT_STAGE,
	OPT_CAPS, OPT_NAME, OPT_NO_SNAPPY, OPT_REQUIRE_CAPS, OPT_REASON,
	OPT_HS_TIMEOUT, OPT_TIMEOUT, OPT_SESSION, OPT_LINGER, OPT_MAX_PENDING,
	OPT_PIDFILE, OPT_DETACH };

static const struct option longopts[] = {
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "nodekey", required_argument, NULL, OPT_NODEKEY },
	{ "nodekeyhex", required_argument, NULL, OPT_NODEKEYHEX },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "stage", required_argument, NULL, OPT_STAGE },
	{ "caps", required_argument, NULL, OPT_CAPS },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "no-snappy", no_argument, NULL, OPT_NO_SNAPPY },
	{ "require-caps", no_argument, NULL, OPT_REQUIRE_CAPS },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "handshake-timeout", required_argument, NULL, OPT_HS_TIMEOUT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "session", no_argument, NULL, OPT_SESSION },
	{ "linger", required_argument, NULL, OPT_LINGER },
	{ "max-pending", required_argument, NULL, OPT_MAX_PENDING },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
bad_value(const char *name, const char *arg)
{
	cli_bad_value(usage, name, arg);
}

/* "IP:PORT", "[IPv6]:PORT", or a bare IP (port 30303). */
static int
parse_addr(struct opts *o, const char *s)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&o->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&o->addr;
	char host[64];
	const char *port = NULL, *colon = strrchr(s, ':');
	uint16_t p = 30303;
	size_t n;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return -1;
		n = (size_t)(close - s - 1);
		port = close[1] == ':' ? close + 2 : NULL;
		s++;
	} else if (colon != NULL && strchr(s, ':') == colon) {
		n = (size_t)(colon - s);
		port = colon + 1;
	} else {
		n = strlen(s);
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (port != NULL && cli_parse_port(port, &p) != 0)
		return -1;
	memset(&o->addr, 0, sizeof(o->addr));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(p);
		o->addrlen = sizeof(*in4);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		o->addrlen = sizeof(*in6);
	} else {
		return -1;
	}
	return 0;
}

/* Options that would do nothing in the mode asked for are mistakes. */
static void
check_modes(const struct opts *o, unsigned given)
{
#define GIVEN(opt) (given & (1u << ((opt) - OPT_ADDR)))
	if (o->session && o->stage != STAGE_NONE)
		cli_usage_error(usage, "--session and --stage do not mix");
	if (!o->session && GIVEN(OPT_LINGER))
		cli_usage_error(usage, "--linger applies to --session only");
	if (GIVEN(OPT_REASON) && o->stage == STAGE_NONE)
		cli_usage_error(usage, "--reason applies to --stage only");
	if (GIVEN(OPT_TIMEOUT) && !o->count && !o->session)
		cli_usage_error(usage, "--timeout limits --count (or "
		    "--session); without either, stop p2p-listen with a "
		    "signal");
	if (o->detach && o->session)
		cli_usage_error(usage, "--detach and --session do not mix");
#undef GIVEN
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	const char *nodekey = NULL, *nodekeyhex = NULL;
	uint64_t ms;
	unsigned given = 0;
	int c;

	o->stage = STAGE_NONE;
	o->linger_ms = 1000;
	o->max_pending = 50;
	peer_env_timeouts(&o->cfg);
	o->cfg.hello.version = P2P_PROTO_VERSION;
	snprintf(o->cfg.hello.client, sizeof(o->cfg.hello.client),
	    "p2pcore/v%s", P2P_VERSION_STRING);
	parse_addr(o, "127.0.0.1:30303");
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		if (c >= OPT_ADDR)
			given |= 1u << (c - OPT_ADDR);
		switch (c) {
		case OPT_ADDR:
			if (parse_addr(o, optarg) != 0)
				bad_value("addr", optarg);
			break;
		case OPT_NODEKEY: nodekey = optarg; break;
		case OPT_NODEKEYHEX: nodekeyhex = optarg; break;
		case OPT_MAX_PENDING:
			if (cli_parse_u64(optarg, &o->max_pending) != 0 ||
			    o->max_pending == 0)
				bad_value("max-pending", optarg);
			break;
		case OPT_PIDFILE: o->pidfile = optarg; break;
		case OPT_DETACH: o->detach = 1; break;
		case OPT_COUNT:
			if (cli_parse_u64(optarg, &o->count) != 0 ||
			    o->count == 0)
				bad_value("count", optarg);
			break;
		case OPT_STAGE:
			if ((o->stage = peer_parse_stage(optarg, 1)) < 0)
				bad_value("stage", optarg);
			break;
		case OPT_CAPS:
			if (peer_parse_caps(optarg, &o->cfg.hello) != 0)
				cli_usage_error(usage, "bad --caps");
			break;
		case OPT_NAME:
			if (strlen(optarg) > P2P_PROTO_CLIENT_MAX)
				bad_value("name", optarg);
			strcpy(o->cfg.hello.client, optarg);
			break;
		case OPT_NO_SNAPPY: o->cfg.hello.version = 4; break;
		case OPT_REQUIRE_CAPS: o->cfg.require_caps = 1; break;
		case OPT_REASON:
			if (cli_parse_u64(optarg, &o->reason) != 0 ||
			    o->reason > 255)
				bad_value("reason", optarg);
			break;
		case OPT_HS_TIMEOUT:
			if (cli_parse_duration(optarg, &ms) != 0 || ms == 0 ||
			    ms > UINT32_MAX)
				bad_value("handshake-timeout", optarg);
			o->cfg.handshake_ms = (uint32_t)ms;
			break;
		case OPT_TIMEOUT:
			if (cli_parse_duration(optarg, &o->timeout_ms) != 0 ||
			    o->timeout_ms == 0)
				bad_value("timeout", optarg);
			break;
		case OPT_SESSION: o->session = 1; break;
		case OPT_LINGER:
			if (cli_parse_duration(optarg, &o->linger_ms) != 0 ||
			    o->linger_ms > UINT32_MAX)
				bad_value("linger", optarg);
			break;
		case 'h': cli_help(usage, options);
		case 'V': cli_version();
		default: cli_usage_error(usage, "unknown or incomplete option");
		}
	}
	if (optind < argc)
		cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (nodekey && nodekeyhex)
		cli_usage_error(usage, "give --nodekey or --nodekeyhex, not both");
	check_modes(o, given);
	if (o->session)
		o->count = 1;
	if (cli_node_key(&o->key, nodekey, nodekeyhex, 0) != 0)
		exit(CLI_FAIL);
	o->cfg.key = &o->key;
}

static json_t *
peer_record(struct peer *p, const char *type)
{
	json_t *o = cli_record(type);

	json_object_set_new(o, "conn", json_integer((json_int_t)p->n));
	json_object_set_new(o, "peer", json_string(p->addr));
	return o;
}

static void
emit(struct listen *l, json_t *o)
{
	if (cli_emit(o) != 0) {
		l->failed = 1;
		event_base_loopbreak(l->base);
	}
}

/* Pauses or resumes accepting for one reason; accepting goes on only
 * when no reason is left. */
static void
set_paused(struct listen *l, int why, int on)
{
	int was = l->paused;

	l->paused = on ? l->paused | why : l->paused & ~why;
	if (was && !l->paused)
		evconnlistener_enable(l->lis);
	else if (!was && l->paused)
		evconnlistener_disable(l->lis);
}

/* A handshake ended (Hellos exchanged, or the connection closed). */
static void
handshake_over(struct peer *p)
{
	struct listen *l = p->l;

	if (!p->pending)
		return;
	p->pending = 0;
	l->pending--;
	if (l->pending < l->o->max_pending)
		set_paused(l, LISTEN_PENDING, 0);
}

static void
peer_free(struct peer *p)
{
	handshake_over(p);
	p2p_conn_free(p->c);
	peer_session_free(p->sess);
	if (p->next != NULL)
		p->next->prevp = p->prevp;
	*p->prevp = p->next;
	free(p);
}

static void
reach(struct peer *p, int stage)
{
	p->reached = stage;
	if (stage == p->l->o->stage)
		p2p_conn_disconnect(p->c, (unsigned)p->l->o->reason);
}

static void
closed(struct peer *p, const struct p2p_conn_ev *ev)
{
	struct listen *l = p->l;
	json_t *o = peer_record(p, "disconnect"), *dj;
	const char *phase = peer_phase_name(p->reached);

	json_object_set_new(o, "phase", phase ? json_string(phase) :
	    json_null());
	/* A Disconnect either way is how sessions end, not a failure. */
	if (ev->err == 0 || ev->err == P2P_EDISCONNECTED) {
		json_object_set_new(o, "error", json_null());
	} else {
		json_object_set_new(o, "error",
		    json_string(p2p_errname(ev->err)));
		json_object_set_new(o, "detail",
		    json_string(p2p_strerror(ev->err)));
	}
	dj = peer_disconnect_json(ev->reason, ev->remote);
	if (json_is_object(dj))
		json_object_update(o, dj);
	json_decref(dj);
	emit(l, o);
	peer_free(p);
	l->ended++;
	if ((l->o->count && l->ended >= l->o->count) ||
	    (l->signal && l->peers == NULL))
		event_base_loopbreak(l->base);
}

static void
conn_cb(struct p2p_conn *c, const struct p2p_conn_ev *ev, void *arg)
{
	struct peer *p = arg;
	struct listen *l = p->l;
	json_t *o;

	switch (ev->type) {
	case P2P_CONN_EV_TCP:
		reach(p, STAGE_TCP);
		break;
	case P2P_CONN_EV_AUTH:
		p->t_auth = peer_now_us();
		o = peer_record(p, "auth");
		p2p_json_set_hex(o, "id", p2p_conn_remote_key(c)->b,
		    P2P_PUBKEY_LEN);
		json_object_set_new(o, "eip8",
		    json_boolean(p2p_conn_remote_eip8(c)));
		json_object_set_new(o, "ms", peer_ms(p->t0, p->t_auth));
		emit(l, o);
		reach(p, STAGE_AUTH);
		break;
	case P2P_CONN_EV_HELLO:
		handshake_over(p);
		o = peer_record(p, "hello");
		json_object_set_new(o, "remote", peer_remote_json(c));
		json_object_set_new(o, "ms", peer_ms(p->t_auth,
		    peer_now_us()));
		emit(l, o);
		if (l->o->session) {
			p->reached = STAGE_HELLO;
			p->sess = peer_session_start(l->base, c,
			    (uint32_t)l->o->linger_ms);
			if (p->sess == NULL)
				p2p_conn_disconnect(c, P2P_DISC_REQUESTED);
			break;
		}
		reach(p, STAGE_HELLO);
		if (l->o->stage == STAGE_PING && p2p_conn_ping(c) != 0)
			p2p_conn_disconnect(c, P2P_DISC_REQUESTED);
		break;
	case P2P_CONN_EV_PONG:
		o = peer_record(p, "pong");
		json_object_set_new(o, "rtt_ms",
		    json_real((double)ev->rtt_us / 1000.0));
		emit(l, o);
		if (!l->o->session)
			reach(p, STAGE_PING);
		break;
	case P2P_CONN_EV_MSG:
		if (l->o->session) {
			o = peer_msg_json(c, ev->code, ev->data, ev->len);
			emit(l, o);
		}
		break;
	case P2P_CONN_EV_CLOSE:
		closed(p, ev);
		break;
	}
}

static void
format_addr(char *out, size_t n, const struct sockaddr *sa)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in4 = (const void *)sa;

		inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
		snprintf(out, n, "%s:%u", ip, ntohs(in4->sin_port));
	} else {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(out, n, "[%s]:%u", ip, ntohs(in6->sin6_port));
	}
}

static void
accept_cb(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listen *l = arg;
	struct p2p_conn_cfg cfg = l->o->cfg;
	struct peer *p;
	int err;

	(void)lis;
	(void)salen;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	p->l = l;
	p->n = ++l->accepted;
	p->t0 = peer_now_us();
	p->reached = -1;
	format_addr(p->addr, sizeof(p->addr), sa);
	p->next = l->peers;
	if (l->peers != NULL)
		l->peers->prevp = &p->next;
	p->prevp = &l->peers;
	l->peers = p;
	emit(l, peer_record(p, "accept"));
	/* Enough connections taken, or enough handshakes under way (geth's
	 * MaxPendingPeers): the rest wait in the kernel's backlog. */
	if (l->o->count && l->accepted >= l->o->count)
		set_paused(l, LISTEN_COUNT, 1);
	p->pending = 1;
	if (++l->pending >= l->o->max_pending)
		set_paused(l, LISTEN_PENDING, 1);
	cfg.base = l->base;
	cfg.cb = conn_cb;
	cfg.arg = p;
	if ((p->c = p2p_conn_accept(&cfg, fd, &err)) == NULL) {
		struct p2p_conn_ev ev = { .type = P2P_CONN_EV_CLOSE,
		    .err = err, .reason = -1 };

		closed(p, &ev);
	}
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listen *l = arg;

	(void)fd;
	(void)what;
	set_paused(l, LISTEN_BACKOFF, 0);
}

/* accept failed, most often for want of file descriptors: retrying at
 * once would spin, so wait a moment (as geth's listen loop does), and
 * say so in a record once per period rather than once per attempt. */
static void
accept_error_cb(struct evconnlistener *lis, void *arg)
{
	struct listen *l = arg;
	struct timeval tv = { 0, ACCEPT_RETRY_MS * 1000 };
	int e = EVUTIL_SOCKET_ERROR();
	time_t now = time(NULL);

	(void)lis;
	set_paused(l, LISTEN_BACKOFF, 1);
	evtimer_add(l->retry, &tv);
	if (now - l->error_shown < ACCEPT_REPORT_S) {
		l->errors_hidden++;
		return;
	} else {
		json_t *o = cli_record("error");
		char detail[200];

		snprintf(detail, sizeof(detail), "accept: %s (open-files limit "
		    "%llu); accepting again in %d ms", strerror(e),
		    cli_nofile_limit(), ACCEPT_RETRY_MS);
		json_object_set_new(o, "error", json_string("ENET"));
		json_object_set_new(o, "detail", json_string(detail));
		json_object_set_new(o, "nofile_limit",
		    json_integer((json_int_t)cli_nofile_limit()));
		json_object_set_new(o, "since_last",
		    json_integer((json_int_t)l->errors_hidden));
		l->error_shown = now;
		l->errors_hidden = 0;
		emit(l, o);
	}
}

/* A signal: peers hear "client quitting" and we end once they are gone
 * (their Disconnects get at most a second to be written). */
static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct listen *l = arg;

	(void)what;
	if (l->signal || l->peers == NULL) {
		l->signal = (int)sig;
		event_base_loopbreak(l->base);
		return;
	}
	l->signal = (int)sig;
	set_paused(l, LISTEN_COUNT, 1);
	for (struct peer *p = l->peers; p != NULL; p = p->next)
		p2p_conn_disconnect(p->c, P2P_DISC_QUITTING);
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listen *l = arg;
	json_t *o = cli_record("timeout");

	(void)fd;
	(void)what;
	cli_warn("--timeout reached: %llu of %llu connections ended",
	    (unsigned long long)l->ended, (unsigned long long)l->o->count);
	json_object_set_new(o, "ended", json_integer((json_int_t)l->ended));
	json_object_set_new(o, "count",
	    json_integer((json_int_t)l->o->count));
	emit(l, o);
	l->failed = 1;
	event_base_loopbreak(l->base);
}

static int
listening(struct listen *l)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct p2p_node node;
	char addr[64];
	json_t *o, *nj;

	if (getsockname(evconnlistener_get_fd(l->lis), (struct sockaddr *)&ss,
	    &sl) != 0)
		return -1;
	format_addr(addr, sizeof(addr), (struct sockaddr *)&ss);
	memset(&node, 0, sizeof(node));
	p2p_secp_pubkey(&node.pub, &l->o->key);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;

		node.ip.len = 4;
		memcpy(node.ip.b, &in4->sin_addr, 4);
		node.tcp = ntohs(in4->sin_port);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		node.ip.len = 16;
		memcpy(node.ip.b, &in6->sin6_addr, 16);
		node.tcp = ntohs(in6->sin6_port);
	}
	node.udp = node.tcp;
	p2p_enode_id(&node.id, &node.pub);
	l->o->cfg.hello.listen_port = node.tcp;
	o = cli_record("listening");
	json_object_set_new(o, "addr", json_string(addr));
	nj = p2p_json_node(&node);
	json_object_update(o, nj);
	json_decref(nj);
	emit(l, o);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct listen l;
	struct event *sigint, *sigterm, *timer = NULL;

	memset(&o, 0, sizeof(o));
	memset(&l, 0, sizeof(l));
	cli_init("p2p-listen");
	signal(SIGPIPE, SIG_IGN);
	cli_raise_nofile();
	cli_event_log();
	parse_args(&o, argc, argv);
	l.o = &o;
	if (o.detach)
		cli_detach();
	if ((l.base = peer_base_new(o.session)) == NULL) {
		cli_warn("cannot create an event loop");
		return CLI_FAIL;
	}
	l.lis = evconnlistener_new_bind(l.base, accept_cb, &l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    128, (struct sockaddr *)&o.addr, (int)o.addrlen);
	if (l.lis == NULL) {
		cli_warn("cannot listen: %s", strerror(errno));
		event_base_free(l.base);
		return CLI_FAIL;
	}
	evconnlistener_set_error_cb(l.lis, accept_error_cb);
	/* Before the listening record: a script that signals us as soon as
	 * it reads that record must reach our handler. */
	sigint = evsignal_new(l.base, SIGINT, signal_cb, &l);
	sigterm = evsignal_new(l.base, SIGTERM, signal_cb, &l);
	l.retry = evtimer_new(l.base, retry_cb, &l);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	if (listening(&l) != 0) {
		cli_warn("cannot read the listening address: %s",
		    strerror(errno));
		return CLI_FAIL;
	}
	if (cli_ready(o.pidfile) != 0)
		return CLI_FAIL;
	if (o.timeout_ms) {
		struct timeval tv = { (time_t)(o.timeout_ms / 1000),
		    (suseconds_t)(o.timeout_ms % 1000) * 1000 };

		timer = evtimer_new(l.base, timeout_cb, &l);
		evtimer_add(timer, &tv);
	}
	if (!l.failed)
		event_base_dispatch(l.base);
	while (l.peers != NULL)
		peer_free(l.peers);
	evconnlistener_free(l.lis);
	event_free(sigint);
	event_free(sigterm);
	event_free(l.retry);
	if (timer != NULL)
		event_free(timer);
	event_base_free(l.base);
	p2p_wipe(&o.key, sizeof(o.key));
	cli_pidfile_remove();
	/* Without --count a signal is how p2p-listen ends; with one not yet
	 * reached, the work was cut short. */
	if (l.signal && o.count && l.ended < o.count)
		return 128 + l.signal;
	return l.failed ? CLI_FAIL : CLI_OK;
}
