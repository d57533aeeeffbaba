/*
 * echo-proto - embedding libp2pcore's server: two servers in one process
 * on loopback, each running a tiny subprotocol "echo/1" with two
 * messages (0: ping-text, 1: echo-text).  B dials A as a static node;
 * when they are peers A sends a text, B echoes it, A prints it and both
 * stop.  Build: cc echo-proto.c $(pkg-config --cflags --libs libp2pcore)
 *
 * What it shows: a protocol is registered as name, version, length and
 * callbacks; message codes are the protocol's own (0, 1): the server
 * offsets them by what the Hellos negotiated.
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include <p2p/server.h>

enum { MSG_PING, MSG_ECHO, MSG_COUNT };

struct node {
	const char *name;
	struct p2p_server *srv;
	struct p2p_protocol proto;
	struct event_base *base;
	int done;
};

static void
added(void *arg, struct p2p_peer *p)
{
	struct node *n = arg;
	static const char text[] = "hello through echo/1";

	printf("%s: peer %s added\n", n->name, p2p_peer_hello(p)->client);
	/* The dialed side (A) starts the exchange. */
	if (p2p_peer_flags(p) & P2P_FLAG_INBOUND)
		p2p_peer_send(p, &n->proto, MSG_PING, (const uint8_t *)text,
		    sizeof(text) - 1);
}

static void
msg(void *arg, struct p2p_peer *p, uint64_t code, const uint8_t *data,
    size_t len)
{
	struct node *n = arg;

	if (code == MSG_PING) {
		printf("%s: got ping \"%.*s\", echoing\n", n->name, (int)len,
		    (const char *)data);
		p2p_peer_send(p, &n->proto, MSG_ECHO, data, len);
	} else if (code == MSG_ECHO) {
		printf("%s: got echo \"%.*s\"\n", n->name, (int)len,
		    (const char *)data);
		n->done = 1;
		/* Stop the loop: main stops both servers. */
		event_base_loopbreak(n->base);
	}
}

static void
gone(void *arg, struct p2p_peer *p, int err, int reason)
{
	struct node *n = arg;

	(void)p;
	printf("%s: peer gone (%s, reason %d)\n", n->name, p2p_strerror(err),
	    reason);
}

static void
on_event(void *arg, const struct p2p_server_ev *ev)
{
	struct node *n = arg;

	if (ev->type == P2P_SERVER_EV_FAIL)
		fprintf(stderr, "%s: connection failed: %s\n", n->name,
		    p2p_strerror(ev->err));
}

static int
start(struct node *n, struct event_base *base, const struct p2p_node *stat)
{
	struct p2p_server_cfg cfg;
	struct p2p_privkey key;
	int rc;

	n->base = base;
	n->proto = (struct p2p_protocol){ .name = "echo", .version = 1,
	    .length = MSG_COUNT, .added = added, .msg = msg, .gone = gone,
	    .arg = n };
	if ((rc = p2p_secp_keygen(&key)) != 0)
		return rc;
	p2p_server_cfg_init(&cfg);
	cfg.base = base;
	cfg.key = &key;
	cfg.name = n->name;
	cfg.protocols = &n->proto;
	cfg.nprotocols = 1;
	cfg.no_discovery = 1;
	p2p_ip_parse(&cfg.listen_ip, "127.0.0.1", 9);
	cfg.listen_port = 0;		/* any free port */
	cfg.static_nodes = stat;
	cfg.nstatic = stat != NULL;
	cfg.on_event = on_event;
	cfg.arg = n;
	if ((rc = p2p_server_new(&n->srv, &cfg)) == 0)
		rc = p2p_server_start(n->srv);
	p2p_wipe(&key, sizeof(key));
	return rc;
}

int
main(void)
{
	struct event_base *base = event_base_new();
	struct node a = { .name = "A" }, b = { .name = "B" };
	struct timeval guard = { 60, 0 };
	int rc;

	if (base == NULL)
		return 1;
	if ((rc = start(&a, base, NULL)) != 0 ||
	    (rc = start(&b, base, p2p_server_self(a.srv))) != 0) {
		fprintf(stderr, "cannot start: %s\n", p2p_strerror(rc));
		return 1;
	}
	/* A hang guard only: the exchange ends the loop. */
	event_base_loopexit(base, &guard);
	event_base_dispatch(base);
	p2p_server_free(a.srv);
	p2p_server_free(b.srv);
	event_base_free(base);
	return a.done ? 0 : 1;
}
