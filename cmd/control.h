/*
 * control.h - a JSON-RPC 2.0 server on a UNIX stream socket, on the
 * daemon's event loop (OpenBGPD's control.c is the model): the socket
 * created carefully, clients with bounded buffers, requests and batches
 * dispatched to a method table, answers that may come later, and
 * subscriptions.  It knows nothing of devp2p; admin.c holds the methods.
 */
#ifndef P2P_CMD_CONTROL_H
#define P2P_CMD_CONTROL_H

#include <stddef.h>

#include <jansson.h>

struct event_base;
struct ctl;
struct ctl_call;

/* Limits.  A client whose unread answers pass CTL_OUT_MAX stops being
 * read until they drain; a subscriber is dropped instead (it cannot be
 * paused: events do not wait). */
#define CTL_MAX_CLIENTS	4096
#define CTL_OUT_MAX	(4 * 1024 * 1024)
#define CTL_MAX_SUBS	16		/* per client */

/* A method's return: an answer now (0, *result set or NULL for null),
 * an answer later (CTL_ASYNC: ctl_reply), or an error (the negative
 * JSON-RPC code ctl_fail returned). */
#define CTL_ASYNC 1
typedef int ctl_fn(void *arg, struct ctl_call *call, json_t *params,
    json_t **result);

struct ctl_method {
	const char *name;
	ctl_fn *fn;
};

/*
 * Creates the socket at path (mode 0600, whatever the umask): a stale
 * socket from a crashed daemon is replaced, a live one (something
 * accepts on it) is refused, and anything but a socket is left alone.
 * methods (borrowed, ends with a NULL name) are called with arg.
 * Returns: 0, or -1 with why in err.
 * Out:     *c, owned by the caller (ctl_free).
 */
int ctl_new(struct ctl **c, struct event_base *base, const char *path,
    const struct ctl_method *methods, void *arg, char *err, size_t errlen);
/* Closes every client (pending calls cancelled) and removes the socket
 * if it is still ours.  NULL is fine. */
void ctl_free(struct ctl *c);
size_t ctl_clients(const struct ctl *c);

/* Sets the call's error; returns code, for `return ctl_fail(...)`. */
int ctl_fail(struct ctl_call *call, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answers a call that returned CTL_ASYNC (steals result). */
void ctl_reply(struct ctl_call *call, json_t *result);
void ctl_reply_error(struct ctl_call *call, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Called, instead of any answer, if the client goes away first; the
 * call is freed after it returns. */
void ctl_on_cancel(struct ctl_call *call, void (*fn)(void *arg), void *arg);

/*
 * Subscriptions (go-ethereum's): a subscription belongs to the caller's
 * connection and ends with it.  flags are the caller's (admin.c: with
 * payloads or not).
 * Returns: 0 with *id (a new "0x.." string); RPC_SERVER_ERROR (too many).
 */
int ctl_subscribe(struct ctl_call *call, unsigned flags, json_t **id);
/* Returns: 0; RPC_SERVER_ERROR (no such subscription on this connection). */
int ctl_unsubscribe(struct ctl_call *call, const char *id);
/* Subscriptions that would receive an event (to skip building one). */
size_t ctl_subscriptions(const struct ctl *c);
/*
 * Sends method's notification with result to every subscription: make
 * builds the result for a subscription's flags (a new reference, or NULL
 * to skip it); results are built once per distinct flags value.
 */
void ctl_publish(struct ctl *c, const char *method,
    json_t *(*make)(void *arg, unsigned flags), void *arg);

#endif
