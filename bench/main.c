/*
 * main.c - runs the benchmarks (`make bench`); each prints JSON lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define BENCHES(X) X(keccak) X(rlp) X(enr) X(rlpx) X(frame) X(discv4) \
	X(table) X(nodedb) X(disc)

#define DECLARE(m) void bench_##m(void);
BENCHES(DECLARE)

static const struct {
	const char *name;
	void (*fn)(void);
} benches[] = {
#define ENTRY(m) { #m, bench_##m },
	BENCHES(ENTRY)
};

static volatile uint8_t sink;

double
bench_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
bench_emit(const char *name, double value, const char *unit, double cpu_s,
    const char *extra)
{
	printf("{\"bench\":\"%s\",\"value\":%.6g,\"unit\":\"%s\","
	    "\"cpu_s\":%.3f%s%s}\n", name, value, unit, cpu_s,
	    extra ? "," : "", extra ? extra : "");
	fflush(stdout);
}

void
bench_sink(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		sink ^= b[i];
}

int
main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		int want = argc < 2;

		for (int a = 1; a < argc; a++)
			want |= strcmp(argv[a], benches[i].name) == 0;
		if (want)
			benches[i].fn();
	}
	return 0;
}
