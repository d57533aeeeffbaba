/* bench_frame.c - frame codec throughput (encode + decode of one message)
 * in MB of payload per CPU-second, by size, with and without snappy.  The
 * payload is pseudo-random: snappy's worst case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2p/frame.h>

#include "bench.h"

void bench_frame(void);

static void
run(size_t size, int snappy, const uint8_t *data, uint8_t *buf)
{
	struct p2p_rlpx_secrets s;
	struct p2p_frame *a, *b;
	struct p2p_frame_msg msg;
	double t0, t;
	long n = 0, bad = 0;
	char extra[64];

	memset(&s, 0x11, sizeof(s));
	p2p_keccak_init(&s.egress_mac);
	s.ingress_mac = s.egress_mac;
	a = p2p_frame_new(&s);
	b = p2p_frame_new(&s);
	p2p_frame_set_snappy(a, snappy);
	p2p_frame_set_snappy(b, snappy);
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 16; i++) {
			size_t len = p2p_frame_write_size(a, size), used;

			bad |= p2p_frame_write(a, 0x10, data, size, buf, &len);
			bad |= p2p_frame_read(b, buf, len, &used, &msg);
		}
		n += 16;
	} while ((t = bench_cpu() - t0) < 0.5);
	snprintf(extra, sizeof(extra), "\"size\":%zu,\"snappy\":%s%s", size,
	    snappy ? "true" : "false", bad ? ",\"errors\":true" : "");
	bench_emit("frame_codec", (double)n * size / t / 1e6, "MB/s", t,
	    extra);
	p2p_frame_free(a);
	p2p_frame_free(b);
}

void
bench_frame(void)
{
	static const size_t sizes[] = { 64, 1024, 65536, 1 << 20 };
	uint8_t *data = malloc(1 << 20), *buf = malloc((1 << 20) + 65536);
	uint32_t x = 1;

	for (size_t i = 0; i < (1 << 20); i++) {
		x = x * 1103515245 + 12345;
		data[i] = (uint8_t)(x >> 16);
	}
	for (int snappy = 0; snappy <= 1; snappy++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			run(sizes[i], snappy, data, buf);
	free(data);
	free(buf);
}
