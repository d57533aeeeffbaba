/*
 * fuzz_enode.c - enode URL and IP parsing: an accepted URL formats to a
 * URL that parses to the same node; an accepted IP formats to text that
 * parses to the same address.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/enode.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2p_node a, b;
	struct p2p_ip ip, ip2;
	char url[P2P_ENODE_URL_MAX], s[46];
	size_t len = sizeof(url);

	if (p2p_ip_parse(&ip, (const char *)data, size) == 0) {
		p2p_ip_format(s, &ip);
		if (p2p_ip_parse(&ip2, s, strlen(s)) != 0 ||
		    memcmp(&ip, &ip2, sizeof(ip)) != 0)
			abort();
	}
	if (p2p_enode_parse(&a, (const char *)data, size) != 0)
		return 0;
	if (p2p_enode_format(url, &len, &a) != 0 ||
	    p2p_enode_parse(&b, url, len) != 0 ||
	    memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	return 0;
}
