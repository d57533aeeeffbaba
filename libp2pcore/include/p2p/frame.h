/*
 * frame.h - the RLPx frame codec (rlpx.md): AES-256-CTR with the session's
 * aes-secret, header and frame MACs chained through the egress/ingress
 * Keccak states, optional snappy compression of message payloads.
 *
 * Reading is incremental: feed whatever bytes arrived, in any split; a
 * whole message comes out when its frame is complete and both MACs verify.
 * Nothing is decrypted before its MAC is checked.
 */
#ifndef P2P_FRAME_H
#define P2P_FRAME_H

#include <p2p/p2p.h>
#include <p2p/rlpx.h>

/* Largest frame content (rlp(code) || payload), and largest payload
 * after snappy decompression. */
#define P2P_FRAME_MAX 0xffffff
/* Bytes a frame adds around its padded content. */
#define P2P_FRAME_OVERHEAD 48

struct p2p_frame;

/* A received message; data points into the codec, valid until the next
 * p2p_frame_read. */
struct p2p_frame_msg {
	uint64_t code;
	const uint8_t *data;
	size_t len;
};

/*
 * Creates a codec from the handshake's secrets (copied; wipe s after).
 * Returns: the codec, owned by the caller (p2p_frame_free), or NULL when
 *          out of memory or the crypto library fails.
 */
struct p2p_frame *p2p_frame_new(const struct p2p_rlpx_secrets *s);

/* Frees f and wipes its keys.  NULL is fine. */
void p2p_frame_free(struct p2p_frame *f);

/* Turns snappy on or off for both directions (on once both Hellos say
 * version >= 5). */
void p2p_frame_set_snappy(struct p2p_frame *f, int on);

/*
 * Bytes p2p_frame_write needs for a payload of len bytes (worst case with
 * snappy).
 */
size_t p2p_frame_write_size(const struct p2p_frame *f, size_t len);

/*
 * Encodes one message as one frame.
 * Returns: 0; P2P_ETOOBIG if the content exceeds P2P_FRAME_MAX or *outlen
 *          is too small (*outlen = size needed); P2P_ECRYPTO; P2P_ENOMEM.
 */
int p2p_frame_write(struct p2p_frame *f, uint64_t code, const uint8_t *data,
    size_t len, uint8_t *out, size_t *outlen);

/*
 * Feeds received bytes (any split: one byte at a time works).  Buffers at
 * most one frame; *consumed is always set.
 * Returns: 0 with a message in *msg (*consumed bytes used; call again
 *          with the rest); P2P_EAGAIN when all len bytes were taken and more
 *          are needed; P2P_EMAC; P2P_ETOOBIG (a decompressed size over the
 *          limit, refused before allocating); P2P_EFIELD for a malformed
 *          message code or snappy data (except a Disconnect, code 1, whose
 *          payload comes out raw when it is not snappy: ethereumjs sends it
 *          so); P2P_ENOMEM; P2P_ECRYPTO.  An error
 *          is final: later calls return it again.
 */
int p2p_frame_read(struct p2p_frame *f, const uint8_t *in, size_t len,
    size_t *consumed, struct p2p_frame_msg *msg);

#endif
