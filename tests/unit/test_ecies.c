/* test_ecies.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_ecies[] = {
	{ NULL, NULL },
};
