#include "engine/retry.h"

#include <math.h>
#include <stdint.h>
#include <sys/random.h>

double retry_delay(const struct retry_policy *p, int n, double base, double u)
{
	double d = p->backoff ? base * (ldexp(1.0, n) - 1.0) : base;
	if (p->jitter)
		d += (2.0 * u - 1.0) * base;
	return d > 0 ? d : 0;
}

double retry_random(void)
{
	uint64_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return 0.5;
	return (double)(r >> 11) / 9007199254740992.0; /* 2^53: every double in [0, 1) equally */
}
