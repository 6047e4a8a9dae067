/* fetch_net.c - which addresses a fetch may connect to: the reserved
 * ranges refused by default, and the prefixes a source allows. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "fetch/fetch_net.h"

struct net_range {
	unsigned char addr[4];
	int bits;
	const char *name;
};

/* IPv4 ranges no request reaches by default. */
static const struct net_range net_v4_reserved[] = {
	{ { 0, 0, 0, 0 }, 8, "unspecified" }, /* "this network": 0.0.0.0 is the host */
	{ { 10, 0, 0, 0 }, 8, "private" },
	{ { 100, 64, 0, 0 }, 10, "shared (CGNAT)" },
	{ { 127, 0, 0, 0 }, 8, "loopback" },
	{ { 169, 254, 0, 0 }, 16, "link-local (cloud metadata)" },
	{ { 172, 16, 0, 0 }, 12, "private" },
	{ { 192, 0, 0, 0 }, 24, "IETF protocol assignments" },
	{ { 192, 168, 0, 0 }, 16, "private" },
	{ { 198, 18, 0, 0 }, 15, "benchmarking" },
	{ { 224, 0, 0, 0 }, 4, "multicast" },
	{ { 240, 0, 0, 0 }, 4, "reserved" },
};

/* Do the first bits of a and b agree? */
static int
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int whole = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, (size_t)whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[whole] & mask) == (b[whole] & mask);
}

static const char *
net_v4_class(const unsigned char *a)
{
	size_t i;

	for (i = 0; i < sizeof(net_v4_reserved) / sizeof(net_v4_reserved[0]); i++)
		if (prefix_match(a, net_v4_reserved[i].addr, net_v4_reserved[i].bits))
			return net_v4_reserved[i].name;
	return NULL;
}

/* The range an IPv6 address is in, or NULL for a public one. Forms that
 * carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by
 * that address. */
static const char *
net_v6_class(const unsigned char *a)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char zero[16] = { 0 };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	static const unsigned char sixto4[2] = { 0x20, 0x02 };

	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return a[15] == 0 ? "unspecified" : "loopback";
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, zero, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return net_v4_class(a + 12) ? net_v4_class(a + 12) : NULL;
	if (memcmp(a, sixto4, 2) == 0)
		return net_v4_class(a + 2);
	if ((a[0] & 0xfe) == 0xfc)
		return "private (unique local)";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return "site-local";
	if (a[0] == 0xff)
		return "multicast";
	return NULL;
}

/* One "ADDR" or "ADDR/BITS" into p. Returns 0 or -1. */
static int
net_parse_prefix(const char *text, struct fetch_net_prefix *p)
{
	char addr[FETCH_NET_ADDR_MAX], *slash, *end;
	long bits;

	if (lr_strlcpy(addr, text, sizeof(addr)) != 0)
		return -1;
	slash = strchr(addr, '/');
	if (slash != NULL)
		*slash = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, addr, p->addr) == 1)
		p->family = AF_INET, p->bits = 32;
	else if (inet_pton(AF_INET6, addr, p->addr) == 1)
		p->family = AF_INET6, p->bits = 128;
	else
		return -1;
	if (slash == NULL)
		return 0;
	bits = strtol(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || bits > p->bits)
		return -1;
	p->bits = (int)bits;
	return 0;
}

int
fetch_net_parse_allow(const char *text, struct fetch_net_allow *out, char *why, size_t whylen)
{
	char word[FETCH_NET_ADDR_MAX];
	const char *s = text ? text : "";
	size_t n;

	memset(out, 0, sizeof(*out));
	if (strcmp(s, "") == 0 || strcmp(s, "no") == 0)
		return 0;
	if (strcmp(s, "yes") == 0)
		return out->all = 1, 0;
	for (;;) {
		s += strspn(s, " \t,");
		if (*s == '\0')
			return 0;
		n = strcspn(s, " \t,");
		if (n >= sizeof(word) || out->n == FETCH_NET_ALLOW_MAX) {
			lr_why(why, whylen, "at most %d prefixes, each an address or ADDR/BITS",
			       FETCH_NET_ALLOW_MAX);
			return -1;
		}
		memcpy(word, s, n);
		word[n] = '\0';
		if (net_parse_prefix(word, &out->v[out->n]) != 0) {
			lr_why(why, whylen,
			       "'%s' is not yes, no or an IP address or prefix (e.g. 10.2.0.0/16)",
			       word);
			return -1;
		}
		out->n++;
		s += n;
	}
}

static int
net_allowed(const struct fetch_net_allow *allow, int family, const unsigned char *a)
{
	size_t i;

	if (allow == NULL)
		return 0;
	if (allow->all)
		return 1;
	for (i = 0; i < allow->n; i++)
		if (allow->v[i].family == family &&
		    prefix_match(a, allow->v[i].addr, allow->v[i].bits))
			return 1;
	return 0;
}

const char *
fetch_net_refused(const struct sockaddr *sa, const struct fetch_net_allow *allow, char *addr,
		  size_t addrlen)
{
	const unsigned char *a;
	const char *why;
	int family = sa->sa_family;

	if (addrlen > 0)
		addr[0] = '\0';
	if (family == AF_INET) {
		a = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)
			->sin_addr;
		why = net_v4_class(a);
	} else if (family == AF_INET6) {
		a = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)sa)
			->sin6_addr;
		why = net_v6_class(a);
	} else {
		return "not an IP address";
	}
	if (addrlen > 0 && inet_ntop(family, a, addr, (socklen_t)addrlen) == NULL)
		addr[0] = '\0';
	if (why == NULL || net_allowed(allow, family, a))
		return NULL;
	return why;
}
