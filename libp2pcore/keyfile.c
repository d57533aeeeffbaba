/*
 * keyfile.c - reading and writing node key files (go-ethereum's nodekey
 * format) without ever leaving a partial or world-readable key behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <p2p/hex.h>
#include <p2p/keyfile.h>

int
p2p_keyfile_parse(struct p2p_privkey *key, const char *text, size_t len)
{
	if (p2p_hex_decode_exact(key->b, sizeof(key->b), text, len) != 0) {
		p2p_wipe(key, sizeof(*key));
		return P2P_EKEYFILE;
	}
	if (p2p_secp_privkey_check(key) != 0) {
		p2p_wipe(key, sizeof(*key));
		return P2P_EPRIVKEY;
	}
	return 0;
}

/* Reads at most cap bytes; *n = cap + 1 means the file is larger. */
static int
read_bounded(int fd, char *buf, size_t cap, size_t *n)
{
	ssize_t r;

	*n = 0;
	while (*n <= cap) {
		r = read(fd, buf + *n, cap + 1 - *n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return P2P_EIO;
		if (r == 0)
			break;
		*n += (size_t)r;
	}
	return 0;
}

int
p2p_keyfile_load(struct p2p_privkey *key, const char *path, unsigned *mode)
{
	char buf[P2P_KEYFILE_MAX + 1];
	struct stat st;
	size_t n;
	int fd, rc;

	p2p_wipe(key, sizeof(*key));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return P2P_EIO;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return P2P_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		/* A FIFO or device would block or never end. */
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return P2P_EIO;
	}
	if (mode != NULL)
		*mode = st.st_mode & 07777;
	rc = read_bounded(fd, buf, P2P_KEYFILE_MAX, &n);
	close(fd);
	if (rc == 0 && n > P2P_KEYFILE_MAX)
		rc = P2P_EKEYFILE;
	if (rc == 0) {
		/* One line ending is what editors add; accept only that. */
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		if (n > 0 && buf[n - 1] == '\r')
			n--;
		rc = p2p_keyfile_parse(key, buf, n);
	}
	p2p_wipe(buf, sizeof(buf));
	return rc;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return P2P_EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Creates "<path>.tmpXXXXXX" (mode 0600 via mkstemp) holding the key. */
static int
write_temp(char *tmp, size_t tmpsize, const char *path,
    const struct p2p_privkey *key)
{
	char hex[2 * P2P_PRIVKEY_LEN + 1];
	int fd, rc, saved;

	if ((size_t)snprintf(tmp, tmpsize, "%s.tmpXXXXXX", path) >= tmpsize) {
		errno = ENAMETOOLONG;
		return P2P_EIO;
	}
	if ((fd = mkstemp(tmp)) < 0)
		return P2P_EIO;
	p2p_hex_encode(hex, key->b, sizeof(key->b));
	rc = write_all(fd, hex, 2 * P2P_PRIVKEY_LEN);
	p2p_wipe(hex, sizeof(hex));
	if (rc == 0 && (fchmod(fd, 0600) != 0 || fsync(fd) != 0))
		rc = P2P_EIO;
	saved = errno;
	if (close(fd) != 0 && rc == 0)
		rc = P2P_EIO;
	if (rc != 0) {
		unlink(tmp);
		errno = saved;
	}
	return rc;
}

int
p2p_keyfile_save(const char *path, const struct p2p_privkey *key, int force)
{
	char tmp[PATH_MAX];
	int rc, saved;

	if ((rc = write_temp(tmp, sizeof(tmp), path, key)) != 0)
		return rc;
	/* link() fails if path exists, so "never overwrite" holds even
	 * against a racing writer; rename() replaces atomically. */
	rc = force ? rename(tmp, path) : link(tmp, path);
	saved = errno;
	if (!force || rc != 0)
		unlink(tmp);
	if (rc == 0)
		return 0;
	errno = saved;
	return saved == EEXIST ? P2P_EEXIST : P2P_EIO;
}
