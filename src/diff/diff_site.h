/* diff_site.h - the page builders' tree: a folder of JSON files that
 * mirrors the catalog for static site generators, kept current after
 * each diff pass ([export] dir) or written by hand (llmref export site).
 *
 *   index.json                 schema_version, generated_at, last_event_id
 *                              (and its time), models, providers, pairs,
 *                              each with the paths of its files
 *   models/ID.json             exactly what `llmref export model ID` prints
 *   comparisons/A--B.json      exactly what `llmref export comparison A B`
 *                              prints, for each pair with a stored record
 *   history/ID.json            every route of the model, its dated prices
 *   providers/ID.json          every route of the provider, its status and
 *                              price now
 *
 * ID is the id with every byte but A-Z a-z 0-9 . _ - written %XX (and a
 * leading dot too). Only files whose bytes change are written, each to a
 * temporary name, fsynced and renamed; index.json goes last, so a reader
 * never finds it naming a file that is not there yet; files the new index
 * no longer names are removed after it. */
#ifndef LLMREF_DIFF_SITE_H
#define LLMREF_DIFF_SITE_H

#include "catalog/catalog.h"
#include "config/config.h"
#include "core/err.h"

#define DIFF_SITE_SCHEMA_VERSION 1

struct diff_site_stats {
	long files;   /* in the tree, index.json included */
	long written; /* whose bytes changed */
	long removed; /* no longer named */
};

/* Bring the tree under dir (created if missing) up to date with the
 * catalog. On an error the files already replaced stay (each whole), and
 * index.json is not written. */
enum lr_code diff_site_write(struct catalog *cat, const struct config *cfg, const char *dir,
			     struct diff_site_stats *st, struct lr_err *err)
    __attribute__((warn_unused_result));

#endif
