/*
 * service.c: a network service's start (see service.h).
 */
#include "service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <unistd.h>

#include "err.h"

/* Connections the kernel may queue before they are accepted. */
#define LISTEN_BACKLOG 511

int tc_listen_open(const struct sockaddr_storage *ss, int v6)
{
	socklen_t len =
	    v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int fd, on = 1, e;

	fd = socket(v6 ? AF_INET6 : AF_INET,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    (v6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0) ||
	    bind(fd, (const struct sockaddr *)ss, len) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

unsigned tc_listen_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int tc_service_user(const char *user, uid_t *uid, gid_t *gid, int *drop)
{
	struct passwd *pw;

	*drop = 0;
	if (geteuid() != 0 && !user)
		return 0;
	if (!user) {
		tc_warnx("refusing to serve as root: give --user NAME (an "
			 "unprivileged account) to drop to once the port is "
			 "open");
		return TC_EXIT_USAGE;
	}
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		tc_warnx("--user: no user '%s' on this machine", user);
		return TC_EXIT_USAGE;
	}
	if (pw->pw_uid == 0) {
		tc_warnx("--user: '%s' is root; name an unprivileged account",
			 user);
		return TC_EXIT_USAGE;
	}
	if (geteuid() != 0) {
		if (pw->pw_uid == geteuid())
			return 0;
		tc_warnx("--user %s: only root can change user", user);
		return TC_EXIT_USAGE;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	*drop = 1;
	return 0;
}

int tc_service_drop(const char *user, uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		tc_warn("cannot change to user '%s'", user);
		return -1;
	}
	if (setuid(0) == 0 || geteuid() != uid || getegid() != gid) {
		tc_warnx("still able to become root after changing to '%s'",
			 user);
		return -1;
	}
	return 0;
}
