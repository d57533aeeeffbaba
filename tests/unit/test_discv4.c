/* test_discv4.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_discv4[] = {
	{ NULL, NULL },
};
