/* test_keccak.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_keccak[] = {
	{ NULL, NULL },
};
