/* bench_discv4.c - discovery v4 packets per CPU-second: decoding (hash,
 * signer recovery, RLP) of a ping, encoding and signing of a pong, and
 * the two together as a node answering pings does. */
#include <string.h>

#include <p2p/discv4.h>

#include "bench.h"

void bench_discv4(void);

static void
make_ping(struct p2p_disc_packet *p)
{
	memset(p, 0, sizeof(*p));
	p->type = P2P_DISC_PING;
	p->expiration = 1700000020;
	p->u.ping.version = P2P_DISC_VERSION;
	p->u.ping.from.ip_len = 4;
	memcpy(p->u.ping.from.ip, "\x0a\x00\x00\x01", 4);
	p->u.ping.from.udp = p->u.ping.from.tcp = 30303;
	p->u.ping.to.ip_len = 4;
	memcpy(p->u.ping.to.ip, "\x0a\x00\x00\x02", 4);
	p->u.ping.to.udp = 30303;
	p->u.ping.has_seq = 1;
	p->u.ping.enr_seq = 42;
}

/* The reply to ping (whose hash is hash) as a node sends it. */
static void
make_pong(struct p2p_disc_packet *pong, const struct p2p_disc_packet *ping,
    const uint8_t hash[32])
{
	memset(pong, 0, sizeof(*pong));
	pong->type = P2P_DISC_PONG;
	pong->expiration = ping->expiration;
	pong->u.pong.to = ping->u.ping.from;
	memcpy(pong->u.pong.ping_hash, hash, 32);
	pong->u.pong.has_seq = 1;
	pong->u.pong.enr_seq = 7;
}

void
bench_discv4(void)
{
	static struct p2p_disc_packet ping, pong, in;
	struct p2p_privkey ka, kb;
	struct p2p_pubkey sender;
	uint8_t pkt[P2P_DISC_MAX_SEND], out[P2P_DISC_MAX_SEND], hash[32];
	size_t pktlen, outlen = 0;
	double t0, t;
	long n, bad = 0;

	p2p_secp_keygen(&ka);
	p2p_secp_keygen(&kb);
	make_ping(&ping);
	bad += p2p_disc_encode(pkt, sizeof(pkt), &pktlen, hash, &ping, &ka)
	    != 0;

	n = 0;
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 100; i++)
			bad += p2p_disc_decode(&in, hash, &sender, pkt,
			    pktlen) != 0;
		n += 100;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_sink(sender.b, sizeof(sender.b));
	bench_emit("discv4_ping_decode_verify", n / t, "packet/s", t,
	    bad ? "\"errors\":true" : NULL);

	make_pong(&pong, &ping, hash);
	n = 0;
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 100; i++) {
			pong.expiration++;
			bad += p2p_disc_encode(out, sizeof(out), &outlen,
			    NULL, &pong, &kb) != 0;
		}
		n += 100;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_sink(out, outlen);
	bench_emit("discv4_pong_encode_sign", n / t, "packet/s", t,
	    bad ? "\"errors\":true" : NULL);

	n = 0;
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 100; i++) {
			bad += p2p_disc_decode(&in, hash, &sender, pkt,
			    pktlen) != 0;
			make_pong(&pong, &in, hash);
			bad += p2p_disc_encode(out, sizeof(out), &outlen,
			    NULL, &pong, &kb) != 0;
		}
		n += 100;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_sink(out, outlen);
	bench_emit("discv4_ping_to_pong", n / t, "exchange/s", t,
	    bad ? "\"errors\":true" : NULL);
	p2p_wipe(&ka, sizeof(ka));
	p2p_wipe(&kb, sizeof(kb));
}
