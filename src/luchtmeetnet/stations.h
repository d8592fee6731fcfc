#ifndef LUCHT_LUCHTMEETNET_STATIONS_H
#define LUCHT_LUCHTMEETNET_STATIONS_H

#include <stddef.h>

/* A constant, so that the partitions definition can be a static initializer. */
#define LMN_NSTATIONS 99

extern const char *const lmn_stations[LMN_NSTATIONS];

#endif
