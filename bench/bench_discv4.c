/* bench_discv4.c - placeholder until the module lands. */
#include "bench.h"

void bench_discv4(void);

void
bench_discv4(void)
{
}
