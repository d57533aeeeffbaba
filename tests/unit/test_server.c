/*
 * test_server.c - the server's admission rule (each reason, and who
 * bypasses which limit), then two in-process servers on loopback: slot
 * accounting, subprotocol message codes relative to each protocol, the
 * useless-peer refusal and the client-quitting stop.
 */
#include <string.h>

#include <event2/event.h>

#include <p2p/server.h>

#include "unit.h"

#define GUARD_MS 60000	/* a hang guard only */

static void
test_admit(void)
{
	struct p2p_admit a = { .max_peers = 3, .max_inbound = 2 };

	CHECK_INT(p2p_server_admit(&a), 0);
	a.npeers = 3;
	CHECK_INT(p2p_server_admit(&a), P2P_DISC_TOO_MANY_PEERS);
	/* Static dials ignore MaxPeers, not the other checks. */
	a.flags = P2P_FLAG_STATIC_DIALED;
	CHECK_INT(p2p_server_admit(&a), 0);
	a.connected = 1;
	CHECK_INT(p2p_server_admit(&a), P2P_DISC_ALREADY_CONNECTED);
	a.connected = 0;
	a.self = 1;
	CHECK_INT(p2p_server_admit(&a), P2P_DISC_SELF);
	a.self = 0;
	/* Inbound: the inbound limit too, unless trusted. */
	a.flags = P2P_FLAG_INBOUND;
	a.npeers = 1;
	a.ninbound = 2;
	CHECK_INT(p2p_server_admit(&a), P2P_DISC_TOO_MANY_PEERS);
	a.flags |= P2P_FLAG_TRUSTED;
	CHECK_INT(p2p_server_admit(&a), 0);
	a.npeers = 10;
	CHECK_INT(p2p_server_admit(&a), 0);
	/* Trusted still cannot connect twice, nor to itself; too many is
	 * said before already connected (v1.8.24's order). */
	a.connected = 1;
	CHECK_INT(p2p_server_admit(&a), P2P_DISC_ALREADY_CONNECTED);
	a.flags = P2P_FLAG_DYN_DIALED;
	CHECK_INT(p2p_server_admit(&a), P2P_DISC_TOO_MANY_PEERS);
	a.npeers = 0;
	CHECK_INT(p2p_server_admit(&a), P2P_DISC_ALREADY_CONNECTED);
	a.connected = 0;
	a.self = 1;
	CHECK_INT(p2p_server_admit(&a), P2P_DISC_SELF);
}

/* ---- two servers ---- */

struct side {
	struct p2p_server *srv;
	struct p2p_protocol protos[2];
	unsigned adds, drops, fails, gone, stopped;
	int fail_err, fail_reason, gone_err, gone_reason;
	enum p2p_server_phase fail_phase;
	uint64_t got_code[2];
	size_t got_len[2];
	unsigned got[2];
	struct p2p_peer *peer;
};

static void
on_added(void *arg, struct p2p_peer *p)
{
	struct side *s = arg;

	s->peer = p;
}

static void
msg_x(void *arg, struct p2p_peer *p, uint64_t code, const uint8_t *d,
    size_t n)
{
	struct side *s = arg;

	(void)p;
	(void)d;
	s->got_code[0] = code;
	s->got_len[0] = n;
	s->got[0]++;
}

static void
msg_y(void *arg, struct p2p_peer *p, uint64_t code, const uint8_t *d,
    size_t n)
{
	struct side *s = arg;

	(void)p;
	(void)d;
	s->got_code[1] = code;
	s->got_len[1] = n;
	s->got[1]++;
}

static void
on_gone(void *arg, struct p2p_peer *p, int err, int reason)
{
	struct side *s = arg;

	(void)p;
	s->gone++;
	s->gone_err = err;
	s->gone_reason = reason;
	s->peer = NULL;
}

static void
on_event(void *arg, const struct p2p_server_ev *ev)
{
	struct side *s = arg;

	switch (ev->type) {
	case P2P_SERVER_EV_ADD:
		s->adds++;
		break;
	case P2P_SERVER_EV_DROP:
		s->drops++;
		break;
	case P2P_SERVER_EV_FAIL:
		s->fails++;
		s->fail_err = ev->err;
		s->fail_reason = ev->reason;
		s->fail_phase = ev->phase;
		break;
	case P2P_SERVER_EV_STOPPED:
		s->stopped++;
		break;
	default:
		break;
	}
}

static unsigned side_workers;	/* handshake threads for start_side */

static int
start_side(struct side *s, struct event_base *base, const char *xname,
    const struct p2p_node *stat)
{
	struct p2p_server_cfg cfg;
	struct p2p_privkey key;
	int rc;

	memset(s, 0, sizeof(*s));
	s->protos[0] = (struct p2p_protocol){ .name = xname, .version = 1,
	    .length = 3, .added = on_added, .msg = msg_x, .gone = on_gone,
	    .arg = s };
	s->protos[1] = (struct p2p_protocol){ .name = "yy", .version = 2,
	    .length = 2, .msg = msg_y, .arg = s };
	if ((rc = p2p_secp_keygen(&key)) != 0)
		return rc;
	p2p_server_cfg_init(&cfg);
	cfg.base = base;
	cfg.key = &key;
	cfg.name = "unit";
	cfg.protocols = s->protos;
	cfg.nprotocols = 2;
	cfg.no_discovery = 1;
	p2p_ip_parse(&cfg.listen_ip, "127.0.0.1", 9);
	cfg.listen_port = 0;
	cfg.static_nodes = stat;
	cfg.nstatic = stat != NULL;
	cfg.on_event = on_event;
	cfg.arg = s;
	cfg.workers = side_workers;
	if ((rc = p2p_server_new(&s->srv, &cfg)) == 0)
		rc = p2p_server_start(s->srv);
	return rc;
}

/* Runs the loop until *flag reaches want (or the hang guard). */
static int
run_until(struct event_base *base, const unsigned *flag, unsigned want)
{
	uint64_t end = unit_now_ms() + GUARD_MS;
	struct timeval slice = { 0, 20000 };

	while (*flag < want && unit_now_ms() < end) {
		event_base_loopexit(base, &slice);
		event_base_dispatch(base);
	}
	return *flag >= want;
}

static void
test_two_servers(void)
{
	struct event_base *base = event_base_new();
	struct side a, b;
	struct p2p_server_counts c;
	static const uint8_t payload[] = { 0xc3, 0x01, 0x02, 0x03 };

	CHECK_INT(start_side(&a, base, "xx", NULL), 0);
	CHECK_INT(start_side(&b, base, "xx", p2p_server_self(a.srv)), 0);
	CHECK_INT(p2p_server_start(a.srv), P2P_ESTATE);
	CHECK(run_until(base, &a.adds, 1));
	CHECK(run_until(base, &b.adds, 1));
	p2p_server_counts(a.srv, &c);
	CHECK_INT(c.peers, 1);
	CHECK_INT(c.inbound, 1);
	CHECK_INT(c.outbound, 0);
	CHECK_INT(c.pending, 0);
	CHECK_INT(c.max_peers, 25);
	/* No discovery: nothing dialed dynamically, all slots inbound. */
	CHECK_INT(c.max_dialed, 0);
	CHECK_INT(c.max_inbound, 25);
	p2p_server_counts(b.srv, &c);
	CHECK_INT(c.outbound, 1);
	CHECK(p2p_peer_flags(b.peer) & P2P_FLAG_STATIC_DIALED);
	/* Codes are each protocol's own: yy's 1 arrives as 1, xx's 2 as 2,
	 * whatever offsets the Hellos gave them. */
	CHECK_INT(p2p_peer_send(b.peer, &b.protos[1], 1, payload,
	    sizeof(payload)), 0);
	CHECK_INT(p2p_peer_send(a.peer, &a.protos[0], 2, payload, 1), 0);
	CHECK_INT(p2p_peer_send(a.peer, &a.protos[0], 3, payload, 1),
	    P2P_EINVAL);
	CHECK(run_until(base, &a.got[1], 1));
	CHECK(run_until(base, &b.got[0], 1));
	CHECK_INT(a.got_code[1], 1);
	CHECK_INT(a.got_len[1], sizeof(payload));
	CHECK_INT(b.got_code[0], 2);
	CHECK_INT(a.got[0] + b.got[1], 0);
	/* Stop: the peer hears client quitting; A reports STOPPED. */
	p2p_server_stop(a.srv);
	CHECK(run_until(base, &a.stopped, 1));
	CHECK(run_until(base, &b.gone, 1));
	CHECK_INT(b.gone_err, P2P_EDISCONNECTED);
	CHECK_INT(b.gone_reason, P2P_DISC_QUITTING);
	CHECK_INT(a.drops, 1);
	p2p_server_free(a.srv);
	p2p_server_free(b.srv);
	event_base_free(base);
}

/* The same with the handshakes' crypto on worker threads. */
static void
test_two_servers_workers(void)
{
	side_workers = 2;
	test_two_servers();
	side_workers = 0;
}

static void
test_useless_peer(void)
{
	struct event_base *base = event_base_new();
	struct side a, b;

	/* b runs only zz/1, which a does not: a useless peer to a. */
	CHECK_INT(start_side(&a, base, "xx", NULL), 0);
	memset(&b, 0, sizeof(b));
	{
		struct p2p_server_cfg cfg;
		struct p2p_privkey key;

		b.protos[0] = (struct p2p_protocol){ .name = "zz",
		    .version = 1, .length = 1, .arg = &b };
		CHECK_INT(p2p_secp_keygen(&key), 0);
		p2p_server_cfg_init(&cfg);
		cfg.base = base;
		cfg.key = &key;
		cfg.protocols = b.protos;
		cfg.nprotocols = 1;
		cfg.no_discovery = 1;
		cfg.listen = 0;
		cfg.static_nodes = p2p_server_self(a.srv);
		cfg.nstatic = 1;
		cfg.on_event = on_event;
		cfg.arg = &b;
		CHECK_INT(p2p_server_new(&b.srv, &cfg), 0);
		CHECK_INT(p2p_server_start(b.srv), 0);
	}
	CHECK(run_until(base, &a.fails, 1));
	CHECK(run_until(base, &b.fails, 1));
	CHECK_INT(a.fail_err, P2P_EUSELESS);
	CHECK_INT(a.fail_reason, P2P_DISC_USELESS_PEER);
	CHECK_INT(a.fail_phase, P2P_SERVER_PHASE_ADD);
	CHECK_INT(b.fail_reason, P2P_DISC_USELESS_PEER);
	CHECK_INT(a.adds + b.adds, 0);
	p2p_server_free(a.srv);
	p2p_server_free(b.srv);
	event_base_free(base);
}

/* An operator's "connect now" (p2p_connect) and run-time limits. */
static void
test_dial_now_and_limits(void)
{
	struct event_base *base = event_base_new();
	struct side a, b;
	struct p2p_server_counts c;
	struct p2p_node n;

	CHECK_INT(start_side(&a, base, "xx", NULL), 0);
	CHECK_INT(start_side(&b, base, "xx", NULL), 0);
	/* Checks made before any dial. */
	n = *p2p_server_self(b.srv);
	CHECK_INT(p2p_server_dial(b.srv, &n), P2P_ESELF);
	n = *p2p_server_self(a.srv);
	n.tcp = 0;
	CHECK_INT(p2p_server_dial(b.srv, &n), P2P_EINVAL);
	n = *p2p_server_self(a.srv);
	CHECK_INT(p2p_server_dial(b.srv, &n), 0);
	CHECK_INT(p2p_server_dial(b.srv, &n), P2P_EDIALING);
	CHECK(run_until(base, &b.adds, 1));
	CHECK(run_until(base, &a.adds, 1));
	CHECK_INT(p2p_server_dial(b.srv, &n), P2P_ECONNECTED);
	/* A dial outside the scheduler is a static dial, not kept static. */
	CHECK(p2p_peer_flags(b.peer) & P2P_FLAG_STATIC_DIALED);
	p2p_server_counts(b.srv, &c);
	CHECK_INT(c.statics, 0);
	CHECK_INT(c.outbound, 1);
	/* Limits: lowered below the peers connected, the peer stays and
	 * the next inbound connection is refused. */
	CHECK_INT(p2p_server_set_limits(a.srv, 1, 7, -1), 0);
	p2p_server_counts(a.srv, &c);
	CHECK_INT(c.max_peers, 1);
	CHECK_INT(c.max_inbound, 1);
	CHECK_INT(c.max_pending, 7);
	CHECK_INT(c.peers, 1);
	CHECK_INT(p2p_server_set_limits(a.srv, -1, 0, -1), P2P_EINVAL);
	CHECK_INT(p2p_server_set_limits(a.srv, -1, -1, 0), P2P_EINVAL);
	CHECK_INT(p2p_server_set_limits(a.srv, 0, -1, -1), 0);
	{
		struct side d;

		CHECK_INT(start_side(&d, base, "xx", NULL), 0);
		CHECK_INT(p2p_server_dial(d.srv, &n), 0);
		CHECK(run_until(base, &d.fails, 1));
		CHECK_INT(d.fail_reason, P2P_DISC_TOO_MANY_PEERS);
		CHECK_INT(d.adds, 0);
		p2p_server_free(d.srv);
	}
	p2p_server_stop(b.srv);
	CHECK_INT(p2p_server_dial(b.srv, &n), P2P_ESTATE);
	p2p_server_free(a.srv);
	p2p_server_free(b.srv);
	event_base_free(base);
}

static void
test_bad_config(void)
{
	struct p2p_server_cfg cfg;
	struct p2p_server *s;
	struct p2p_privkey key;
	struct p2p_protocol p = { .name = "", .version = 1, .length = 1 };
	struct event_base *base = event_base_new();

	p2p_server_cfg_init(&cfg);
	cfg.base = base;
	CHECK_INT(p2p_server_new(&s, &cfg), P2P_EINVAL);	/* no key */
	CHECK(s == NULL);
	memset(&key, 0, sizeof(key));
	cfg.key = &key;
	CHECK_INT(p2p_server_new(&s, &cfg), P2P_EPRIVKEY);
	CHECK_INT(p2p_secp_keygen(&key), 0);
	cfg.protocols = &p;
	cfg.nprotocols = 1;
	CHECK_INT(p2p_server_new(&s, &cfg), P2P_EINVAL);	/* no name */
	cfg.nprotocols = 0;
	cfg.max_peers = -1;
	CHECK_INT(p2p_server_new(&s, &cfg), P2P_EINVAL);
	event_base_free(base);
}

const struct unit_test unit_server[] = {
	{ "admit", test_admit },
	{ "two_servers", test_two_servers },
	{ "two_servers_workers", test_two_servers_workers },
	{ "useless_peer", test_useless_peer },
	{ "dial_now_and_limits", test_dial_now_and_limits },
	{ "bad_config", test_bad_config },
	{ NULL, NULL },
};
