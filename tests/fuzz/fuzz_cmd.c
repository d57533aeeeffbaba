/*
 * fuzz_cmd.c - the tools' line parsers: a session command (p2p-dial and
 * p2p-listen --session) and an input line that may be another tool's JSON
 * record; and a --nat value.  A command that parses must hold consistent
 * fields; an enode taken from a record must be inside it; a --nat value
 * that parses is one of its kinds, with an address where one is needed.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/enode.h>
#include <p2p/nat.h>

#include "../../cmd/cli.h"
#include "../../cmd/peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct peer_cmd pc;
	struct p2p_node n;
	const char *why = NULL, *s;
	size_t slen;
	json_t *hold;
	int rc;

	rc = peer_cmd_parse(&pc, (const char *)data, size, &why);
	if (rc == 0) {
		if (pc.type == PEER_CMD_SEND && (pc.data == NULL ||
		    strlen(pc.cap) >= sizeof(pc.cap)))
			abort();
		if (pc.type == PEER_CMD_DISCONNECT && pc.reason > 255)
			abort();
	} else if (why == NULL || pc.data != NULL) {
		abort();
	}
	peer_cmd_clear(&pc);
	rc = cli_input_enode((const char *)data, size, &s, &slen, &hold);
	if (rc == 1) {
		if (hold == NULL && (s != (const char *)data || slen != size))
			abort();
		(void)p2p_enode_parse(&n, s, slen);
	} else if (hold != NULL) {
		abort();
	}
	json_decref(hold);
	/* --nat takes a NUL-terminated argument. */
	if (size < 256 && memchr(data, 0, size) == NULL) {
		struct p2p_nat_spec spec;
		char arg[256], err[160];

		memcpy(arg, data, size);
		arg[size] = '\0';
		err[0] = '\0';
		if (p2p_nat_parse(&spec, arg, err, sizeof(err)) == 0) {
			if (spec.kind > P2P_NAT_PMP || (spec.kind ==
			    P2P_NAT_EXTIP && spec.ip.len == 0))
				abort();
		} else if (err[0] == '\0') {
			abort();
		}
	}
	return 0;
}
