/*
 * rpc.h - JSON-RPC 2.0 as go-ethereum's IPC speaks it: a stream of JSON
 * values with no framing (requests and batches written back to back),
 * answered one value per line.  This is the decoding half, with no I/O:
 * a splitter that finds where the next value ends in bytes as they
 * arrive, and the checks a request passes before a method sees it.
 * control.c puts it on a socket; the fuzz target drives it directly.
 */
#ifndef P2P_CMD_RPC_H
#define P2P_CMD_RPC_H

#include <stddef.h>

#include <jansson.h>

/* The standard error codes, and go-ethereum's for a method's failure. */
#define RPC_PARSE_ERROR		(-32700)
#define RPC_INVALID_REQUEST	(-32600)
#define RPC_METHOD_NOT_FOUND	(-32601)
#define RPC_INVALID_PARAMS	(-32602)
#define RPC_SERVER_ERROR	(-32000)

/* Bounds: a value larger or deeper than these is refused (and the
 * connection closed, since the stream cannot be resynchronised). */
#define RPC_MAX_REQUEST		(1024 * 1024)
#define RPC_MAX_DEPTH		64
#define RPC_MAX_BATCH		1000

/*
 * The splitter's state, kept on the connection between reads.  Only
 * objects and arrays are accepted at the top level (what a request or a
 * batch is); whitespace between values is skipped.
 */
struct rpc_scan {
	size_t pos;		/* bytes of the current value scanned */
	size_t start;		/* where the value starts (after whitespace) */
	unsigned depth;
	int started, in_str, esc;
};

enum rpc_scan_result {
	RPC_SCAN_MORE = 0,	/* no complete value yet: feed more */
	RPC_SCAN_VALUE,		/* buf[*start .. *end) is one value */
	RPC_SCAN_GARBAGE,	/* not a JSON object or array */
	RPC_SCAN_DEEP,		/* nested deeper than RPC_MAX_DEPTH */
};

/*
 * Scans buf[0 .. len), which starts where the previous value ended (the
 * caller drops the bytes of each value returned, then calls
 * rpc_scan_reset).  Resumes where the last call stopped: bytes already
 * scanned are not scanned again.
 * Out: on RPC_SCAN_VALUE, *start and *end bound the value.
 */
enum rpc_scan_result rpc_scan_feed(struct rpc_scan *s, const char *buf,
    size_t len, size_t *start, size_t *end);
void rpc_scan_reset(struct rpc_scan *s);

/* A request, checked.  Pointers borrow from the decoded value. */
struct rpc_req {
	const char *method;
	json_t *id;		/* NULL: a notification (no answer) */
	json_t *params;		/* an array; an empty one if absent */
};

/*
 * Checks one request object: method a string, id a string, number or
 * null (absent: a notification), params absent or an array.
 * Returns: 0; RPC_INVALID_REQUEST with why in err (r->id set when the id
 *          itself was usable, so the error can echo it).
 */
int rpc_req_check(json_t *v, struct rpc_req *r, char *err, size_t errlen);

/*
 * Checks a method's positional arguments as go-ethereum does: at least
 * min, at most max, each of the json_type given in types (one char per
 * argument: 's' string, 'i' integer, 'o' object, 'b' boolean, 'n' any
 * number, '*' anything); a trailing null counts as absent.
 * Returns: 0; RPC_INVALID_PARAMS with geth's wording in err.
 */
int rpc_args(json_t *params, size_t min, const char *types, char *err,
    size_t errlen);

/* Responses (new references; the id is borrowed and copied). */
json_t *rpc_result(json_t *id, json_t *result);	/* steals result */
json_t *rpc_error(json_t *id, int code, const char *message);

#endif
