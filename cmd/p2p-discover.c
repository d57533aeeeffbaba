/*
 * p2p-discover - discovery v4 from the shell: ping, requestenr, findnode,
 * lookup, resolve, crawl and serve (a bootnode), each printing NDJSON.
 * The work is libp2pcore's disc.c; this file parses flags, starts
 * operations and prints what comes back.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/queue.h>

#include <event2/event.h>

#include <p2p/disc.h>
#include <p2p/enode.h>
#include <p2p/enr.h>
#include <p2p/hex.h>
#include <p2p/json.h>
#include <p2p/localnode.h>
#include <p2p/nat.h>

#include "cli.h"
#include "crawl.h"

static const char usage[] =
    "p2p-discover ping|requestenr [options] ENODE...\n"
    "       p2p-discover findnode [options] ENODE [TARGET]\n"
    "       p2p-discover lookup [options] [TARGET] --bootnodes ENODES\n"
    "       p2p-discover resolve [options] ENODE|PUBKEY --bootnodes ENODES\n"
    "       p2p-discover crawl [options] --bootnodes ENODES [--db FILE]\n"
    "       p2p-discover serve [options] [--nodekey FILE] [--db FILE]";

static const char options[] =
    "      --addr [IP]:PORT     local UDP endpoint (default 127.0.0.1:0;"
    " :PORT is\n"
    "                           every interface)\n"
    "      --extip IP           the address to announce (default: the"
    " bound one)\n"
    "      --nat SPEC           serve: none (default), any, upnp,"
    " pmp[:GATEWAY] or\n"
    "                           extip:IP: map our port(s) on a NAT router\n"
    "      --tcp PORT           serve: announce the TCP port a p2p-listen"
    " or server\n"
    "                           runs beside it (default: none)\n"
    "      --nodekey FILE       our node key (created if missing)\n"
    "      --nodekeyhex HEX     our node key as 64 hex characters\n"
    "      --bootnodes LIST     enode URLs, comma-separated\n"
    "      --netrestrict LIST   talk only to these networks (CIDRs)\n"
    "      --db FILE            node database (default: in memory)\n"
    "      --timeout DUR        give up after DUR (default 10s; serve, and"
    " ping or\n"
    "                           requestenr reading stdin: none)\n"
    "      --concurrency N      nodes asked at once (default 16)\n"
    "      --refresh DUR        serve: table refresh interval (default 30m)\n"
    "      --pidfile FILE       serve: write our pid to FILE once"
    " listening\n"
    "      --detach             serve: run in the background; return once"
    " listening\n"
    "      --save-every DUR     serve: how often table nodes are saved as"
    " seeds (30s)\n"
    "      --save-after DUR     serve: how long a node must have been in the"
    " table (5m)\n"
    "  -h, --help               show this help\n"
    "  -V, --version            show the version\n";

enum cmd { CMD_PING, CMD_ENR, CMD_FINDNODE, CMD_LOOKUP, CMD_RESOLVE,
	CMD_CRAWL, CMD_SERVE };

struct opts {
	enum cmd cmd;
	struct p2p_privkey key;
	struct p2p_disc_cfg cfg;
	struct p2p_netlist restrict_list;
	struct p2p_node boot[P2P_DISC_MAX_BOOTNODES];
	const char *db_path;
	uint64_t timeout_ms;
	int timeout_given, any_addr, detach;
	const char *pidfile;
	unsigned concurrency;
	struct p2p_nat_spec nat;	/* serve; default none (as geth's
					 * bootnode) */
	int argc;
	char **argv;
};

/* One target given on the command line or stdin, while it is asked. */
struct target {
	TAILQ_ENTRY(target) link;
	char *input;
	struct p2p_node node;
};

struct run {
	struct opts *o;
	struct event_base *base;
	struct p2p_disc *d;
	struct cli_input *in;
	TAILQ_HEAD(, target) active;
	size_t nactive;
	struct p2p_pubkey fn_target;	/* findnode's */
	int failed;
	int signal;		/* the signal that stopped us, 0 none */
	/* lookup/resolve */
	struct p2p_pubkey target;
	int has_target;
	int finished;
	/* crawl */
	struct crawl *cr;
	/* serve --nat */
	struct p2p_nat *nat;
};

static void
bad_value(const char *name, const char *arg)
{
	cli_bad_value(usage, name, arg);
}

static void
emit(struct run *r, json_t *o)
{
	if (cli_emit(o) != 0) {
		r->failed = 1;
		event_base_loopbreak(r->base);
	}
}

static double
ms(uint64_t us)
{
	return (double)us / 1000.0;
}

static json_t *
node_json(const struct p2p_node *n)
{
	return p2p_json_node(n);
}

static int
parse_bootnodes(struct opts *o, const char *s)
{
	while (*s != '\0') {
		size_t len = strcspn(s, ", ");
		int rc;

		if (len > 0) {
			if (o->cfg.nbootnodes == P2P_DISC_MAX_BOOTNODES)
				return P2P_ETOOBIG;
			rc = p2p_enr_parse_node(&o->boot[o->cfg.nbootnodes],
			    s, len);
			if (rc != 0)
				return rc;
			if (o->boot[o->cfg.nbootnodes].ip.len == 0)
				return P2P_EIP;
			o->cfg.nbootnodes++;
		}
		s += len;
		while (*s == ',' || *s == ' ')
			s++;
	}
	o->cfg.bootnodes = o->boot;
	return 0;
}

static int
parse_addr(struct opts *o, const char *s)
{
	if (cli_parse_hostport(s, &o->cfg.ip, &o->cfg.port) != 0)
		return -1;
	o->any_addr = p2p_ip_is_unspecified(&o->cfg.ip);
	return 0;
}

static void
pick_extip(struct opts *o)
{
	if (o->any_addr && o->cfg.ext_ip.len == 0)
		cli_pick_extip(&o->cfg.ext_ip);
}

enum { OPT_ADDR = 256, OPT_NODEKEY, OPT_NODEKEYHEX, OPT_BOOTNODES,
	OPT_NETRESTRICT, OPT_DB, OPT_TIMEOUT, OPT_CONCURRENCY, OPT_REFRESH,
	OPT_EXTIP, OPT_TCP, OPT_PIDFILE, OPT_DETACH, OPT_SAVE_EVERY,
	OPT_SAVE_AFTER, OPT_NAT };

static const struct option longopts[] = {
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "nodekey", required_argument, NULL, OPT_NODEKEY },
	{ "nodekeyhex", required_argument, NULL, OPT_NODEKEYHEX },
	{ "bootnodes", required_argument, NULL, OPT_BOOTNODES },
	{ "netrestrict", required_argument, NULL, OPT_NETRESTRICT },
	{ "db", required_argument, NULL, OPT_DB },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
	{ "refresh", required_argument, NULL, OPT_REFRESH },
	{ "extip", required_argument, NULL, OPT_EXTIP },
	{ "tcp", required_argument, NULL, OPT_TCP },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "save-every", required_argument, NULL, OPT_SAVE_EVERY },
	{ "save-after", required_argument, NULL, OPT_SAVE_AFTER },
	{ "nat", required_argument, NULL, OPT_NAT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char *const cmds[] = { "ping", "requestenr", "findnode",
	"lookup", "resolve", "crawl", "serve" };

static void
load_key(struct opts *o, const char *file, const char *hex)
{
	static char implied[4096];
	/* Created when missing: a bootnode keeps its identity, and repeated
	 * probes stay one node instead of a trail of dead ones. */
	int create = 1;

	if (file && hex)
		cli_usage_error(usage, "give --nodekey or --nodekeyhex, not both");
	/* A node database belongs to one identity (another one wipes it), so
	 * without a key the database keeps its own beside it. */
	if (!file && !hex && o->db_path != NULL) {
		if (snprintf(implied, sizeof(implied), "%s.key", o->db_path) >=
		    (int)sizeof(implied))
			cli_usage_error(usage, "--db path too long");
		file = implied;
	}
	if (cli_node_key(&o->key, file, hex, create) != 0)
		exit(CLI_FAIL);
}

/* Options that would do nothing for the subcommand are mistakes; a
 * stream of targets on stdin has no overall timeout unless one is asked
 * for (each request has its own). */
static void
check_modes(struct opts *o, unsigned given)
{
#define GIVEN(opt) (given & (1u << ((opt) - OPT_ADDR)))
	if (GIVEN(OPT_TCP) && o->cmd != CMD_SERVE)
		cli_usage_error(usage, "--tcp applies to serve only");
	if (GIVEN(OPT_NAT) && o->cmd != CMD_SERVE)
		cli_usage_error(usage, "--nat applies to serve only");
	if (GIVEN(OPT_REFRESH) && o->cmd != CMD_SERVE)
		cli_usage_error(usage, "--refresh applies to serve only");
	if ((GIVEN(OPT_PIDFILE) || GIVEN(OPT_DETACH) || GIVEN(OPT_SAVE_EVERY) ||
	    GIVEN(OPT_SAVE_AFTER)) && o->cmd != CMD_SERVE)
		cli_usage_error(usage, "--pidfile, --detach, --save-every and "
		    "--save-after apply to serve only");
	if (GIVEN(OPT_CONCURRENCY) && o->cmd != CMD_PING &&
	    o->cmd != CMD_ENR && o->cmd != CMD_CRAWL)
		cli_usage_error(usage, "--concurrency applies to ping, "
		    "requestenr and crawl only");
#undef GIVEN
	if ((o->cmd == CMD_PING || o->cmd == CMD_ENR) && o->argc == 0 &&
	    !o->timeout_given)
		o->timeout_ms = 0;
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	const char *nodekey = NULL, *nodekeyhex = NULL;
	uint64_t v;
	size_t i;
	unsigned given = 0;
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->timeout_ms = 10000;
	o->concurrency = 16;
	/* Replies later than geth's 500 ms count as lost; a slow link (or a
	 * test's peer on a loaded machine) may be given more. */
	if (getenv("P2P_DISC_REPLY_TIMEOUT") != NULL &&
	    cli_parse_duration(getenv("P2P_DISC_REPLY_TIMEOUT"), &v) == 0 &&
	    v > 0 && v <= 60000)
		o->cfg.resp_timeout_ms = (uint32_t)v;
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0))
		cli_help(usage, options);
	if (argc >= 2 && (strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "--version") == 0))
		cli_version();
	if (argc < 2)
		cli_usage_error(usage, "a subcommand is needed");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i]) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		cli_usage_error(usage, "unknown subcommand '%s'", argv[1]);
	o->cmd = (enum cmd)i;
	if (o->cmd == CMD_SERVE)
		o->timeout_ms = 0;
	argc--;
	argv++;
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
		case OPT_BOOTNODES:
			if ((rc = parse_bootnodes(o, optarg)) != 0)
				cli_usage_error(usage, "--bootnodes: %s",
				    p2p_strerror(rc));
			break;
		case OPT_NETRESTRICT:
			if (p2p_netlist_parse(&o->restrict_list, optarg) != 0)
				bad_value("netrestrict", optarg);
			o->cfg.netrestrict = &o->restrict_list;
			break;
		case OPT_DB: o->db_path = optarg; break;
		case OPT_TIMEOUT:
			if (cli_parse_duration(optarg, &o->timeout_ms) != 0)
				bad_value("timeout", optarg);
			o->timeout_given = 1;
			break;
		case OPT_EXTIP:
			if (p2p_ip_parse(&o->cfg.ext_ip, optarg,
			    strlen(optarg)) != 0 ||
			    p2p_ip_is_unspecified(&o->cfg.ext_ip))
				bad_value("extip", optarg);
			break;
		case OPT_SAVE_EVERY:
			if (cli_parse_duration(optarg, &v) != 0 || v == 0 ||
			    v > UINT32_MAX)
				bad_value("save-every", optarg);
			o->cfg.copy_ms = (uint32_t)v;
			break;
		case OPT_SAVE_AFTER:
			if (cli_parse_duration(optarg, &v) != 0 || v < 1000 ||
			    v > 86400000)
				bad_value("save-after", optarg);
			o->cfg.seed_min_s = (uint32_t)(v / 1000);
			break;
		case OPT_PIDFILE: o->pidfile = optarg; break;
		case OPT_DETACH: o->detach = 1; break;
		case OPT_NAT: {
			char why[128];

			if (p2p_nat_parse(&o->nat, optarg, why,
			    sizeof(why)) != 0)
				cli_usage_error(usage, "--nat '%.64s': %s",
				    optarg, why);
			if (o->nat.kind == P2P_NAT_EXTIP)
				o->cfg.ext_ip = o->nat.ip;
			break;
		}
		case OPT_TCP:
			if (cli_parse_port(optarg, &o->cfg.tcp_port) != 0 ||
			    o->cfg.tcp_port == 0)
				bad_value("tcp", optarg);
			break;
		case OPT_CONCURRENCY:
			if (cli_parse_u64(optarg, &v) != 0 || v == 0 ||
			    v > 1024)
				bad_value("concurrency", optarg);
			o->concurrency = (unsigned)v;
			break;
		case OPT_REFRESH:
			if (cli_parse_duration(optarg, &v) != 0 || v < 1000 ||
			    v > 86400000)
				bad_value("refresh", optarg);
			o->cfg.refresh_s = (uint32_t)(v / 1000);
			break;
		case 'h': cli_help(usage, options);
		case 'V': cli_version();
		default: cli_usage_error(usage, "unknown or incomplete option");
		}
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	check_modes(o, given);
	load_key(o, nodekey, nodekeyhex);
	o->cfg.key = &o->key;
	o->cfg.maintain = o->cmd == CMD_SERVE;
	switch (o->cmd) {
	case CMD_FINDNODE:
		if (o->argc < 1 || o->argc > 2)
			cli_usage_error(usage, "findnode takes ENODE [TARGET]");
		break;
	case CMD_LOOKUP:
		if (o->argc > 1)
			cli_usage_error(usage, "lookup takes one TARGET at most");
		/* FALLTHROUGH */
	case CMD_RESOLVE:
		if (o->cmd == CMD_RESOLVE && o->argc != 1)
			cli_usage_error(usage, "resolve takes one ENODE or key");
		/* FALLTHROUGH */
	case CMD_CRAWL:
		if (o->cfg.nbootnodes == 0 && o->db_path == NULL)
			cli_usage_error(usage, "%s needs --bootnodes",
			    cmds[o->cmd]);
		if (o->cmd == CMD_CRAWL && o->argc > 0)
			cli_usage_error(usage, "crawl takes no arguments");
		break;
	case CMD_SERVE:
		if (o->argc > 0)
			cli_usage_error(usage, "serve takes no arguments");
		break;
	default:
		break;
	}
}

/* A lookup/findnode target: an enode URL, an enr: record or 128 hex (a
 * public key). */
static int
parse_target(struct p2p_pubkey *t, const char *s)
{
	struct p2p_node n;

	if (p2p_hex_decode_exact(t->b, sizeof(t->b), s, strlen(s)) == 0)
		return 0;
	if (p2p_enr_parse_node(&n, s, strlen(s)) != 0)
		return -1;
	*t = n.pub;
	return 0;
}

/* ---- ping, requestenr, findnode ---- */

static struct run *the_run;

static void maybe_stop(struct run *r);

/* t is answered (or failed): release it and make room for the next. */
static void
target_done(struct run *r, struct target *t, int ok)
{
	if (!ok)
		r->failed = 1;
	TAILQ_REMOVE(&r->active, t, link);
	r->nactive--;
	free(t->input);
	free(t);
	if (!r->signal)
		cli_input_resume(r->in);
	maybe_stop(r);
}

static const char *
result_type(enum cmd cmd)
{
	return cmd == CMD_PING ? "pong" : cmd == CMD_ENR ? "enr" :
	    "neighbors";
}

static json_t *
result_record(const char *type, const char *input, int err)
{
	json_t *o = cli_record(type);

	json_object_set_new(o, "enode", cli_json_text(input, strlen(input)));
	json_object_set_new(o, "ok", json_boolean(err == 0));
	json_object_set_new(o, "error", err ? json_string(p2p_errname(err)) :
	    json_null());
	if (err)
		json_object_set_new(o, "detail", json_string(p2p_strerror(err)));
	return o;
}

static void
ping_done(void *arg, int err, const struct p2p_node *n, uint64_t rtt,
    int has_seq, uint64_t seq)
{
	struct target *t = arg;
	json_t *o = result_record("pong", t->input, err);

	(void)n;
	json_object_set_new(o, "rtt_ms", err ? json_null() :
	    json_real(ms(rtt)));
	json_object_set_new(o, "enr_seq", !err && has_seq ?
	    p2p_json_uint(seq) : json_null());
	emit(the_run, o);
	target_done(the_run, t, err == 0);
}

static void
enr_done(void *arg, int err, const struct p2p_node *n, const struct p2p_enr *rec)
{
	struct target *t = arg;
	json_t *o = result_record("enr", t->input, err);

	(void)n;
	/* The library's text for this code speaks of Hellos. */
	if (err == P2P_EIDENTITY)
		json_object_set_new(o, "detail", json_string("the record "
		    "answered is signed by another key than the node's"));
	if (err == 0) {
		json_t *j = p2p_json_enr(rec);

		json_object_update_missing(o, j);
		json_decref(j);
	}
	emit(the_run, o);
	target_done(the_run, t, err == 0);
}

static void
findnode_done(void *arg, int err, const struct p2p_node *n,
    const struct p2p_node *nodes, size_t count)
{
	struct target *t = arg;
	json_t *o = result_record("neighbors", t->input, err), *a = json_array();

	(void)n;
	for (size_t i = 0; i < count; i++)
		json_array_append_new(a, node_json(&nodes[i]));
	json_object_set_new(o, "count", json_integer((json_int_t)count));
	json_object_set_new(o, "nodes", a);
	emit(the_run, o);
	target_done(the_run, t, err == 0);
}

/* Starts asking t; a target refused at once is reported here. */
static void
start_target(struct run *r, struct target *t)
{
	enum cmd cmd = r->o->cmd;
	int rc;

	TAILQ_INSERT_TAIL(&r->active, t, link);
	if (++r->nactive >= r->o->concurrency)
		cli_input_pause(r->in);
	if (cmd == CMD_PING)
		rc = p2p_disc_ping(r->d, &t->node, ping_done, t);
	else if (cmd == CMD_ENR)
		rc = p2p_disc_request_enr(r->d, &t->node, enr_done, t);
	else
		rc = p2p_disc_findnode(r->d, &t->node, &r->fn_target,
		    findnode_done, t);
	if (rc != 0) {
		emit(r, result_record(result_type(cmd), t->input, rc));
		target_done(r, t, 0);
	}
}

/* One input line or argument: a node to ask, or an error record. */
static int
take_target(const char *in, size_t len, void *arg)
{
	struct run *r = arg;
	struct target *t;
	struct p2p_node n;
	json_t *hold;
	const char *s;
	size_t slen;
	int rc = cli_input_enode(in, len, &s, &slen, &hold);

	if (rc == 0)
		return 0;	/* a record naming no node */
	if (rc == 1) {
		rc = p2p_enr_parse_node(&n, s, slen);
		if (rc == 0) {
			in = s;
			len = slen;
		}
	}
	if (rc == 0 && (n.ip.len == 0 || n.udp == 0))
		rc = P2P_EIP;
	if (rc != 0) {
		r->failed = 1;
		rc = cli_emit(cli_error_record(in, len, rc, p2p_strerror(rc)));
		json_decref(hold);
		return rc;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->input = strndup(in, len)) == NULL) {
		cli_warn("out of memory");
		exit(CLI_FAIL);
	}
	json_decref(hold);
	t->node = n;
	start_target(r, t);
	return 0;
}

static void
input_ended(void *arg)
{
	maybe_stop(arg);
}

static void
maybe_stop(struct run *r)
{
	if (r->nactive == 0 && cli_input_done(r->in))
		event_base_loopbreak(r->base);
}

/* Streams the targets in: from the arguments, or stdin as it comes. */
static int
start_targets(struct run *r)
{
	struct opts *o = r->o;
	int n = o->cmd == CMD_FINDNODE ? 1 : o->argc;

	if (o->cmd == CMD_FINDNODE) {
		if (o->argc == 2 && parse_target(&r->fn_target, o->argv[1]) !=
		    0)
			cli_usage_error(usage, "bad TARGET '%.64s'",
			    o->argv[1]);
		if (o->argc < 2)
			r->fn_target = p2p_disc_self(r->d)->pub;
	}
	r->in = cli_input_new(r->base, n, o->argv, take_target, input_ended,
	    r);
	return r->in == NULL ? -1 : 0;
}

/* ---- lookup, resolve ---- */

static void
lookup_seen(void *arg, const struct p2p_node *n)
{
	struct run *r = arg;
	json_t *o = cli_record("node"), *j = node_json(n);

	if (r->o->cmd != CMD_LOOKUP) {
		json_decref(o);
		json_decref(j);
		return;
	}
	json_object_update(o, j);
	json_decref(j);
	emit(r, o);
}

static void
lookup_done(void *arg, const struct p2p_node *closest, size_t count)
{
	struct run *r = arg;
	struct p2p_nodeid tid;
	json_t *o, *a = json_array();

	r->finished = 1;
	p2p_enode_id(&tid, &r->target);
	if (r->o->cmd == CMD_RESOLVE) {
		const struct p2p_node *found = NULL;

		for (size_t i = 0; i < count; i++)
			if (memcmp(closest[i].id.b, tid.b, 32) == 0)
				found = &closest[i];
		o = cli_record("resolve");
		p2p_json_set_hex(o, "id", tid.b, 32);
		json_object_set_new(o, "ok", json_boolean(found != NULL));
		json_object_set_new(o, "node", found ? node_json(found) :
		    json_null());
		json_decref(a);
		if (found == NULL)
			r->failed = 1;
	} else {
		for (size_t i = 0; i < count; i++) {
			json_t *j = node_json(&closest[i]);

			json_object_set_new(j, "distance", json_integer(
			    p2p_enode_logdist(&tid, &closest[i].id)));
			json_array_append_new(a, j);
		}
		/* Nobody answered: nothing was found, as for resolve. */
		if (count == 0)
			r->failed = 1;
		o = cli_record("closest");
		p2p_json_set_hex(o, "target", r->target.b, 64);
		p2p_json_set_hex(o, "target_id", tid.b, 32);
		json_object_set_new(o, "count", json_integer((json_int_t)count));
		json_object_set_new(o, "nodes", a);
	}
	emit(r, o);
	event_base_loopbreak(r->base);
}

/* ---- serve ---- */

static void
serve_event(void *arg, const struct p2p_disc_ev *ev)
{
	struct run *r = arg;
	static const char *const names[] = { NULL, "added", "removed",
		"revalidated", "refreshed", "saved" };
	json_t *o = cli_record(names[ev->type]), *j;

	if (ev->node != NULL) {
		j = node_json(ev->node);
		json_object_update(o, j);
		json_decref(j);
		json_object_set_new(o, "bucket", json_integer(ev->bucket));
	}
	json_object_set_new(o, "table", json_integer((json_int_t)ev->table_len));
	if (ev->type == P2P_DISC_EV_SAVED)
		json_object_set_new(o, "saved",
		    json_integer((json_int_t)ev->saved));
	emit(r, o);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct run *r = arg;

	(void)what;
	r->signal = (int)sig;
	event_base_loopbreak(r->base);
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(r->base);
}

/* serve --nat: each step a record; the router's address announced. */
static void
nat_event(void *arg, const struct p2p_nat_ev *ev)
{
	struct run *r = arg;
	struct p2p_localnode *ln = p2p_disc_localnode(r->d);
	json_t *o = cli_record("nat"), *e = p2p_json_nat_event(ev);

	json_object_update(o, e);
	json_decref(e);
	emit(r, o);
	if (ev->type != P2P_NAT_EV_EXTERNAL)
		return;
	p2p_localnode_announce(ln, &ev->ext_ip,
	    r->o->cfg.tcp_port != 0 ? ev->ext_tcp : 0, ev->ext_udp);
	o = cli_record("endpoint");
	e = node_json(p2p_localnode_node(ln));
	json_object_update(o, e);
	json_decref(e);
	json_object_set_new(o, "seq", p2p_json_uint(p2p_localnode_seq(ln)));
	emit(r, o);
}

static int
nat_start(struct run *r)
{
	struct p2p_nat_cfg nc;

	if (r->o->cmd != CMD_SERVE || r->o->nat.kind == P2P_NAT_NONE ||
	    r->o->nat.kind == P2P_NAT_EXTIP)
		return 0;
	memset(&nc, 0, sizeof(nc));
	nc.base = r->base;
	nc.spec = r->o->nat;
	nc.udp_port = p2p_disc_self(r->d)->udp;
	/* The TCP port is the program's beside us: mapped for it. */
	nc.tcp_port = r->o->cfg.tcp_port;
	nc.desc = "p2p-discover";
	nc.on_event = nat_event;
	nc.arg = r;
	return p2p_nat_new(&r->nat, &nc);
}

/* The first record of serve: the node fields every node record has,
 * our signed record, and where we listen. */
static void
print_listening(struct run *r)
{
	const struct p2p_node *self = p2p_disc_self(r->d);
	char text[P2P_ENR_MAX_SIZE * 2];
	size_t tl = sizeof(text);
	json_t *o = cli_record("listening"), *j = node_json(self);

	json_object_update(o, j);
	json_decref(j);
	p2p_enr_format(p2p_disc_record(r->d), text, &tl);
	json_object_set_new(o, "enr", json_stringn(text, tl));
	json_object_set_new(o, "seq",
	    p2p_json_uint(p2p_disc_record(r->d)->seq));
	emit(r, o);
	if (cli_ready(r->o->pidfile) != 0) {
		r->failed = 1;
		event_base_loopbreak(r->base);
	}
}

/* Targets still asked when the run ends: timed out, or interrupted. */
static void
unfinished_targets(struct run *r)
{
	struct target *t;
	int err = r->signal ? P2P_EINTERRUPTED : P2P_ETIMEOUT;

	while ((t = TAILQ_FIRST(&r->active)) != NULL) {
		emit(r, result_record(result_type(r->o->cmd), t->input, err));
		r->failed = 1;
		TAILQ_REMOVE(&r->active, t, link);
		free(t->input);
		free(t);
	}
}

/* The node database --db names; NULL without one (in memory). */
static struct p2p_nodedb *
open_db(struct opts *o)
{
	struct p2p_nodedb *db;
	struct p2p_pubkey pub;
	struct p2p_nodeid id;

	if (o->db_path == NULL)
		return NULL;
	p2p_secp_pubkey(&pub, &o->key);
	p2p_enode_id(&id, &pub);
	if (p2p_nodedb_open(&db, o->db_path, &id) != 0) {
		cli_warn("cannot open node database %s: %s", o->db_path,
		    p2p_nodedb_errmsg(NULL));
		exit(CLI_FAIL);
	}
	o->cfg.db = db;
	return db;
}

/* ---- crawl (crawl.c) ---- */

static int
crawl_emit(void *arg, json_t *o)
{
	struct run *r = arg;

	emit(r, o);
	return r->failed;
}

static void
crawl_done(void *arg, int ok)
{
	struct run *r = arg;

	if (!ok)
		r->failed = 1;
	event_base_loopbreak(r->base);
}

static int
start_crawl(struct run *r)
{
	struct crawl_cfg cfg = { .d = r->d, .concurrency = r->o->concurrency,
	    .save = r->o->db_path != NULL, .emit = crawl_emit,
	    .done = crawl_done, .arg = r };

	if ((r->cr = crawl_new(&cfg)) == NULL)
		return -1;
	for (size_t i = 0; i < r->o->cfg.nbootnodes; i++)
		if (crawl_add_node(r->cr, &r->o->boot[i]) != 0)
			return -1;
	if (r->o->cfg.db != NULL && crawl_add_db(r->cr, r->o->cfg.db) != 0)
		return -1;
	crawl_start(r->cr);
	return 0;
}

/* Starts what the subcommand asks.  Returns 0 or -1. */
static int
start_cmd(struct run *r)
{
	struct opts *o = r->o;

	switch (o->cmd) {
	case CMD_PING:
	case CMD_ENR:
	case CMD_FINDNODE:
		return start_targets(r);
	case CMD_LOOKUP:
	case CMD_RESOLVE:
		if (!r->has_target)
			for (size_t i = 0; i < sizeof(r->target.b); i++)
				r->target.b[i] = (uint8_t)rand();
		return p2p_disc_lookup(r->d, &r->target, lookup_seen,
		    lookup_done, r) == 0 ? 0 : -1;
	case CMD_CRAWL:
		return start_crawl(r);
	case CMD_SERVE:
		print_listening(r);
		return 0;
	}
	return -1;
}

/* The records of work cut short by the timeout or a signal. */
static void
finish_cmd(struct run *r)
{
	struct opts *o = r->o;

	if (o->cmd <= CMD_FINDNODE) {
		unfinished_targets(r);
	} else if (o->cmd == CMD_CRAWL) {
		/* Stopped early: the nodes in hand and the summary. */
		int answered = crawl_stop(r->cr);

		if (answered == 0 || (answered > 0 && r->signal))
			r->failed = 1;
	} else if ((o->cmd == CMD_LOOKUP || o->cmd == CMD_RESOLVE) &&
	    !r->finished) {
		json_t *j = cli_record(o->cmd == CMD_LOOKUP ? "closest" :
		    "resolve");

		json_object_set_new(j, "ok", json_false());
		json_object_set_new(j, "error", json_string(p2p_errname(
		    r->signal ? P2P_EINTERRUPTED : P2P_ETIMEOUT)));
		emit(r, j);
		r->failed = 1;
	}
}

static void
add_timer(struct event *ev, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	event_add(ev, &tv);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	struct p2p_nodedb *db;
	struct event *sigint, *sigterm, *timer;
	int rc;

	cli_init("p2p-discover");
	cli_event_log();
	parse_args(&o, argc, argv);
	if (o.detach)
		cli_detach();
	memset(&r, 0, sizeof(r));
	r.o = &o;
	the_run = &r;
	TAILQ_INIT(&r.active);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	if ((o.cmd == CMD_LOOKUP && o.argc == 1) || o.cmd == CMD_RESOLVE) {
		if (parse_target(&r.target, o.argv[0]) != 0)
			cli_usage_error(usage, "bad TARGET '%.64s' (an enode "
			    "URL, enr: record or 128 hex: discovery v4 "
			    "searches by public key)", o.argv[0]);
		r.has_target = 1;
	}
	if ((r.base = event_base_new()) == NULL)
		return CLI_FAIL;
	db = open_db(&o);
	if (o.cmd == CMD_SERVE) {
		o.cfg.on_event = serve_event;
		o.cfg.arg = &r;
	}
	pick_extip(&o);
	errno = 0;
	if ((rc = p2p_disc_new(&r.d, r.base, &o.cfg)) != 0) {
		cli_warn("cannot start discovery: %s%s%s", p2p_strerror(rc),
		    rc == P2P_ENET && errno ? ": " : "",
		    rc == P2P_ENET && errno ? strerror(errno) : "");
		p2p_nodedb_close(db);
		return CLI_FAIL;
	}
	sigint = evsignal_new(r.base, SIGINT, signal_cb, &r);
	sigterm = evsignal_new(r.base, SIGTERM, signal_cb, &r);
	timer = evtimer_new(r.base, timeout_cb, &r);
	event_add(sigint, NULL);
	event_add(sigterm, NULL);
	if (o.timeout_ms)
		add_timer(timer, o.timeout_ms);
	if (start_cmd(&r) != 0) {
		cli_warn("cannot start: out of memory or too many requests");
		r.failed = 1;
	} else if ((rc = nat_start(&r)) != 0) {
		cli_warn("--nat: %s", p2p_strerror(rc));
		r.failed = 1;
	} else {
		event_base_dispatch(r.base);
	}
	/* Mappings go first: removed records, then the command's end. */
	p2p_nat_free(r.nat);
	finish_cmd(&r);
	crawl_free(r.cr);
	cli_input_free(r.in);
	p2p_disc_free(r.d);
	p2p_nodedb_close(db);
	event_free(sigint);
	event_free(sigterm);
	event_free(timer);
	event_base_free(r.base);
	p2p_wipe(&o.key, sizeof(o.key));
	cli_pidfile_remove();
	/* serve's normal end is a signal; any other command stopped by one
	 * did not finish. */
	if (r.signal && o.cmd != CMD_SERVE)
		return 128 + r.signal;
	return r.failed ? CLI_FAIL : CLI_OK;
}
