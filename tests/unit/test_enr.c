/* test_enr.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_enr[] = {
	{ NULL, NULL },
};
