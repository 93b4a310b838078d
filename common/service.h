/*
 * service.h: what a network service does before it serves: opens its
 * listening socket (root may bind a port below 1024), finds the
 * unprivileged account named to run as, and drops to it for good.
 * intake serve and casework serve both start this way.
 */
#ifndef TC_SERVICE_H
#define TC_SERVICE_H

#include <sys/socket.h>
#include <sys/types.h>

/* A listening TCP socket on ss (non-blocking, close-on-exec, IPv6 only
 * when v6), or -1 with errno set. */
int tc_listen_open(const struct sockaddr_storage *ss, int v6);

/* The port fd is bound to (for ADDRESS:0), or 0. */
unsigned tc_listen_port(int fd);

/*
 * Who to run as: as root, the account user names (required, and not
 * root); otherwise the user running it (a user naming someone else is an
 * error). Fills *uid and *gid and sets *drop when a change is due.
 * Returns 0, or an exit code after a message naming --user.
 */
int tc_service_user(const char *user, uid_t *uid, gid_t *gid, int *drop);

/* Drops root for good to uid and gid (groups cleared), and checks it
 * cannot return. 0, or -1 (printed). */
int tc_service_drop(const char *user, uid_t uid, gid_t gid);

#endif
