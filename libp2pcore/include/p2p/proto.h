/*
 * proto.h - the devp2p base protocol's messages as a codec: Hello (with the
 * identity check against the RLPx key), Disconnect with go-ethereum's
 * reasons, and capability matching.  Ping and Pong are empty lists.
 */
#ifndef P2P_PROTO_H
#define P2P_PROTO_H

#include <p2p/p2p.h>
#include <p2p/secp.h>

#define P2P_PROTO_VERSION 5
#define P2P_PROTO_HELLO_MAX 2048	/* larger Hellos are refused */
#define P2P_PROTO_MAX_CAPS 32
#define P2P_PROTO_CAP_NAME_MAX 32
#define P2P_PROTO_CLIENT_MAX 255
/* Sub-protocol messages start here. */
#define P2P_PROTO_BASE_LEN 16

enum p2p_proto_code {
	P2P_PROTO_HELLO = 0x00,
	P2P_PROTO_DISCONNECT = 0x01,
	P2P_PROTO_PING = 0x02,
	P2P_PROTO_PONG = 0x03,
};

/* Disconnect reasons (go-ethereum v1.8.24 p2p/peer_error.go). */
enum p2p_disc_reason {
	P2P_DISC_REQUESTED = 0x00,
	P2P_DISC_NETWORK_ERROR = 0x01,
	P2P_DISC_PROTOCOL_ERROR = 0x02,
	P2P_DISC_USELESS_PEER = 0x03,
	P2P_DISC_TOO_MANY_PEERS = 0x04,
	P2P_DISC_ALREADY_CONNECTED = 0x05,
	P2P_DISC_INCOMPATIBLE_VERSION = 0x06,
	P2P_DISC_INVALID_IDENTITY = 0x07,
	P2P_DISC_QUITTING = 0x08,
	P2P_DISC_UNEXPECTED_IDENTITY = 0x09,
	P2P_DISC_SELF = 0x0a,
	P2P_DISC_READ_TIMEOUT = 0x0b,
	P2P_DISC_SUBPROTOCOL_ERROR = 0x10,
};

struct p2p_cap {
	char name[P2P_PROTO_CAP_NAME_MAX + 1];
	uint32_t version;
	uint32_t length;	/* message codes used (local capabilities) */
	uint32_t offset;	/* first code, after matching */
};

struct p2p_hello {
	uint64_t version;
	char client[P2P_PROTO_CLIENT_MAX + 1];
	struct p2p_cap caps[P2P_PROTO_MAX_CAPS];
	unsigned ncaps;
	uint16_t listen_port;
	struct p2p_pubkey id;
};

/*
 * Encodes h (capabilities sorted by name, then version) as the Hello
 * message body: [version, client, [[name, version]...], port, id].
 * Returns: 0; P2P_ETOOBIG (*outlen = size needed, or over the limit).
 */
int p2p_proto_hello_encode(const struct p2p_hello *h, uint8_t *out,
    size_t *outlen);

/*
 * Decodes a Hello body; extra list elements are ignored (EIP-8).
 * Returns: 0; P2P_ETOOBIG (over P2P_PROTO_HELLO_MAX or too many
 *          capabilities); P2P_EFIELD; any RLP error.
 */
int p2p_proto_hello_decode(struct p2p_hello *h, const uint8_t *p, size_t n);

/*
 * Returns: 0 if the Hello's ID is the key the RLPx handshake
 *          authenticated, else P2P_EIDENTITY (disconnect with
 *          P2P_DISC_UNEXPECTED_IDENTITY).
 */
int p2p_proto_hello_check(const struct p2p_hello *h,
    const struct p2p_pubkey *rlpx_remote);

/* Encodes a Disconnect body: [reason]. */
int p2p_proto_disconnect_encode(unsigned reason, uint8_t *out,
    size_t *outlen);

/*
 * Decodes a Disconnect body leniently: [reason] or a bare integer (as
 * ethereumjs sends it); an empty body is reason 0.
 * Returns: 0; P2P_EFIELD.
 */
int p2p_proto_disconnect_decode(const uint8_t *p, size_t n,
    unsigned *reason);

/* go-ethereum's text for a reason, "unknown disconnect reason" else. */
const char *p2p_proto_disc_reason(unsigned reason);

/*
 * The capabilities both sides run: for each name the highest version both
 * offer, ordered by name, with offsets from P2P_PROTO_BASE_LEN by each
 * protocol's length (taken from local).
 * Returns: the number matched (0 means useless peer).
 * Out:     out: at least P2P_PROTO_MAX_CAPS entries.
 */
unsigned p2p_proto_match_caps(const struct p2p_cap *local, unsigned nlocal,
    const struct p2p_cap *remote, unsigned nremote, struct p2p_cap *out);

#endif
