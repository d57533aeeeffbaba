/* test_rlp.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_rlp[] = {
	{ NULL, NULL },
};
