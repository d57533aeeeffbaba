/* test_misc.c - error codes and the shared memory helpers. */
#include <p2p/p2p.h>

#include "unit.h"

/* The lowest (last appended) code: codes are contiguous from 0. */
static int
last_code(void)
{
	int a = 0;

	while (strcmp(p2p_errname(a - 1), "EUNKNOWN") != 0)
		a--;
	return a;
}

static void
test_errors(void)
{
	int last = last_code();

	CHECK(last <= P2P_EFIELD);
	for (int a = last - 1; a > last - 200; a--)
		CHECK_MSG(strcmp(p2p_errname(a), "EUNKNOWN") == 0,
		    "gap in the error codes above %d", a);
	for (int a = 0; a >= last; a--) {
		CHECK_MSG(strcmp(p2p_strerror(a), "unknown error") != 0,
		    "code %d has no text", a);
		for (int b = a - 1; b >= last; b--)
			CHECK_MSG(strcmp(p2p_errname(a), p2p_errname(b)) != 0,
			    "codes %d and %d share a name", a, b);
	}
	/* The numbers are ABI: spot-check a few never move. */
	CHECK_INT(P2P_EINVAL, -1);
	CHECK_INT(P2P_ETRUNCATED, -6);
	CHECK_INT(P2P_EENRSIG, -33);
	CHECK_STR(p2p_strerror(1), "unknown error");
	CHECK_STR(p2p_errname(-100000), "EUNKNOWN");
	CHECK_STR(p2p_errname(P2P_EHOSTNAME), "EHOSTNAME");
}

static void
test_mem(void)
{
	uint8_t a[5] = { 1, 2, 3, 4, 5 }, b[5] = { 1, 2, 3, 4, 6 };

	CHECK(p2p_ct_equal(a, a, 5));
	CHECK(!p2p_ct_equal(a, b, 5));
	CHECK(p2p_ct_equal(a, b, 4));
	CHECK(p2p_ct_equal(a, b, 0));
	p2p_wipe(a, sizeof(a));
	CHECK_HEX(a, 5, "0000000000");
}

const struct unit_test unit_misc[] = {
	{ "errors", test_errors },
	{ "mem", test_mem },
	{ NULL, NULL },
};
