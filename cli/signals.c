/*
 * Signals: a signal that ends the program first removes the temp file
 * being written (so none is left behind); in the shell, Ctrl-C stops the
 * output under way instead; a closed output pipe ends the program quietly.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The temp file a signal must remove; written before the handler can run. */
static char *volatile pending_tmp;

volatile sig_atomic_t interrupted;
static bool shell_mode;

void enter_shell_mode(void)
{
	shell_mode = true;
	install_signal_handlers();
}

static void on_signal(int sig)
{
	if (shell_mode && sig == SIGINT) {
		/* Ctrl-C stops the output under way, not the shell: the
		 * writer fails, and its temp file goes as on any failure */
		interrupted = 1;
		return;
	}
	char *t = pending_tmp;
	if (t)
		unlink(t);
	signal(sig, SIG_DFL);
	raise(sig);
}

void set_pending_tmp(char *path)
{
	pending_tmp = path;
}

void install_signal_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void exit_if_pipe_closed(int err)
{
	if (err == EPIPE)
		on_signal(SIGPIPE);
}
