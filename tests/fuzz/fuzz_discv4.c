/*
 * fuzz_discv4.c - discovery v4 packet decoding.  The input is tried twice:
 * as a datagram as it arrived, and with its type and data (bytes 97 on)
 * re-signed under a fixed key, so mutations reach the RLP decoding past
 * the hash and signature checks.  A packet that decodes must re-encode
 * (unless an ENR response no longer fits) and decode again to the same
 * type and fields.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/discv4.h>
#include <p2p/keccak.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed test key (not a secret). */
static const struct p2p_privkey key = { {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
} };

static int
same_seq(const struct p2p_disc_packet *a, const struct p2p_disc_packet *b)
{
	if (a->type == P2P_DISC_PING)
		return a->u.ping.has_seq == b->u.ping.has_seq &&
		    a->u.ping.enr_seq == b->u.ping.enr_seq &&
		    a->u.ping.version == b->u.ping.version;
	if (a->type == P2P_DISC_PONG)
		return a->u.pong.has_seq == b->u.pong.has_seq &&
		    a->u.pong.enr_seq == b->u.pong.enr_seq;
	if (a->type == P2P_DISC_NEIGHBORS)
		return a->u.neighbors.n == b->u.neighbors.n;
	return 1;
}

static void
reencode(struct p2p_disc_packet *pkt)
{
	static struct p2p_disc_packet again;
	uint8_t out[P2P_DISC_MAX_SEND], h1[32], h2[32];
	size_t n;
	int rc;

	if (pkt->type == P2P_DISC_NEIGHBORS &&
	    pkt->u.neighbors.n > P2P_DISC_NEIGHBORS_PER_PACKET)
		pkt->u.neighbors.n = P2P_DISC_NEIGHBORS_PER_PACKET;
	rc = p2p_disc_encode(out, sizeof(out), &n, h1, pkt, &key);
	if (rc == P2P_ETOOBIG && pkt->type == P2P_DISC_ENRRESP)
		return;
	if (rc != 0 || p2p_disc_decode(&again, h2, NULL, out, n) != 0 ||
	    again.type != pkt->type || again.expiration != pkt->expiration ||
	    !same_seq(pkt, &again) || memcmp(h1, h2, 32) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct p2p_disc_packet pkt;
	static uint8_t buf[P2P_DISC_MAX_PACKET];
	uint8_t digest[32];
	int rc;

	if (p2p_disc_decode(&pkt, NULL, NULL, data, size) == 0)
		reencode(&pkt);
	if (size < P2P_DISC_HEAD_LEN || size > P2P_DISC_MAX_PACKET)
		return 0;
	memcpy(buf + 97, data + 97, size - 97);
	p2p_keccak256(digest, buf + 97, size - 97);
	if (p2p_secp_sign(buf + 32, digest, &key) != 0)
		abort();
	p2p_keccak256(buf, buf + 32, size - 32);
	rc = p2p_disc_decode(&pkt, NULL, NULL, buf, size);
	if (rc == P2P_EPKTHASH || rc == P2P_ESIG)
		abort();
	if (rc == 0)
		reencode(&pkt);
	return 0;
}
