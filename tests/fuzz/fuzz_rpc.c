/*
 * fuzz_rpc.c - the control socket's request decoding (cmd/rpc.c): the
 * stream splitter, fed the input whole and in pieces (the first byte sets
 * the piece size), must find the same values either way, each within the
 * input and starting with a bracket; every value that parses goes through
 * the request checks and the argument checks, and every answer built
 * from it serialises.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_VALUES 256

/* Splits buf as control.c does; records each value's bounds. */
static size_t
split(const char *buf, size_t len, size_t piece, size_t *starts,
    size_t *ends, int *bad)
{
	struct rpc_scan s;
	size_t off = 0, avail, n = 0;

	rpc_scan_reset(&s);
	*bad = 0;
	avail = piece < len ? piece : len;
	while (n < MAX_VALUES) {
		size_t st, en;
		enum rpc_scan_result r = rpc_scan_feed(&s, buf + off,
		    avail - off, &st, &en);

		if (r == RPC_SCAN_MORE) {
			if (avail == len)
				break;
			avail = avail + piece < len ? avail + piece : len;
			continue;
		}
		if (r != RPC_SCAN_VALUE) {
			*bad = (int)r;
			break;
		}
		if (en > avail - off || st >= en)
			abort();
		starts[n] = off + st;
		ends[n++] = off + en;
		off += en;
		rpc_scan_reset(&s);
	}
	return n;
}

static void
check_value(const char *text, size_t len)
{
	static const char *const types[] = { "", "s", "so", "sis", "siss",
		"o", "*b", "n" };
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	size_t n;

	if (text[0] != '{' && text[0] != '[')
		abort();
	if (v == NULL)
		return;
	n = json_is_array(v) ? json_array_size(v) : 1;
	for (size_t i = 0; i < n && i < 64; i++) {
		json_t *r = json_is_array(v) ? json_array_get(v, i) : v;
		struct rpc_req req;
		char err[512];
		int rc = rpc_req_check(r, &req, err, sizeof(err));
		json_t *ans;
		char *s;

		if (rc == 0) {
			if (req.method == NULL || (req.params != NULL &&
			    !json_is_array(req.params)))
				abort();
			for (size_t t = 0; t < sizeof(types) /
			    sizeof(types[0]); t++)
				if (rpc_args(req.params, t % 3, types[t], err,
				    sizeof(err)) != 0 && err[0] == '\0')
					abort();
			ans = rpc_result(req.id, json_string(req.method));
		} else {
			if (rc != RPC_INVALID_REQUEST || err[0] == '\0')
				abort();
			ans = rpc_error(req.id, rc, err);
		}
		if (ans == NULL || (s = json_dumps(ans, JSON_COMPACT)) == NULL)
			abort();
		free(s);
		json_decref(ans);
	}
	json_decref(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t s1[MAX_VALUES], e1[MAX_VALUES], s2[MAX_VALUES], e2[MAX_VALUES];
	size_t n1, n2, piece;
	const char *buf;
	int bad1, bad2;

	if (size < 1)
		return 0;
	piece = (size_t)data[0] % 17 + 1;
	buf = (const char *)data + 1;
	size--;
	n1 = split(buf, size, size > 0 ? size : 1, s1, e1, &bad1);
	n2 = split(buf, size, piece, s2, e2, &bad2);
	/* Where values end cannot depend on how the bytes arrived. */
	if (n1 != n2 || bad1 != bad2 || memcmp(s1, s2, n1 * sizeof(*s1)) != 0
	    || memcmp(e1, e2, n1 * sizeof(*e1)) != 0)
		abort();
	for (size_t i = 0; i < n1; i++)
		check_value(buf + s1[i], e1[i] - s1[i]);
	return 0;
}
