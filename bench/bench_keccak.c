/* bench_keccak.c - placeholder until the module lands. */
#include "bench.h"

void bench_keccak(void);

void
bench_keccak(void)
{
}
