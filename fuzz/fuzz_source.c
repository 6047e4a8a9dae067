/* fuzz_source.c - source_load() on an arbitrary source file text, written
 * to this process's scratch folder as fz.conf and removed after. */
#include "fuzz.h"

#include "config/config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_dir();
	char path[128];
	struct source src;
	struct lr_err err;

	snprintf(path, sizeof(path), "%s/fz.conf", dir);
	fuzz_write_file(path, data, size);
	memset(&src, 0, sizeof(src));
	memset(&err, 0, sizeof(err));
	if (source_load(path, &src, &err) == LR_OK && src.rows == NULL)
		abort(); /* a source that loads has its rows expression */
	source_clear(&src);
	unlink(path);
	rmdir(dir);
	return 0;
}
