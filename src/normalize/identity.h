/* identity.h - one canonical model id for every provider spelling: a fixed,
 * ordered list of small rewrite rules, then aliases from aliases.conf.
 * docs/identity.md lists the rules in order and describes the alias file. */
#ifndef LLMREF_IDENTITY_H
#define LLMREF_IDENTITY_H

#include <stddef.h>

#include "core/err.h"

#define IDENTITY_INPUT_MAX_BYTES      512           /* longest provider id accepted */
#define IDENTITY_ALIAS_FILE_MAX_BYTES (1024 * 1024) /* aliases.conf size cap */
#define IDENTITY_ALIAS_MAX_ENTRIES    100000        /* aliases.conf entry cap */

struct identity; /* rules + aliases; opaque */

/* A resolved model: the canonical id and the route attributes split off it.
 * id is never empty on success and always matches [a-z0-9]+([.-][a-z0-9]+)*;
 * variant and region use [a-z0-9-] and are "" when absent. */
struct model_ref {
	char id[128];     /* "llama-3.2-1b-instruct" */
	char variant[32]; /* "free", "batch", "turbo", ... */
	char region[32];  /* "us", "eu", "ap-south-1", "us-central1", ... */
};

/* identity.c */
/* A resolver with the rules only (no aliases); NULL if out of memory. */
struct identity *identity_new(void);
/* Load aliases from path ([aliases] lines "spelling = canonical-id"),
 * replacing any loaded before. On error the previous aliases stay and err
 * says "FILE:LINE: reason". */
enum lr_code identity_load_aliases(struct identity *id, const char *path, struct lr_err *err)
    __attribute__((warn_unused_result));
size_t identity_alias_count(const struct identity *id);
void identity_free(struct identity *id); /* NULL-safe */
/* Resolve a provider model id or display name: 0 and ref filled, or -1 with
 * a reason in why (ref then holds empty strings). id may be NULL: rules
 * only. Pure: no I/O, no allocation, safe to call from several threads. */
int identity_resolve(const struct identity *id, const char *provider_model_id,
		     struct model_ref *ref, char *why, size_t whylen)
    __attribute__((warn_unused_result));

#endif
