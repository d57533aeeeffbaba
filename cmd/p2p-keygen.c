/*
 * p2p-keygen - node keys and what they stand for: creates a key (like
 * geth's bootnode -genkey), prints the identity of an existing key as an
 * enode URL and a signed ENR (like bootnode -writeaddress and devp2p key
 * to-enode/to-enr), and decodes enode URLs and records (like devp2p
 * enrdump).  Every result is one NDJSON record on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <p2p/enode.h>
#include <p2p/enr.h>
#include <p2p/hex.h>
#include <p2p/json.h>
#include <p2p/keyfile.h>

#include "cli.h"

static const char usage[] =
    "p2p-keygen [-o FILE [-f]] [--nodekey FILE | --nodekeyhex HEX]\n"
    "                  [--ip ADDR] [--tcp PORT] [--udp PORT] [--seq N]"
    " [--print-secret]\n"
    "       p2p-keygen -d [INPUT ...]";

static const char options[] =
    "Without --nodekey or --nodekeyhex a new key is generated.\n"
    "  -o, --out FILE       write the key to FILE (64 hex chars, mode 0600)\n"
    "  -f, --force          overwrite FILE if it exists\n"
    "      --nodekey FILE   use the key in FILE\n"
    "      --nodekeyhex HEX use the key given as 64 hex chars\n"
    "      --ip ADDR        IPv4 or IPv6 address for the enode URL and ENR\n"
    "      --tcp PORT       TCP (RLPx) port; 0 leaves it out of the ENR\n"
    "      --udp PORT       UDP (discovery) port; 0 leaves it out of the ENR\n"
    "      --seq N          ENR sequence number (default 1)\n"
    "      --print-secret   include the private key in the record\n"
    "  -d, --decode         decode enode URLs, enr: records and 128-hex node\n"
    "                       IDs from the arguments or stdin, one per line\n"
    "  -h, --help           show this help\n"
    "  -V, --version        show the version\n";

struct opts {
	const char *out;
	const char *nodekey;
	const char *nodekeyhex;
	int force;
	int print_secret;
	int decode;
	struct p2p_ip ip;
	uint16_t tcp;
	uint16_t udp;
	uint64_t seq;
};

enum { OPT_NODEKEY = 256, OPT_NODEKEYHEX, OPT_IP, OPT_TCP, OPT_UDP, OPT_SEQ,
	OPT_PRINT_SECRET };

static const struct option longopts[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "nodekey", required_argument, NULL, OPT_NODEKEY },
	{ "nodekeyhex", required_argument, NULL, OPT_NODEKEYHEX },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "tcp", required_argument, NULL, OPT_TCP },
	{ "udp", required_argument, NULL, OPT_UDP },
	{ "seq", required_argument, NULL, OPT_SEQ },
	{ "print-secret", no_argument, NULL, OPT_PRINT_SECRET },
	{ "decode", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
parse_value(struct opts *o, int c, const char *arg)
{
	int bad = 0;

	switch (c) {
	case OPT_IP:
		bad = p2p_ip_parse(&o->ip, arg, strlen(arg)) != 0;
		break;
	case OPT_TCP:
		bad = cli_parse_port(arg, &o->tcp) != 0;
		break;
	case OPT_UDP:
		bad = cli_parse_port(arg, &o->udp) != 0;
		break;
	case OPT_SEQ:
		bad = cli_parse_u64(arg, &o->seq) != 0;
		break;
	}
	for (const struct option *lo = longopts; bad && lo->name; lo++)
		if (lo->val == c)
			cli_usage_error(usage, "invalid value '%s' for --%s",
			    arg, lo->name);
}

static int
parse_args(struct opts *o, int argc, char **argv)
{
	int c, addr = 0;

	o->seq = 1;
	while ((c = getopt_long(argc, argv, "o:fdhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'f': o->force = 1; break;
		case 'd': o->decode = 1; break;
		case OPT_NODEKEY: o->nodekey = optarg; break;
		case OPT_NODEKEYHEX: o->nodekeyhex = optarg; break;
		case OPT_PRINT_SECRET: o->print_secret = 1; break;
		case OPT_IP: case OPT_TCP: case OPT_UDP: case OPT_SEQ:
			parse_value(o, c, optarg);
			addr = 1;
			break;
		case 'h': cli_help(usage, options);
		case 'V': cli_version();
		default: cli_usage_error(usage, "unknown or incomplete option");
		}
	}
	if (o->decode && (o->out || o->nodekey || o->nodekeyhex || addr ||
	    o->print_secret || o->force))
		cli_usage_error(usage, "--decode takes no key options");
	if (!o->decode && optind < argc)
		cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (o->nodekey && o->nodekeyhex)
		cli_usage_error(usage, "give --nodekey or --nodekeyhex, not both");
	if (o->force && !o->out)
		cli_usage_error(usage, "--force needs --out");
	return optind;
}

/* The signed record and URL for key: the "key" record. */
static int
describe_key(const struct opts *o, const struct p2p_privkey *key)
{
	char text[P2P_ENR_TEXT_MAX];
	size_t textlen = sizeof(text);
	struct p2p_node node = { .ip = o->ip, .tcp = o->tcp, .udp = o->udp };
	struct p2p_enr r;
	json_t *rec, *n;
	int rc;

	p2p_secp_pubkey(&node.pub, key);
	p2p_enode_id(&node.id, &node.pub);
	p2p_enr_init(&r);
	p2p_enr_set_seq(&r, o->seq);
	rc = o->ip.len ? p2p_enr_set_ip(&r, &o->ip) : 0;
	if (rc == 0 && o->tcp)
		rc = p2p_enr_set_uint(&r, "tcp", o->tcp);
	if (rc == 0 && o->udp)
		rc = p2p_enr_set_uint(&r, "udp", o->udp);
	if (rc == 0)
		rc = p2p_enr_sign(&r, key);
	if (rc == 0)
		rc = p2p_enr_format(&r, text, &textlen);
	if (rc != 0) {
		cli_warn("cannot build the node record: %s", p2p_strerror(rc));
		return -1;
	}
	rec = cli_record("key");
	n = p2p_json_node(&node);
	json_object_update(rec, n);
	json_decref(n);
	json_object_set_new(rec, "enr", json_string(text));
	json_object_set_new(rec, "seq", p2p_json_uint(o->seq));
	if (o->out)
		json_object_set_new(rec, "file", json_string(o->out));
	if (o->print_secret)
		p2p_json_set_hex(rec, "secret", key->b, sizeof(key->b));
	return cli_emit(rec);
}

static int
keygen(const struct opts *o)
{
	struct p2p_privkey key;
	int rc = -1, err;

	if (o->nodekey || o->nodekeyhex) {
		if (cli_load_key(&key, o->nodekey, o->nodekeyhex) != 0)
			return CLI_FAIL;
	} else if ((err = p2p_secp_keygen(&key)) != 0) {
		cli_warn("cannot generate a key: %s", p2p_strerror(err));
		return CLI_FAIL;
	}
	if (o->out && (err = p2p_keyfile_save(o->out, &key, o->force)) != 0) {
		if (err == P2P_EEXIST)
			cli_warn("'%s' exists; use --force to replace it",
			    o->out);
		else
			cli_warn("cannot write key file '%s': %s", o->out,
			    strerror(errno));
		goto cleanup;
	}
	rc = describe_key(o, &key);
cleanup:
	p2p_wipe(&key, sizeof(key));
	return rc == 0 ? CLI_OK : CLI_FAIL;
}

/* An enode URL or enr: text, decoded into *body. */
static int
decode_text(const char *in, size_t len, json_t **body)
{
	struct p2p_enr r;
	struct p2p_node node;
	int rc;

	*body = NULL;
	if (len >= 4 && memcmp(in, "enr:", 4) == 0) {
		if ((rc = p2p_enr_parse(&r, in, len)) == 0)
			*body = p2p_json_enr(&r);
	} else if ((rc = p2p_enode_parse(&node, in, len)) == 0) {
		*body = p2p_json_node(&node);
	}
	return rc;
}

/* One input of --decode: an "enr" or a "node" record, or an error.  A
 * line that is another tool's record is decoded at its "enr" (or
 * "enode") member, as every tool reads records. */
static int
decode_one(const char *in, size_t len, void *arg)
{
	static const char *const names[] = { "enr", "enode", NULL };
	json_t *rec, *body = NULL, *hold = NULL;
	const char *line = in;
	size_t linelen = len;
	int rc;

	(void)arg;
	if ((rc = cli_input_member(line, linelen, names, &in, &len,
	    &hold)) == 0)
		return 0;	/* a record naming no node: a summary */
	if (rc < 0) {
		cli_emit(cli_error_record(line, linelen, rc, "a record line "
		    "with no usable \"enr\" or \"enode\" member"));
		return -1;
	}
	rc = decode_text(in, len, &body);
	if (rc != 0) {
		cli_emit(cli_error_record(in, len, rc, NULL));
		json_decref(hold);
		return -1;
	}
	rec = cli_record(len >= 4 && memcmp(in, "enr:", 4) == 0 ? "enr" :
	    "node");
	json_object_set_new(rec, "input", cli_json_text(in, len));
	json_object_update(rec, body);
	json_decref(body);
	json_decref(hold);
	return cli_emit(rec);
}


int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	int first, failed;

	cli_init("p2p-keygen");
	first = parse_args(&o, argc, argv);
	if (!o.decode)
		return keygen(&o);
	failed = cli_each_input(argc - first, argv + first, decode_one, NULL);
	return failed == 0 ? CLI_OK : CLI_FAIL;
}
