/*
 * peer.h - what p2p-dial and p2p-listen share: the --caps and --stage
 * values, the JSON for a peer's Hello, messages and disconnects, and the
 * --session loop (NDJSON commands on stdin, messages on stdout).
 */
#ifndef P2P_PEER_H
#define P2P_PEER_H

#include <jansson.h>

#include <p2p/conn.h>

/* Where a tool stops on its own.  STAGE_NONE: never (the peer or a
 * command ends it). */
enum peer_stage { STAGE_TCP, STAGE_AUTH, STAGE_HELLO, STAGE_PING,
	STAGE_NONE };

/* Longest --session input line: a 2^24-byte payload in hex and change. */
#define PEER_LINE_MAX ((size_t)34 << 20)

/* "name/version[:length],..." into h's capabilities (length defaults to
 * the known protocols' own, else 16).  Returns 0, or -1 with a message
 * on stderr. */
int peer_parse_caps(const char *s, struct p2p_hello *h);

/* "tcp", "auth", "hello", "ping" (and "none" when allow_none).  Returns
 * the stage or -1. */
int peer_parse_stage(const char *s, int allow_none);

/* The phase names records use, indexed by P2P_CONN_EV_TCP.._HELLO and
 * the ping stage. */
const char *peer_phase_name(int phase);

/* {"id","name","version","caps":["eth/68",...],"listen_port","eip8",
 * "snappy"} for a connection past its Hello. */
json_t *peer_remote_json(const struct p2p_conn *c);

/* {"code","reason","by":"remote"|"local"}, or JSON null when reason < 0. */
json_t *peer_disconnect_json(int reason, int remote);

/* The "msg" record for a received message: code relative to its
 * capability, "cap" its name/version ("p2p" for the base protocol, null
 * when no capability has the code). */
json_t *peer_msg_json(const struct p2p_conn *c, uint64_t code,
    const uint8_t *data, size_t len);

/* P2P_MSG_TIMEOUT=DUR in the environment: cfg's read and write timeouts
 * after the Hellos (conn.h), instead of go-ethereum's 30 s and 20 s, for
 * a slow link (or a test moving 16 MiB messages on a loaded machine).
 * Anything else there is ignored. */
void peer_env_timeouts(struct p2p_conn_cfg *cfg);

/* Milliseconds between two CLOCK_MONOTONIC microsecond stamps, as a JSON
 * real with microsecond precision. */
json_t *peer_ms(uint64_t from_us, uint64_t to_us);
uint64_t peer_now_us(void);

/*
 * --session: reads NDJSON commands from stdin and applies them to c
 * ({"type":"send",["cap":"x/N",]"code":N,"data":"0x.."},
 * {"type":"disconnect","reason":N}, {"type":"ping"}); a bad command gives
 * an error record and the session goes on.  At end of input the peer
 * gets linger_ms to answer, then Disconnect (requested).
 * Returns: a session owned by the caller (peer_session_free), or NULL.
 */
struct peer_session;
struct peer_session *peer_session_start(struct event_base *base,
    struct p2p_conn *c, uint32_t linger_ms);
void peer_session_free(struct peer_session *s);

/* A new event base; with session set, one that can watch a regular
 * file on stdin. */
struct event_base *peer_base_new(int session);

/* One session command, parsed.  data is owned (peer_cmd_clear). */
enum peer_cmd_type { PEER_CMD_SEND, PEER_CMD_PING, PEER_CMD_DISCONNECT };
struct peer_cmd {
	enum peer_cmd_type type;
	char cap[P2P_PROTO_CAP_NAME_MAX + 16];	/* "" for absolute codes */
	uint64_t code;
	uint8_t *data;
	size_t len;
	unsigned reason;
};

/*
 * Parses one command line (JSON), checking every field; nothing is sent.
 * Returns: 0; P2P_EFIELD, P2P_EHEX, P2P_EHEXLEN or P2P_ENOMEM with *why a
 *          message (static or jansson's, valid until the next call).
 */
int peer_cmd_parse(struct peer_cmd *pc, const char *line, size_t len,
    const char **why);
void peer_cmd_clear(struct peer_cmd *pc);

/* Applies one command line to c (exposed for the tests' sake). */
int peer_session_command(struct p2p_conn *c, const char *line, size_t len);

#endif
