#ifndef LUCHT_CMD_RUN_JSON_H
#define LUCHT_CMD_RUN_JSON_H

#include <jansson.h>

#include "store/store.h"

/* A run as the JSON object of `lucht runs --json` and `lucht logs --json`. */
json_t *run_to_json(const struct run *r);

#endif
