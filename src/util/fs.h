#ifndef LUCHT_UTIL_FS_H
#define LUCHT_UTIL_FS_H

#include <stdbool.h>

#include "util/error.h"

/*
 * mkdir -p: creates path and its missing parents (mode 0755); folders already there are
 * fine, anything else in the way is an error. With durable, the parent of each folder it
 * creates is synced, so that a file later renamed into the new folder survives a crash.
 * Fails with "cannot create folder DIR: reason".
 */
int fs_mkdir_parents(const char *path, bool durable, struct lerr *err);

/* fsync of a file, or of a folder when directory (a file system that cannot sync folders
 * is not an error). */
int fs_sync_path(const char *path, bool directory, struct lerr *err);

#endif
