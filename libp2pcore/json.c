/*
 * json.c - JSON forms of keys, nodes and records, shared by every tool so
 * the NDJSON schema is defined once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2p/hex.h>
#include <p2p/json.h>
#include <p2p/nat.h>

/* Sets key to prefix followed by the hex of n bytes at p. */
static int
set_hex(json_t *obj, const char *key, const uint8_t *p, size_t n,
    const char *prefix)
{
	size_t plen = strlen(prefix);
	char *s = malloc(plen + 2 * n + 1);
	int rc;

	if (s == NULL)
		return -1;
	memcpy(s, prefix, plen);
	p2p_hex_encode(s + plen, p, n);
	rc = json_object_set_new(obj, key, json_string(s));
	free(s);
	return rc;
}

int
p2p_json_set_hex(json_t *obj, const char *key, const uint8_t *p, size_t n)
{
	return set_hex(obj, key, p, n, "");
}

int
p2p_json_set_data(json_t *obj, const char *key, const uint8_t *p, size_t n)
{
	return set_hex(obj, key, p, n, "0x");
}

static json_t *
ip_json(const struct p2p_ip *ip)
{
	char s[64];

	if (ip->len == 0)
		return json_null();
	p2p_ip_format(s, ip);
	return json_string(s);
}

json_t *
p2p_json_uint(uint64_t v)
{
	char s[24];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	/* jansson integers are signed 64-bit; keep the value exact. */
	snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
	return json_string(s);
}

json_t *
p2p_json_node(const struct p2p_node *node)
{
	char url[P2P_ENODE_URL_MAX];
	size_t len = sizeof(url);
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	p2p_json_set_hex(o, "id", node->id.b, sizeof(node->id.b));
	p2p_json_set_hex(o, "pubkey", node->pub.b, sizeof(node->pub.b));
	if (p2p_enode_format(url, &len, node) == 0)
		json_object_set_new(o, "enode", json_string(url));
	json_object_set_new(o, "ip", ip_json(&node->ip));
	json_object_set_new(o, "tcp", json_integer(node->tcp));
	json_object_set_new(o, "udp", json_integer(node->udp));
	json_object_set_new(o, "complete", json_boolean(node->ip.len != 0));
	return o;
}

/* A record key as a JSON object key: text if printable ASCII, else 0x and
 * hex.  A printable key that itself starts "0x" is written in hex too, so
 * the key "0x01" and the byte 0x01 can never share a member (and one pair
 * hide another). */
static void
pair_key(char *out, const uint8_t *k, size_t klen)
{
	size_t i;

	for (i = 0; i < klen; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			break;
	if (klen > 0 && i == klen && !(klen >= 2 && k[0] == '0' &&
	    k[1] == 'x')) {
		memcpy(out, k, klen);
		out[klen] = '\0';
		return;
	}
	memcpy(out, "0x", 2);
	p2p_hex_encode(out + 2, k, klen);
}

static void
add_pairs(json_t *o, const struct p2p_enr *r)
{
	char key[2 * P2P_ENR_MAX_SIZE + 3];
	const uint8_t *k, *v;
	size_t klen, vlen;
	json_t *pairs = json_object();

	for (unsigned i = 0; i < r->npairs; i++) {
		p2p_enr_pair_at(r, i, &k, &klen, &v, &vlen);
		pair_key(key, k, klen);
		p2p_json_set_data(pairs, key, v, vlen);
	}
	json_object_set_new(o, "pairs", pairs);
}

/* The optional typed fields a record may carry besides its endpoint. */
static void
add_typed(json_t *o, const struct p2p_enr *r)
{
	static const char *ports[] = { "tcp6", "udp6" };
	struct p2p_ip ip6;
	char id[16];
	uint16_t port;

	if (p2p_enr_get_id(r, id) == 0)
		json_object_set_new(o, "scheme", json_string(id));
	if (p2p_enr_get_ip6(r, &ip6) == 0)
		json_object_set_new(o, "ip6", ip_json(&ip6));
	for (size_t i = 0; i < 2; i++)
		if (p2p_enr_get_port(r, ports[i], &port) == 0)
			json_object_set_new(o, ports[i], json_integer(port));
}

json_t *
p2p_json_enr(const struct p2p_enr *r)
{
	uint8_t raw[P2P_ENR_MAX_SIZE];
	char text[P2P_ENR_TEXT_MAX];
	size_t rawlen = sizeof(raw), textlen = sizeof(text);
	struct p2p_node node;
	json_t *o;

	if (p2p_enr_to_node(r, &node) == 0)
		o = p2p_json_node(&node);
	else
		o = json_object();
	if (o == NULL)
		return NULL;
	if (p2p_enr_format(r, text, &textlen) == 0)
		json_object_set_new(o, "enr", json_string(text));
	json_object_set_new(o, "seq", p2p_json_uint(r->seq));
	add_typed(o, r);
	if (r->has_sig == 1)
		p2p_json_set_hex(o, "signature", r->sig, sizeof(r->sig));
	if (p2p_enr_encode(r, raw, &rawlen) == 0)
		p2p_json_set_data(o, "rlp", raw, rawlen);
	add_pairs(o, r);
	return o;
}

json_t *
p2p_json_nat_event(const struct p2p_nat_ev *ev)
{
	static const char *const names[] = { "", "searching", "found",
		"not-found", "mapped", "failed", "removed", "external" };
	json_t *o = json_object();
	char ipt[64];

	json_object_set_new(o, "event", json_string(
	    (unsigned)ev->type < sizeof(names) / sizeof(names[0]) ?
	    names[ev->type] : ""));
	json_object_set_new(o, "method", ev->method ?
	    json_string(ev->method) : json_null());
	if (ev->gateway.len != 0) {
		p2p_ip_format(ipt, &ev->gateway);
		json_object_set_new(o, "gateway", json_string(ipt));
	}
	if (ev->ext_ip.len != 0) {
		p2p_ip_format(ipt, &ev->ext_ip);
		json_object_set_new(o, "external_ip", json_string(ipt));
	}
	if (ev->proto != NULL) {
		json_object_set_new(o, "proto", json_string(ev->proto));
		json_object_set_new(o, "internal_port",
		    json_integer(ev->int_port));
		json_object_set_new(o, "external_port",
		    json_integer(ev->ext_port));
	}
	if (ev->type == P2P_NAT_EV_MAPPED)
		json_object_set_new(o, "lifetime",
		    json_integer((json_int_t)ev->lifetime_s));
	if (ev->type == P2P_NAT_EV_EXTERNAL) {
		json_object_set_new(o, "tcp", json_integer(ev->ext_tcp));
		json_object_set_new(o, "udp", json_integer(ev->ext_udp));
	}
	if (ev->type == P2P_NAT_EV_FAILED) {
		json_object_set_new(o, "step", json_string(ev->step));
		json_object_set_new(o, "code", json_integer(ev->code));
	}
	if (ev->detail != NULL)
		json_object_set_new(o, "detail", json_string(ev->detail));
	return o;
}
