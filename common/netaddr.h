/*
 * netaddr.h: IP addresses and listening addresses as people write them.
 */
#ifndef TC_NETADDR_H
#define TC_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Parses an IPv4 or IPv6 address (no port; spaces around are ignored)
 * into ss. 0 or -1. */
int tc_parse_ip(const char *s, size_t len, struct sockaddr_storage *ss);

/*
 * "ADDRESS:PORT" or "[IPV6]:PORT" into ss and its length; *v6 says which.
 * The brackets must match the address. 0, or -1 when s is not one.
 */
int tc_parse_listen(const char *s, struct sockaddr_storage *ss,
		    socklen_t *sslen, int *v6);

#endif
