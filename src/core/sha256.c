/* sha256.c - SHA-256 as hex, for refresh (pages, settings) and diff
 * (record hashes). */
#include "autoconf.h"

#include <openssl/evp.h>

#include "core/sha256.h"

int
sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	static const char digits[] = "0123456789abcdef";

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -1;
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}
