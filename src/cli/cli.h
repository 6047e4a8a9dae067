/* cli.h - exit codes of the llmref command (documented in llmref(1)). */
#ifndef LLMREF_CLI_H
#define LLMREF_CLI_H

enum cli_exit {
	EXIT_OK = 0,
	EXIT_SOURCE_FAILED = 1, /* at least one source failed to refresh */
	EXIT_USAGE = 2,         /* bad command line */
	EXIT_CONFIG = 3,        /* bad llmref.conf or source file */
	EXIT_DATABASE = 4,      /* PostgreSQL unreachable or schema not current */
	EXIT_BUSY = 5,          /* another refresh holds a source's lock */
	EXIT_INTERNAL = 70,     /* bug or out of memory */
};

#endif
