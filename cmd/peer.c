/*
 * peer.c - the parts of p2p-dial and p2p-listen that are the same on both
 * sides of a connection: option values, record fields, the session loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <p2p/hex.h>
#include <p2p/json.h>

#include "cli.h"
#include "peer.h"

/* Message codes each well-known protocol uses, so offsets match what
 * its implementations compute. */
static uint32_t
known_length(const char *name, uint32_t version)
{
	if (strcmp(name, "eth") == 0)
		return version <= 62 ? 8 : 17;
	if (strcmp(name, "snap") == 0)
		return 8;
	if (strcmp(name, "les") == 0)
		return version <= 2 ? 21 : 23;
	return 16;
}

int
peer_parse_caps(const char *s, struct p2p_hello *h)
{
	const char *p = s;

	h->ncaps = 0;
	while (*p != '\0') {
		struct p2p_cap *cap = &h->caps[h->ncaps];
		size_t n = strcspn(p, "/,");
		uint64_t v, len = 0;
		char num[24];
		const char *colon, *end;

		if (h->ncaps == P2P_PROTO_MAX_CAPS) {
			cli_warn("--caps: more than %d capabilities",
			    P2P_PROTO_MAX_CAPS);
			return -1;
		}
		if (n == 0 || n > P2P_PROTO_CAP_NAME_MAX || p[n] != '/')
			goto bad;
		memcpy(cap->name, p, n);
		cap->name[n] = '\0';
		p += n + 1;
		end = p + strcspn(p, ",");
		colon = memchr(p, ':', (size_t)(end - p));
		n = (size_t)((colon ? colon : end) - p);
		if (n == 0 || n >= sizeof(num))
			goto bad;
		memcpy(num, p, n);
		num[n] = '\0';
		if (cli_parse_u64(num, &v) != 0 || v > UINT32_MAX)
			goto bad;
		if (colon != NULL) {
			n = (size_t)(end - colon - 1);
			if (n == 0 || n >= sizeof(num))
				goto bad;
			memcpy(num, colon + 1, n);
			num[n] = '\0';
			if (cli_parse_u64(num, &len) != 0 || len == 0 ||
			    len > 1024)
				goto bad;
		}
		cap->version = (uint32_t)v;
		cap->length = len ? (uint32_t)len :
		    known_length(cap->name, cap->version);
		h->ncaps++;
		p = *end == ',' ? end + 1 : end;
		if (*end == ',' && *p == '\0')
			goto bad;
	}
	return 0;
bad:
	cli_warn("--caps: '%s' is not name/version[:length][,...]", s);
	return -1;
}

static const char *const phases[] = { "tcp", "auth", "hello", "ping",
	"none" };

int
peer_parse_stage(const char *s, int allow_none)
{
	for (int i = 0; i <= STAGE_NONE; i++)
		if (strcmp(s, phases[i]) == 0 &&
		    (i != STAGE_NONE || allow_none))
			return i;
	return -1;
}

const char *
peer_phase_name(int phase)
{
	return phase >= 0 && phase < STAGE_NONE ? phases[phase] : NULL;
}

static json_t *
cap_json(const struct p2p_cap *cap)
{
	char buf[P2P_PROTO_CAP_NAME_MAX + 16];

	snprintf(buf, sizeof(buf), "%s/%u", cap->name, cap->version);
	return cli_json_text(buf, strlen(buf));
}

json_t *
peer_remote_json(const struct p2p_conn *c)
{
	const struct p2p_hello *h = p2p_conn_remote_hello(c);
	json_t *o = json_object(), *caps = json_array(), *shared = json_array();
	const struct p2p_cap *m;
	unsigned n;

	p2p_json_set_hex(o, "id", h->id.b, sizeof(h->id.b));
	json_object_set_new(o, "name", cli_json_text(h->client,
	    strlen(h->client)));
	json_object_set_new(o, "version", p2p_json_uint(h->version));
	for (unsigned i = 0; i < h->ncaps; i++)
		json_array_append_new(caps, cap_json(&h->caps[i]));
	json_object_set_new(o, "caps", caps);
	json_object_set_new(o, "listen_port", json_integer(h->listen_port));
	json_object_set_new(o, "eip8", json_boolean(p2p_conn_remote_eip8(c)));
	m = p2p_conn_caps(c, &n);
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(shared, cap_json(&m[i]));
	json_object_set_new(o, "shared", shared);
	json_object_set_new(o, "snappy", json_boolean(p2p_conn_snappy(c)));
	return o;
}

json_t *
peer_disconnect_json(int reason, int remote)
{
	if (reason < 0)
		return json_null();
	return json_pack("{s:i,s:s,s:s}", "code", reason, "reason",
	    p2p_proto_disc_reason((unsigned)reason), "by",
	    remote ? "remote" : "local");
}

json_t *
peer_msg_json(const struct p2p_conn *c, uint64_t code, const uint8_t *data,
    size_t len)
{
	json_t *o = cli_record("msg"), *cap = json_null();
	const struct p2p_cap *m;
	unsigned n;

	if (code < P2P_PROTO_BASE_LEN) {
		cap = json_string("p2p");
	} else {
		m = p2p_conn_caps(c, &n);
		for (unsigned i = 0; i < n; i++)
			if (code >= m[i].offset &&
			    code - m[i].offset < m[i].length) {
				json_decref(cap);
				cap = cap_json(&m[i]);
				code -= m[i].offset;
				break;
			}
	}
	json_object_set_new(o, "code", p2p_json_uint(code));
	json_object_set_new(o, "cap", cap);
	json_object_set_new(o, "size", json_integer((json_int_t)len));
	p2p_json_set_data(o, "data", data, len);
	return o;
}

void
peer_env_timeouts(struct p2p_conn_cfg *cfg)
{
	const char *v = getenv("P2P_MSG_TIMEOUT");
	uint64_t ms;

	if (v != NULL && cli_parse_duration(v, &ms) == 0 && ms > 0 &&
	    ms <= 3600000)
		cfg->read_ms = cfg->write_ms = (uint32_t)ms;
}

uint64_t
peer_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

json_t *
peer_ms(uint64_t from_us, uint64_t to_us)
{
	return json_real((double)(to_us - from_us) / 1000.0);
}

int
peer_cmd_parse(struct peer_cmd *pc, const char *line, size_t len,
    const char **why)
{
	static json_error_t jerr;	/* *why may point into it */
	json_t *cmd = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *jcap, *jcode, *jdata, *r;
	const char *type, *hex;
	size_t hexlen;
	int rc = P2P_EFIELD;

	memset(pc, 0, sizeof(*pc));
	if (cmd == NULL || !json_is_object(cmd)) {
		*why = cmd == NULL ? jerr.text : "a command is a JSON object";
		goto out;
	}
	type = json_string_value(json_object_get(cmd, "type"));
	if (type == NULL) {
		*why = "\"type\" missing";
	} else if (strcmp(type, "ping") == 0) {
		pc->type = PEER_CMD_PING;
		rc = 0;
	} else if (strcmp(type, "disconnect") == 0) {
		r = json_object_get(cmd, "reason");
		pc->type = PEER_CMD_DISCONNECT;
		pc->reason = P2P_DISC_REQUESTED;
		if (r != NULL && (!json_is_integer(r) ||
		    json_integer_value(r) < 0 || json_integer_value(r) > 255)) {
			*why = "\"reason\" must be an integer 0-255";
		} else {
			if (r != NULL)
				pc->reason = (unsigned)json_integer_value(r);
			rc = 0;
		}
	} else if (strcmp(type, "send") != 0) {
		*why = "unknown \"type\" (send, ping, disconnect)";
	} else {
		pc->type = PEER_CMD_SEND;
		jcap = json_object_get(cmd, "cap");
		jcode = json_object_get(cmd, "code");
		jdata = json_object_get(cmd, "data");
		if (!json_is_integer(jcode) || json_integer_value(jcode) < 0) {
			*why = "\"code\" must be a non-negative integer";
			goto out;
		}
		pc->code = (uint64_t)json_integer_value(jcode);
		if (jcap != NULL && !json_is_null(jcap) &&
		    (!json_is_string(jcap) ||
		    json_string_length(jcap) >= sizeof(pc->cap))) {
			*why = "\"cap\" must be a string like \"eth/68\"";
			goto out;
		}
		if (json_is_string(jcap) &&
		    strcmp(json_string_value(jcap), "p2p") != 0)
			strcpy(pc->cap, json_string_value(jcap));
		if (jdata == NULL) {
			hex = "0xc0";	/* an empty list, as Ping and Pong carry */
		} else if (!json_is_string(jdata)) {
			*why = "\"data\" must be a \"0x\" hex string";
			goto out;
		} else {
			hex = json_string_value(jdata);
		}
		hexlen = strlen(hex);
		if (hexlen < 2 || hex[0] != '0' ||
		    (hex[1] != 'x' && hex[1] != 'X')) {
			*why = "\"data\" must start with 0x";
			goto out;
		}
		pc->len = hexlen / 2;
		if ((pc->data = malloc(pc->len ? pc->len : 1)) == NULL) {
			rc = P2P_ENOMEM;
			*why = "out of memory";
			goto out;
		}
		rc = p2p_hex_decode(pc->data, &pc->len, hex + 2, hexlen - 2);
		if (rc != 0)
			*why = p2p_strerror(rc);
	}
out:
	json_decref(cmd);
	if (rc != 0)
		peer_cmd_clear(pc);
	return rc;
}

void
peer_cmd_clear(struct peer_cmd *pc)
{
	free(pc->data);
	pc->data = NULL;
	pc->len = 0;
}

/* The absolute code for a command's capability and relative code. */
static int
command_code(struct p2p_conn *c, const struct peer_cmd *pc, uint64_t *code,
    const char **why)
{
	const struct p2p_cap *m;
	unsigned n;
	char buf[P2P_PROTO_CAP_NAME_MAX + 16];

	*code = pc->code;
	if (pc->cap[0] == '\0')
		return 0;
	m = p2p_conn_caps(c, &n);
	for (unsigned i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s/%u", m[i].name, m[i].version);
		if (strcmp(buf, pc->cap) != 0)
			continue;
		if (*code >= m[i].length) {
			*why = "\"code\" beyond the capability's length";
			return -1;
		}
		*code += m[i].offset;
		return 0;
	}
	*why = "\"cap\" is not a capability both sides share";
	return -1;
}

int
peer_session_command(struct p2p_conn *c, const char *line, size_t len)
{
	struct peer_cmd pc;
	const char *why = NULL;
	uint64_t code;
	int rc = peer_cmd_parse(&pc, line, len, &why);

	if (rc == 0) {
		switch (pc.type) {
		case PEER_CMD_SEND:
			if (command_code(c, &pc, &code, &why) != 0)
				rc = P2P_EFIELD;
			else
				rc = p2p_conn_send(c, code, pc.data, pc.len);
			break;
		case PEER_CMD_PING:
			rc = p2p_conn_ping(c);
			break;
		case PEER_CMD_DISCONNECT:
			p2p_conn_disconnect(c, pc.reason);
			break;
		}
	}
	if (rc != 0)
		cli_emit(cli_error_record(line, len > 200 ? 200 : len, rc, why));
	peer_cmd_clear(&pc);
	return rc;
}

struct peer_session {
	struct p2p_conn *c;
	struct event *ev;	/* stdin readable */
	struct event *linger;
	uint32_t linger_ms;
	char *buf;		/* input after the last whole line */
	size_t len, cap;
	size_t scanned;		/* bytes of buf known to hold no newline */
	int skipping;		/* inside an over-long line */
	int sent;		/* after the input: all of it has left */
};

/* After the end of input, how often to look whether what it queued has
 * left (a 16 MiB message to a slow reader takes seconds). */
#define SESSION_DRAIN_POLL_MS 20

/* Reads of at most 1 MiB into one flat buffer, searched once: a 32 MiB
 * line costs one pass over its bytes.  (An evbuffer searched from an
 * offset walked its chains from the start at every read: 15% of
 * p2p-dial's time for a 16 MiB message.) */
#define SESSION_READ ((size_t)1 << 20)

/* Room for one more read; 0, or -1 when memory ran out. */
static int
session_room(struct peer_session *s)
{
	size_t cap = s->cap ? s->cap : SESSION_READ;
	char *p;

	if (s->cap - s->len >= SESSION_READ)
		return 0;
	while (cap - s->len < SESSION_READ)
		cap *= 2;
	if ((p = realloc(s->buf, cap)) == NULL)
		return -1;
	s->buf = p;
	s->cap = cap;
	return 0;
}

/* One line of input, its trailing blanks trimmed. */
static void
session_line(struct peer_session *s, const char *line, size_t len)
{
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
	    line[len - 1] == '\t'))
		len--;
	if (!s->skipping && len > 0)
		peer_session_command(s->c, line, len);
	s->skipping = 0;
}

static void
linger_add(struct peer_session *s, uint32_t ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
	    .tv_usec = (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(s->linger, &tv);
}

/* --linger counts from when everything the input queued has left: the
 * Disconnect that ends the session may wait only 1 s for the output
 * before it (v1.8.24's discWriteTimeout), so one sent while a large
 * message is still queued would cut it off.  The write timeout bounds
 * a peer that stops reading. */
static void
linger_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer_session *s = arg;

	(void)fd;
	(void)what;
	if (!s->sent) {
		if (p2p_conn_output_len(s->c) > 0) {
			linger_add(s, SESSION_DRAIN_POLL_MS);
			return;
		}
		s->sent = 1;
		linger_add(s, s->linger_ms);
		return;
	}
	p2p_conn_disconnect(s->c, P2P_DISC_REQUESTED);
}

static void
stdin_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer_session *s = arg;
	size_t start = 0;
	ssize_t r;
	char *nl;

	(void)what;
	if (session_room(s) != 0) {
		cli_emit(cli_error_record("", 0, P2P_ENOMEM,
		    "no memory for the command line"));
		s->skipping = 1;
		s->len = s->scanned = 0;
		return;
	}
	r = read(fd, s->buf + s->len, SESSION_READ);
	if (r > 0)
		s->len += (size_t)r;
	while ((nl = memchr(s->buf + s->scanned, '\n', s->len -
	    s->scanned)) != NULL) {
		size_t end = (size_t)(nl - s->buf);

		session_line(s, s->buf + start, end - start);
		start = s->scanned = end + 1;
	}
	if (start > 0)
		memmove(s->buf, s->buf + start, s->len - start);
	s->len -= start;
	s->scanned = s->len;
	if (s->len > PEER_LINE_MAX) {
		if (!s->skipping)
			cli_emit(cli_error_record("", 0, P2P_ETOOBIG,
			    "command line too long"));
		s->skipping = 1;
		s->len = s->scanned = 0;
	}
	if (r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	/* End of input: a last line without a newline still counts. */
	if (s->len > 0)
		session_line(s, s->buf, s->len);
	s->len = s->scanned = 0;
	free(s->buf);
	s->buf = NULL;
	s->cap = 0;
	event_del(s->ev);
	linger_add(s, 0);
}

struct peer_session *
peer_session_start(struct event_base *base, struct p2p_conn *c,
    uint32_t linger_ms)
{
	struct peer_session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->c = c;
	s->linger_ms = linger_ms;
	s->ev = event_new(base, STDIN_FILENO, EV_READ | EV_PERSIST, stdin_cb,
	    s);
	s->linger = evtimer_new(base, linger_cb, s);
	if (s->ev == NULL || s->linger == NULL ||
	    event_add(s->ev, NULL) != 0) {
		peer_session_free(s);
		return NULL;
	}
	return s;
}

void
peer_session_free(struct peer_session *s)
{
	if (s == NULL)
		return;
	if (s->ev != NULL)
		event_free(s->ev);
	if (s->linger != NULL)
		event_free(s->linger);
	free(s->buf);
	free(s);
}

struct event_base *
peer_base_new(int session)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (cfg == NULL)
		return NULL;
	/* epoll refuses regular files, and a session's stdin may be one. */
	if (session)
		event_config_avoid_method(cfg, "epoll");
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}
