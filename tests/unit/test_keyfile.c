/* test_keyfile.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_keyfile[] = {
	{ NULL, NULL },
};
