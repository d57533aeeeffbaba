/*
 * test_iptrack.c - endpoint prediction (iptrack.h), after v1.8.24's
 * iptrack_test.go: the minimum of statements, one vote per sender, the
 * majority, the window, the full-cone check, and the bound on senders;
 * and the local node's endpoint as a router gives it (localnode.h).
 */
#include <string.h>

#include <p2p/iptrack.h>
#include <p2p/localnode.h>
#include <p2p/p2p.h>
#include <p2p/secp.h>

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

static int nmoved;

static void
moved(void *arg, const struct p2p_node *self, int source)
{
	(void)arg;
	(void)self;
	(void)source;
	nmoved++;
}

/* A router's address and ports are one change, told once; the same
 * endpoint again is no change. */
static void
test_announce(void)
{
	struct p2p_localnode *ln;
	struct p2p_privkey key;
	struct p2p_endpoint lan = ep(1, 1, 0), wan = ep(7, 7, 0);
	const struct p2p_node *self;

	CHECK_INT(p2p_secp_keygen(&key), 0);
	CHECK_INT(p2p_localnode_new(&ln, &key, NULL), 0);
	p2p_localnode_set_ip(ln, &lan.ip);
	p2p_localnode_set_udp(ln, 30303);
	p2p_localnode_set_tcp(ln, 30303);
	p2p_localnode_on_endpoint(ln, moved, NULL);
	nmoved = 0;
	p2p_localnode_announce(ln, &wan.ip, 40000, 40001);
	CHECK_INT(nmoved, 1);
	self = p2p_localnode_node(ln);
	CHECK(memcmp(&self->ip, &wan.ip, sizeof(wan.ip)) == 0);
	CHECK_INT(self->tcp, 40000);
	CHECK_INT(self->udp, 40001);
	p2p_localnode_announce(ln, &wan.ip, 40000, 40001);
	CHECK_INT(nmoved, 1);
	/* A port alone is a change; 0 keeps the port as it is. */
	p2p_localnode_announce(ln, &wan.ip, 40002, 0);
	CHECK_INT(nmoved, 2);
	CHECK_INT(self->tcp, 40002);
	CHECK_INT(self->udp, 40001);
	p2p_localnode_free(ln);
}

const struct unit_test unit_iptrack[] = {
	{ "predict", test_predict },
	{ "full_cone", test_full_cone },
	{ "bounded", test_bounded },
	{ "announce", test_announce },
	{ NULL, NULL },
};
