#include "engine/interrupt.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>

static volatile sig_atomic_t received;

static void on_signal(int sig)
{
	received = sig;
}

void interrupt_install(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool interrupted(void)
{
	return received != 0;
}

const char *interrupt_signal_name(void)
{
	switch (received) {
	case 0:
		return NULL;
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	default:
		return "a signal";
	}
}

int sleep_interruptible(double seconds)
{
	if (seconds <= 0)
		return interrupted() ? -1 : 0;
	struct timespec ts = {.tv_sec = (time_t)seconds,
			      .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		if (interrupted())
			return -1;
	return interrupted() ? -1 : 0;
}
