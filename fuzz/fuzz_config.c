/* fuzz_config.c - config_load() on an arbitrary llmref.conf text, in a
 * scratch folder that also holds a fixed aliases.conf and a sources.d
 * with one source file, all removed after. An input naming a path with
 * '/' or ".." is skipped: it could point the loader anywhere on disk. */
#include "fuzz.h"

#include "config/config.h"

static const char aliases_text[] = "[aliases]\n"
				   "llama-3.2-1b-preview = llama-3.2-1b-instruct\n"
				   "llama-3-70b-chat = llama-3-70b-instruct\n";

static const char source_text[] = "[source]\n"
				  "provider = fw\n"
				  "provider_name = Fire Works\n"
				  "kind = pricing\n"
				  "url = https://example.com/pricing\n"
				  "format = html\n"
				  "[extract]\n"
				  "rows = //tr\n"
				  "model = td[1]\n"
				  "input_price = td[2]\n"
				  "[units]\n"
				  "input_price = auto\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char conf[128], aliases[128], sdir[128], source[160];
	struct lr_err err;
	const char *dir;

	if (memchr(data, '/', size) != NULL || memmem(data, size, "..", 2) != NULL)
		return 0;
	dir = fuzz_dir();
	snprintf(conf, sizeof(conf), "%s/llmref.conf", dir);
	snprintf(aliases, sizeof(aliases), "%s/aliases.conf", dir);
	snprintf(sdir, sizeof(sdir), "%s/sources.d", dir);
	snprintf(source, sizeof(source), "%s/fw.conf", sdir);
	mkdir(sdir, 0700);
	fuzz_write_file(conf, data, size);
	fuzz_write_file(aliases, aliases_text, sizeof(aliases_text) - 1);
	fuzz_write_file(source, source_text, sizeof(source_text) - 1);
	memset(&err, 0, sizeof(err));
	config_free(config_load(conf, &err));
	unlink(source);
	rmdir(sdir);
	unlink(aliases);
	unlink(conf);
	rmdir(dir);
	return 0;
}
