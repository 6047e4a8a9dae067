/* fetch_secret.h - request headers of a source ([headers]) whose values
 * may name secrets as ${credential:NAME}: checked when the source file is
 * loaded, filled in from the credential files only when a transfer
 * starts, and wiped from memory when it ends. */
#ifndef LLMREF_FETCH_SECRET_H
#define LLMREF_FETCH_SECRET_H

#include <stddef.h>

#define FETCH_SECRET_MAX_BYTES    4096 /* one credential file */
#define FETCH_SECRETS_MAX         8    /* credentials one source may name */
#define FETCH_HEADER_LINE_MAX     8192 /* one header, secrets filled in */
#define FETCH_CREDENTIAL_NAME_MAX 64
#define FETCH_CREDENTIAL_REF      "${credential:"

/* The secrets of one transfer, kept only while it runs. */
struct fetch_secrets {
	size_t n;
	char *value[FETCH_SECRETS_MAX]; /* zeroed before they are freed */
	size_t len[FETCH_SECRETS_MAX];
	char names[256]; /* the credentials' names, for messages */
	char header[64]; /* the first header that carries one */
};

/* Is "name: value" acceptable as a source's header? The name must be an
 * HTTP token, the value free of CR, LF and NUL, every "${" a
 * ${credential:NAME} with NAME of letters, digits, '.', '-', '_'.
 * Returns 0, or -1 with why filled (never quoting the value). */
int fetch_header_check(const char *name, const char *value, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* Build the line "name: value" with each ${credential:NAME} replaced by
 * the credential, read from $CREDENTIALS_DIRECTORY/NAME (systemd's
 * LoadCredential=), else from cred_dir/NAME, which must be a regular
 * file without any permission for group or others. The secrets read are
 * added to s. Returns a new line (wipe and free it with
 * fetch_secret_free), or NULL with why filled. */
char *fetch_header_line(const char *name, const char *value, const char *cred_dir,
			struct fetch_secrets *s, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* Zero a string's bytes, then free it (NULL-safe). */
void fetch_secret_free(char *p);
/* Zero and free every secret of s; s can be used again. */
void fetch_secrets_clear(struct fetch_secrets *s);

/* Does text (n bytes) contain one of the secrets of s? */
int fetch_secrets_found(const struct fetch_secrets *s, const char *text, size_t n);
/* Overwrite every occurrence of a secret of s in text (n bytes) with '*'. */
void fetch_secrets_mask(const struct fetch_secrets *s, char *text, size_t n);

#endif
