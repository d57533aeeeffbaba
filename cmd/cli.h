/*
 * cli.h - what every p2pcore tool shares: messages on stderr, NDJSON
 * records on stdout, flag value parsing, key loading and the
 * "arguments or stdin lines" input convention.  Tools see only the public
 * library headers and this file.
 */
#ifndef P2P_CLI_H
#define P2P_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include <p2p/secp.h>

/* Longest input line a tool reads from stdin; longer ones are refused. */
#define CLI_LINE_MAX 8192

/* Exit codes every tool uses (and every man page lists). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Sets the program name for messages and makes stdout line-buffered. */
void cli_init(const char *prog);

/* "prog: message" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prog: message" and the usage synopsis on stderr, then exit 2. */
void cli_usage_error(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* Prints usage (the man page SYNOPSIS) and the option list on stdout,
 * then exits 0. */
void cli_help(const char *usage, const char *options)
    __attribute__((noreturn));

/* Prints "prog p2pcore <version>" and exits 0. */
void cli_version(void) __attribute__((noreturn));

/* A new record {"type": type}. */
json_t *cli_record(const char *type);

/* A JSON string for untrusted text: invalid UTF-8 bytes become U+FFFD so
 * the record can always be printed. */
json_t *cli_json_text(const char *s, size_t len);

/*
 * {"type":"error","input":input,"error":<P2P_E name>,"detail":detail}.
 * detail NULL means p2p_strerror(err).
 */
json_t *cli_error_record(const char *input, size_t inputlen, int err,
    const char *detail);

/* Prints o as one compact line and flushes; takes the reference.
 * Returns 0, or -1 if stdout failed (a closed pipe). */
int cli_emit(json_t *o);

/* "invalid value 'ARG' for --NAME" (ARG cut at 64 characters), usage on
 * stderr, exit 2. */
void cli_bad_value(const char *usage, const char *name, const char *arg)
    __attribute__((noreturn));

/* Raises the soft open-files limit to the hard one (as go-ethereum
 * does); cli_nofile_limit says what the limit now is. */
void cli_raise_nofile(void);
unsigned long long cli_nofile_limit(void);

/* Durations as go-ethereum's users write them: "500ms", "10s", "2m",
 * "1h30m", "1.5s"; a bare number is seconds.  Returns 0 or -1. */
int cli_parse_duration(const char *s, uint64_t *ms);

/* Decimal only, no sign or spaces.  Return 0 or -1. */
int cli_parse_port(const char *s, uint16_t *port);
/* "IP:PORT", "[IPv6]:PORT" or go-ethereum's ":PORT" (every interface).
 * Returns 0 or -1. */
struct p2p_ip;
int cli_parse_hostport(const char *s, struct p2p_ip *ip, uint16_t *port);
/* For a node bound to every interface: the first non-loopback IPv4
 * address (else 127.0.0.1), with a warning naming it and --extip. */
void cli_pick_extip(struct p2p_ip *ext);
int cli_parse_u64(const char *s, uint64_t *v);

/*
 * The node key from --nodekey FILE or --nodekeyhex HEX (exactly one is
 * non-NULL).  Reports failures on stderr; warns when the file is readable
 * by group or others.  Returns 0 or -1.
 */
int cli_load_key(struct p2p_privkey *key, const char *file, const char *hex);

/*
 * Every tool's key: the one --nodekey/--nodekeyhex names, else a fresh
 * one.  With create, a --nodekey file that does not exist yet is made
 * (mode 0600) with a fresh key, so the node keeps its identity next time.
 * Reports failures on stderr.  Returns 0 or -1.
 */
int cli_node_key(struct p2p_privkey *key, const char *file, const char *hex,
    int create);

/*
 * Calls fn for each argument, or, when there are none, each line of stdin
 * with blank lines and '#' comments skipped and surrounding white space
 * trimmed.  A line over CLI_LINE_MAX bytes or holding a NUL byte is
 * reported as an error record instead.  Returns the number of inputs that
 * failed (fn returned non-zero, or refused lines); -1 if stdout failed.
 */
typedef int (*cli_input_fn)(const char *in, size_t len, void *arg);
int cli_each_input(int argc, char **argv, cli_input_fn fn, void *arg);

/* Trims white space at both ends of an input line.  Returns 0 for a
 * line to skip (blank, or a # comment), else 1. */
int cli_input_wanted(const char **s, size_t *len);

/*
 * The same inputs as cli_each_input, streamed on base's loop (input.c):
 * fn runs for each argument, or each stdin line as it arrives, from the
 * loop and never inside these calls; eof runs once when the input ends
 * (or stdout broke).  A tool pauses the stream while it has no room for
 * more work: a paused stream stops reading stdin, so its writer waits.
 * Returns: the stream, owned by the caller (cli_input_free), or NULL.
 */
struct event_base;
struct cli_input;
struct cli_input *cli_input_new(struct event_base *base, int argc,
    char **argv, cli_input_fn fn, void (*eof)(void *), void *arg);
void cli_input_pause(struct cli_input *in);
void cli_input_resume(struct cli_input *in);
/* Reads no more and never calls eof (an interrupted tool). */
void cli_input_stop(struct cli_input *in);
/* eof has run (or stop was called). */
int cli_input_done(const struct cli_input *in);
/* Inputs fn failed or that were refused (too long, a NUL byte). */
int cli_input_failed(const struct cli_input *in);
/* stdout failed: a closed pipe. */
int cli_input_broken(const struct cli_input *in);
void cli_input_free(struct cli_input *in);

/*
 * The enode an input names: the input itself, or, for a line that is a
 * JSON object (another tool's record), its "enode" member, so that
 * `p2p-discover crawl | p2p-dial` needs no jq in between.
 * Returns: 1 and *s, *slen set (into in, or into *hold, a JSON value the
 *          caller json_decref()s; NULL when unused); 0 for a record
 *          without "enode" (a summary: skip it); P2P_EFIELD for a line
 *          that starts with '{' and is not a JSON object, or whose
 *          "enode" is not a string.
 */
int cli_input_enode(const char *in, size_t len, const char **s,
    size_t *slen, json_t **hold);

/* The same for the first of names (NULL-terminated) that a record has
 * and that is not null. */
int cli_input_member(const char *in, size_t len, const char *const *names,
    const char **s, size_t *slen, json_t **hold);

/*
 * daemon.c.  cli_detach forks: the parent exits when the child calls
 * cli_ready (0), or with the child's status if it dies first; the child
 * leaves the terminal (setsid, stdin from /dev/null).  Call it before any
 * event base exists.  cli_ready writes file (when not NULL) with our pid
 * once the tool listens; cli_pidfile_remove unlinks it at exit.
 * Returns 0, or -1 with a message on stderr.
 */
void cli_detach(void);
int cli_ready(const char *file);
void cli_pidfile_remove(void);
/* Sends msg ("READY=1", "RELOADING=1", "STOPPING=1") to systemd's
 * NOTIFY_SOCKET, if set; cli_ready sends READY=1. */
void cli_sd_notify(const char *msg);

/* libevent's messages through cli_warn, rate-limited. */
void cli_event_log(void);

#endif
