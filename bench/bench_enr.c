/* bench_enr.c - ENR verification (text -> decode -> verify) and signing
 * (set id and key, hash, sign) of the EIP-778 example record. */
#include <string.h>

#include <p2p/enr.h>
#include <p2p/hex.h>

#include "bench.h"

void bench_enr(void);

static const char eip778[] = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MH"
    "cBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8"
    "AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8";
/* EIP-778's example key: a published test key, not a secret. */
static const char eip778_key[] =
    "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291";

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
	p2p_hex_decode_exact(key.b, sizeof(key.b), eip778_key, 64);
	n = 0;
	bad = 0;
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 100; i++) {
			p2p_enr_set_seq(&r, (uint64_t)n + i);
			bad += p2p_enr_sign(&r, &key) != 0;
		}
		n += 100;
	} while ((t = bench_cpu() - t0) < 1.0);
	bench_sink(r.sig, sizeof(r.sig));
	bench_emit("enr_sign", n / t, "record/s", t,
	    bad ? "\"errors\":true" : NULL);
	p2p_wipe(&key, sizeof(key));
}
