/*
 * rlpx.h - the RLPx encryption handshake (rlpx.md, EIP-8) as a codec: the
 * auth and ack messages in both formats and the session secrets.  No I/O:
 * a connection feeds received bytes in and sends what is built here.
 *
 * Initiator:  p2p_rlpx_hs_init(hs, 1, key, remote) -> p2p_rlpx_auth_write
 *             -> send hs->auth -> p2p_rlpx_ack_read -> p2p_rlpx_secrets.
 * Recipient:  p2p_rlpx_hs_init(hs, 0, key, NULL) -> p2p_rlpx_auth_read ->
 *             p2p_rlpx_ack_write -> send hs->ack -> p2p_rlpx_secrets.
 * p2p_rlpx_hs_clear wipes everything.
 *
 * Reading: a non-blocking reader keeps what arrived in one buffer and calls
 * p2p_rlpx_auth_read / p2p_rlpx_ack_read with all of it.  On P2P_EAGAIN,
 * hs->need says how many bytes (from the message start) to have before the
 * next call, so it can read exactly that much and never into the frames
 * that follow; calling earlier is harmless and costs no EC work.
 */
#ifndef P2P_RLPX_H
#define P2P_RLPX_H

#include <p2p/keccak.h>
#include <p2p/p2p.h>
#include <p2p/secp.h>

#define P2P_RLPX_AUTH_LEGACY_LEN 307
#define P2P_RLPX_ACK_LEGACY_LEN 210
/* An EIP-8 size prefix above this is refused before any EC work. */
#define P2P_RLPX_HANDSHAKE_MAX 2048
/* Largest handshake message on the wire: size prefix and body. */
#define P2P_RLPX_MSG_MAX (2 + P2P_RLPX_HANDSHAKE_MAX)
#define P2P_RLPX_VERSION 4

struct p2p_rlpx_hs {
	int initiator;
	int remote_eip8;		/* the message received was EIP-8 */
	uint64_t remote_version;
	struct p2p_privkey key;		/* our static key (a copy) */
	struct p2p_privkey eph;		/* our ephemeral key */
	uint8_t nonce[32];		/* ours */
	struct p2p_pubkey remote;	/* remote static key */
	struct p2p_pubkey remote_eph;
	uint8_t remote_nonce[32];
	/* The messages as they went over the wire (MACs start from them). */
	uint8_t auth[P2P_RLPX_MSG_MAX];
	size_t authlen;
	uint8_t ack[P2P_RLPX_MSG_MAX];
	size_t acklen;
	/* After P2P_EAGAIN from a read: bytes wanted before calling again. */
	size_t need;
	/* The reader's own: the first bytes failed as a pre-EIP-8 message. */
	int legacy_failed;
};

struct p2p_rlpx_secrets {
	uint8_t aes[32];
	uint8_t mac[32];
	struct p2p_keccak egress_mac;
	struct p2p_keccak ingress_mac;
	struct p2p_pubkey remote;	/* the authenticated remote key */
};

/*
 * Starts a handshake with a fresh ephemeral key and nonce.
 * Returns: 0; P2P_ERANDOM.
 * In:      key: our static key (copied).  remote: the peer's key, needed by
 *          the initiator, NULL for the recipient.
 */
int p2p_rlpx_hs_init(struct p2p_rlpx_hs *hs, int initiator,
    const struct p2p_privkey *key, const struct p2p_pubkey *remote);

/* Wipes hs. */
void p2p_rlpx_hs_clear(struct p2p_rlpx_hs *hs);

/*
 * Builds the auth message into hs->auth / hs->authlen: EIP-8 with 100-299
 * bytes of random padding, or the 307-byte pre-EIP-8 form if legacy.
 * Returns: 0; P2P_EPUBKEY (bad remote key); P2P_ERANDOM; P2P_ECRYPTO.
 */
int p2p_rlpx_auth_write(struct p2p_rlpx_hs *hs, int legacy);

/*
 * Recipient: reads the auth message from the start of buf, which holds
 * everything received so far (the same start on every call).  The 2-byte
 * EIP-8 size prefix is checked first; when the data may be a pre-EIP-8
 * message (it starts with 0x04), its first 307 bytes are tried as one, as
 * go-ethereum does, once.
 * Returns: 0 (*consumed set, hs->remote and hs->remote_eph known, the
 *          message kept in hs->auth); P2P_EAGAIN (hs->need set);
 *          P2P_ETOOBIG (size prefix over P2P_RLPX_HANDSHAKE_MAX, decided
 *          from the first two bytes); P2P_EPUBKEY; P2P_EMAC;
 *          P2P_EHANDSHAKE (malformed body or too short for ECIES);
 *          P2P_ESIG.
 */
int p2p_rlpx_auth_read(struct p2p_rlpx_hs *hs, const uint8_t *buf,
    size_t len, size_t *consumed);

/* Recipient: builds the ack into hs->ack, pre-EIP-8 iff the auth was. */
int p2p_rlpx_ack_write(struct p2p_rlpx_hs *hs);

/* Initiator: reads the ack (first 210 bytes tried as pre-EIP-8).  Same
 * contract as p2p_rlpx_auth_read, except that a declared size over the
 * limit is P2P_ENOTRLPX (an HTTP server, say); the message is kept in
 * hs->ack. */
/*
 * Would a read (auth for the recipient, ack for the initiator) of these
 * bytes do its elliptic-curve work now?  1: yes; 0: not yet (hs->need set);
 * or the error the read would give before any such work (P2P_ETOOBIG,
 * P2P_ENOTRLPX).  What lets a caller run the read on another thread only
 * when it will not just ask for more bytes.
 */
int p2p_rlpx_read_ready(struct p2p_rlpx_hs *hs, const uint8_t *buf,
    size_t len);

int p2p_rlpx_ack_read(struct p2p_rlpx_hs *hs, const uint8_t *buf,
    size_t len, size_t *consumed);

/*
 * The decrypted bodies, decoded without any EC work (the read functions
 * use these; a tool or test can show what a peer sent).  rest points into
 * the body given: the RLP list elements after the known ones, which EIP-8
 * says to ignore; NULL, 0 when there are none.
 */
struct p2p_rlpx_auth_body {
	uint8_t sig[P2P_SIG_LEN];	/* over static-shared-secret ^ nonce */
	uint8_t pub[P2P_PUBKEY_LEN];	/* initiator's static key, unchecked */
	uint8_t nonce[32];
	uint64_t version;		/* 4 for pre-EIP-8 */
	const uint8_t *rest;
	size_t restlen;
};

struct p2p_rlpx_ack_body {
	uint8_t eph[P2P_PUBKEY_LEN];	/* recipient's ephemeral key, unchecked */
	uint8_t nonce[32];
	uint64_t version;
	const uint8_t *rest;
	size_t restlen;
};

/*
 * Decodes an auth body: eip8, rlp([sig, pubkey, nonce, version, ...])
 * followed by padding; else the 194-byte pre-EIP-8 layout sig || keccak(
 * ephemeral key) || pubkey || nonce || 0.
 * Returns: 0; P2P_EHANDSHAKE.
 */
int p2p_rlpx_auth_decode(struct p2p_rlpx_auth_body *b, const uint8_t *body,
    size_t len, int eip8);

/*
 * Decodes an ack body: eip8, rlp([ephemeral key, nonce, version, ...]) and
 * padding; else the 97-byte pre-EIP-8 layout key || nonce || 0.
 * Returns: 0; P2P_EHANDSHAKE.
 */
int p2p_rlpx_ack_decode(struct p2p_rlpx_ack_body *b, const uint8_t *body,
    size_t len, int eip8);

/*
 * Derives the session secrets once both messages are known.
 * Returns: 0; P2P_EPUBKEY.
 */
int p2p_rlpx_secrets(const struct p2p_rlpx_hs *hs,
    struct p2p_rlpx_secrets *s);

#endif
