/*
 * p2p-dial - dials enode URLs (or enr: records) and runs the RLPx
 * handshake, the Hello exchange and a Ping against each, one NDJSON "dial"
 * record per target saying how far it got, how long each phase took and
 * what the peer said about itself.  Targets stream in from stdin and are
 * dialled as they come, --concurrency at a time.  With --session it stays
 * connected to one peer and becomes a scriptable one: commands on stdin,
 * messages on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include <p2p/conn.h>
#include <p2p/enode.h>
#include <p2p/enr.h>
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
    "      --fresh-keys         a fresh node key for every dial (load"
    " tests)\n"
    "      --hello-grace DUR    --stage hello: wait DUR after the Hellos"
    " for the\n"
    "                           peer's verdict (default 2s)\n"
    "      --hold DUR           stay connected DUR once the stage is"
    " reached (idle peers\n"
    "                           for load tests), then disconnect\n"
    "      --summary            end with a summary record (counts, rate,"
    " timings)\n"
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
	uint64_t grace_ms;
	uint64_t hold_ms;
	int session, fresh_keys, summary;
};

struct job {
	TAILQ_ENTRY(job) link;
	struct dial *d;
	char *input;
	struct p2p_node node;
	struct p2p_conn *c;
	struct event *deadline;
	struct event *grace;	/* --stage hello: the verdict's wait */
	struct event *hold;	/* --hold: the stage reached, staying on */
	struct peer_session *sess;
	uint64_t t0, t_tcp, t_auth, t_hello, rtt_us;
	int reached;		/* last stage reached, -1 none */
	int closing;		/* we ended it: the peer's verdict is in */
	int interrupted;
	json_t *remote;
};

/* Per-phase timings for --summary. */
#define SUMMARY_SAMPLES (1 << 20)
struct samples {
	double *v;
	size_t n, cap;
};

struct dial {
	struct event_base *base;
	struct opts *o;
	struct cli_input *in;
	TAILQ_HEAD(, job) active;
	size_t nactive, total, succeeded, failed;
	int out_broken;
	int signal;		/* the signal that stopped us, 0 none */
	uint64_t t0;
	struct samples ph[4];	/* tcp, auth, hello, ping */
};

enum { OPT_NODEKEY = 256, OPT_NODEKEYHEX, OPT_STAGE, OPT_CAPS, OPT_NAME,
	OPT_TIMEOUT, OPT_HS_TIMEOUT, OPT_CONCURRENCY, OPT_LEGACY,
	OPT_NO_SNAPPY, OPT_REASON, OPT_SESSION, OPT_LINGER, OPT_STDIN,
	OPT_HELLO_ID, OPT_FRESH_KEYS, OPT_GRACE, OPT_SUMMARY, OPT_HOLD };

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
	{ "fresh-keys", no_argument, NULL, OPT_FRESH_KEYS },
	{ "hello-grace", required_argument, NULL, OPT_GRACE },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
bad_value(const char *name, const char *arg)
{
	cli_bad_value(usage, name, arg);
}

/* Options that would do nothing in the mode asked for are mistakes. */
static void
check_modes(const struct opts *o, unsigned given, int use_stdin, int nargs)
{
#define GIVEN(opt) (given & (1u << ((opt) - OPT_NODEKEY)))
	static const struct { int opt; const char *name; } not_session[] = {
		{ OPT_STAGE, "--stage" }, { OPT_CONCURRENCY, "--concurrency" },
		{ OPT_REASON, "--reason" }, { OPT_FRESH_KEYS, "--fresh-keys" },
		{ OPT_GRACE, "--hello-grace" }, { OPT_SUMMARY, "--summary" },
		{ OPT_HOLD, "--hold" },
	};

	if (use_stdin && nargs > 0)
		cli_usage_error(usage, "--stdin takes no ENODE arguments");
	if (o->session && (nargs != 1 || use_stdin))
		cli_usage_error(usage, "--session dials exactly one ENODE given "
		    "as an argument (stdin carries the commands)");
	for (size_t i = 0; o->session && i < sizeof(not_session) /
	    sizeof(not_session[0]); i++)
		if (GIVEN(not_session[i].opt))
			cli_usage_error(usage, "%s does nothing with --session",
			    not_session[i].name);
	if (!o->session && GIVEN(OPT_LINGER))
		cli_usage_error(usage, "--linger applies to --session only");
	if (GIVEN(OPT_GRACE) && o->stage != STAGE_HELLO)
		cli_usage_error(usage, "--hello-grace applies to --stage hello "
		    "only");
	if (o->fresh_keys && (GIVEN(OPT_NODEKEY) || GIVEN(OPT_NODEKEYHEX)))
		cli_usage_error(usage, "--fresh-keys and a node key exclude "
		    "each other");
#undef GIVEN
}

static int
parse_args(struct opts *o, int argc, char **argv)
{
	const char *nodekey = NULL, *nodekeyhex = NULL;
	uint64_t ms;
	unsigned given = 0;
	int c, use_stdin = 0;

	o->stage = STAGE_PING;
	o->timeout_ms = 20000;
	o->concurrency = 1;
	o->linger_ms = 1000;
	o->grace_ms = 2000;
	peer_env_timeouts(&o->cfg);
	o->cfg.hello.version = P2P_PROTO_VERSION;
	snprintf(o->cfg.hello.client, sizeof(o->cfg.hello.client),
	    "p2pcore/v%s", P2P_VERSION_STRING);
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		if (c >= OPT_NODEKEY)
			given |= 1u << (c - OPT_NODEKEY);
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
		case OPT_FRESH_KEYS: o->fresh_keys = 1; break;
		case OPT_GRACE:
			if (cli_parse_duration(optarg, &o->grace_ms) != 0 ||
			    o->grace_ms > UINT32_MAX)
				bad_value("hello-grace", optarg);
			break;
		case OPT_SUMMARY: o->summary = 1; break;
		case OPT_HOLD:
			if (cli_parse_duration(optarg, &o->hold_ms) != 0 ||
			    o->hold_ms > UINT32_MAX)
				bad_value("hold", optarg);
			break;
		case 'h': cli_help(usage, options);
		case 'V': cli_version();
		default: cli_usage_error(usage, "unknown or incomplete option");
		}
	}
	if (nodekey && nodekeyhex)
		cli_usage_error(usage, "give --nodekey or --nodekeyhex, not both");
	check_modes(o, given, use_stdin, argc - optind);
	if (cli_node_key(&o->key, nodekey, nodekeyhex, 0) != 0)
		exit(CLI_FAIL);
	o->cfg.key = &o->key;
	return optind;
}

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

static void
sample(struct samples *s, uint64_t from, uint64_t to)
{
	if (from == 0 || to == 0 || s->n == SUMMARY_SAMPLES)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		double *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (double)(to - from) / 1000.0;
}

/* What a failure means, in the words a user needs: the bare code says
 * too little for the common cases. */
static void
failure_detail(char *out, size_t n, const struct job *j, int err,
    int sys_errno, int reason)
{
	if (err == P2P_EDISCONNECTED && reason >= 0)
		snprintf(out, n, "peer sent Disconnect: %s",
		    p2p_proto_disc_reason((unsigned)reason));
	else if (err == P2P_ECLOSED && j->reached == STAGE_TCP)
		snprintf(out, n, "the remote closed the connection during the "
		    "auth exchange: a wrong node ID in the enode URL is the "
		    "usual cause");
	else if (err == P2P_EPORT && j->node.ip.len != 0 &&
	    j->node.tcp == 0)
		snprintf(out, n, "the node announces no TCP port: it runs "
		    "discovery only (or is a one-shot tool's)");
	else if (err == P2P_EINTERRUPTED)
		snprintf(out, n, "interrupted by signal %d before the dial "
		    "ended", j->d->signal);
	else if (sys_errno == EMFILE || sys_errno == ENFILE)
		snprintf(out, n, "%s: %s (open-files limit %llu)",
		    p2p_strerror(err), strerror(sys_errno),
		    (unsigned long long)cli_nofile_limit());
	else if (sys_errno != 0)
		snprintf(out, n, "%s: %s", p2p_strerror(err),
		    strerror(sys_errno));
	else
		snprintf(out, n, "%s", p2p_strerror(err));
}

/* The "dial" record for j; ends with err (0 when it got where asked). */
static json_t *
dial_record(struct job *j, int err, int sys_errno, int reason, int remote)
{
	json_t *o = cli_record("dial"), *ms = json_object();
	struct opts *opt = j->d->o;
	const char *phase = peer_phase_name(j->reached);
	int ok = j->reached >= opt->stage && opt->stage != STAGE_NONE &&
	    (j->closing || err == 0);

	if (opt->session)
		ok = j->reached >= STAGE_HELLO;
	if (j->interrupted) {
		ok = 0;
		err = P2P_EINTERRUPTED;
	}
	json_object_set_new(o, "enode", cli_json_text(j->input,
	    strlen(j->input)));
	json_object_set_new(o, "ok", json_boolean(ok));
	json_object_set_new(o, "phase", phase ? json_string(phase) :
	    json_null());
	if (ok || err == 0) {
		json_object_set_new(o, "error", json_null());
		json_object_set_new(o, "detail", json_null());
	} else {
		char detail[200];

		failure_detail(detail, sizeof(detail), j, err, sys_errno,
		    reason);
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
	if (ok) {
		j->d->succeeded++;
	} else {
		j->d->failed++;
	}
	if (opt->summary) {
		sample(&j->d->ph[0], j->t0, j->t_tcp);
		sample(&j->d->ph[1], j->t_tcp, j->t_auth);
		sample(&j->d->ph[2], j->t_auth, j->t_hello);
		if (j->rtt_us)
			sample(&j->d->ph[3], 1, 1 + j->rtt_us);
	}
	return o;
}

static void maybe_stop(struct dial *d);

static void
job_free(struct job *j)
{
	p2p_conn_free(j->c);
	if (j->deadline != NULL)
		event_free(j->deadline);
	if (j->grace != NULL)
		event_free(j->grace);
	if (j->hold != NULL)
		event_free(j->hold);
	peer_session_free(j->sess);
	json_decref(j->remote);
	free(j->input);
	free(j);
}

/* j is over: report, release, make room for the next target. */
static void
job_done(struct job *j, int err, int sys_errno, int reason, int remote)
{
	struct dial *d = j->d;

	if (d->o->session && j->reached >= STAGE_HELLO) {
		json_t *o = cli_record("disconnect"), *dj;

		if (j->interrupted)
			err = P2P_EINTERRUPTED;
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
		emit(d, dial_record(j, err, sys_errno, reason, remote));
	}
	TAILQ_REMOVE(&d->active, j, link);
	d->nactive--;
	job_free(j);
	if (d->in != NULL && !d->signal && !d->out_broken)
		cli_input_resume(d->in);
	maybe_stop(d);
}

static void
hold_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	(void)fd;
	(void)what;
	p2p_conn_disconnect(j->c, (unsigned)j->d->o->reason);
}

static void
reach(struct job *j, int stage)
{
	j->reached = stage;
	if (stage != j->d->o->stage || j->closing)
		return;
	j->closing = 1;
	/* --hold: stay connected (answering Pings) for that long first,
	 * beyond the per-target --timeout: a load test's idle peers. */
	if (j->d->o->hold_ms > 0) {
		struct timeval tv = { (time_t)(j->d->o->hold_ms / 1000),
		    (suseconds_t)(j->d->o->hold_ms % 1000) * 1000 };

		if ((j->hold = evtimer_new(j->d->base, hold_cb, j)) != NULL &&
		    evtimer_add(j->hold, &tv) == 0) {
			event_del(j->deadline);
			return;
		}
	}
	p2p_conn_disconnect(j->c, (unsigned)j->d->o->reason);
}

/* --stage hello: the Hellos alone do not say we may stay (go-ethereum
 * sends its Hello before it checks its peer limits, then a Disconnect).
 * A Pong or any message is the verdict; so is a quiet grace period. */
static void
grace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	(void)fd;
	(void)what;
	reach(j, STAGE_HELLO);
}

static void
got_hello(struct job *j, struct p2p_conn *c)
{
	struct dial *d = j->d;
	struct timeval tv = { (time_t)(d->o->grace_ms / 1000),
	    (suseconds_t)(d->o->grace_ms % 1000) * 1000 };

	j->t_hello = peer_now_us();
	j->remote = peer_remote_json(c);
	if (d->o->session) {
		j->reached = STAGE_HELLO;
		emit(d, dial_record(j, 0, 0, -1, 0));
		j->sess = peer_session_start(d->base, c,
		    (uint32_t)d->o->linger_ms);
		event_del(j->deadline);
		if (j->sess == NULL)
			p2p_conn_disconnect(c, P2P_DISC_REQUESTED);
		return;
	}
	if (d->o->stage != STAGE_HELLO) {
		reach(j, STAGE_HELLO);
		if (d->o->stage == STAGE_PING && p2p_conn_ping(c) != 0)
			p2p_conn_disconnect(c, P2P_DISC_REQUESTED);
		return;
	}
	j->reached = STAGE_HELLO;
	if (p2p_conn_ping(c) != 0 ||
	    (j->grace = evtimer_new(d->base, grace_cb, j)) == NULL ||
	    evtimer_add(j->grace, &tv) != 0)
		reach(j, STAGE_HELLO);
}

static void
conn_cb(struct p2p_conn *c, const struct p2p_conn_ev *ev, void *arg)
{
	struct job *j = arg;
	int verdict = !j->d->o->session && j->d->o->stage == STAGE_HELLO &&
	    !j->closing;

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
		got_hello(j, c);
		break;
	case P2P_CONN_EV_PONG:
		if (j->rtt_us == 0)
			j->rtt_us = ev->rtt_us ? ev->rtt_us : 1;
		if (j->d->o->session) {
			json_t *o = cli_record("pong");

			json_object_set_new(o, "rtt_ms",
			    json_real((double)ev->rtt_us / 1000.0));
			emit(j->d, o);
		} else if (verdict) {
			reach(j, STAGE_HELLO);
		} else {
			reach(j, STAGE_PING);
		}
		break;
	case P2P_CONN_EV_MSG:
		if (j->d->o->session)
			emit(j->d, peer_msg_json(c, ev->code, ev->data,
			    ev->len));
		else if (verdict)
			reach(j, STAGE_HELLO);
		break;
	case P2P_CONN_EV_CLOSE:
		job_done(j, ev->err, ev->sys_errno, ev->reason, ev->remote);
		break;
	}
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	(void)fd;
	(void)what;
	job_done(j, P2P_ETIMEOUT, 0, -1, 0);
}

/* Dials one target; a target that cannot even start is reported here. */
static void
start_job(struct dial *d, struct job *j)
{
	struct p2p_conn_cfg cfg = d->o->cfg;
	struct p2p_privkey fresh;
	struct timeval tv = { (time_t)(d->o->timeout_ms / 1000),
	    (suseconds_t)(d->o->timeout_ms % 1000) * 1000 };
	int err, sys_errno;

	cfg.base = d->base;
	cfg.cb = conn_cb;
	cfg.arg = j;
	cfg.dial_ms = (uint32_t)d->o->timeout_ms;
	if (d->o->fresh_keys) {
		if (p2p_secp_keygen(&fresh) != 0) {
			cli_warn("cannot generate a key");
			exit(CLI_FAIL);
		}
		cfg.key = &fresh;
	}
	j->c = p2p_conn_dial(&cfg, &j->node, &err);
	sys_errno = errno;
	p2p_wipe(&fresh, sizeof(fresh));
	if (j->c == NULL) {
		emit(d, dial_record(j, err, err == P2P_ENET ? sys_errno : 0,
		    -1, 0));
		job_free(j);
		return;
	}
	j->deadline = evtimer_new(d->base, deadline_cb, j);
	if (j->deadline == NULL || evtimer_add(j->deadline, &tv) != 0) {
		cli_warn("out of memory");
		exit(CLI_FAIL);
	}
	TAILQ_INSERT_TAIL(&d->active, j, link);
	if (++d->nactive >= d->o->concurrency)
		cli_input_pause(d->in);
}

/* One input: a target to dial now, or a record saying why it is none. */
static int
take_input(const char *line, size_t linelen, void *arg)
{
	struct dial *d = arg;
	struct job *j;
	json_t *hold;
	const char *in;
	size_t len;
	int rc = cli_input_enode(line, linelen, &in, &len, &hold);

	if (rc == 0)
		return 0;	/* a record naming no node: a summary */
	if (rc < 0) {
		in = line;
		len = linelen;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->input = strndup(in, len)) == NULL) {
		cli_warn("out of memory");
		exit(CLI_FAIL);
	}
	j->d = d;
	j->reached = -1;
	j->t0 = peer_now_us();
	d->total++;
	if (rc == 1)
		rc = p2p_enr_parse_node(&j->node, in, len);
	json_decref(hold);
	if (rc == 0 && j->node.ip.len == 0)
		rc = P2P_EIP;	/* nothing to dial */
	else if (rc == 0 && j->node.tcp == 0)
		rc = P2P_EPORT;	/* a discovery-only node */
	if (rc != 0) {
		emit(d, dial_record(j, rc, 0, -1, 0));
		job_free(j);
		return 0;	/* counted as failed by the record */
	}
	start_job(d, j);
	return 0;
}

static void
input_ended(void *arg)
{
	maybe_stop(arg);
}

static void
maybe_stop(struct dial *d)
{
	if (d->nactive == 0 && (d->in == NULL || cli_input_done(d->in) ||
	    d->out_broken))
		event_base_loopbreak(d->base);
}

/* An interrupted dial is no success: every target in flight gets its
 * record, and connected peers hear "client quitting". */
static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct dial *d = arg;
	struct job *j;

	(void)what;
	if (d->signal) {
		/* A second signal: stop waiting for the Disconnects. */
		event_base_loopbreak(d->base);
		return;
	}
	d->signal = (int)sig;
	cli_input_stop(d->in);
	TAILQ_FOREACH(j, &d->active, link) {
		j->interrupted = 1;
		j->closing = 1;
		p2p_conn_disconnect(j->c, P2P_DISC_QUITTING);
	}
	maybe_stop(d);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static json_t *
percentiles(struct samples *s)
{
	json_t *o;

	if (s->n == 0)
		return json_null();
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	o = json_object();
	json_object_set_new(o, "median", json_real(s->v[s->n / 2]));
	json_object_set_new(o, "p90", json_real(s->v[s->n * 9 / 10]));
	json_object_set_new(o, "p99", json_real(s->v[s->n * 99 / 100]));
	json_object_set_new(o, "max", json_real(s->v[s->n - 1]));
	return o;
}

/* --summary: what a load test reports. */
static void
print_summary(struct dial *d)
{
	static const char *const names[] = { "tcp", "auth", "hello", "ping" };
	json_t *o = cli_record("summary"), *ms = json_object();
	double secs = (double)(peer_now_us() - d->t0) / 1e6;

	json_object_set_new(o, "targets", json_integer((json_int_t)d->total));
	json_object_set_new(o, "succeeded",
	    json_integer((json_int_t)d->succeeded));
	json_object_set_new(o, "failed", json_integer((json_int_t)d->failed));
	json_object_set_new(o, "seconds", json_real(secs));
	json_object_set_new(o, "per_second", json_real(secs > 0 ?
	    (double)d->total / secs : 0));
	json_object_set_new(o, "succeeded_per_second", json_real(secs > 0 ?
	    (double)d->succeeded / secs : 0));
	for (int i = 0; i < 4; i++)
		json_object_set_new(ms, names[i], percentiles(&d->ph[i]));
	json_object_set_new(o, "ms", ms);
	json_object_set_new(o, "interrupted", json_boolean(d->signal != 0));
	emit(d, o);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct dial d;
	struct event *sigint, *sigterm;
	struct job *j;
	int first, rc;

	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	cli_init("p2p-dial");
	signal(SIGPIPE, SIG_IGN);
	cli_raise_nofile();
	cli_event_log();
	first = parse_args(&o, argc, argv);
	d.o = &o;
	d.t0 = peer_now_us();
	TAILQ_INIT(&d.active);
	if ((d.base = peer_base_new(o.session)) == NULL ||
	    (d.in = cli_input_new(d.base, argc - first, argv + first,
	    take_input, input_ended, &d)) == NULL) {
		cli_warn("cannot create an event loop");
		return CLI_FAIL;
	}
	sigint = evsignal_new(d.base, SIGINT, signal_cb, &d);
	sigterm = evsignal_new(d.base, SIGTERM, signal_cb, &d);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	event_base_dispatch(d.base);
	while ((j = TAILQ_FIRST(&d.active)) != NULL) {
		/* Left after a second signal: reported all the same. */
		j->interrupted = 1;
		emit(&d, dial_record(j, P2P_EINTERRUPTED, 0, -1, 0));
		TAILQ_REMOVE(&d.active, j, link);
		job_free(j);
	}
	if (o.summary)
		print_summary(&d);
	for (int i = 0; i < 4; i++)
		free(d.ph[i].v);
	d.failed += (size_t)cli_input_failed(d.in);
	d.out_broken |= cli_input_broken(d.in);
	cli_input_free(d.in);
	event_free(sigint);
	event_free(sigterm);
	event_base_free(d.base);
	p2p_wipe(&o.key, sizeof(o.key));
	if (d.signal)
		rc = 128 + d.signal;
	else
		rc = d.failed || d.out_broken ? CLI_FAIL : CLI_OK;
	return rc;
}
