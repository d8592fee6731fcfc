#ifndef LUCHT_UTIL_DOTENV_H
#define LUCHT_UTIL_DOTENV_H

#include "util/error.h"

/*
 * Reads KEY=VALUE lines from path into the environment, without overriding variables that
 * are already set. Accepts blank lines, # comments, an optional leading "export ", values
 * in single quotes (literal) or double quotes (with \n, \", \\ escapes), unquoted values
 * with trailing spaces trimmed and a " #" comment cut off.
 * A missing file is not an error (returns 0). A broken line (no '=', a bad key, an
 * unterminated quote) fails with "PATH:LINE: what is wrong" and sets nothing at all.
 * When loaded is not NULL it receives the number of variables set from the file.
 */
int dotenv_load(const char *path, int *loaded, struct lerr *err);

/* 1 when name was set by the last dotenv_load (used to say where a value came from). */
int dotenv_was_loaded(const char *name);

#endif
