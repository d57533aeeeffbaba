/* bench_frame.c - frame codec throughput in MB of payload per CPU-second,
 * encode and decode timed apart, by size, with and without snappy.  The
 * payload is pseudo-random: snappy's worst case.
 *
 * Frames are encoded a batch at a time into one stream and the stream is
 * then decoded, so the clock is read twice per batch, not per frame: a
 * CPU-time read is a system call costing about as much as a 64-byte
 * frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2p/frame.h>

#include "bench.h"

void bench_frame(void);

/* Bytes of wire stream per batch (and at least one frame). */
#define BATCH (4u << 20)

static long
encode_batch(struct p2p_frame *a, const uint8_t *data, size_t size,
    uint8_t *buf, size_t *total, long *bad)
{
	long n = 0;

	*total = 0;
	do {
		size_t len = BATCH + (2u << 20) - *total;

		*bad |= p2p_frame_write(a, 0x10, data, size, buf + *total,
		    &len);
		*total += len;
		n++;
	} while (*total + p2p_frame_write_size(a, size) <= BATCH);
	return n;
}

static long
decode_batch(struct p2p_frame *b, const uint8_t *buf, size_t total,
    long *bad)
{
	struct p2p_frame_msg msg;
	size_t off = 0, used;
	long n = 0;

	while (off < total) {
		if (p2p_frame_read(b, buf + off, total - off, &used,
		    &msg) != 0) {
			*bad = 1;
			break;
		}
		bench_sink(msg.data, msg.len ? 1 : 0);
		off += used;
		n++;
	}
	return n;
}

static void
run(size_t size, int snappy, const uint8_t *data, uint8_t *buf)
{
	struct p2p_rlpx_secrets s;
	struct p2p_frame *a, *b;
	double te = 0, td = 0, t;
	long ne = 0, nd = 0, bad = 0;
	size_t total;
	char extra[64];

	memset(&s, 0x11, sizeof(s));
	p2p_keccak_init(&s.egress_mac);
	s.ingress_mac = s.egress_mac;
	a = p2p_frame_new(&s);
	b = p2p_frame_new(&s);
	p2p_frame_set_snappy(a, snappy);
	p2p_frame_set_snappy(b, snappy);
	while (te + td < 1.0) {
		t = bench_cpu();
		ne += encode_batch(a, data, size, buf, &total, &bad);
		te += bench_cpu() - t;
		t = bench_cpu();
		nd += decode_batch(b, buf, total, &bad);
		td += bench_cpu() - t;
	}
	snprintf(extra, sizeof(extra), "\"size\":%zu,\"snappy\":%s%s", size,
	    snappy ? "true" : "false", bad ? ",\"errors\":true" : "");
	bench_emit("frame_encode", (double)ne * size / te / 1e6, "MB/s", te,
	    extra);
	bench_emit("frame_decode", (double)nd * size / td / 1e6, "MB/s", td,
	    extra);
	p2p_frame_free(a);
	p2p_frame_free(b);
}

void
bench_frame(void)
{
	static const size_t sizes[] = { 64, 1024, 65536, 1 << 20 };
	uint8_t *data = malloc(1 << 20), *buf = malloc(BATCH + (2u << 20));
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
