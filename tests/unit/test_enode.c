/* test_enode.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_enode[] = {
	{ NULL, NULL },
};
