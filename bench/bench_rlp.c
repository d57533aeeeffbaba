/* bench_rlp.c - placeholder until the module lands. */
#include "bench.h"

void bench_rlp(void);

void
bench_rlp(void)
{
}
