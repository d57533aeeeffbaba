/* bench_rlpx.c - placeholder until the module lands. */
#include "bench.h"

void bench_rlpx(void);

void
bench_rlpx(void)
{
}
