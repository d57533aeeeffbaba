/* bench_rlpx.c - RLPx handshakes per CPU-second, each role timed on its
 * own calls only (initiator: auth out, ack in, secrets; recipient: auth
 * in, ack out, secrets). */
#include <stdlib.h>

#include <p2p/rlpx.h>

#include "bench.h"

void bench_rlpx(void);

void
bench_rlpx(void)
{
	struct p2p_rlpx_hs *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct p2p_rlpx_secrets s;
	struct p2p_privkey ka, kb;
	struct p2p_pubkey pb;
	double ti = 0, tr = 0, t;
	long n = 0, bad = 0;
	size_t used;

	p2p_secp_keygen(&ka);
	p2p_secp_keygen(&kb);
	p2p_secp_pubkey(&pb, &kb);
	while (ti + tr < 2.0) {
		t = bench_cpu();
		bad |= p2p_rlpx_hs_init(a, 1, &ka, &pb);
		bad |= p2p_rlpx_auth_write(a, 0);
		ti += bench_cpu() - t;
		t = bench_cpu();
		bad |= p2p_rlpx_hs_init(b, 0, &kb, NULL);
		bad |= p2p_rlpx_auth_read(b, a->auth, a->authlen, &used);
		bad |= p2p_rlpx_ack_write(b);
		bad |= p2p_rlpx_secrets(b, &s);
		tr += bench_cpu() - t;
		t = bench_cpu();
		bad |= p2p_rlpx_ack_read(a, b->ack, b->acklen, &used);
		bad |= p2p_rlpx_secrets(a, &s);
		ti += bench_cpu() - t;
		n++;
	}
	bench_emit("rlpx_handshake_initiator", n / ti, "handshake/s", ti,
	    bad ? "\"errors\":true" : NULL);
	bench_emit("rlpx_handshake_recipient", n / tr, "handshake/s", tr,
	    bad ? "\"errors\":true" : NULL);
	p2p_rlpx_hs_clear(a);
	p2p_rlpx_hs_clear(b);
	free(a);
	free(b);
}
