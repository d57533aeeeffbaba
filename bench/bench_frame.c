/* bench_frame.c - placeholder until the module lands. */
#include "bench.h"

void bench_frame(void);

void
bench_frame(void)
{
}
