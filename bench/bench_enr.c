/* bench_enr.c - ENR verification (text -> decode -> verify) and signing. */
#include <string.h>

#include <p2p/enr.h>

#include "bench.h"

void bench_enr(void);

static const char eip778[] = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MH"
    "cBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8"
    "AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8";

void
bench_enr(void)
{
	struct p2p_privkey key;
	struct p2p_enr r;
	double t0 = bench_cpu(), t;
	long n = 0, bad = 0;

	do {
		for (int i = 0; i < 100; i++)
			bad += p2p_enr_parse(&r, eip778, strlen(eip778)) != 0;
		n += 100;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_emit("enr_parse_verify", n / t, "record/s", t,
	    bad ? "\"errors\":true" : NULL);
	p2p_secp_keygen(&key);
	n = 0;
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 100; i++) {
			p2p_enr_set_seq(&r, (uint64_t)n + i);
			p2p_enr_sign(&r, &key);
		}
		n += 100;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_emit("enr_sign", n / t, "record/s", t, NULL);
	p2p_wipe(&key, sizeof(key));
}
