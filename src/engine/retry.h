#ifndef LUCHT_ENGINE_RETRY_H
#define LUCHT_ENGINE_RETRY_H

#include "engine/asset.h"

/*
 * Seconds to wait before retry n (1 for the first retry) of a policy with base delay `base`:
 * base x (2^n - 1) with backoff (30, 90, 210 s for base 30), base without; with jitter plus
 * u x 2 x base - base, where u is uniform in [0, 1). Never negative.
 */
double retry_delay(const struct retry_policy *p, int n, double base, double u);

/* A uniform random number in [0, 1) for the jitter. */
double retry_random(void);

#endif
