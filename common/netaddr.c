/*
 * netaddr.c: IP addresses and listening addresses as people write them
 * (see netaddr.h), for intake serve and sitegen serve.
 */
#include "netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

int tc_parse_ip(const char *s, size_t len, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char buf[INET6_ADDRSTRLEN];

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, buf, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

int tc_parse_listen(const char *s, struct sockaddr_storage *ss,
		    socklen_t *sslen, int *v6)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[64];
	const char *colon, *p;
	unsigned long port = 0;
	size_t hl;
	int rc = -1;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		p = strchr(s, ']');
		if (!p || p[1] != ':')
			goto out;
		hl = (size_t)(p - s - 1);
		if (hl == 0 || hl >= sizeof(host))
			goto out;
		memcpy(host, s + 1, hl);
		colon = p + 1;
		*v6 = 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			goto out;
		hl = (size_t)(colon - s);
		if (hl == 0 || hl >= sizeof(host))
			goto out;
		memcpy(host, s, hl);
		*v6 = 0;
	}
	host[hl] = '\0';
	p = colon + 1;
	if (!*p)
		goto out;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			goto out;
		port = port * 10 + (unsigned long)(*p - '0');
		if (port > 65535)
			goto out;
	}
	/* "[v6]:port" or "v4:port": the brackets must match the address. */
	if (tc_parse_ip(host, hl, ss) < 0 ||
	    ss->ss_family != (*v6 ? AF_INET6 : AF_INET))
		goto out;
	if (*v6) {
		in6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*in6);
	} else {
		in4->sin_port = htons((uint16_t)port);
		*sslen = sizeof(*in4);
	}
	rc = 0;
out:
	return rc;
}
