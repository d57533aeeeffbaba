/* bench_frame.c - frame codec throughput in MB of payload per CPU-second,
 * encode and decode timed apart, by size, with and without snappy.  The
 * payload is pseudo-random: snappy's worst case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2p/frame.h>

#include "bench.h"

void bench_frame(void);

/* Encodes and decodes one message at a time, timing each side on its
 * own calls: the ceilings are per direction. */
static void
run(size_t size, int snappy, const uint8_t *data, uint8_t *buf)
{
	struct p2p_rlpx_secrets s;
	struct p2p_frame *a, *b;
	struct p2p_frame_msg msg;
	double te = 0, td = 0, t;
	long n = 0, bad = 0;
	char extra[64];

	memset(&s, 0x11, sizeof(s));
	p2p_keccak_init(&s.egress_mac);
	s.ingress_mac = s.egress_mac;
	a = p2p_frame_new(&s);
	b = p2p_frame_new(&s);
	p2p_frame_set_snappy(a, snappy);
	p2p_frame_set_snappy(b, snappy);
	while (te + td < 1.0) {
		size_t len = p2p_frame_write_size(a, size), used;

		t = bench_cpu();
		bad |= p2p_frame_write(a, 0x10, data, size, buf, &len);
		te += bench_cpu() - t;
		t = bench_cpu();
		bad |= p2p_frame_read(b, buf, len, &used, &msg);
		td += bench_cpu() - t;
		n++;
	}
	snprintf(extra, sizeof(extra), "\"size\":%zu,\"snappy\":%s%s", size,
	    snappy ? "true" : "false", bad ? ",\"errors\":true" : "");
	bench_emit("frame_encode", (double)n * size / te / 1e6, "MB/s", te,
	    extra);
	bench_emit("frame_decode", (double)n * size / td / 1e6, "MB/s", td,
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
