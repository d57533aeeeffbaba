/*
 * bench.h - the benchmark harness: each bench_<module>.c defines
 * `void bench_<module>(void)` which measures in CPU time (so a busy machine
 * lowers nothing but wall time) and prints one JSON object per figure with
 * bench_emit().  `make bench` runs them all; arguments select modules.
 */
#ifndef P2P_BENCH_H
#define P2P_BENCH_H

#include <stddef.h>

/* CPU seconds used by this process so far. */
double bench_cpu(void);

/*
 * Prints {"bench":name,"value":value,"unit":unit,"cpu_s":cpu_s,...extra}
 * where extra, if not NULL, is further JSON members ("\"size\":1024").
 */
void bench_emit(const char *name, double value, const char *unit,
    double cpu_s, const char *extra);

/* Keeps the compiler from deleting a computation. */
void bench_sink(const void *p, size_t n);

#endif
