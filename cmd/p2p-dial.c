/*
 * p2p-dial - dials enode URLs and runs the RLPx handshake, the Hello
 * exchange and a Ping against each, one NDJSON "dial" record per target
 * saying how far it got, how long each phase took and what the peer said
 * about itself.  With --session it stays connected to one peer and becomes
 * a scriptable one: commands on stdin, messages on stdout.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <p2p/conn.h>
#include <p2p/enode.h>
#include <p2p/hex.h>
#include <p2p/json.h>

#include "cli.h"
#include "peer.h"

static const char usage[] =
    "p2p-dial [options] ENODE...\n"
    "       p2p-dial [options] [--stdin] < ENODES\n"
    "       p2p-dial --session [options] ENODE";

static const char options[] =
    "      --nodekey FILE       our node key (default: a fresh one)\n"
    "      --nodekeyhex HEX     our node key as 64 hex characters\n"
    "      --stage STAGE        stop after tcp, auth, hello or ping"
    " (default ping)\n"
    "      --caps LIST          capabilities to advertise:"
    " name/version[:length],...\n"
    "      --name NAME          client name in our Hello (default"
    " p2pcore/VERSION)\n"
    "      --timeout DUR        give up on a target after DUR (default"
    " 20s)\n"
    "      --handshake-timeout DUR  deadline of each handshake (default"
    " 5s)\n"
    "      --concurrency N      dial N targets at once (default 1)\n"
    "      --legacy-auth        send a pre-EIP-8 auth message\n"
    "      --no-snappy          advertise Hello version 4 (no snappy)\n"
    "      --reason N           Disconnect reason we send at the end"
    " (default 0)\n"
    "      --session            one peer; commands on stdin after the"
    " Hello\n"
    "      --linger DUR         --session: wait DUR after end of input"
    " (default 1s)\n"
    "      --stdin              read targets from stdin (the default with"
    " no ENODE)\n"
    "      --hello-id HEX       put this 128-hex ID in our Hello instead of"
    " our own\n"
    "                           (tests a peer's identity check)\n"
    "  -h, --help               show this help\n"
    "  -V, --version            show the version\n";

struct opts {
	struct p2p_conn_cfg cfg;
	struct p2p_privkey key;
	int stage;
	uint64_t timeout_ms;
	uint64_t concurrency;
	uint64_t reason;
	uint64_t linger_ms;
	int session;
};

struct job {
	struct dial *d;
	char *input;
	struct p2p_node node;
	int parse_err;
	struct p2p_conn *c;
	struct event *deadline;
	struct peer_session *sess;
	uint64_t t0, t_tcp, t_auth, t_hello, rtt_us;
	int reached;		/* last stage reached, -1 none */
	json_t *remote;
};

struct dial {
	struct event_base *base;
	struct opts *o;
	struct job *jobs;
	size_t njobs, next, active, failed;
	int out_broken;
};

enum { OPT_NODEKEY = 256, OPT_NODEKEYHEX, OPT_STAGE, OPT_CAPS, OPT_NAME,
	OPT_TIMEOUT, OPT_HS_TIMEOUT, OPT_CONCURRENCY, OPT_LEGACY,
	OPT_NO_SNAPPY, OPT_REASON, OPT_SESSION, OPT_LINGER, OPT_STDIN,
	OPT_HELLO_ID };

static const struct option longopts[] = {
	{ "nodekey", required_argument, NULL, OPT_NODEKEY },
	{ "nodekeyhex", required_argument, NULL, OPT_NODEKEYHEX },
	{ "stage", required_argument, NULL, OPT_STAGE },
	{ "caps", required_argument, NULL, OPT_CAPS },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "handshake-timeout", required_argument, NULL, OPT_HS_TIMEOUT },
	{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
	{ "legacy-auth", no_argument, NULL, OPT_LEGACY },
	{ "no-snappy", no_argument, NULL, OPT_NO_SNAPPY },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "session", no_argument, NULL, OPT_SESSION },
	{ "linger", required_argument, NULL, OPT_LINGER },
	{ "stdin", no_argument, NULL, OPT_STDIN },
	{ "hello-id", required_argument, NULL, OPT_HELLO_ID },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
bad_value(const char *name, const char *arg)
{
	cli_usage_error(usage, "invalid value '%s' for --%s", arg, name);
}

static int
parse_args(struct opts *o, int argc, char **argv)
{
	const char *nodekey = NULL, *nodekeyhex = NULL;
	uint64_t ms;
	int c, use_stdin = 0;

	o->stage = STAGE_PING;
	o->timeout_ms = 20000;
	o->concurrency = 1;
	o->linger_ms = 1000;
	o->cfg.hello.version = P2P_PROTO_VERSION;
	snprintf(o->cfg.hello.client, sizeof(o->cfg.hello.client),
	    "p2pcore/v%s", P2P_VERSION_STRING);
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_NODEKEY: nodekey = optarg; break;
		case OPT_NODEKEYHEX: nodekeyhex = optarg; break;
		case OPT_STAGE:
			if ((o->stage = peer_parse_stage(optarg, 0)) < 0)
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
		case OPT_TIMEOUT:
			if (cli_parse_duration(optarg, &o->timeout_ms) != 0 ||
			    o->timeout_ms == 0 || o->timeout_ms > UINT32_MAX)
				bad_value("timeout", optarg);
			break;
		case OPT_HS_TIMEOUT:
			if (cli_parse_duration(optarg, &ms) != 0 || ms == 0 ||
			    ms > UINT32_MAX)
				bad_value("handshake-timeout", optarg);
			o->cfg.handshake_ms = (uint32_t)ms;
			break;
		case OPT_CONCURRENCY:
			if (cli_parse_u64(optarg, &o->concurrency) != 0 ||
			    o->concurrency == 0 || o->concurrency > 4096)
				bad_value("concurrency", optarg);
			break;
		case OPT_LEGACY: o->cfg.legacy_auth = 1; break;
		case OPT_NO_SNAPPY: o->cfg.hello.version = 4; break;
		case OPT_REASON:
			if (cli_parse_u64(optarg, &o->reason) != 0 ||
			    o->reason > 255)
				bad_value("reason", optarg);
			break;
		case OPT_SESSION: o->session = 1; break;
		case OPT_LINGER:
			if (cli_parse_duration(optarg, &o->linger_ms) != 0 ||
			    o->linger_ms > UINT32_MAX)
				bad_value("linger", optarg);
			break;
		case OPT_STDIN: use_stdin = 1; break;
		case OPT_HELLO_ID:
			if (p2p_hex_decode_exact(o->cfg.hello.id.b,
			    sizeof(o->cfg.hello.id.b), optarg, strlen(optarg)) != 0)
				bad_value("hello-id", optarg);
			o->cfg.keep_hello_id = 1;
			break;
		case 'h': cli_help(usage, options);
		case 'V': cli_version();
		default: cli_usage_error(usage, "unknown or incomplete option");
		}
	}
	if (nodekey && nodekeyhex)
		cli_usage_error(usage, "give --nodekey or --nodekeyhex, not both");
	if (use_stdin && optind < argc)
		cli_usage_error(usage, "--stdin takes no ENODE arguments");
	if (o->session && (argc - optind != 1 || use_stdin))
		cli_usage_error(usage, "--session dials exactly one ENODE given "
		    "as an argument (stdin carries the commands)");
	if (cli_node_key(&o->key, nodekey, nodekeyhex, 0) != 0)
		exit(CLI_FAIL);
	o->cfg.key = &o->key;
	return optind;
}

static int
collect(const char *in, size_t len, void *arg)
{
	struct dial *d = arg;
	struct job *j, *jobs;
	json_t *hold;
	const char *line = in;
	size_t linelen = len;
	int use = cli_input_enode(line, linelen, &in, &len, &hold);

	if (use == 0)
		return 0;
	if (use < 0) {
		in = line;
		len = linelen;
	}
	jobs = realloc(d->jobs, (d->njobs + 1) * sizeof(*jobs));
	if (jobs == NULL) {
		cli_warn("out of memory");
		exit(CLI_FAIL);
	}
	d->jobs = jobs;
	j = &d->jobs[d->njobs++];
	memset(j, 0, sizeof(*j));
	j->d = d;
	j->reached = -1;
	j->input = strndup(in, len);
	j->parse_err = use < 0 ? use : p2p_enode_parse(&j->node, in, len);
	json_decref(hold);
	if (j->parse_err == 0 && j->node.ip.len == 0)
		j->parse_err = P2P_EIP;	/* nothing to dial */
	if (j->input == NULL) {
		cli_warn("out of memory");
		exit(CLI_FAIL);
	}
	return 0;
}

static void start_next(struct dial *d);

static void
emit(struct dial *d, json_t *o)
{
	if (cli_emit(o) != 0)
		d->out_broken = 1;
}

static json_t *
ms_or_null(uint64_t from, uint64_t to)
{
	return from && to ? peer_ms(from, to) : json_null();
}

/* The "dial" record for j; ends with err (0 when it got where asked). */
static json_t *
dial_record(struct job *j, int err, int reason, int remote)
{
	json_t *o = cli_record("dial"), *ms = json_object();
	int ok = j->reached >= j->d->o->stage && j->d->o->stage != STAGE_NONE;
	const char *phase = peer_phase_name(j->reached);

	if (j->d->o->session)
		ok = j->reached >= STAGE_HELLO;
	json_object_set_new(o, "enode", cli_json_text(j->input,
	    strlen(j->input)));
	json_object_set_new(o, "ok", json_boolean(ok));
	json_object_set_new(o, "phase", phase ? json_string(phase) :
	    json_null());
	if (ok || err == 0) {
		json_object_set_new(o, "error", json_null());
		json_object_set_new(o, "detail", json_null());
	} else {
		char detail[160];

		if (err == P2P_EDISCONNECTED && reason >= 0)
			snprintf(detail, sizeof(detail),
			    "peer sent Disconnect: %s",
			    p2p_proto_disc_reason((unsigned)reason));
		else
			snprintf(detail, sizeof(detail), "%s",
			    p2p_strerror(err));
		json_object_set_new(o, "error", json_string(p2p_errname(err)));
		json_object_set_new(o, "detail", json_string(detail));
	}
	json_object_set_new(ms, "tcp", ms_or_null(j->t0, j->t_tcp));
	json_object_set_new(ms, "auth", ms_or_null(j->t_tcp, j->t_auth));
	json_object_set_new(ms, "hello", ms_or_null(j->t_auth, j->t_hello));
	json_object_set_new(ms, "ping", j->rtt_us ?
	    json_real((double)j->rtt_us / 1000.0) : json_null());
	json_object_set_new(o, "ms", ms);
	json_object_set_new(o, "remote", j->remote ? json_incref(j->remote) :
	    json_null());
	json_object_set_new(o, "disconnect", peer_disconnect_json(reason,
	    remote));
	if (!ok)
		j->d->failed++;
	return o;
}

/* j is over: report, release, go on with the next target. */
static void
job_done(struct job *j, int err, int reason, int remote)
{
	struct dial *d = j->d;

	if (d->o->session && j->reached >= STAGE_HELLO) {
		json_t *o = cli_record("disconnect"), *dj;

		json_object_set_new(o, "error", err && err != P2P_EDISCONNECTED ?
		    json_string(p2p_errname(err)) : json_null());
		if ((dj = peer_disconnect_json(reason, remote)) != NULL &&
		    json_is_object(dj))
			json_object_update(o, dj);
		json_decref(dj);
		emit(d, o);
		if (err && err != P2P_EDISCONNECTED)
			d->failed++;
	} else {
		emit(d, dial_record(j, err, reason, remote));
	}
	p2p_conn_free(j->c);
	j->c = NULL;
	if (j->deadline != NULL)
		event_free(j->deadline);
	j->deadline = NULL;
	peer_session_free(j->sess);
	j->sess = NULL;
	json_decref(j->remote);
	j->remote = NULL;
	d->active--;
	start_next(d);
}

static void
reach(struct job *j, int stage)
{
	j->reached = stage;
	if (stage == j->d->o->stage)
		p2p_conn_disconnect(j->c, (unsigned)j->d->o->reason);
}

static void
conn_cb(struct p2p_conn *c, const struct p2p_conn_ev *ev, void *arg)
{
	struct job *j = arg;

	switch (ev->type) {
	case P2P_CONN_EV_TCP:
		j->t_tcp = peer_now_us();
		reach(j, STAGE_TCP);
		break;
	case P2P_CONN_EV_AUTH:
		j->t_auth = peer_now_us();
		reach(j, STAGE_AUTH);
		break;
	case P2P_CONN_EV_HELLO:
		j->t_hello = peer_now_us();
		j->remote = peer_remote_json(c);
		if (j->d->o->session) {
			j->reached = STAGE_HELLO;
			emit(j->d, dial_record(j, 0, -1, 0));
			j->sess = peer_session_start(j->d->base, c,
			    (uint32_t)j->d->o->linger_ms);
			event_del(j->deadline);
			if (j->sess == NULL)
				p2p_conn_disconnect(c, P2P_DISC_REQUESTED);
			break;
		}
		reach(j, STAGE_HELLO);
		if (j->d->o->stage == STAGE_PING && p2p_conn_ping(c) != 0)
			p2p_conn_disconnect(c, P2P_DISC_REQUESTED);
		break;
	case P2P_CONN_EV_PONG:
		if (j->rtt_us == 0)
			j->rtt_us = ev->rtt_us ? ev->rtt_us : 1;
		if (j->d->o->session) {
			json_t *o = cli_record("pong");

			json_object_set_new(o, "rtt_ms",
			    json_real((double)ev->rtt_us / 1000.0));
			emit(j->d, o);
		} else {
			reach(j, STAGE_PING);
		}
		break;
	case P2P_CONN_EV_MSG:
		if (j->d->o->session)
			emit(j->d, peer_msg_json(c, ev->code, ev->data,
			    ev->len));
		break;
	case P2P_CONN_EV_CLOSE:
		job_done(j, ev->err, ev->reason, ev->remote);
		break;
	}
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	(void)fd;
	(void)what;
	job_done(j, P2P_ETIMEOUT, -1, 0);
}

static void
start_job(struct dial *d, struct job *j)
{
	struct p2p_conn_cfg cfg = d->o->cfg;
	struct timeval tv = { (time_t)(d->o->timeout_ms / 1000),
	    (suseconds_t)(d->o->timeout_ms % 1000) * 1000 };
	int err;

	cfg.base = d->base;
	cfg.cb = conn_cb;
	cfg.arg = j;
	cfg.dial_ms = (uint32_t)d->o->timeout_ms;
	j->t0 = peer_now_us();
	d->active++;
	if (j->parse_err != 0) {
		json_t *o;

		j->reached = -1;
		o = dial_record(j, j->parse_err, -1, 0);
		d->active--;
		emit(d, o);
		return;
	}
	if ((j->c = p2p_conn_dial(&cfg, &j->node, &err)) == NULL) {
		d->active--;
		emit(d, dial_record(j, err, -1, 0));
		return;
	}
	j->deadline = evtimer_new(d->base, deadline_cb, j);
	if (j->deadline == NULL || evtimer_add(j->deadline, &tv) != 0) {
		cli_warn("out of memory");
		exit(CLI_FAIL);
	}
}

static void
start_next(struct dial *d)
{
	while (!d->out_broken && d->active < d->o->concurrency &&
	    d->next < d->njobs)
		start_job(d, &d->jobs[d->next++]);
	if (d->active == 0 && (d->next == d->njobs || d->out_broken))
		event_base_loopbreak(d->base);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct dial d;
	struct event *sigint, *sigterm;
	int first, bad;

	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	cli_init("p2p-dial");
	signal(SIGPIPE, SIG_IGN);
	first = parse_args(&o, argc, argv);
	d.o = &o;
	if ((bad = cli_each_input(argc - first, argv + first, collect, &d)) <
	    0)
		return CLI_FAIL;
	if ((d.base = peer_base_new(o.session)) == NULL) {
		cli_warn("cannot create an event loop");
		return CLI_FAIL;
	}
	sigint = evsignal_new(d.base, SIGINT, signal_cb, d.base);
	sigterm = evsignal_new(d.base, SIGTERM, signal_cb, d.base);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	start_next(&d);
	if (d.active > 0)
		event_base_dispatch(d.base);
	for (size_t i = 0; i < d.njobs; i++) {
		struct job *j = &d.jobs[i];

		p2p_conn_free(j->c);
		if (j->deadline != NULL)
			event_free(j->deadline);
		peer_session_free(j->sess);
		json_decref(j->remote);
		free(j->input);
	}
	free(d.jobs);
	event_free(sigint);
	event_free(sigterm);
	event_base_free(d.base);
	p2p_wipe(&o.key, sizeof(o.key));
	return d.failed || bad || d.out_broken || d.next < d.njobs ?
	    CLI_FAIL : CLI_OK;
}
