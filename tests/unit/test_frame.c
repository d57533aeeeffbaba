/* test_frame.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_frame[] = {
	{ NULL, NULL },
};
