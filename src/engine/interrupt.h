#ifndef LUCHT_ENGINE_INTERRUPT_H
#define LUCHT_ENGINE_INTERRUPT_H

#include <stdbool.h>

/*
 * SIGINT and SIGTERM ask a running command to stop: the partition in progress is recorded as
 * canceled and nothing further starts, so no run is left "started". A second signal kills at
 * once (the handler resets itself), and the next command marks that run failed.
 */
void interrupt_install(void);
bool interrupted(void);
/* The name of the signal received, e.g. "SIGINT", or NULL. */
const char *interrupt_signal_name(void);
/* Sleeps seconds, waking early on a signal. Returns 0, or -1 when interrupted. */
int sleep_interruptible(double seconds);

#endif
