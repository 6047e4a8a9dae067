/* daemon.h - llmref daemon: one event loop (signals through signalfd,
 * sleeping exactly until the next due source), each source on its own
 * schedule (one that falls due joins the transfers in flight), the diff
 * stage every 5 s while results come and after them, systemd notification
 * (READY, STATUS, WATCHDOG, RELOADING, STOPPING), a reload that keeps the
 * good config, a database that may come and go, a metrics text file.
 * A driver like refresh.c: it calls the stages, it is not one. */
#ifndef LLMREF_DAEMON_H
#define LLMREF_DAEMON_H

struct daemon_opts {
	const char *config_path;
	int allow_root; /* run as root although told not to */
	int once;       /* run every source once, then exit (for tests) */
};

/* Run until SIGTERM or SIGINT; returns the process exit status (enum
 * lr_exit: EXIT_OK after a clean stop, EXIT_CONFIG for a bad config at
 * start, EXIT_USAGE for refusing root, EXIT_INTERNAL). */
int daemon_run(const struct daemon_opts *o);

#endif
