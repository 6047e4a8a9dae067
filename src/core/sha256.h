/* sha256.h - SHA-256 as 64 lowercase hex digits (OpenSSL's EVP): the key
 * of stored pages, of source settings and of comparison records. */
#ifndef LLMREF_SHA256_H
#define LLMREF_SHA256_H

#include <stddef.h>

/* SHA-256 of data into hex[65] (64 digits and a NUL). Returns 0 or -1. */
int sha256_hex(const void *data, size_t len, char hex[65]) __attribute__((warn_unused_result));

#endif
