/* test_keyfile.c - node key files: exact parsing, 0600, no overwrite. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <p2p/keyfile.h>

#include "unit.h"

#define EIP778_KEY \
	"b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"
#define CURVE_N \
	"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"

static char dir[64];

static void
mkdir_tmp(void)
{
	unit_mkdtemp(dir, sizeof(dir), "keyfile");
}

static void
rm_tmp(void)
{
	unit_rmdir(dir);
}

static void
write_file(const char *path, const char *data, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		abort();
	close(fd);
}

static int
count_files(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	while (d && (de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void
test_parse(void)
{
	struct p2p_privkey k;

	CHECK_INT(p2p_keyfile_parse(&k, EIP778_KEY, 64), 0);
	CHECK_HEX(k.b, 32, EIP778_KEY);
	CHECK_INT(p2p_keyfile_parse(&k, "0x" EIP778_KEY, 66), 0);
	CHECK_INT(p2p_keyfile_parse(&k, EIP778_KEY, 63), P2P_EKEYFILE);
	CHECK_INT(p2p_keyfile_parse(&k, EIP778_KEY "00", 66), P2P_EKEYFILE);
	CHECK_INT(p2p_keyfile_parse(&k, EIP778_KEY " ", 65), P2P_EKEYFILE);
	CHECK_INT(p2p_keyfile_parse(&k, "zz1c71a67e1177ad4e901695e1b4b9ee17ae1"
	    "6c6668d313eac2f96dbcda3f291", 64), P2P_EKEYFILE);
	CHECK_INT(p2p_keyfile_parse(&k, "0000000000000000000000000000000000"
	    "000000000000000000000000000000", 64), P2P_EPRIVKEY);
	CHECK_INT(p2p_keyfile_parse(&k, CURVE_N, 64), P2P_EPRIVKEY);
	/* The key is wiped when parsing fails. */
	CHECK_HEX(k.b, 32, "0000000000000000000000000000000000000000000000"
	    "000000000000000000");
}

static void
test_save_load(void)
{
	struct p2p_privkey k, got;
	struct stat st;
	char path[128];
	unsigned mode = 0;
	uint8_t *buf;
	size_t n;

	mkdir_tmp();
	snprintf(path, sizeof(path), "%s/nodekey", dir);
	CHECK_INT(p2p_keyfile_parse(&k, EIP778_KEY, 64), 0);
	CHECK_INT(p2p_keyfile_save(path, &k, 0), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	buf = unit_read_file(path, &n);
	/* geth's nodekey format: 64 hex characters, no newline. */
	CHECK(buf != NULL && n == 64 && memcmp(buf, EIP778_KEY, 64) == 0);
	free(buf);
	CHECK_INT(p2p_keyfile_load(&got, path, &mode), 0);
	CHECK_INT(mode, 0600);
	CHECK_HEX(got.b, 32, EIP778_KEY);
	CHECK_INT(count_files(), 1);	/* no temporary left behind */

	/* Never overwritten without force; replaced with it. */
	CHECK_INT(p2p_secp_keygen(&k), 0);
	CHECK_INT(p2p_keyfile_save(path, &k, 0), P2P_EEXIST);
	CHECK_INT(p2p_keyfile_load(&got, path, NULL), 0);
	CHECK_HEX(got.b, 32, EIP778_KEY);
	CHECK_INT(p2p_keyfile_save(path, &k, 1), 0);
	CHECK_INT(p2p_keyfile_load(&got, path, NULL), 0);
	CHECK(memcmp(got.b, k.b, 32) == 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(count_files(), 1);

	/* Writing into a missing directory fails with errno. */
	snprintf(path, sizeof(path), "%s/missing/nodekey", dir);
	errno = 0;
	CHECK_INT(p2p_keyfile_save(path, &k, 0), P2P_EIO);
	CHECK_INT(errno, ENOENT);
	rm_tmp();
}

static void
test_load_bad(void)
{
	struct p2p_privkey k;
	char path[128], big[300];
	unsigned mode = 0;

	mkdir_tmp();
	snprintf(path, sizeof(path), "%s/k", dir);
	write_file(path, EIP778_KEY "\n", 65, 0644);
	CHECK_INT(p2p_keyfile_load(&k, path, &mode), 0);
	CHECK_INT(mode & 077, 044);	/* the caller warns about this */
	write_file(path, EIP778_KEY "\r\n", 66, 0600);
	CHECK_INT(p2p_keyfile_load(&k, path, NULL), 0);
	write_file(path, EIP778_KEY "\n\n", 66, 0600);
	CHECK_INT(p2p_keyfile_load(&k, path, NULL), P2P_EKEYFILE);
	write_file(path, EIP778_KEY "x", 65, 0600);
	CHECK_INT(p2p_keyfile_load(&k, path, NULL), P2P_EKEYFILE);
	write_file(path, "", 0, 0600);
	CHECK_INT(p2p_keyfile_load(&k, path, NULL), P2P_EKEYFILE);
	memset(big, 'a', sizeof(big));
	write_file(path, big, sizeof(big), 0600);
	CHECK_INT(p2p_keyfile_load(&k, path, NULL), P2P_EKEYFILE);
	write_file(path, CURVE_N, 64, 0600);
	CHECK_INT(p2p_keyfile_load(&k, path, NULL), P2P_EPRIVKEY);
	unlink(path);
	errno = 0;
	CHECK_INT(p2p_keyfile_load(&k, path, NULL), P2P_EIO);
	CHECK_INT(errno, ENOENT);
	errno = 0;
	CHECK_INT(p2p_keyfile_load(&k, dir, NULL), P2P_EIO);
	CHECK_INT(errno, EISDIR);
	rm_tmp();
}

const struct unit_test unit_keyfile[] = {
	{ "parse", test_parse },
	{ "save_load", test_save_load },
	{ "load_bad", test_load_bad },
	{ NULL, NULL },
};
