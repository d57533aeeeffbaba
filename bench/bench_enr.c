/* bench_enr.c - placeholder until the module lands. */
#include "bench.h"

void bench_enr(void);

void
bench_enr(void)
{
}
