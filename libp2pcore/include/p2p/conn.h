/*
 * conn.h - one RLPx connection on a caller-owned libevent event_base:
 * TCP, the encryption handshake, the Hello exchange, then framed messages
 * with Ping/Pong kept up, all non-blocking and without threads.
 *
 * Timing follows go-ethereum v1.8.24 (p2p/rlpx.go, p2p/peer.go): the
 * encryption handshake (auth and ack) has one 5 s deadline, the Hello
 * exchange another 5 s; then a Ping every 15 s, a read timeout of 30 s
 * and a write timeout of 20 s.  A Disconnect we send gets 1 s to be
 * written before the socket closes.
 *
 * Read timeout (read_ms), after the Hellos: the peer must start a frame
 * within read_ms of the previous one ending (go-ethereum's pinger keeps
 * healthy peers busy), and finish each frame within read_ms of its first
 * byte, however it dribbles the bytes in (go-ethereum sets a 30 s
 * deadline before reading each message).  Either miss closes with
 * P2P_ETIMEOUT after a Disconnect P2P_DISC_READ_TIMEOUT.
 *
 * Output: everything queued for the peer (our Hello, Pongs to its Pings,
 * what the application sends) waits in one buffer, capped by max_output
 * (P2P_CONN_MAX_OUTPUT unless set).  Once it holds max_output bytes the
 * connection stops reading from the peer, and stops working through
 * input it already has, until the peer has drained it to half; the read
 * timeout is suspended meanwhile and starts afresh after.  So Pings from a
 * peer that does not read grow the buffer to at most max_output plus one
 * Pong.  p2p_conn_send refuses a message that could take the buffer past
 * max_output + P2P_CONN_FRAME_WIRE_MAX: one message of any legal size
 * always fits on a buffer under the cap, and no more.
 *
 * Write timeout (write_ms), after the Hellos: while output is waiting,
 * every write_ms the connection checks that all it had queued at the
 * previous check has since been written to the socket; if not, it closes
 * with P2P_ETIMEOUT and reason -1 (no Disconnect: the peer is not
 * reading).  Progress is measured against the backlog, not reset by any
 * byte written, so a byte waits at most 2 * write_ms and a peer reading a
 * trickle while we queue faster is cut all the same.
 *
 * After the Hellos the peer must keep to what the Hellos agreed: a
 * message code at or beyond P2P_PROTO_BASE_LEN plus the lengths of all
 * matched capabilities (p2p_conn_caps) is not delivered, and neither is a
 * second Hello; either closes with P2P_EPROTO after a Disconnect
 * P2P_DISC_PROTOCOL_ERROR.  (go-ethereum v1.8.24's Peer.handle also ends
 * the connection on such a code, but without a Disconnect, and ignores a
 * second Hello; saying why helps the peer's operator.)  A Pong when no
 * p2p_conn_ping is outstanding (one answering our periodic Ping, or
 * unasked) is dropped without any event.
 *
 * Everything the connection has to say comes through one callback.  The
 * last event is always P2P_CONN_EV_CLOSE; after it the connection does
 * nothing more and the callback may free it there (or later).  From any
 * other event the callback may send or disconnect but must not free.
 */
#ifndef P2P_CONN_H
#define P2P_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <p2p/enode.h>
#include <p2p/frame.h>
#include <p2p/proto.h>
#include <p2p/secp.h>
#include <p2p/workers.h>

struct event_base;
struct p2p_conn;

enum p2p_conn_ev_type {
	P2P_CONN_EV_TCP,	/* connected (dial) or accepted */
	P2P_CONN_EV_AUTH,	/* encryption handshake done */
	P2P_CONN_EV_HELLO,	/* Hellos exchanged, capabilities matched */
	P2P_CONN_EV_MSG,	/* a message after the Hellos (not Disconnect) */
	P2P_CONN_EV_PONG,	/* the Pong answering p2p_conn_ping, before
				 * its MSG */
	P2P_CONN_EV_CLOSE,	/* closed; the final event */
};

struct p2p_conn_ev {
	enum p2p_conn_ev_type type;
	/* MSG: the absolute message code and the payload (decompressed),
	 * valid during the callback only. */
	uint64_t code;
	const uint8_t *data;
	size_t len;
	/* PONG: microseconds since the Ping was queued. */
	uint64_t rtt_us;
	/* CLOSE: why.  err is 0 after p2p_conn_disconnect, P2P_EDISCONNECTED
	 * when the peer sent a Disconnect, else what failed (P2P_ETIMEOUT,
	 * P2P_ECLOSED, P2P_ECONNREFUSED, P2P_ENET with sys_errno, P2P_EMAC,
	 * P2P_EIDENTITY, ...).  reason is the Disconnect reason sent or
	 * received, -1 when none was; remote says which side sent it.
	 * P2P_EPROTO: the peer broke the protocol (see the top). */
	int err;
	int sys_errno;
	int reason;
	int remote;
};

typedef void (*p2p_conn_cb)(struct p2p_conn *c, const struct p2p_conn_ev *ev,
    void *arg);

/* Default timeouts in milliseconds (go-ethereum v1.8.24). */
#define P2P_CONN_DIAL_MS 15000
#define P2P_CONN_HANDSHAKE_MS 5000
#define P2P_CONN_PING_MS 15000
#define P2P_CONN_READ_MS 30000
#define P2P_CONN_WRITE_MS 20000
#define P2P_CONN_DISC_WRITE_MS 1000

/* Default cap on a connection's queued output (see the top of this file):
 * 4 MiB, a few seconds of a busy peer, well above what a healthy reader
 * leaves waiting. */
#define P2P_CONN_MAX_OUTPUT (4u << 20)
/* The most one frame takes on the wire: header and its MAC, the largest
 * content padded to 16 bytes, the frame MAC. */
#define P2P_CONN_FRAME_WIRE_MAX ((size_t)P2P_FRAME_MAX + 1 + \
	P2P_FRAME_OVERHEAD)

struct p2p_conn_cfg {
	struct event_base *base;
	const struct p2p_privkey *key;	/* ours; copied */
	/* Our Hello: version (P2P_PROTO_VERSION, or 4 to refuse snappy),
	 * client name, capabilities with their lengths, listen port.  The ID
	 * is filled in from key. */
	struct p2p_hello hello;
	int legacy_auth;	/* dialer: send a pre-EIP-8 auth */
	/* Send hello.id as given instead of our key's: only to test how a
	 * peer checks identities (it should disconnect, reason 0x09). */
	int keep_hello_id;
	/* Disconnect with P2P_DISC_USELESS_PEER when no capability is shared
	 * (go-ethereum's server does when it runs any protocol). */
	int require_caps;
	/* 0 means the default above; ping_ms UINT32_MAX means never. */
	uint32_t dial_ms, handshake_ms, ping_ms, read_ms, write_ms;
	/* Output cap in bytes; 0 means P2P_CONN_MAX_OUTPUT. */
	size_t max_output;
	/* Where the handshake's elliptic-curve work runs (decrypting the
	 * auth or ack, encrypting the ack, the shared secrets): a pool's
	 * threads, while the connection waits without reading; NULL: on
	 * this thread.  The pool must outlive the connection's CLOSE (or
	 * p2p_conn_free). */
	struct p2p_workers *workers;
	p2p_conn_cb cb;
	void *arg;
};

/*
 * Dials remote (its IP and TCP port) and runs the initiator's side.
 * Returns: the connection, owned by the caller (p2p_conn_free), or NULL
 *          with *err set (P2P_EINVAL: no IP or port; P2P_ENET: the socket
 *          could not be created, errno tells; P2P_ENOMEM).
 */
struct p2p_conn *p2p_conn_dial(const struct p2p_conn_cfg *cfg,
    const struct p2p_node *remote, int *err);

/*
 * Runs the recipient's side on an accepted socket, which the connection
 * takes over (closing it on error too).
 * Returns: the connection, owned by the caller, or NULL (*err set).
 */
struct p2p_conn *p2p_conn_accept(const struct p2p_conn_cfg *cfg, int fd,
    int *err);

/*
 * Queues one message (absolute code; payload compressed here when snappy
 * is on).  Allowed after P2P_CONN_EV_AUTH until closing.
 * Returns: 0; P2P_EINVAL (wrong state); P2P_ETOOBIG (over P2P_FRAME_MAX,
 *          or the output is too full: see the top of this file; nothing
 *          is queued, the connection goes on); P2P_ENOMEM.
 */
int p2p_conn_send(struct p2p_conn *c, uint64_t code, const uint8_t *data,
    size_t len);

/* Sends a Ping now; P2P_CONN_EV_PONG reports the answer.  As send. */
int p2p_conn_ping(struct p2p_conn *c);

/*
 * Sends Disconnect [reason] when the handshake got far enough to, then
 * closes once it is written (at most 1 s); P2P_CONN_EV_CLOSE follows
 * with err 0, later, never from inside this call.  Idempotent.
 */
void p2p_conn_disconnect(struct p2p_conn *c, unsigned reason);

/* Closes at once without any event; frees c.  NULL is fine. */
void p2p_conn_free(struct p2p_conn *c);

/* The last phase reached: P2P_CONN_EV_TCP, _AUTH or _HELLO; -1 before
 * the TCP connection is up. */
int p2p_conn_phase(const struct p2p_conn *c);

/* After P2P_CONN_EV_AUTH: the peer's key, and whether its handshake
 * message was EIP-8 (else pre-EIP-8). */
const struct p2p_pubkey *p2p_conn_remote_key(const struct p2p_conn *c);
int p2p_conn_remote_eip8(const struct p2p_conn *c);

/* After P2P_CONN_EV_HELLO: the peer's Hello, the capabilities matched
 * (with offsets), and whether snappy is on. */
const struct p2p_hello *p2p_conn_remote_hello(const struct p2p_conn *c);
const struct p2p_cap *p2p_conn_caps(const struct p2p_conn *c, unsigned *n);
int p2p_conn_snappy(const struct p2p_conn *c);

/* The socket (for its addresses), -1 once closed. */
int p2p_conn_fd(const struct p2p_conn *c);

/* Bytes queued for the peer and not yet written to the socket. */
size_t p2p_conn_output_len(const struct p2p_conn *c);

#endif
