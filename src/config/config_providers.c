/* config_providers.c - providers.conf, the home of providers: each one's
 * id, display name and the other names it goes by on routers and
 * datasets. Every name belongs to one provider; errors name file and line.
 * The catalog resolves names through them (migration 009). */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/file.h"

#define PROVIDERS_FILE_MAX_BYTES (1024 * 1024)
#define PROVIDER_KEY_MAX         200
#define PROVIDER_ID_MAX          64

/* The parser's state: the file, the line, the provider being read. */
struct prov_ctx {
	struct config *cfg;
	const char *file;
	int line;
	struct provider_def *cur; /* the last [id] section, NULL before any */
	struct lr_err *err;
};

char *
config_provider_key(const char *name, char *out, size_t len)
{
	size_t n = 0;
	int dash = 0;

	for (; *name != '\0'; name++) {
		unsigned char ch = (unsigned char)tolower((unsigned char)*name);

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
			dash = n > 0;
			continue;
		}
		if (n + (size_t)dash + 2 > len) {
			out[0] = '\0';
			return out;
		}
		if (dash)
			out[n++] = '-';
		dash = 0;
		out[n++] = (char)ch;
	}
	if (len > 0)
		out[n] = '\0';
	return out;
}

void
config_providers_free(struct config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->nproviders; i++) {
		for (j = 0; j < cfg->providers[i].nnames; j++)
			free(cfg->providers[i].names[j]);
		free(cfg->providers[i].names);
		free(cfg->providers[i].id);
		free(cfg->providers[i].name);
	}
	free(cfg->providers);
	cfg->providers = NULL;
	cfg->nproviders = 0;
}

static struct provider_def *
prov_find(const struct config *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->nproviders; i++)
		if (strcmp(cfg->providers[i].id, id) == 0)
			return &cfg->providers[i];
	return NULL;
}

/* The provider one of whose names folds to key, or NULL. */
static const struct provider_def *
prov_owner(const struct config *cfg, const char *key)
{
	char k[PROVIDER_KEY_MAX];
	size_t i, j;

	for (i = 0; i < cfg->nproviders; i++)
		for (j = 0; j < cfg->providers[i].nnames; j++)
			if (strcmp(config_provider_key(cfg->providers[i].names[j], k, sizeof(k)),
				   key) == 0)
				return &cfg->providers[i];
	return NULL;
}

/* Give p the name (a copy) unless it has it already. 0, or -1 on OOM. */
static int
prov_add_name(struct provider_def *p, const char *name)
{
	char **v;
	size_t i;

	for (i = 0; i < p->nnames; i++)
		if (strcmp(p->names[i], name) == 0)
			return 0;
	v = realloc(p->names, (p->nnames + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	p->names = v;
	if ((v[p->nnames] = strdup(name)) == NULL)
		return -1;
	p->nnames++;
	return 0;
}

/* A new provider id (name NULL until set); NULL on out of memory. */
static struct provider_def *
prov_new(struct config *cfg, const char *id, int line)
{
	struct provider_def *v = realloc(cfg->providers, (cfg->nproviders + 1) * sizeof(*v));

	if (v == NULL)
		return NULL;
	cfg->providers = v;
	v = &cfg->providers[cfg->nproviders];
	memset(v, 0, sizeof(*v));
	v->line = line;
	if ((v->id = strdup(id)) == NULL)
		return NULL;
	cfg->nproviders++;
	if (prov_add_name(v, id) != 0)
		return NULL;
	return v;
}

/* Name name for p, from where (a file:line): refused when it folds to
 * nothing or to a name of another provider. */
static enum lr_code
prov_claim(struct config *cfg, struct provider_def *p, const char *name, const char *where,
	   struct lr_err *err)
{
	char key[PROVIDER_KEY_MAX];
	const struct provider_def *o;

	if (config_provider_key(name, key, sizeof(key))[0] == '\0')
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s: '%.80s' is not a provider name (no letter or digit, or "
				  "longer than %d characters)",
				  where, name, PROVIDER_KEY_MAX - 1);
	o = prov_owner(cfg, key);
	if (o != NULL && o != p)
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s: '%.80s' already names provider %s%s", where, name, o->id,
				  o->line > 0 ? " in the providers file"
					      : " (a source's provider)");
	if (prov_add_name(p, name) != 0)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	return LR_OK;
}

static int
prov_id_ok(const char *id)
{
	size_t n = strlen(id), i;

	if (n == 0 || n >= PROVIDER_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)id[i]) || isdigit((unsigned char)id[i]) ||
		      id[i] == '-' || id[i] == '_'))
			return 0;
	return 1;
}

static enum lr_code
prov_fail(struct prov_ctx *c, const char *what)
{
	return lr_err_set(c->err, LR_ERR_CONFIG, NULL, NULL, "%s:%d: %s", c->file, c->line, what);
}

/* "[id]": a new provider. */
static enum lr_code
prov_section(struct prov_ctx *c, char *s)
{
	char *end = strchr(s, ']');

	if (end == NULL || end[1] != '\0')
		return prov_fail(c, "expected [provider-id]");
	*end = '\0';
	if (!prov_id_ok(s + 1))
		return prov_fail(c, "a provider id is 1 to 63 of a-z, 0-9, '-' and '_'");
	if (prov_find(c->cfg, s + 1) != NULL)
		return lr_err_set(c->err, LR_ERR_CONFIG, NULL, NULL,
				  "%s:%d: provider %s is defined twice (first on line %d)", c->file,
				  c->line, s + 1, prov_find(c->cfg, s + 1)->line);
	c->cur = prov_new(c->cfg, s + 1, c->line);
	if (c->cur == NULL)
		return lr_err_set(c->err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	return LR_OK;
}

static char *
prov_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* "name = Display Name" (once) or "aka = Other Name" (any number). */
static enum lr_code
prov_key(struct prov_ctx *c, char *s)
{
	char *eq = strchr(s, '='), *key, *val, where[300];

	if (eq == NULL)
		return prov_fail(c, "expected [provider-id], name = NAME or aka = NAME");
	*eq = '\0';
	key = prov_trim(s);
	val = prov_trim(eq + 1);
	if (c->cur == NULL)
		return prov_fail(c, "a name before the first [provider-id]");
	if (strcmp(key, "name") != 0 && strcmp(key, "aka") != 0)
		return prov_fail(c, "unknown key (name, aka)");
	if (strcmp(key, "name") == 0 && c->cur->name != NULL)
		return prov_fail(c, "name set twice for one provider");
	snprintf(where, sizeof(where), "%s:%d", c->file, c->line);
	if (prov_claim(c->cfg, c->cur, val, where, c->err) != LR_OK)
		return c->err->code;
	if (strcmp(key, "name") == 0 && (c->cur->name = strdup(val)) == NULL)
		return lr_err_set(c->err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	return LR_OK;
}

/* The section just read has its display name. */
static enum lr_code
prov_close(struct prov_ctx *c)
{
	if (c->cur == NULL || c->cur->name != NULL)
		return LR_OK;
	return lr_err_set(c->err, LR_ERR_CONFIG, NULL, NULL, "%s:%d: [%s] has no name = ...",
			  c->file, c->cur->line, c->cur->id);
}

static enum lr_code
prov_parse(struct prov_ctx *c, char *text)
{
	char *line, *next, *s;
	enum lr_code rc = LR_OK;

	for (line = text; line != NULL && rc == LR_OK; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		c->line++;
		s = prov_trim(line);
		if (*s == '\0' || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			rc = prov_close(c);
			if (rc == LR_OK)
				rc = prov_section(c, s);
		} else {
			rc = prov_key(c, s);
		}
	}
	return rc == LR_OK ? prov_close(c) : rc;
}

static enum lr_code
prov_read_file(struct config *cfg, struct lr_err *err)
{
	struct prov_ctx c = { cfg, cfg->providers_path, 0, NULL, err };
	struct buf b;
	enum file_rc frc;
	enum lr_code rc;

	frc =
	    file_read(cfg->providers_path, PROVIDERS_FILE_MAX_BYTES, FILE_TEXT | FILE_PRIVATE, &b);
	if (frc != FILE_OK)
		return lr_err_set(err, frc == FILE_ERR_NOMEM ? LR_ERR_NOMEM : LR_ERR_CONFIG, NULL,
				  NULL, "%s: %s", cfg->providers_path,
				  file_rc_reason(frc, errno, "larger than 1 MiB"));
	rc = b.data != NULL ? prov_parse(&c, b.data) : LR_OK;
	buf_free(&b);
	return rc;
}

/* A source's provider gets its provider_name as a name; the source gets
 * the provider's display name. */
static enum lr_code
prov_of_source(struct config *cfg, struct source *src, struct lr_err *err)
{
	struct provider_def *p = prov_find(cfg, src->provider);
	char where[300], key[PROVIDER_KEY_MAX], *name;

	snprintf(where, sizeof(where), "%s: [source] provider_name", src->path);
	if (p == NULL) {
		p = prov_new(cfg, src->provider, 0);
		if (p == NULL || (p->name = strdup(src->provider_name)) == NULL)
			return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	}
	/* a name another provider goes by stays that provider's: the source
	 * keeps its display name, and the name still resolves to the other */
	if (prov_owner(cfg, config_provider_key(src->provider_name, key, sizeof(key))) == NULL &&
	    prov_claim(cfg, p, src->provider_name, where, err) != LR_OK)
		return err->code;
	if (p->line == 0)
		return LR_OK; /* only a source names it: its own name */
	if (strcmp(src->provider_name, p->name) == 0)
		return LR_OK;
	if ((name = strdup(p->name)) == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	free(src->provider_name);
	src->provider_name = name;
	return LR_OK;
}

enum lr_code
config_load_providers(struct config *cfg, struct lr_err *err)
{
	enum lr_code rc = LR_OK;
	size_t i;

	if (cfg->providers_path[0] != '\0')
		rc = prov_read_file(cfg, err);
	for (i = 0; i < cfg->nsources && rc == LR_OK; i++)
		rc = prov_of_source(cfg, &cfg->sources[i], err);
	return rc;
}
