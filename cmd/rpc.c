/*
 * rpc.c - the decoding half of the control socket's JSON-RPC 2.0: where
 * a value ends in a stream, whether it is a request, whether a method's
 * arguments are what it takes.  No I/O, no allocation but jansson's.
 */
#include <stdio.h>
#include <string.h>

#include "rpc.h"

void
rpc_scan_reset(struct rpc_scan *s)
{
	memset(s, 0, sizeof(*s));
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Tracks only what decides where a value ends: nesting outside strings,
 * and strings with their escapes.  Everything else (numbers, literals,
 * commas, the validity of the tokens) is jansson's job once the value is
 * whole; a malformed value still ends at its closing bracket and is
 * refused there.
 */
enum rpc_scan_result
rpc_scan_feed(struct rpc_scan *s, const char *buf, size_t len, size_t *start,
    size_t *end)
{
	for (; s->pos < len; s->pos++) {
		char c = buf[s->pos];

		if (!s->started) {
			if (is_space(c))
				continue;
			if (c != '{' && c != '[')
				return RPC_SCAN_GARBAGE;
			s->started = 1;
			s->start = s->pos;
			s->depth = 1;
			continue;
		}
		if (s->in_str) {
			if (s->esc)
				s->esc = 0;
			else if (c == '\\')
				s->esc = 1;
			else if (c == '"')
				s->in_str = 0;
			continue;
		}
		switch (c) {
		case '"':
			s->in_str = 1;
			break;
		case '{':
		case '[':
			if (++s->depth > RPC_MAX_DEPTH)
				return RPC_SCAN_DEEP;
			break;
		case '}':
		case ']':
			if (--s->depth == 0) {
				*start = s->start;
				*end = ++s->pos;
				return RPC_SCAN_VALUE;
			}
			break;
		}
	}
	return RPC_SCAN_MORE;
}

int
rpc_req_check(json_t *v, struct rpc_req *r, char *err, size_t errlen)
{
	json_t *m, *ver, *id;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(v)) {
		snprintf(err, errlen, "invalid request: not a JSON object");
		return RPC_INVALID_REQUEST;
	}
	id = json_object_get(v, "id");
	if (id != NULL && !json_is_string(id) && !json_is_number(id) &&
	    !json_is_null(id)) {
		snprintf(err, errlen, "invalid request: id must be a string, "
		    "a number or null");
		return RPC_INVALID_REQUEST;
	}
	r->id = id;
	ver = json_object_get(v, "jsonrpc");
	if (ver != NULL && (!json_is_string(ver) ||
	    strcmp(json_string_value(ver), "2.0") != 0)) {
		snprintf(err, errlen, "invalid request: jsonrpc must be "
		    "\"2.0\"");
		return RPC_INVALID_REQUEST;
	}
	m = json_object_get(v, "method");
	if (!json_is_string(m) || json_string_length(m) == 0) {
		snprintf(err, errlen, "invalid request: no method (a string)");
		return RPC_INVALID_REQUEST;
	}
	r->method = json_string_value(m);
	r->params = json_object_get(v, "params");
	if (r->params != NULL && json_is_null(r->params))
		r->params = NULL;
	if (r->params != NULL && !json_is_array(r->params)) {
		/* go-ethereum's methods take positional arguments only. */
		snprintf(err, errlen, "invalid request: params must be an "
		    "array (positional arguments)");
		return RPC_INVALID_REQUEST;
	}
	return 0;
}

static int
type_ok(json_t *a, char t)
{
	switch (t) {
	case 's':
		return json_is_string(a);
	case 'i':
		return json_is_integer(a);
	case 'n':
		return json_is_number(a);
	case 'o':
		return json_is_object(a);
	case 'b':
		return json_is_boolean(a);
	default:
		return 1;
	}
}

static const char *
type_name(char t)
{
	switch (t) {
	case 's':
		return "a string";
	case 'i':
		return "an integer";
	case 'n':
		return "a number";
	case 'o':
		return "an object";
	case 'b':
		return "a boolean";
	default:
		return "a value";
	}
}

int
rpc_args(json_t *params, size_t min, const char *types, char *err,
    size_t errlen)
{
	size_t max = strlen(types), n = params ? json_array_size(params) : 0;

	/* Trailing nulls are absent optional arguments (geth: nil). */
	while (n > 0 && json_is_null(json_array_get(params, n - 1)))
		n--;
	if (n > max) {
		snprintf(err, errlen, "too many arguments, want at most %zu",
		    max);
		return RPC_INVALID_PARAMS;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(params, i);

		if (i >= min && json_is_null(a))
			continue;
		if (!type_ok(a, types[i])) {
			snprintf(err, errlen, "invalid argument %zu: want %s",
			    i, type_name(types[i]));
			return RPC_INVALID_PARAMS;
		}
	}
	if (n < min) {
		snprintf(err, errlen, "missing value for required argument %zu",
		    n);
		return RPC_INVALID_PARAMS;
	}
	return 0;
}

static json_t *
envelope(json_t *id)
{
	json_t *o = json_object();

	json_object_set_new(o, "jsonrpc", json_string("2.0"));
	json_object_set(o, "id", id != NULL ? id : json_null());
	return o;
}

json_t *
rpc_result(json_t *id, json_t *result)
{
	json_t *o = envelope(id);

	json_object_set_new(o, "result", result != NULL ? result :
	    json_null());
	return o;
}

json_t *
rpc_error(json_t *id, int code, const char *message)
{
	json_t *o = envelope(id), *m = json_string(message);

	/* A message cut short inside a UTF-8 sequence is not a string. */
	if (m == NULL)
		m = json_string("(unprintable message)");
	json_object_set_new(o, "error", json_pack("{s:i,s:o}", "code", code,
	    "message", m));
	return o;
}
