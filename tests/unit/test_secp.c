/* test_secp.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_secp[] = {
	{ NULL, NULL },
};
