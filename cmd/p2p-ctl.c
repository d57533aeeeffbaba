/*
 * p2p-ctl - the control client of p2p-serverd: one JSON-RPC 2.0 call over
 * the daemon's UNIX socket (go-ethereum's IPC dialect: admin_*, rpc_*,
 * and p2pcore's p2p_*), its answer printed as NDJSON.  A table maps each
 * command to its method, its arguments and the shape of its output; a
 * command is: build the params, one call, print.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "cli.h"

/* Exit status when the daemon cannot be reached or does not answer. */
enum { CTL_UNREACHABLE = 3 };

/* How much longer than the dial's own limit add --wait waits for the
 * answer, so that the daemon's verdict (phase timeout) comes first. */
#define WAIT_SLACK_MS 5000

static const char usage[] =
    "p2p-ctl [--control PATH | --datadir DIR] [--timeout DUR] COMMAND"
    " [ARGS]";

static const char options[] =
    "Commands (and the JSON-RPC method each calls):\n"
    "  nodeinfo                 admin_nodeInfo: our node, one line\n"
    "  peers                    admin_peers: one line per peer\n"
    "  add ENODE [--wait]       admin_addPeer: keep ENODE connected;"
    " with --wait,\n"
    "                           p2p_connect: dial now, print the outcome\n"
    "  remove ENODE             admin_removePeer\n"
    "  trust ENODE              admin_addTrustedPeer\n"
    "  untrust ENODE            admin_removeTrustedPeer\n"
    "  events [--data]          admin_subscribe peerEvents: one line per"
    " event until\n"
    "                           interrupted; --data adds message payloads\n"
    "  send ENODE CODE HEX [--cap NAME/VER]\n"
    "                           p2p_send: a message to a peer (CODE is"
    " absolute,\n"
    "                           or relative to the capability of --cap)\n"
    "  disconnects              p2p_disconnects: failed connections and"
    " dropped\n"
    "                           peers, newest first, one line each\n"
    "  nat                      p2p_natState: the router, external address,"
    " mappings\n"
    "  dials                    p2p_dialState: slots, static nodes, dial"
    " history\n"
    "  table                    p2p_table: the discovery table, one line"
    " per node\n"
    "  limits [--maxpeers N] [--maxpendpeers N] [--dialratio N]\n"
    "                           p2p_setLimits: show or change the peer"
    " limits\n"
    "  reload                   p2p_reload: read the node lists again (as"
    " SIGHUP)\n"
    "  call METHOD [JSON-PARAMS]  any method, params a JSON array; prints"
    " the result\n"
    "Options:\n"
    "      --control PATH       the daemon's control socket (default\n"
    "                           DIR/p2pserverd.ipc)\n"
    "      --datadir DIR        the daemon's data directory (default"
    " p2p-serverd)\n"
    "      --timeout DUR        wait at most DUR for an answer (default"
    " 30s; 0: no\n"
    "                           limit); with add --wait, the dial's limit\n"
    "  -h, --help               show this help\n"
    "  -V, --version            show the version\n";

enum {
	OPT_CONTROL = 256, OPT_DATADIR, OPT_TIMEOUT,
	/* Command options, one bit each in struct cmd's opts. */
	OPT_WAIT, OPT_DATA, OPT_CAP, OPT_MAXPEERS, OPT_MAXPENDPEERS,
	OPT_DIALRATIO,
};
#define F(opt) (1u << ((opt) - OPT_WAIT))

static const struct option longopts[] = {
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "datadir", required_argument, NULL, OPT_DATADIR },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "data", no_argument, NULL, OPT_DATA },
	{ "cap", required_argument, NULL, OPT_CAP },
	{ "maxpeers", required_argument, NULL, OPT_MAXPEERS },
	{ "maxpendpeers", required_argument, NULL, OPT_MAXPENDPEERS },
	{ "dialratio", required_argument, NULL, OPT_DIALRATIO },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct ctl {
	const char *control, *datadir, *timeout_arg, *cap;
	const char *arg0;	/* the command's first argument */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint64_t timeout_ms;
	int wait, data;
	unsigned given;		/* F() of the command options given */
	json_t *limits;		/* limits' options, an object */
	int fd;
	FILE *in;
	const char *method;	/* the method called */
	int out;		/* enum out: how its result is printed */
	json_int_t id;		/* the last request's */
	json_t *early;		/* notifications read before an answer */
	int rc;			/* exit status once something failed */
	char why[256];		/* how the connection ended */
};

/* What a command prints of its result. */
enum out {
	OUT_VALUE,		/* the result, one line */
	OUT_LIST,		/* an array: one line per element */
	OUT_OK,			/* a boolean: {"ok":b} */
	OUT_CONNECT,		/* p2p_connect's outcome; its "ok" decides */
	OUT_EVENTS,		/* a subscription: each notification's result */
};

struct cmd {
	const char *name, *method;
	/* Builds the params (and may change c->method and c->out); exits
	 * on a usage error.  NULL: the arguments, as strings. */
	json_t *(*params)(struct ctl *, int, char **);
	int min, max;		/* arguments */
	unsigned opts;		/* F() of the options it takes */
	enum out out;
};

/* The socket, for the signal handler of events. */
static volatile sig_atomic_t stop_signal;
static int signal_fd = -1;

/* Why connect(2) to path failed, in words that say what to do. */
static const char *
errtext(const char *path)
{
	struct stat st;

	switch (errno) {
	case ENOENT:
		return "no such socket (is p2p-serverd running, with "
		    "--control there?)";
	case ECONNREFUSED:
		if (stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
			return "not a socket";
		return "connection refused (no p2p-serverd listens there: "
		    "a stale socket?)";
	case EACCES:
	case EPERM:
		return "permission denied (the socket is mode 0600: run as "
		    "the daemon's user)";
	default:
		return strerror(errno);
	}
}

static void
set_timeout(struct ctl *c, uint64_t ms)
{
	struct timeval tv = { .tv_sec = (time_t)(ms / 1000),
	    .tv_usec = (suseconds_t)(ms % 1000 * 1000) };

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Connects to the daemon.  Returns 0, or -1 with a message. */
static int
ctl_connect(struct ctl *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memcpy(sun.sun_path, c->path, sizeof(sun.sun_path));
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		cli_warn("socket: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		cli_warn("cannot connect to %s: %s", c->path,
		    errtext(c->path));
		return -1;
	}
	if ((c->in = fdopen(c->fd, "r")) == NULL) {
		cli_warn("fdopen: %s", strerror(errno));
		return -1;
	}
	set_timeout(c, c->timeout_ms);
	return 0;
}

/* Sends one request.  Returns 0, or -1 with a message. */
static int
send_request(struct ctl *c, const char *method, json_t *params)
{
	json_t *req = json_pack("{s:s,s:I,s:s,s:o}", "jsonrpc", "2.0",
	    "id", (json_int_t)++c->id, "method", method, "params", params);
	char *s = req ? json_dumps(req, JSON_COMPACT) : NULL;
	size_t off = 0, len = s ? strlen(s) : 0;

	json_decref(req);
	if (s == NULL) {
		cli_warn("%s: out of memory", method);
		return -1;
	}
	while (off < len) {
		ssize_t n = send(c->fd, s + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_warn("%s: cannot write to %s: %s", method, c->path,
			    errno == EAGAIN ? "timed out" : strerror(errno));
			free(s);
			return -1;
		}
		off += (size_t)n;
	}
	free(s);
	return 0;
}

/* The next JSON value from the daemon, or NULL at the end of the
 * connection, c->why saying how it ended. */
static json_t *
read_msg(struct ctl *c)
{
	json_error_t err;
	json_t *j;

	errno = 0;
	if ((j = json_loadf(c->in, JSON_DISABLE_EOF_CHECK, &err)) != NULL)
		return j;
	if (ferror(c->in) && (errno == EAGAIN || errno == EWOULDBLOCK))
		snprintf(c->why, sizeof(c->why), "no answer within %s "
		    "(--timeout)", c->timeout_arg);
	else if (ferror(c->in))
		snprintf(c->why, sizeof(c->why), "%s", strerror(errno));
	else if (feof(c->in))
		snprintf(c->why, sizeof(c->why), "the daemon closed the "
		    "connection");
	else
		snprintf(c->why, sizeof(c->why), "not JSON-RPC: %.200s",
		    err.text);
	return NULL;
}

/* The answer to the last request, or NULL with a message and c->rc set.
 * Notifications that come first are kept in c->early. */
static json_t *
await_answer(struct ctl *c, const char *method)
{
	json_t *m, *id;

	while ((m = read_msg(c)) != NULL) {
		id = json_object_get(m, "id");
		if (id == NULL && json_object_get(m, "method") != NULL) {
			json_array_append_new(c->early, m);
			continue;
		}
		/* An answer to an earlier request (none is left
		 * unanswered, but be strict about which one this is). */
		if (json_is_integer(id) && json_integer_value(id) != c->id) {
			json_decref(m);
			continue;
		}
		return m;
	}
	if (!stop_signal)
		cli_warn("%s: %s: %s", method, c->path, c->why);
	c->rc = CTL_UNREACHABLE;
	return NULL;
}

/* Calls method with params (taken).  Returns its result, owned by the
 * caller, or NULL with a message and c->rc set: 1 when the daemon
 * answered with an error, 3 when it did not answer. */
static json_t *
call(struct ctl *c, const char *method, json_t *params)
{
	json_t *m, *e, *res;

	if (send_request(c, method, params) != 0) {
		c->rc = CTL_UNREACHABLE;
		return NULL;
	}
	if ((m = await_answer(c, method)) == NULL)
		return NULL;
	if ((e = json_object_get(m, "error")) != NULL) {
		const char *msg = json_string_value(json_object_get(e,
		    "message"));

		cli_warn("%s: %s (code %" JSON_INTEGER_FORMAT ")", method,
		    msg ? msg : "error without a message",
		    json_integer_value(json_object_get(e, "code")));
		res = NULL;
	} else if ((res = json_object_get(m, "result")) == NULL) {
		cli_warn("%s: an answer with neither result nor error",
		    method);
	}
	json_incref(res);
	json_decref(m);
	if (res == NULL)
		c->rc = CLI_FAIL;
	return res;
}

/* Prints v (taken) as one line.  Returns 0, or 1 if stdout failed. */
static int
emit(json_t *v)
{
	int rc;

	if (json_is_object(v) || json_is_array(v))
		return cli_emit(v) ? CLI_FAIL : CLI_OK;
	rc = json_dumpf(v, stdout, JSON_COMPACT | JSON_ENSURE_ASCII |
	    JSON_ENCODE_ANY);
	json_decref(v);
	if (rc != 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
		return CLI_FAIL;
	return CLI_OK;
}

/* A string member of o for a message, "?" when there is none. */
static const char *
member(json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s ? s : "?";
}

static void
on_signal(int sig)
{
	stop_signal = sig;
	/* Ends the blocking read, wherever it is: no race with a flag
	 * checked before the read starts. */
	if (signal_fd >= 0)
		shutdown(signal_fd, SHUT_RDWR);
}

/* Prints a notification's result if it belongs to subscription sub.
 * Returns 0, or 1 if stdout failed. */
static int
print_event(json_t *m, const char *sub)
{
	json_t *p = json_object_get(m, "params");
	const char *s = json_string_value(json_object_get(p, "subscription"));
	json_t *res = json_object_get(p, "result");

	if (s == NULL || strcmp(s, sub) != 0 || res == NULL)
		return 0;
	return emit(json_incref(res));
}

/* events, once subscribed (res: the subscription id): every
 * notification until a signal (exit 0) or the end of the connection
 * (exit 1). */
static int
follow_events(struct ctl *c, json_t *res)
{
	const char *sub = json_string_value(res);
	size_t i;
	json_t *m;
	int rc = CLI_OK;

	if (sub == NULL) {
		cli_warn("%s: the answer is no subscription id", c->method);
		return CLI_FAIL;
	}
	set_timeout(c, 0);
	json_array_foreach(c->early, i, m)
		rc |= print_event(m, sub);
	while (rc == CLI_OK && (m = read_msg(c)) != NULL) {
		rc = print_event(m, sub);
		json_decref(m);
	}
	if (rc == CLI_OK && !stop_signal) {
		cli_warn("%s: %s: %s", c->method, c->path, c->why);
		rc = CLI_FAIL;
	}
	return rc;
}

/* Prints res as c->out says.  Returns the exit status. */
static int
print_result(struct ctl *c, json_t *res)
{
	size_t i;
	json_t *v;
	int ok;

	switch (c->out) {
	case OUT_LIST:
		if (!json_is_array(res)) {
			cli_warn("%s: the answer is not a list", c->method);
			return CLI_FAIL;
		}
		json_array_foreach(res, i, v)
			if (emit(json_incref(v)) != 0)
				return CLI_FAIL;
		return CLI_OK;
	case OUT_OK:
		ok = json_is_true(res);
		if (emit(json_pack("{s:b}", "ok", ok)) != 0)
			return CLI_FAIL;
		return ok ? CLI_OK : CLI_FAIL;
	case OUT_CONNECT:
		ok = json_is_true(json_object_get(res, "ok"));
		if (!ok)
			cli_warn("%s: %s: not connected: %s in phase %s: %s",
			    c->method, c->arg0, member(res, "error"),
			    member(res, "phase"), member(res, "detail"));
		if (emit(json_incref(res)) != 0)
			return CLI_FAIL;
		return ok ? CLI_OK : CLI_FAIL;
	case OUT_EVENTS:
		return follow_events(c, res);
	default:
		return emit(json_incref(res));
	}
}

/* add ENODE --wait: p2p_connect, the node made static as admin_addPeer
 * makes it; the answer comes once the dial is over. */
static json_t *
params_add(struct ctl *c, int argc, char **argv)
{
	json_t *opts;

	(void)argc;
	if (!c->wait)
		return json_pack("[s]", argv[0]);
	c->method = "p2p_connect";
	c->out = OUT_CONNECT;
	opts = json_pack("{s:b}", "static", 1);
	if (c->timeout_ms > 0)
		json_object_set_new(opts, "timeout",
		    json_integer((json_int_t)c->timeout_ms));
	return json_pack("[s,o]", argv[0], opts);
}

/* A message code: decimal, or hexadecimal with 0x. */
static int
parse_code(const char *s, uint64_t *v)
{
	const char *hex = "0123456789abcdefABCDEF";

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		if (*s == '\0' || strspn(s, hex) != strlen(s) ||
		    strlen(s) > 15)
			return -1;
		*v = strtoull(s, NULL, 16);
		return 0;
	}
	return cli_parse_u64(s, v) != 0 || *v > INT64_MAX ? -1 : 0;
}

/* send ENODE CODE HEX: the payload as 0x-prefixed hex of even length. */
static json_t *
params_send(struct ctl *c, int argc, char **argv)
{
	const char *hex = argv[2];
	uint64_t code;
	json_t *p;

	(void)argc;
	if (parse_code(argv[1], &code) != 0)
		cli_usage_error(usage, "send: invalid message code '%.64s'",
		    argv[1]);
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	if (strlen(hex) % 2 != 0 || strspn(hex, "0123456789abcdefABCDEF") !=
	    strlen(hex))
		cli_usage_error(usage, "send: payload '%.64s' is not hex",
		    argv[2]);
	p = json_pack("[s,I,s+]", argv[0], (json_int_t)code, "0x", hex);
	if (c->cap != NULL)
		json_array_append_new(p, json_string(c->cap));
	return p;
}

static json_t *
params_events(struct ctl *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (c->data)
		return json_pack("[s,{s:b}]", "peerEvents", "data", 1);
	return json_pack("[s]", "peerEvents");
}

static json_t *
params_limits(struct ctl *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (json_object_size(c->limits) == 0)
		return json_array();
	return json_pack("[O]", c->limits);
}

/* call METHOD [JSON-PARAMS] */
static json_t *
params_call(struct ctl *c, int argc, char **argv)
{
	json_error_t err;
	json_t *p;

	c->method = argv[0];
	if (argc < 2)
		return json_array();
	/* Not inside json_is_array(), a macro that would parse twice. */
	p = json_loads(argv[1], 0, &err);
	if (!json_is_array(p)) {
		int parsed = p != NULL;

		/* Freed before the exit, so a leak checker stays quiet. */
		json_decref(p);
		cli_usage_error(usage, "call: JSON-PARAMS must be a JSON "
		    "array: %s", parsed ? "not an array" : err.text);
	}
	return p;
}

static json_t *
params_strings(struct ctl *c, int argc, char **argv)
{
	json_t *p = json_array();

	(void)c;
	for (int i = 0; i < argc; i++)
		json_array_append_new(p, json_string(argv[i]));
	return p;
}

static const struct cmd cmds[] = {
	{ "nodeinfo", "admin_nodeInfo", NULL, 0, 0, 0, OUT_VALUE },
	{ "peers", "admin_peers", NULL, 0, 0, 0, OUT_LIST },
	{ "add", "admin_addPeer", params_add, 1, 1, F(OPT_WAIT), OUT_OK },
	{ "remove", "admin_removePeer", NULL, 1, 1, 0, OUT_OK },
	{ "trust", "admin_addTrustedPeer", NULL, 1, 1, 0, OUT_OK },
	{ "untrust", "admin_removeTrustedPeer", NULL, 1, 1, 0, OUT_OK },
	{ "events", "admin_subscribe", params_events, 0, 0, F(OPT_DATA),
	    OUT_EVENTS },
	{ "send", "p2p_send", params_send, 3, 3, F(OPT_CAP), OUT_OK },
	{ "disconnects", "p2p_disconnects", NULL, 0, 0, 0, OUT_LIST },
	{ "dials", "p2p_dialState", NULL, 0, 0, 0, OUT_VALUE },
	{ "table", "p2p_table", NULL, 0, 0, 0, OUT_LIST },
	{ "nat", "p2p_natState", NULL, 0, 0, 0, OUT_VALUE },
	{ "limits", "p2p_setLimits", params_limits, 0, 0, F(OPT_MAXPEERS) |
	    F(OPT_MAXPENDPEERS) | F(OPT_DIALRATIO), OUT_VALUE },
	{ "reload", "p2p_reload", NULL, 0, 0, 0, OUT_VALUE },
	{ "call", NULL, params_call, 1, 2, 0, OUT_VALUE },
};

static const char *
opt_name(int c)
{
	for (const struct option *lo = longopts; lo->name; lo++)
		if (lo->val == c)
			return lo->name;
	return "?";
}

static void
parse_value(struct ctl *c, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case OPT_TIMEOUT:
		if (cli_parse_duration(arg, &c->timeout_ms) != 0)
			cli_bad_value(usage, "timeout", arg);
		c->timeout_arg = arg;
		break;
	case OPT_CAP:
		if (strchr(arg, '/') == NULL || arg[0] == '/')
			cli_bad_value(usage, "cap", arg);
		c->cap = arg;
		break;
	default:	/* the limits */
		if (cli_parse_u64(arg, &v) != 0 || v > INT32_MAX)
			cli_bad_value(usage, opt_name(opt), arg);
		json_object_set_new(c->limits, opt_name(opt),
		    json_integer((json_int_t)v));
		break;
	}
}

/* Options may stand before or after the command; returns the index of
 * the first argument, the command. */
static int
parse_args(struct ctl *c, int argc, char **argv)
{
	int opt;

	while ((opt = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_CONTROL: c->control = optarg; break;
		case OPT_DATADIR: c->datadir = optarg; break;
		case OPT_WAIT: c->wait = 1; break;
		case OPT_DATA: c->data = 1; break;
		case OPT_TIMEOUT: case OPT_CAP: case OPT_MAXPEERS:
		case OPT_MAXPENDPEERS: case OPT_DIALRATIO:
			parse_value(c, opt, optarg);
			break;
		case 'h': cli_help(usage, options);
		case 'V': cli_version();
		default: cli_usage_error(usage, "unknown or incomplete option");
		}
		if (opt >= OPT_WAIT)
			c->given |= F(opt);
	}
	if (optind >= argc)
		cli_usage_error(usage, "no command given");
	if (c->control && c->datadir)
		cli_usage_error(usage, "give --control or --datadir, not both");
	return optind;
}

/* The command argv names, its options and arguments checked. */
static const struct cmd *
find_cmd(const struct ctl *c, int argc, char **argv)
{
	const struct cmd *cmd = NULL;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			cmd = &cmds[i];
	if (cmd == NULL)
		cli_usage_error(usage, "unknown command '%.64s'", argv[0]);
	for (int o = OPT_WAIT; o <= OPT_DIALRATIO; o++)
		if ((c->given & ~cmd->opts) & F(o))
			cli_usage_error(usage, "%s takes no --%s", cmd->name,
			    opt_name(o));
	if (argc - 1 < cmd->min)
		cli_usage_error(usage, "%s: missing argument", cmd->name);
	if (argc - 1 > cmd->max)
		cli_usage_error(usage, "%s: unexpected argument '%.64s'",
		    cmd->name, argv[cmd->max + 1]);
	return cmd;
}

static void
socket_path(struct ctl *c)
{
	int n;

	if (c->control)
		n = snprintf(c->path, sizeof(c->path), "%s", c->control);
	else
		n = snprintf(c->path, sizeof(c->path), "%s/p2pserverd.ipc",
		    c->datadir ? c->datadir : "p2p-serverd");
	if (n < 0 || (size_t)n >= sizeof(c->path))
		cli_usage_error(usage, "socket path longer than %zu bytes",
		    sizeof(c->path) - 1);
}

static void
catch_signals(struct ctl *c)
{
	struct sigaction sa = { .sa_handler = on_signal };

	signal_fd = c->fd;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
main(int argc, char **argv)
{
	struct ctl c = { .timeout_arg = "30s", .timeout_ms = 30000,
	    .fd = -1 };
	const struct cmd *cmd;
	json_t *params, *res = NULL;
	int first, n, rc;

	cli_init("p2p-ctl");
	signal(SIGPIPE, SIG_IGN);
	c.limits = json_object();
	c.early = json_array();
	first = parse_args(&c, argc, argv);
	cmd = find_cmd(&c, argc - first, argv + first);
	n = argc - first - 1;
	c.arg0 = n > 0 ? argv[first + 1] : NULL;
	c.method = cmd->method;
	c.out = cmd->out;
	params = (cmd->params ? cmd->params : params_strings)(&c, n,
	    argv + first + 1);
	socket_path(&c);
	if (ctl_connect(&c) != 0) {
		json_decref(params);
		rc = CTL_UNREACHABLE;
		goto cleanup;
	}
	if (c.out == OUT_EVENTS)
		catch_signals(&c);
	if (c.out == OUT_CONNECT && c.timeout_ms > 0)
		set_timeout(&c, c.timeout_ms + WAIT_SLACK_MS);
	if ((res = call(&c, c.method, params)) == NULL)
		rc = stop_signal ? CLI_OK : c.rc;
	else
		rc = print_result(&c, res);
cleanup:
	json_decref(res);
	if (c.in != NULL)
		fclose(c.in);
	else if (c.fd >= 0)
		close(c.fd);
	json_decref(c.limits);
	json_decref(c.early);
	return rc;
}
