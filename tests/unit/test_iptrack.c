/*
 * test_iptrack.c - endpoint prediction (iptrack.h), after v1.8.24's
 * iptrack_test.go: the minimum of statements, one vote per sender, the
 * majority, the window, the full-cone check, and the bound on senders.
 */
#include <string.h>

#include <p2p/iptrack.h>
#include <p2p/p2p.h>

#include "unit.h"

static struct p2p_endpoint
ep(unsigned a, unsigned b, uint16_t port)
{
	struct p2p_endpoint e;

	memset(&e, 0, sizeof(e));
	e.ip.len = 4;
	e.ip.b[0] = 10;
	e.ip.b[1] = 0;
	e.ip.b[2] = (uint8_t)a;
	e.ip.b[3] = (uint8_t)b;
	e.port = port;
	return e;
}

static struct p2p_iptrack *
tracker(void)
{
	struct p2p_iptrack *t;

	CHECK_INT(p2p_iptrack_new(&t, 10000, 20000, 3), 0);
	return t;
}

static void
test_predict(void)
{
	struct p2p_iptrack *t = tracker(), *bad;
	struct p2p_endpoint a = ep(1, 1, 30303), b = ep(2, 2, 40404), got;

	CHECK_INT(p2p_iptrack_new(&bad, 1, 1, 0), P2P_EINVAL);
	CHECK(bad == NULL);
	CHECK_INT(p2p_iptrack_predict(t, 0, &got), 0);
	/* One sender saying it three times is one vote. */
	for (int i = 0; i < 3; i++) {
		struct p2p_endpoint from = ep(9, 1, 1000);

		p2p_iptrack_statement(t, &from, &a, 10);
	}
	CHECK_INT(p2p_iptrack_predict(t, 10, &got), 0);
	for (unsigned i = 2; i <= 3; i++) {
		struct p2p_endpoint from = ep(9, i, 1000);

		p2p_iptrack_statement(t, &from, &a, 20);
	}
	CHECK_INT(p2p_iptrack_predict(t, 20, &got), 1);
	CHECK(memcmp(&got, &a, sizeof(a)) == 0);
	/* Four others say b: the majority moves. */
	for (unsigned i = 10; i < 14; i++) {
		struct p2p_endpoint from = ep(9, i, 1000);

		p2p_iptrack_statement(t, &from, &b, 30);
	}
	CHECK_INT(p2p_iptrack_predict(t, 30, &got), 1);
	CHECK(got.port == b.port);
	/* A sender changing its mind moves its vote. */
	for (unsigned i = 10; i < 12; i++) {
		struct p2p_endpoint from = ep(9, i, 1000);

		p2p_iptrack_statement(t, &from, &a, 40);
	}
	CHECK_INT(p2p_iptrack_predict(t, 40, &got), 1);
	CHECK(got.port == a.port);
	/* Past the window every statement is gone. */
	CHECK_INT(p2p_iptrack_predict(t, 40 + 10001, &got), 0);
	p2p_iptrack_free(t);
}

static void
test_full_cone(void)
{
	struct p2p_iptrack *t = tracker();
	struct p2p_endpoint me = ep(1, 1, 30303), x = ep(9, 1, 1000),
	    y = ep(9, 2, 1000);

	CHECK_INT(p2p_iptrack_full_cone(t, 0), 0);
	/* Contacted first, then it spoke: no evidence. */
	p2p_iptrack_contact(t, &x, 10);
	p2p_iptrack_statement(t, &x, &me, 11);
	CHECK_INT(p2p_iptrack_full_cone(t, 12), 0);
	/* y spoke without being contacted: full cone. */
	p2p_iptrack_statement(t, &y, &me, 13);
	CHECK_INT(p2p_iptrack_full_cone(t, 14), 1);
	p2p_iptrack_free(t);
}

/* Many senders: memory stays bounded and the prediction is still the
 * endpoint the recent majority names. */
static void
test_bounded(void)
{
	struct p2p_iptrack *t = tracker();
	struct p2p_endpoint a = ep(1, 1, 1), got;

	for (unsigned i = 0; i < 20 * P2P_IPTRACK_MAX; i++) {
		struct p2p_endpoint from = ep(i / 250, i % 250, 1),
		    said = ep(3, (uint8_t)(i % 200), (uint16_t)(1000 + i));

		p2p_iptrack_statement(t, &from, i % 2 ? &a : &said, i / 100);
	}
	CHECK_INT(p2p_iptrack_predict(t, 20 * P2P_IPTRACK_MAX / 100, &got),
	    1);
	CHECK(memcmp(&got, &a, sizeof(a)) == 0);
	p2p_iptrack_free(t);
}

const struct unit_test unit_iptrack[] = {
	{ "predict", test_predict },
	{ "full_cone", test_full_cone },
	{ "bounded", test_bounded },
	{ NULL, NULL },
};
