/* test_json.c - placeholder until the module lands. */
#include "unit.h"

const struct unit_test unit_json[] = {
	{ NULL, NULL },
};
