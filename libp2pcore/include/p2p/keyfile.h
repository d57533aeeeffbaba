/*
 * keyfile.h - node key files in go-ethereum's `nodekey` format: the private
 * key as 64 hex characters (geth writes no newline; one trailing newline is
 * accepted on reading, nothing else).
 *
 * Files are created mode 0600 and replaced atomically (write a temporary
 * file beside it, then link or rename), so a crash never leaves a partial
 * key and an existing key is never overwritten unless asked.
 */
#ifndef P2P_KEYFILE_H
#define P2P_KEYFILE_H

#include <p2p/p2p.h>
#include <p2p/secp.h>

/* A key file is never larger than this; anything bigger is refused unread. */
#define P2P_KEYFILE_MAX 128

/*
 * Parses a key given as hex text (optional 0x, exactly 64 digits).
 * Returns: 0; P2P_EKEYFILE for the wrong length or non-hex text;
 *          P2P_EPRIVKEY if the value is not a valid secp256k1 scalar.
 */
int p2p_keyfile_parse(struct p2p_privkey *key, const char *text, size_t len);

/*
 * Loads a key file.
 * Returns: 0; P2P_EIO (errno set: ENOENT, EACCES, ...); P2P_EKEYFILE;
 *          P2P_EPRIVKEY.
 * Out:     key (wiped on failure); mode: the file's permission bits, so the
 *          caller can warn when group or others may read it (mode & 077);
 *          may be NULL.
 */
int p2p_keyfile_load(struct p2p_privkey *key, const char *path,
    unsigned *mode);

/*
 * Writes key to path with mode 0600.  Without force an existing file is
 * left alone and P2P_EEXIST returned.
 * Returns: 0; P2P_EEXIST; P2P_EIO (errno set).
 */
int p2p_keyfile_save(const char *path, const struct p2p_privkey *key,
    int force);

#endif
