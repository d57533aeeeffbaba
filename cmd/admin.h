/*
 * admin.h - p2p-serverd's control methods: go-ethereum v1.8.24's admin_*
 * API (same names, parameters and result shapes) and the p2p_* methods
 * its users asked for, on the control socket (control.h).
 */
#ifndef P2P_CMD_ADMIN_H
#define P2P_CMD_ADMIN_H

#include <stddef.h>

#include <p2p/server.h>

struct daemon;
struct admin;

/*
 * Opens the control socket at path for d (borrowed, must outlive it).
 * Returns: the control interface, owned by the caller (admin_free); NULL
 *          with why in err.
 */
struct admin *admin_new(struct daemon *d, const char *path, char *err,
    size_t errlen);
/* Follows every server event: peer events to subscribers, the outcome
 * of p2p_connect calls, the record of disconnects. */
void admin_event(struct admin *a, const struct p2p_server_ev *ev);
const char *admin_path(const struct admin *a);
void admin_free(struct admin *a);

#endif
