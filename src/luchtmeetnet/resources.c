#include <stdlib.h>

#include "engine/interrupt.h"
#include "luchtmeetnet/api.h"
#include "luchtmeetnet/pipeline.h"
#include "net/http_client.h"
#include "ratelimit/limiter.h"
#include "util/config.h"

/* One API client per process, so consecutive partitions reuse the connection. */
struct lmn_resources {
	struct lmn_client api;
};

void *lmn_resources_open(const struct config *c, struct lerr *err)
{
	struct lmn_resources *r = calloc(1, sizeof(*r));
	if (!r) {
		lerr_set(err, "out of memory");
		return NULL;
	}
	struct http_client_options o = {
		.timeout = c->http_timeout,
		.max_body = c->http_max_bytes,
		.should_abort = interrupted,
	};
	r->api.base_url = c->api_url;
	r->api.limiter = limiter_open(c, err);
	if (!r->api.limiter)
		goto fail;
	r->api.limiter->should_abort = interrupted;
	r->api.http = http_client_new(&o, err);
	if (!r->api.http)
		goto fail;
	return r;
fail:
	lmn_resources_close(r);
	return NULL;
}

void lmn_resources_close(void *resources)
{
	struct lmn_resources *r = resources;
	if (!r)
		return;
	http_client_free(r->api.http);
	limiter_free(r->api.limiter);
	free(r);
}

static void log_request(void *ctx, const char *line)
{
	struct asset_ctx *actx = ctx;
	run_event(actx->store, actx->run->id, EVENT_INFO, "HTTP", "%s", line);
}

struct lmn_client *lmn_api_for(struct asset_ctx *ctx)
{
	struct lmn_client *api = &((struct lmn_resources *)ctx->resources)->api;
	api->on_request = log_request;
	api->ctx = ctx;
	return api;
}
