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
	uint64_t count, reason, timeout_ms, linger_ms;
	int session;
};

struct peer {
	struct listen *l;
	uint64_t n;
	char addr[64];
	struct p2p_conn *c;
	struct peer_session *sess;
	uint64_t t0, t_auth;
	int reached;
	struct peer *next, **prevp;
};

struct listen {
	struct event_base *base;
	struct opts *o;
	struct evconnlistener *lis;
	struct peer *peers;
	uint64_t accepted, ended;
	int failed;
};

enum { OPT_ADDR = 256, OPT_NODEKEY, OPT_NODEKEYHEX, OPT_COUNT, OPT_STAGE,
	OPT_CAPS, OPT_NAME, OPT_NO_SNAPPY, OPT_REQUIRE_CAPS, OPT_REASON,
	OPT_HS_TIMEOUT, OPT_TIMEOUT, OPT_SESSION, OPT_LINGER };

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
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
bad_value(const char *name, const char *arg)
{
	cli_usage_error(usage, "invalid value '%s' for --%s", arg, name);
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

static void
parse_args(struct opts *o, int argc, char **argv)
{
	const char *nodekey = NULL, *nodekeyhex = NULL;
	uint64_t ms;
	int c;

	o->stage = STAGE_NONE;
	o->linger_ms = 1000;
	o->cfg.hello.version = P2P_PROTO_VERSION;
	snprintf(o->cfg.hello.client, sizeof(o->cfg.hello.client),
	    "p2pcore/v%s", P2P_VERSION_STRING);
	parse_addr(o, "127.0.0.1:30303");
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ADDR:
			if (parse_addr(o, optarg) != 0)
				bad_value("addr", optarg);
			break;
		case OPT_NODEKEY: nodekey = optarg; break;
		case OPT_NODEKEYHEX: nodekeyhex = optarg; break;
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
	if (o->session && o->stage != STAGE_NONE)
		cli_usage_error(usage, "--session and --stage do not mix");
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

static void
peer_free(struct peer *p)
{
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
	if (l->o->count && l->ended >= l->o->count)
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
	/* Enough connections taken: the rest wait in the backlog, unserved. */
	if (l->o->count && l->accepted >= l->o->count)
		evconnlistener_disable(l->lis);
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
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listen *l = arg;

	(void)fd;
	if (what & EV_TIMEOUT)
		l->failed = 1;
	event_base_loopbreak(l->base);
}

static int
listening(struct listen *l)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct p2p_node node;
	char addr[64], url[P2P_ENODE_URL_MAX];
	size_t urllen = sizeof(url);
	json_t *o;

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
	l->o->cfg.hello.listen_port = node.tcp;
	p2p_enode_format(url, &urllen, &node);
	o = cli_record("listening");
	json_object_set_new(o, "addr", json_string(addr));
	json_object_set_new(o, "enode", json_string(url));
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
	parse_args(&o, argc, argv);
	l.o = &o;
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
	if (listening(&l) != 0) {
		cli_warn("cannot read the listening address: %s",
		    strerror(errno));
		return CLI_FAIL;
	}
	sigint = evsignal_new(l.base, SIGINT, stop_cb, &l);
	sigterm = evsignal_new(l.base, SIGTERM, stop_cb, &l);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	if (o.timeout_ms) {
		struct timeval tv = { (time_t)(o.timeout_ms / 1000),
		    (suseconds_t)(o.timeout_ms % 1000) * 1000 };

		timer = evtimer_new(l.base, stop_cb, &l);
		evtimer_add(timer, &tv);
	}
	if (!l.failed)
		event_base_dispatch(l.base);
	while (l.peers != NULL)
		peer_free(l.peers);
	evconnlistener_free(l.lis);
	event_free(sigint);
	event_free(sigterm);
	if (timer != NULL)
		event_free(timer);
	event_base_free(l.base);
	p2p_wipe(&o.key, sizeof(o.key));
	return l.failed ? CLI_FAIL : CLI_OK;
}
