/* test_rlpx.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_rlpx[] = {
	{ NULL, NULL },
};
