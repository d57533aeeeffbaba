/* bench_keccak.c - Keccak-256 throughput and hash rate, and the secp256k1
 * operations discovery and RLPx lean on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2p/keccak.h>
#include <p2p/secp.h>

#include "bench.h"

void bench_keccak(void);

static void
hashes(size_t size)
{
	uint8_t in[64], out[32];
	char extra[32];
	double t0 = bench_cpu(), t;
	long n = 0;

	memset(in, 0x5a, sizeof(in));
	do {
		for (int i = 0; i < 10000; i++) {
			p2p_keccak256(out, in, size);
			in[0] = out[0];
		}
		n += 10000;
	} while ((t = bench_cpu() - t0) < 1.0);
	snprintf(extra, sizeof(extra), "\"size\":%zu", size);
	bench_emit("keccak256_hashes", n / t, "hash/s", t, extra);
}

static void
throughput(void)
{
	size_t size = 1 << 20;
	uint8_t *buf = calloc(1, size), out[32];
	double t0 = bench_cpu(), t;
	long n = 0;

	do {
		p2p_keccak256(out, buf, size);
		buf[0] = out[0];
		n++;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_emit("keccak256_throughput", (double)n * size / t / 1e6, "MB/s",
	    t, "\"size\":1048576");
	free(buf);
}

static void
secp(void)
{
	struct p2p_privkey k;
	struct p2p_pubkey pub, got;
	uint8_t hash[32] = { 1 }, sig[65], sh[32];
	double t0, t;
	long n = 0;

	p2p_secp_keygen(&k);
	p2p_secp_pubkey(&pub, &k);
	p2p_secp_sign(sig, hash, &k);
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 200; i++)
			p2p_secp_recover(&got, sig, hash);
		n += 200;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_emit("secp256k1_recover", n / t, "op/s", t, NULL);
	n = 0;
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 200; i++)
			p2p_secp_ecdh(sh, &pub, &k);
		n += 200;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_emit("secp256k1_ecdh", n / t, "op/s", t, NULL);
	n = 0;
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 200; i++)
			p2p_secp_sign(sig, hash, &k);
		n += 200;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_emit("secp256k1_sign", n / t, "op/s", t, NULL);
	p2p_wipe(&k, sizeof(k));
}

void
bench_keccak(void)
{
	throughput();
	hashes(32);
	hashes(64);
	secp();
}
