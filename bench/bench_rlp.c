/* bench_rlp.c - RLP decode (with a full walk) and encode throughput on a
 * discovery-like structure: 16 neighbor records in a list. */
#include <stdio.h>
#include <string.h>

#include <p2p/rlp.h>

#include "bench.h"

void bench_rlp(void);

/* [[ip, udp, tcp, id64] x 16, expiration] */
static size_t
build(uint8_t *buf, size_t cap)
{
	uint8_t ip[4] = { 127, 0, 0, 1 }, id[64];
	struct p2p_rlp_enc e;
	const uint8_t *out;
	size_t n;

	memset(id, 0xab, sizeof(id));
	p2p_rlp_enc_init_fixed(&e, buf, cap);
	p2p_rlp_enc_list_begin(&e);
	p2p_rlp_enc_list_begin(&e);
	for (int i = 0; i < 16; i++) {
		p2p_rlp_enc_list_begin(&e);
		p2p_rlp_enc_bytes(&e, ip, 4);
		p2p_rlp_enc_uint(&e, 30303);
		p2p_rlp_enc_uint(&e, 30303 + i);
		p2p_rlp_enc_bytes(&e, id, 64);
		p2p_rlp_enc_list_end(&e);
	}
	p2p_rlp_enc_list_end(&e);
	p2p_rlp_enc_uint(&e, 1700000000);
	p2p_rlp_enc_list_end(&e);
	p2p_rlp_enc_finish(&e, &out, &n);
	return n;
}

static uint64_t
walk(const struct p2p_rlp_item *item)
{
	struct p2p_rlp_iter it;
	struct p2p_rlp_item sub;
	uint64_t sum = item->len;

	if (!item->is_list)
		return sum;
	p2p_rlp_iter_init(&it, item);
	while (p2p_rlp_iter_next(&it, &sub) == 1)
		sum += walk(&sub);
	return sum;
}

void
bench_rlp(void)
{
	uint8_t buf[4096];
	size_t n = build(buf, sizeof(buf));
	struct p2p_rlp_item item;
	double t0 = bench_cpu(), t;
	uint64_t sum = 0;
	long iters = 0;
	char extra[32];

	do {
		for (int i = 0; i < 1000; i++) {
			p2p_rlp_decode(&item, buf, n);
			sum += walk(&item);
		}
		iters += 1000;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_sink(&sum, sizeof(sum));
	snprintf(extra, sizeof(extra), "\"size\":%zu", n);
	bench_emit("rlp_decode_walk", (double)iters * n / t / 1e6, "MB/s", t,
	    extra);
	iters = 0;
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 1000; i++)
			build(buf, sizeof(buf));
		iters += 1000;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_emit("rlp_encode", (double)iters * n / t / 1e6, "MB/s", t,
	    extra);
}
