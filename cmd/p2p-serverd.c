/*
 * p2p-serverd - the whole devp2p server (libp2pcore's server.c) as a
 * daemon: a data directory as go-ethereum keeps it, flags in the style of
 * geth's p2p flags, NDJSON records on stdout for every peer added or
 * dropped and every connection that failed, logs on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <p2p/disc.h>
#include <p2p/enr.h>
#include <p2p/hex.h>
#include <p2p/json.h>
#include <p2p/localnode.h>
#include <p2p/nat.h>
#include <p2p/server.h>
#include <p2p/workers.h>

#include "cli.h"
#include "config.h"
#include "metrics.h"
#include "serverd.h"
#include "admin.h"
#include "peer.h"

/* Exit status beyond cli.h's: the data directory is in use. */
#define EXIT_LOCKED 3

static const char usage[] =
    "p2p-serverd [--datadir DIR] [--config FILE] [options]";

static const char options[] =
    "      --datadir DIR        keys, node database, node lists (default"
    " ./p2p-serverd)\n"
    "      --config FILE        options as a JSON object (flags override"
    " it)\n"
    "      --addr [IP]:PORT     TCP listener and UDP discovery (default"
    " 127.0.0.1:30303;\n"
    "                           :PORT is every interface)\n"
    "      --extip IP           the address to announce\n"
    "      --nat SPEC           none, any, upnp, pmp[:GATEWAY] or extip:IP"
    " (default:\n"
    "                           any when listening beyond loopback, else"
    " none)\n"
    "      --nodekey FILE       node key (default DATADIR/nodekey, created"
    " 0600)\n"
    "      --nodekeyhex HEX     node key as 64 hex characters\n"
    "      --maxpeers N         peers in all (default 25)\n"
    "      --maxpendpeers N     handshakes accepted at once (default 50)\n"
    "      --dialratio N        1/N of maxpeers dialed (default 3)\n"
    "      --nodiscover         no discovery (and no dynamic dials)\n"
    "      --nodial             dial nobody, not even static nodes\n"
    "      --bootnodes LIST     enode URLs or enr: records, comma-separated\n"
    "      --static LIST        nodes to keep connected (besides"
    " DATADIR/static-nodes.json)\n"
    "      --trusted LIST       nodes let in above the limits (besides"
    " trusted-nodes.json)\n"
    "      --netrestrict LIST   talk only to these networks (CIDRs)\n"
    "      --name NAME          client name in our Hello\n"
    "      --caps LIST          capabilities to announce, name/version[:len]"
    "\n"
    "      --log-format text|json  stderr log format (default text)\n"
    "      --verbosity N        0 silent .. 5 debug (default 3)\n"
    "      --pidfile FILE       write our pid to FILE once listening\n"
    "      --detach             run in the background; return once"
    " listening\n"
    "      --workers N          threads for handshake crypto (default: the"
    " cores but\n"
    "                           one, at most 8; 0: all on the main thread)\n"
    "      --control PATH       JSON-RPC control socket (default"
    " DATADIR/p2pserverd.ipc;\n"
    "                           none: no socket)\n"
    "      --metrics IP:PORT    serve Prometheus metrics over HTTP (default"
    " off)\n";

/* Accept errors (out of file descriptors, mostly) come every 100 ms
 * while they last: one record per ACCEPT_REPORT_S says so. */
#define ACCEPT_REPORT_S 10

static struct opts *log_opts;

/* stderr logging: geth's levels (1 error .. 5 debug), text or JSON. */
void
serverd_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "", "ERROR", "WARN", "INFO",
		"DEBUG", "DEBUG" };
	char msg[1024];
	va_list ap;

	if (log_opts != NULL && level > log_opts->verbosity)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_opts != NULL && log_opts->log_json) {
		json_t *o = json_pack("{s:s,s:s}", "lvl", names[level],
		    "msg", msg);
		char *s = json_dumps(o, JSON_COMPACT);

		if (s != NULL)
			fprintf(stderr, "%s\n", s);
		free(s);
		json_decref(o);
	} else {
		fprintf(stderr, "p2p-serverd: %s%s%s\n", level <= 2 ?
		    names[level] : "", level <= 2 ? ": " : "", msg);
	}
}

static int
parse_nodes(const char *s, struct p2p_node *out, size_t *n, int complete)
{
	while (*s != '\0') {
		size_t len = strcspn(s, ", ");
		int rc;

		if (len > 0) {
			if (*n == MAX_FLAG_NODES)
				return P2P_ETOOBIG;
			if ((rc = p2p_enr_parse_node(&out[*n], s, len)) != 0)
				return rc;
			if (complete && (out[*n].ip.len == 0 ||
			    out[*n].tcp == 0))
				return out[*n].ip.len == 0 ? P2P_EIP :
				    P2P_EPORT;
			(*n)++;
		}
		s += len;
		while (*s == ',' || *s == ' ')
			s++;
	}
	return 0;
}

enum { OPT_DATADIR = 256, OPT_CONFIG, OPT_ADDR, OPT_EXTIP, OPT_NODEKEY,
	OPT_NODEKEYHEX, OPT_MAXPEERS, OPT_MAXPEND, OPT_DIALRATIO,
	OPT_NODISCOVER, OPT_NODIAL, OPT_BOOTNODES, OPT_STATIC, OPT_TRUSTED,
	OPT_NETRESTRICT, OPT_NAME, OPT_CAPS, OPT_LOGFORMAT, OPT_VERBOSITY,
	OPT_PIDFILE, OPT_DETACH, OPT_WORKERS, OPT_CONTROL, OPT_METRICS,
	OPT_NAT };

static const struct option longopts[] = {
	{ "datadir", required_argument, NULL, OPT_DATADIR },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "extip", required_argument, NULL, OPT_EXTIP },
	{ "nodekey", required_argument, NULL, OPT_NODEKEY },
	{ "nodekeyhex", required_argument, NULL, OPT_NODEKEYHEX },
	{ "maxpeers", required_argument, NULL, OPT_MAXPEERS },
	{ "maxpendpeers", required_argument, NULL, OPT_MAXPEND },
	{ "dialratio", required_argument, NULL, OPT_DIALRATIO },
	{ "nodiscover", no_argument, NULL, OPT_NODISCOVER },
	{ "nodial", no_argument, NULL, OPT_NODIAL },
	{ "bootnodes", required_argument, NULL, OPT_BOOTNODES },
	{ "static", required_argument, NULL, OPT_STATIC },
	{ "trusted", required_argument, NULL, OPT_TRUSTED },
	{ "netrestrict", required_argument, NULL, OPT_NETRESTRICT },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "caps", required_argument, NULL, OPT_CAPS },
	{ "log-format", required_argument, NULL, OPT_LOGFORMAT },
	{ "verbosity", required_argument, NULL, OPT_VERBOSITY },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "nat", required_argument, NULL, OPT_NAT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Applies one option, from the command line or the config file.  Strings
 * given on the command line live in argv; the config file's are copied
 * (strdup, kept for the process's life).  Returns 0, or -1 with why.
 */
static int
apply(struct opts *o, int id, const char *v, int from_file, char *why,
    size_t whylen)
{
	uint64_t u;
	int rc;

	switch (id) {
	case OPT_DATADIR:
	case OPT_CONFIG:
	case OPT_NODEKEY:
	case OPT_NODEKEYHEX:
	case OPT_CONTROL:
	case OPT_PIDFILE: {
		const char *copy = from_file ? strdup(v) : v;

		if (copy == NULL)
			return snprintf(why, whylen, "out of memory"), -1;
		if ((id == OPT_NODEKEY || id == OPT_NODEKEYHEX) &&
		    !from_file && o->key_from_file) {
			o->keyfile = o->keyhex = NULL;
			o->key_from_file = 0;
		}
		if (id == OPT_DATADIR)
			o->datadir = copy;
		else if (id == OPT_CONFIG)
			o->config = copy;
		else if (id == OPT_NODEKEY)
			o->keyfile = copy;
		else if (id == OPT_NODEKEYHEX)
			o->keyhex = copy;
		else if (id == OPT_CONTROL)
			o->control = copy;
		else
			o->pidfile = copy;
		if (from_file && (id == OPT_NODEKEY || id == OPT_NODEKEYHEX))
			o->key_from_file = 1;
		return 0;
	}
	case OPT_ADDR:
		if (cli_parse_hostport(v, &o->ip, &o->port) != 0)
			return snprintf(why, whylen, "not [IP]:PORT"), -1;
		o->any_addr = p2p_ip_is_unspecified(&o->ip);
		return 0;
	case OPT_METRICS:
		if (cli_parse_hostport(v, &o->metrics_ip, &o->metrics_port)
		    != 0)
			return snprintf(why, whylen, "not [IP]:PORT"), -1;
		o->metrics = 1;
		return 0;
	case OPT_NAT:
		if (p2p_nat_parse(&o->nat, v, why, whylen) != 0)
			return -1;
		o->nat_set = 1;
		if (o->nat.kind == P2P_NAT_EXTIP)
			o->extip = o->nat.ip;
		return 0;
	case OPT_EXTIP:
		if (p2p_ip_parse(&o->extip, v, strlen(v)) != 0)
			return snprintf(why, whylen, "not an IP address"), -1;
		return 0;
	case OPT_MAXPEERS:
	case OPT_MAXPEND:
	case OPT_DIALRATIO:
	case OPT_VERBOSITY:
	case OPT_WORKERS:
		if (cli_parse_u64(v, &u) != 0 || u > 100000 ||
		    (id == OPT_VERBOSITY && u > 5) ||
		    (id == OPT_WORKERS && u > P2P_WORKERS_MAX) ||
		    (id == OPT_DIALRATIO && u == 0) ||
		    (id == OPT_MAXPEND && u == 0))
			return snprintf(why, whylen, "not a number in range"),
			    -1;
		if (id == OPT_MAXPEERS)
			o->maxpeers = (int)u;
		else if (id == OPT_MAXPEND)
			o->maxpend = (int)u;
		else if (id == OPT_DIALRATIO)
			o->dialratio = (int)u;
		else if (id == OPT_WORKERS)
			o->workers = (int)u;
		else
			o->verbosity = (int)u;
		return 0;
	case OPT_NODISCOVER:
		o->nodiscover = 1;
		return 0;
	case OPT_NODIAL:
		o->nodial = 1;
		return 0;
	case OPT_DETACH:
		o->detach = 1;
		return 0;
	case OPT_BOOTNODES:
	case OPT_STATIC:
	case OPT_TRUSTED:
		if (!from_file && !(o->cli_lists & (1u << (id - OPT_DATADIR)))) {
			o->cli_lists |= 1u << (id - OPT_DATADIR);
			*(id == OPT_BOOTNODES ? &o->nboot : id == OPT_STATIC ?
			    &o->nstatic : &o->ntrusted) = 0;
		}
		rc = id == OPT_BOOTNODES ? parse_nodes(v, o->boot, &o->nboot,
		    1) : id == OPT_STATIC ? parse_nodes(v, o->statics,
		    &o->nstatic, 1) : parse_nodes(v, o->trusted, &o->ntrusted,
		    0);
		if (rc != 0)
			return snprintf(why, whylen, "%s", rc == P2P_EIP ?
			    "an enode URL without an IP address" :
			    rc == P2P_EPORT ? "an enode URL without a TCP "
			    "port" : p2p_strerror(rc)), -1;
		return 0;
	case OPT_NETRESTRICT:
		if (p2p_netlist_parse(&o->restrict_list, v) != 0)
			return snprintf(why, whylen, "not a list of CIDRs"),
			    -1;
		o->has_restrict = 1;
		return 0;
	case OPT_NAME:
		if (strlen(v) > P2P_PROTO_CLIENT_MAX)
			return snprintf(why, whylen, "longer than %d bytes",
			    P2P_PROTO_CLIENT_MAX), -1;
		snprintf(o->name, sizeof(o->name), "%s", v);
		return 0;
	case OPT_CAPS:
		if (peer_parse_caps(v, &o->caps) != 0)
			return snprintf(why, whylen, "not name/version[:len],..."),
			    -1;
		return 0;
	case OPT_LOGFORMAT:
		if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
			return snprintf(why, whylen, "text or json"), -1;
		o->log_json = strcmp(v, "json") == 0;
		return 0;
	}
	return snprintf(why, whylen, "unknown option"), -1;
}

static int
config_option(void *arg, const char *name, const char *value, char *err,
    size_t errlen)
{
	struct opts *o = arg;
	char why[200];

	for (const struct option *l = longopts; l->name != NULL; l++) {
		if (strcmp(l->name, name) != 0 || l->val < OPT_DATADIR)
			continue;
		if (l->val == OPT_CONFIG || l->val == OPT_DETACH) {
			snprintf(err, errlen, "%s: \"%s\" is for the command "
			    "line only", o->config, name);
			return -1;
		}
		if (l->has_arg == no_argument && value != NULL) {
			snprintf(err, errlen, "%s: \"%s\" takes true or "
			    "false", o->config, name);
			return -1;
		}
		if (l->has_arg != no_argument &&
		    (value == NULL || value[0] == '\0')) {
			snprintf(err, errlen, "%s: \"%s\" needs a value",
			    o->config, name);
			return -1;
		}
		if (apply(o, l->val, value ? value : "", 1, why, sizeof(why))
		    != 0) {
			snprintf(err, errlen, "%s: \"%s\": %s", o->config,
			    name, why);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "%s: unknown option \"%.40s\"", o->config, name);
	return -1;
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	char why[200];
	int c;

	memset(o, 0, sizeof(*o));
	o->maxpeers = P2P_SERVER_MAX_PEERS;
	o->maxpend = P2P_SERVER_MAX_PENDING;
	o->dialratio = P2P_SERVER_DIAL_RATIO;
	o->verbosity = 3;
	o->workers = -1;	/* one per core, see main */
	o->port = 30303;
	p2p_ip_parse(&o->ip, "127.0.0.1", 9);
	snprintf(o->name, sizeof(o->name), "p2pcore/v%s/linux",
	    P2P_VERSION_STRING);
	/* Pass 1: --config first, so that flags override it wherever they
	 * stand. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1)
		if (c == OPT_CONFIG)
			o->config = optarg;
	if (o->config != NULL &&
	    cfg_config_load(o->config, config_option, o, why, sizeof(why)) !=
	    0) {
		cli_warn("%s", why);
		exit(CLI_FAIL);
	}
	opterr = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_help(usage, options);
		case 'V':
			cli_version();
		case '?':
			cli_usage_error(usage, "unknown option");
		default:
			if (apply(o, c, optarg, 0, why, sizeof(why)) != 0)
				cli_usage_error(usage, "--%s '%.64s': %s",
				    longopts[c - OPT_DATADIR].name, optarg,
				    why);
		}
	}
	if (optind < argc)
		cli_usage_error(usage, "unexpected argument '%s'",
		    argv[optind]);
	if (o->keyfile != NULL && o->keyhex != NULL)
		cli_usage_error(usage, "give --nodekey or --nodekeyhex, not both");
	if (o->datadir == NULL)
		o->datadir = "p2p-serverd";
}

/* ---- the data directory ---- */

static int lock_fd = -1;

static void
datadir_path(char *out, size_t n, const struct opts *o, const char *name)
{
	if (snprintf(out, n, "%s/%s", o->datadir, name) >= (int)n) {
		cli_warn("--datadir %s: path too long", o->datadir);
		exit(CLI_FAIL);
	}
}

/* Creates the directory (0700) if needed and takes its lock: two
 * daemons sharing one node database and key would fight over both. */
static void
datadir_open(const struct opts *o)
{
	char path[4096];
	struct stat st;
	char pid[32];
	int n;

	if (mkdir(o->datadir, 0700) != 0 && errno != EEXIST) {
		cli_warn("--datadir %s: %s", o->datadir, strerror(errno));
		exit(CLI_FAIL);
	}
	if (stat(o->datadir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_warn("--datadir %s: %s", o->datadir, errno ? strerror(errno)
		    : "not a directory");
		exit(CLI_FAIL);
	}
	datadir_path(path, sizeof(path), o, "LOCK");
	if ((lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		cli_warn("%s: %s", path, strerror(errno));
		exit(CLI_FAIL);
	}
	if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
		n = (int)read(lock_fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		cli_warn("--datadir %s is in use by another p2p-serverd%s%s%s",
		    o->datadir, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
		exit(EXIT_LOCKED);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(lock_fd, 0) != 0 || pwrite(lock_fd, pid, (size_t)n, 0)
	    != n)
		cli_warn("warning: cannot write %s: %s", path, strerror(errno));
}

static void
load_key(const struct opts *o, struct p2p_privkey *key)
{
	char path[4096];
	const char *file = o->keyfile;

	if (file == NULL && o->keyhex == NULL) {
		datadir_path(path, sizeof(path), o, "nodekey");
		file = path;
	}
	if (cli_node_key(key, file, o->keyhex, o->keyhex == NULL) != 0)
		exit(CLI_FAIL);
}

static struct p2p_nodedb *
open_db(const struct opts *o, const struct p2p_privkey *key)
{
	char path[4096];
	struct p2p_nodedb *db;
	struct p2p_pubkey pub;
	struct p2p_nodeid id;

	datadir_path(path, sizeof(path), o, "nodes.db");
	p2p_secp_pubkey(&pub, key);
	p2p_enode_id(&id, &pub);
	if (p2p_nodedb_open(&db, path, &id) != 0) {
		cli_warn("cannot open node database %s: %s", path,
		    p2p_nodedb_errmsg(NULL));
		exit(CLI_FAIL);
	}
	return db;
}

/* ---- records ---- */

json_t *
serverd_addr_json(const struct p2p_ip *ip, uint16_t port)
{
	char ipt[64], buf[80];

	p2p_ip_format(ipt, ip);
	snprintf(buf, sizeof(buf), ip->len == 16 ? "[%s]:%u" : "%s:%u", ipt,
	    port);
	return json_string(buf);
}

json_t *
serverd_enode_json(const struct p2p_node *n)
{
	char url[P2P_ENODE_URL_MAX];
	size_t len = sizeof(url);

	if (p2p_enode_format(url, &len, n) != 0)
		return json_null();
	return json_stringn(url, len);
}

static const char *const phases[] = { "resolve", "tcp", "auth", "admit",
	"hello", "add" };

static void
emit(struct daemon *d, json_t *o)
{
	if (cli_emit(o) != 0 && !d->failed) {
		/* Nobody reads our records any more: stop as on SIGTERM. */
		d->failed = 1;
		if (!d->stopping) {
			d->stopping = 1;
			p2p_server_stop(d->srv);
		}
	}
}

static void
set_err(json_t *o, int err, int reason, int remote)
{
	json_object_set_new(o, "error", err ? json_string(p2p_errname(err)) :
	    json_null());
	if (err)
		json_object_set_new(o, "detail", json_string(p2p_strerror(err)));
	json_object_set_new(o, "disconnect",
	    peer_disconnect_json(reason, remote));
}

static json_t *
peer_json(const char *event, const struct p2p_server_ev *ev)
{
	json_t *o = cli_record("peer"), *caps = json_array();
	const struct p2p_cap *cp;
	unsigned n;

	json_object_set_new(o, "event", json_string(event));
	json_object_set_new(o, "enode", serverd_enode_json(ev->node));
	p2p_json_set_hex(o, "id", ev->node->id.b, sizeof(ev->node->id.b));
	if (ev->peer != NULL) {
		const struct p2p_hello *h = p2p_peer_hello(ev->peer);
		struct p2p_ip lip;
		uint16_t lport;

		json_object_set_new(o, "name", json_string(h->client));
		json_t *shared = json_array();

		for (unsigned i = 0; i < h->ncaps; i++) {
			char buf[64];

			snprintf(buf, sizeof(buf), "%s/%u", h->caps[i].name,
			    h->caps[i].version);
			json_array_append_new(caps, json_string(buf));
		}
		cp = p2p_peer_caps(ev->peer, &n);
		for (unsigned i = 0; i < n; i++) {
			char buf[64];

			snprintf(buf, sizeof(buf), "%s/%u", cp[i].name,
			    cp[i].version);
			json_array_append_new(shared, json_string(buf));
		}
		json_object_set_new(o, "shared", shared);
		p2p_peer_local_addr(ev->peer, &lip, &lport);
		if (lip.len != 0)
			json_object_set_new(o, "local", serverd_addr_json(&lip, lport));
	}
	json_object_set_new(o, "caps", caps);
	json_object_set_new(o, "remote", serverd_addr_json(&ev->addr, ev->port));
	json_object_set_new(o, "inbound",
	    json_boolean(ev->flags & P2P_FLAG_INBOUND));
	json_object_set_new(o, "trusted",
	    json_boolean(ev->flags & P2P_FLAG_TRUSTED));
	json_object_set_new(o, "static",
	    json_boolean(ev->flags & P2P_FLAG_STATIC_DIALED));
	return o;
}

static void
server_event(void *arg, const struct p2p_server_ev *ev)
{
	struct daemon *d = arg;
	struct p2p_server_counts c;
	json_t *o;

	if (d->metrics != NULL)
		metrics_event(d->metrics, ev);
	if (d->admin != NULL)
		admin_event(d->admin, ev);
	switch (ev->type) {
	case P2P_SERVER_EV_ADD:
	case P2P_SERVER_EV_DROP:
		o = peer_json(ev->type == P2P_SERVER_EV_ADD ? "add" : "drop",
		    ev);
		if (ev->type == P2P_SERVER_EV_DROP) {
			set_err(o, ev->err, ev->reason, ev->remote);
			json_object_set_new(o, "duration_ms",
			    json_integer((json_int_t)ev->duration_ms));
		}
		p2p_server_counts(d->srv, &c);
		json_object_set_new(o, "peers", json_integer(c.peers));
		serverd_log(4, "peer %s %s", ev->type == P2P_SERVER_EV_ADD ?
		    "added" : "dropped", json_string_value(json_object_get(o,
		    "enode")));
		emit(d, o);
		break;
	case P2P_SERVER_EV_FAIL:
		o = cli_record("conn");
		json_object_set_new(o, "direction", json_string(ev->flags &
		    P2P_FLAG_INBOUND ? "inbound" : "outbound"));
		json_object_set_new(o, "phase", json_string(phases[ev->phase]));
		if (ev->phase > P2P_SERVER_PHASE_AUTH ||
		    !(ev->flags & P2P_FLAG_INBOUND))
			json_object_set_new(o, "enode", serverd_enode_json(ev->node));
		json_object_set_new(o, "remote", serverd_addr_json(&ev->addr,
		    ev->port));
		json_object_set_new(o, "static",
		    json_boolean(ev->flags & P2P_FLAG_STATIC_DIALED));
		json_object_set_new(o, "trusted",
		    json_boolean(ev->flags & P2P_FLAG_TRUSTED));
		set_err(o, ev->err ? ev->err : P2P_ECLOSED, ev->reason,
		    ev->remote);
		emit(d, o);
		break;
	case P2P_SERVER_EV_STATIC:
		o = cli_record("static");
		json_object_set_new(o, "event", json_string("removed"));
		json_object_set_new(o, "enode", serverd_enode_json(ev->node));
		set_err(o, ev->err, -1, 0);
		serverd_log(2, "static node %s removed: %s",
		    json_string_value(json_object_get(o, "enode")),
		    p2p_strerror(ev->err));
		emit(d, o);
		break;
	case P2P_SERVER_EV_MSGRECV:
		d->dropped_msgs++;
		break;
	case P2P_SERVER_EV_MSGSEND:
		break;
	case P2P_SERVER_EV_ACCEPT_ERROR: {
		time_t now = time(NULL);
		char detail[200];

		if (d->accept_error_shown != 0 &&
		    now - d->accept_error_shown < ACCEPT_REPORT_S) {
			d->accept_errors_hidden++;
			break;
		}
		snprintf(detail, sizeof(detail), "accept: %s (open-files "
		    "limit %llu); accepting again in %d ms",
		    strerror(ev->sys_errno), cli_nofile_limit(),
		    P2P_SERVER_ACCEPT_RETRY_MS);
		o = cli_record("error");
		json_object_set_new(o, "error", json_string("ENET"));
		json_object_set_new(o, "detail", json_string(detail));
		json_object_set_new(o, "nofile_limit",
		    json_integer((json_int_t)cli_nofile_limit()));
		json_object_set_new(o, "since_last",
		    json_integer((json_int_t)d->accept_errors_hidden));
		d->accept_error_shown = now;
		d->accept_errors_hidden = 0;
		serverd_log(2, "%s", detail);
		emit(d, o);
		break;
	}
	case P2P_SERVER_EV_ENDPOINT: {
		static const char *const sources[] = { "fallback", "static",
			"predicted" };
		const struct p2p_enr *rec;
		char text[P2P_ENR_TEXT_MAX];
		size_t len = sizeof(text);

		o = cli_record("endpoint");
		json_object_set_new(o, "enode", serverd_enode_json(ev->node));
		json_object_set_new(o, "source", json_string(
		    sources[ev->source % 3]));
		if (p2p_server_record(d->srv, &rec) == 0 &&
		    p2p_enr_format(rec, text, &len) == 0) {
			json_object_set_new(o, "enr", json_stringn(text, len));
			json_object_set_new(o, "seq", p2p_json_uint(rec->seq));
		}
		serverd_log(3, "announcing %s (%s)", json_string_value(
		    json_object_get(o, "enode")), sources[ev->source % 3]);
		emit(d, o);
		break;
	}
	case P2P_SERVER_EV_STOPPED:
		/* The mappings go before we say we stopped (blocking: the
		 * router's answers, a few seconds at worst). */
		p2p_nat_free(d->nat);
		d->nat = NULL;
		o = cli_record("stopped");
		json_object_set_new(o, "signal", d->signal == SIGINT ?
		    json_string("SIGINT") : d->signal == SIGTERM ?
		    json_string("SIGTERM") : json_null());
		/* --caps messages are counted and dropped until a control
		 * interface exposes them. */
		json_object_set_new(o, "msgs_received",
		    json_integer((json_int_t)d->dropped_msgs));
		if (!d->failed)
			emit(d, o);
		else
			json_decref(o);
		event_base_loopbreak(d->base);
		break;
	}
}

static void
print_started(struct daemon *d)
{
	const struct p2p_enr *rec;
	const struct p2p_node *self = p2p_server_self(d->srv);
	struct p2p_server_counts c;
	struct p2p_ip ip;
	uint16_t port;
	char text[P2P_ENR_TEXT_MAX];
	size_t len = sizeof(text);
	json_t *o = cli_record("started");

	p2p_json_set_hex(o, "id", self->id.b, sizeof(self->id.b));
	json_object_set_new(o, "enode", serverd_enode_json(self));
	if (p2p_server_record(d->srv, &rec) == 0 &&
	    p2p_enr_format(rec, text, &len) == 0) {
		json_object_set_new(o, "enr", json_stringn(text, len));
		json_object_set_new(o, "seq", p2p_json_uint(rec->seq));
	}
	p2p_server_listen_addr(d->srv, &ip, &port);
	json_object_set_new(o, "listen", port ? serverd_addr_json(&ip, port) :
	    json_null());
	json_object_set_new(o, "discovery",
	    json_boolean(p2p_server_disc(d->srv) != NULL));
	json_object_set_new(o, "datadir", json_string(d->o->datadir));
	p2p_server_counts(d->srv, &c);
	json_object_set_new(o, "maxpeers", json_integer(c.max_peers));
	json_object_set_new(o, "max_inbound", json_integer(c.max_inbound));
	json_object_set_new(o, "max_dialed", json_integer(c.max_dialed));
	json_object_set_new(o, "static", json_integer(c.statics));
	json_object_set_new(o, "trusted", json_integer(c.trusted));
	json_object_set_new(o, "control", d->admin != NULL ?
	    json_string(admin_path(d->admin)) : json_null());
	json_object_set_new(o, "metrics", d->metrics != NULL ?
	    serverd_addr_json(&d->o->metrics_ip, metrics_port(d->metrics)) :
	    json_null());
	emit(d, o);
}

/* ---- node lists, and SIGHUP ---- */

static int
has_node(const struct p2p_node *list, size_t n, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(&list[i].id, id, sizeof(*id)) == 0)
			return 1;
	return 0;
}

/* Applies the difference between the old and new contents of one node
 * list file; nodes also given by flag stay. */
static void
apply_diff(struct daemon *d, int trusted, const struct p2p_node *old,
    size_t nold, const struct p2p_node *new, size_t nnew, json_t *rec)
{
	const struct p2p_node *flag = trusted ? d->o->trusted : d->o->statics;
	size_t nflag = trusted ? d->o->ntrusted : d->o->nstatic;
	json_int_t added = 0, removed = 0;

	for (size_t i = 0; i < nold; i++)
		if (!has_node(new, nnew, &old[i].id) &&
		    !has_node(flag, nflag, &old[i].id)) {
			if (trusted)
				p2p_server_remove_trusted(d->srv, &old[i].id);
			else
				p2p_server_remove_static(d->srv, &old[i].id);
			removed++;
		}
	for (size_t i = 0; i < nnew; i++)
		if (!has_node(old, nold, &new[i].id)) {
			if (trusted)
				p2p_server_add_trusted(d->srv, &new[i]);
			else
				p2p_server_add_static(d->srv, &new[i]);
			added++;
		}
	json_object_set_new(rec, trusted ? "trusted" : "static",
	    json_pack("{s:I,s:I,s:I}", "added", added, "removed", removed,
	    "listed", (json_int_t)nnew));
}

/* Rereads both files; a bad one changes nothing. */
static int
reload_lists(struct daemon *d, json_t *rec, char *err, size_t errlen)
{
	struct p2p_node *ns = NULL, *nt = NULL;
	size_t nns = 0, nnt = 0;

	if (cfg_nodelist_load(d->path_static, 1, &ns, &nns, err, errlen)
	    != 0 || cfg_nodelist_load(d->path_trusted, 0, &nt, &nnt, err,
	    errlen) != 0) {
		free(ns);
		return -1;
	}
	apply_diff(d, 0, d->fstatic, d->nfstatic, ns, nns, rec);
	apply_diff(d, 1, d->ftrusted, d->nftrusted, nt, nnt, rec);
	free(d->fstatic);
	free(d->ftrusted);
	d->fstatic = ns;
	d->nfstatic = nns;
	d->ftrusted = nt;
	d->nftrusted = nnt;
	return 0;
}

int
serverd_reload(struct daemon *d, json_t **summary, char *err, size_t errlen)
{
	json_t *o = cli_record("reload");
	int rc;

	*summary = NULL;
	cli_sd_notify("RELOADING=1");
	if ((rc = reload_lists(d, o, err, errlen)) != 0) {
		serverd_log(1, "reload: %s (nothing changed)", err);
		json_object_set_new(o, "error", json_string("EFIELD"));
		json_object_set_new(o, "detail", json_string(err));
	} else {
		*summary = json_pack("{s:O,s:O}", "static",
		    json_object_get(o, "static"), "trusted",
		    json_object_get(o, "trusted"));
		json_object_set_new(o, "error", json_null());
	}
	emit(d, o);
	cli_sd_notify("READY=1");
	return rc;
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (sig == SIGHUP) {
		json_t *sum;
		char err[512];

		if (!d->stopping && serverd_reload(d, &sum, err,
		    sizeof(err)) == 0)
			json_decref(sum);
		return;
	}
	if (d->stopping) {
		/* A second signal: do not wait for the peers. */
		event_base_loopbreak(d->base);
		return;
	}
	d->signal = (int)sig;
	d->stopping = 1;
	cli_sd_notify("STOPPING=1");
	serverd_log(3, "stopping on %s", sig == SIGINT ? "SIGINT" : "SIGTERM");
	p2p_server_stop(d->srv);
}

/* ---- main ---- */

static void
setup_protocols(struct daemon *d)
{
	const struct p2p_hello *h = &d->o->caps;

	for (unsigned i = 0; i < h->ncaps; i++) {
		d->protos[i].name = h->caps[i].name;
		d->protos[i].version = h->caps[i].version;
		d->protos[i].length = h->caps[i].length;
	}
}

static struct p2p_node *
merge(const struct p2p_node *a, size_t na, const struct p2p_node *b,
    size_t nb, size_t *n)
{
	struct p2p_node *m = calloc(na + nb + 1, sizeof(*m));

	*n = 0;
	if (m == NULL)
		return NULL;
	for (size_t i = 0; i < na; i++)
		m[(*n)++] = a[i];
	for (size_t i = 0; i < nb; i++)
		if (!has_node(m, *n, &b[i].id))
			m[(*n)++] = b[i];
	return m;
}

/* ---- NAT ---- */

static void
nat_event(void *arg, const struct p2p_nat_ev *ev)
{
	struct daemon *d = arg;
	json_t *o = cli_record("nat"), *e = p2p_json_nat_event(ev);

	json_object_update(o, e);
	json_decref(e);
	{
		char *line = json_dumps(o, JSON_COMPACT);

		/* The record says it all; the log carries it for stderr's
		 * readers. */
		serverd_log(ev->type == P2P_NAT_EV_FAILED ||
		    ev->type == P2P_NAT_EV_NOT_FOUND ? 2 : 3, "nat: %s",
		    line != NULL ? line : "");
		free(line);
	}
	emit(d, o);
	if (ev->type == P2P_NAT_EV_EXTERNAL && d->srv != NULL)
		p2p_server_announce(d->srv, &ev->ext_ip, ev->ext_tcp,
		    ev->ext_udp);
}

/* Seconds from the environment (tests shorten the NAT's intervals). */
static uint32_t
env_seconds(const char *name)
{
	const char *v = getenv(name);
	uint64_t u;

	if (v == NULL || cli_parse_u64(v, &u) != 0 || u > 86400)
		return 0;
	return (uint32_t)u;
}

/* --nat: geth's default is any; here only when we listen beyond
 * loopback (a default touches only loopback, and a node bound to it
 * cannot be reached through a router anyway). */
static int
nat_open(struct daemon *d, char *err, size_t errlen)
{
	struct p2p_nat_cfg nc;
	struct p2p_disc *disc = p2p_server_disc(d->srv);
	struct p2p_ip ip;
	uint16_t port;
	int rc;

	if (!d->o->nat_set) {
		d->o->nat.kind = p2p_ip_is_loopback(&d->o->ip) ?
		    P2P_NAT_NONE : P2P_NAT_ANY;
	}
	if (d->o->nat.kind == P2P_NAT_NONE || d->o->nat.kind == P2P_NAT_EXTIP)
		return 0;
	memset(&nc, 0, sizeof(nc));
	nc.base = d->base;
	nc.spec = d->o->nat;
	p2p_server_listen_addr(d->srv, &ip, &port);
	nc.tcp_port = port;
	nc.udp_port = disc != NULL ? p2p_disc_self(disc)->udp : 0;
	nc.lifetime_s = env_seconds("P2P_NAT_LIFETIME");
	nc.renew_s = env_seconds("P2P_NAT_RENEW");
	nc.desc = "p2p-serverd";
	nc.on_event = nat_event;
	nc.arg = d;
	if ((rc = p2p_nat_new(&d->nat, &nc)) != 0) {
		snprintf(err, errlen, "--nat: %s", p2p_strerror(rc));
		return -1;
	}
	return 0;
}

/* --metrics and --control.  Returns 0, or -1 with why in err. */
static int
frontends_open(struct daemon *d, char *err, size_t errlen)
{
	const struct opts *o = d->o;
	char path[4096], why[400];

	if (o->metrics) {
		datadir_path(path, sizeof(path), o, "nodes.db");
		if ((d->metrics = metrics_new(d->base, &o->metrics_ip,
		    o->metrics_port, d->srv, path, why, sizeof(why))) ==
		    NULL) {
			snprintf(err, errlen, "--metrics: %s", why);
			return -1;
		}
	}
	if (o->control != NULL && strcmp(o->control, "none") == 0)
		return 0;
	if (o->control == NULL)
		datadir_path(path, sizeof(path), o, "p2pserverd.ipc");
	else
		snprintf(path, sizeof(path), "%s", o->control);
	if ((d->admin = admin_new(d, path, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "--control: %s", why);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct opts o;
	struct daemon d;
	struct p2p_server_cfg cfg;
	struct p2p_privkey key;
	struct p2p_node *st = NULL, *tr = NULL;
	size_t nst = 0, ntr = 0;
	struct event *sig[3];
	static const int signals[3] = { SIGINT, SIGTERM, SIGHUP };
	char err[512];
	int rc;

	cli_init("p2p-serverd");
	cli_raise_nofile();
	cli_event_log();
	parse_args(&o, argc, argv);
	log_opts = &o;
	memset(&d, 0, sizeof(d));
	d.o = &o;
	/* Detach first: the lock belongs to the process that runs (and the
	 * caller still sees any error below, and its exit status). */
	if (o.detach)
		cli_detach();
	datadir_open(&o);
	datadir_path(d.path_static, sizeof(d.path_static), &o,
	    "static-nodes.json");
	datadir_path(d.path_trusted, sizeof(d.path_trusted), &o,
	    "trusted-nodes.json");
	if (cfg_nodelist_load(d.path_static, 1, &d.fstatic, &d.nfstatic, err,
	    sizeof(err)) != 0 || cfg_nodelist_load(d.path_trusted, 0,
	    &d.ftrusted, &d.nftrusted, err, sizeof(err)) != 0) {
		cli_warn("%s", err);
		return CLI_FAIL;
	}
	load_key(&o, &key);
	if ((d.base = event_base_new()) == NULL) {
		cli_warn("cannot create an event loop");
		return CLI_FAIL;
	}
	d.db = open_db(&o, &key);
	setup_protocols(&d);
	if (o.any_addr && o.extip.len == 0)
		cli_pick_extip(&o.extip);
	st = merge(o.statics, o.nstatic, d.fstatic, d.nfstatic, &nst);
	tr = merge(o.trusted, o.ntrusted, d.ftrusted, d.nftrusted, &ntr);
	if (st == NULL || tr == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	p2p_server_cfg_init(&cfg);
	cfg.base = d.base;
	cfg.key = &key;
	cfg.name = o.name;
	cfg.protocols = d.protos;
	cfg.nprotocols = o.caps.ncaps;
	cfg.max_peers = o.maxpeers;
	cfg.max_pending = o.maxpend;
	cfg.dial_ratio = o.dialratio;
	cfg.no_dial = o.nodial;
	cfg.no_discovery = o.nodiscover;
	cfg.listen_ip = o.ip;
	cfg.listen_port = o.port;
	cfg.ext_ip = o.extip;
	cfg.netrestrict = o.has_restrict ? &o.restrict_list : NULL;
	cfg.bootnodes = o.boot;
	cfg.nbootnodes = o.nboot;
	cfg.static_nodes = st;
	cfg.nstatic = nst;
	cfg.trusted_nodes = tr;
	cfg.ntrusted = ntr;
	cfg.db = d.db;
	cfg.msg_events = o.caps.ncaps > 0;
	/* By default the handshakes' EC work gets every core but the
	 * loop's own (none on a single core): the loop does the I/O. */
	if (o.workers < 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN) - 1;

		o.workers = n < 0 ? 0 : n > 8 ? 8 : (int)n;
	}
	cfg.workers = (unsigned)o.workers;
	cfg.dial_history_ms = env_seconds("P2P_DIAL_HISTORY") * 1000;
	cfg.on_event = server_event;
	cfg.arg = &d;
	errno = 0;
	rc = p2p_server_new(&d.srv, &cfg);
	/* The metrics and the control socket exist before the server
	 * starts: they see its first events, and a control socket in use
	 * stops us before we take the P2P port. */
	if (rc == 0 && frontends_open(&d, err, sizeof(err)) != 0) {
		cli_warn("%s", err);
		rc = 1;
	} else if (rc == 0 && (rc = p2p_server_start(d.srv)) != 0) {
		char ipt[64];

		p2p_ip_format(ipt, &o.ip);
		cli_warn("cannot start on %s:%u: %s%s%s", ipt, o.port,
		    p2p_strerror(rc), rc == P2P_ENET && errno ? ": " : "",
		    rc == P2P_ENET && errno ? strerror(errno) : "");
	} else if (rc != 0) {
		cli_warn("cannot set up the server: %s", p2p_strerror(rc));
	}
	free(st);
	free(tr);
	p2p_wipe(&key, sizeof(key));
	if (rc != 0) {
		admin_free(d.admin);
		metrics_free(d.metrics);
		p2p_server_free(d.srv);
		p2p_nodedb_close(d.db);
		event_base_free(d.base);
		free(d.fstatic);
		free(d.ftrusted);
		return CLI_FAIL;
	}
	if (p2p_server_useless(d.srv))
		serverd_log(2, "neither dialing nor listening: this node is useless");
	for (int i = 0; i < 3; i++) {
		sig[i] = evsignal_new(d.base, signals[i], signal_cb, &d);
		event_add(sig[i], NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	print_started(&d);
	if (nat_open(&d, err, sizeof(err)) != 0) {
		cli_warn("%s", err);
		d.failed = 1;
	}
	if (d.failed || cli_ready(o.pidfile) != 0)
		d.failed = 1;
	else
		event_base_dispatch(d.base);
	p2p_nat_free(d.nat);
	d.nat = NULL;
	admin_free(d.admin);
	d.admin = NULL;
	metrics_free(d.metrics);
	d.metrics = NULL;
	p2p_server_free(d.srv);
	p2p_nodedb_close(d.db);
	for (int i = 0; i < 3; i++)
		event_free(sig[i]);
	event_base_free(d.base);
	free(d.fstatic);
	free(d.ftrusted);
	cli_pidfile_remove();
	return d.failed ? CLI_FAIL : CLI_OK;
}
