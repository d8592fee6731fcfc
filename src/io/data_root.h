#ifndef LUCHT_IO_DATA_ROOT_H
#define LUCHT_IO_DATA_ROOT_H

#include "util/error.h"

/*
 * Makes sure a data root (landing zone or lake) exists and takes files: creates it with its
 * parents and writes and removes a probe file, so a command can refuse up front rather than
 * fail every partition. `variable` names the setting to change in the message.
 */
int data_root_check(const char *root, const char *variable, struct lerr *err);

#endif
