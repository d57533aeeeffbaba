/*
 * fuzz_config.c - p2p-serverd's files: a node list (static-nodes.json,
 * trusted-nodes.json) and the config file.  A list of nodes to dial that
 * parses holds only complete, distinct nodes; a failure always says why and leaves no list;
 * every option the config file yields is a NUL-terminated string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2p/enode.h>

#include "../../cmd/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
option(void *arg, const char *name, const char *value, char *err,
    size_t errlen)
{
	size_t *count = arg;

	if (name == NULL || (value != NULL && strlen(value) >= 8192))
		abort();
	(*count)++;
	/* Refuse one option so the error path is fuzzed too. */
	if (strcmp(name, "refuse") == 0) {
		snprintf(err, errlen, "refused");
		return -1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2p_node *nodes;
	char err[512];
	size_t n, count = 0;

	err[0] = '\0';
	if (cfg_nodelist_parse("fuzz", (const char *)data, size, 1, &nodes,
	    &n, err, sizeof(err)) == 0) {
		if ((n == 0) != (nodes == NULL))
			abort();
		for (size_t i = 0; i < n; i++) {
			if (nodes[i].ip.len == 0 || nodes[i].tcp == 0)
				abort();
			for (size_t k = 0; k < i; k++)
				if (memcmp(&nodes[k].id, &nodes[i].id,
				    sizeof(nodes[i].id)) == 0)
					abort();
		}
		free(nodes);
	} else if (err[0] == '\0' || nodes != NULL || n != 0) {
		abort();
	}
	err[0] = '\0';
	if (cfg_config_parse("fuzz", (const char *)data, size, option, &count,
	    err, sizeof(err)) != 0 && err[0] == '\0')
		abort();
	return 0;
}
