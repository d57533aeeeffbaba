/* test_misc.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_misc[] = {
	{ NULL, NULL },
};
