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
 */
#ifndef P2P_RLPX_H
#define P2P_RLPX_H

#include <p2p/keccak.h>
#include <p2p/p2p.h>
#include <p2p/secp.h>

#define P2P_RLPX_AUTH_LEGACY_LEN 307
#define P2P_RLPX_ACK_LEGACY_LEN 210
/* Larger handshake messages are refused before any EC work. */
#define P2P_RLPX_HANDSHAKE_MAX 2048
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
	uint8_t auth[P2P_RLPX_HANDSHAKE_MAX];
	size_t authlen;
	uint8_t ack[P2P_RLPX_HANDSHAKE_MAX];
	size_t acklen;
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
 * everything received so far.  The 2-byte EIP-8 size prefix is checked
 * first; when the data may be a pre-EIP-8 message (it starts with 0x04),
 * its first 307 bytes are tried as one, as go-ethereum does.
 * Returns: 0 (*consumed set, hs->remote and hs->remote_eph known);
 *          P2P_EAGAIN (more bytes needed); P2P_ETOOBIG (declared size over
 *          P2P_RLPX_HANDSHAKE_MAX, decided before any EC work); P2P_EPUBKEY;
 *          P2P_EMAC; P2P_EHANDSHAKE; P2P_ESIG.
 */
int p2p_rlpx_auth_read(struct p2p_rlpx_hs *hs, const uint8_t *buf,
    size_t len, size_t *consumed);

/* Recipient: builds the ack into hs->ack, pre-EIP-8 iff the auth was. */
int p2p_rlpx_ack_write(struct p2p_rlpx_hs *hs);

/* Initiator: reads the ack (first 210 bytes tried as pre-EIP-8).  Same
 * returns as p2p_rlpx_auth_read. */
int p2p_rlpx_ack_read(struct p2p_rlpx_hs *hs, const uint8_t *buf,
    size_t len, size_t *consumed);

/*
 * Derives the session secrets once both messages are known.
 * Returns: 0; P2P_EPUBKEY.
 */
int p2p_rlpx_secrets(const struct p2p_rlpx_hs *hs,
    struct p2p_rlpx_secrets *s);

#endif
