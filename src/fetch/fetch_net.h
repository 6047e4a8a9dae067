/* fetch_net.h - the network policy of fetches: addresses no request may
 * connect to unless a source allows them (loopback, private, link-local
 * and cloud metadata, CGNAT, multicast, unspecified, reserved, and their
 * IPv6 forms), checked on the address actually connected. */
#ifndef LLMREF_FETCH_NET_H
#define LLMREF_FETCH_NET_H

#include <stddef.h>
#include <sys/socket.h>

#define FETCH_NET_ALLOW_MAX 16
#define FETCH_NET_ADDR_MAX  64 /* an address as text, with room to spare */

struct fetch_net_prefix {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
};

/* What a source allows beyond public addresses: nothing, everything
 * ("yes"), or a list of address prefixes. */
struct fetch_net_allow {
	int all;
	size_t n;
	struct fetch_net_prefix v[FETCH_NET_ALLOW_MAX];
};

/* Parse "", "no", "yes", or a list of addresses or prefixes separated by
 * spaces or commas ("127.0.0.1 10.2.0.0/16 ::1"). Returns 0, or -1 with
 * why filled. */
int fetch_net_parse_allow(const char *text, struct fetch_net_allow *out, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* May a connection go to sa? Returns NULL if so, else the name of the
 * range that refuses it ("loopback", "private", "link-local", ...); the
 * address is written as text into addr (addrlen bytes) either way. */
const char *fetch_net_refused(const struct sockaddr *sa, const struct fetch_net_allow *allow,
			      char *addr, size_t addrlen);

#endif
