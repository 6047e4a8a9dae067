/* cli.h - the llmref command's shared declarations; its exit statuses
 * are core/err.h's enum lr_exit (documented in llmref(1)). */
#ifndef LLMREF_CLI_H
#define LLMREF_CLI_H

#include "core/err.h"

#endif
