#include "engine/asset.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"

const struct asset_def *pipeline_asset(const struct pipeline *p, const char *name)
{
	for (size_t i = 0; i < p->nassets; i++)
		if (strcmp(p->assets[i].name, name) == 0)
			return &p->assets[i];
	return NULL;
}

const struct job_def *pipeline_job_for(const struct pipeline *p, const char *asset)
{
	for (size_t i = 0; i < p->njobs; i++)
		if (strcmp(p->jobs[i].asset, asset) == 0)
			return &p->jobs[i];
	return NULL;
}

int pipeline_unknown_asset(const struct pipeline *p, const char *name, struct lerr *err)
{
	struct buf names;
	buf_init(&names, 1024);
	for (size_t i = 0; i < p->nassets; i++)
		buf_printf(&names, "%s%s", i ? ", " : "", p->assets[i].name);
	lerr_set(err, "unknown asset '%s': the assets are %s", name, buf_str(&names));
	buf_release(&names);
	return -1;
}

const char *asset_ctx_value(const struct asset_ctx *ctx, enum partitions_kind kind)
{
	return partitions_value_of(ctx->asset->partitions, kind, ctx->values);
}

void run_event(struct store *s, const char *run_id, enum event_level level, const char *type,
	       const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct lerr err;
	if (store_event_append(s, run_id, level, type, msg, &err) < 0)
		log_error("cannot record an event of run %s: %s", run_id, err.msg);
}

void asset_log(struct asset_ctx *ctx, enum event_level level, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	run_event(ctx->store, ctx->run->id, level, "LOG", "%s", msg);
	if (level >= EVENT_WARNING)
		log_msg(level == EVENT_WARNING ? LOG_WARNING : LOG_ERROR, "%s %s: %s",
			ctx->asset->name, ctx->partition, msg);
}

/* The input partitions this partition expects, by its mapping. */
static int expected_inputs(const struct asset_ctx *ctx, const struct asset_def *input,
			   struct strv *out, struct lerr *err)
{
	struct partition_selection sel = {0};
	if (ctx->asset->input_mapping == INPUT_SAME_DAY) {
		sel.date = asset_ctx_value(ctx, PARTITIONS_DAILY);
		if (!sel.date)
			return lerr_set(err, "asset %s maps its input by day but has no days",
					ctx->asset->name);
	}
	return partitions_select(input->partitions, &sel, ctx->run->created_at / 1000000, out, err);
}

int asset_input_files(struct asset_ctx *ctx, struct strv *files, struct strv *failed,
		      struct strv *missing, struct lerr *err)
{
	const struct asset_def *input = pipeline_asset(ctx->pipeline, ctx->asset->input);
	if (!input)
		return lerr_set(err, "asset %s has no input", ctx->asset->name);

	struct strv expected = STRV_INIT;
	struct partition_status_list have = {0};
	int rc = -1;
	if (expected_inputs(ctx, input, &expected, err) < 0 ||
	    store_partition_status_list(ctx->store, input->name, &have, err) < 0)
		goto out;

	for (size_t i = 0; i < expected.n; i++) {
		const struct partition_status *st = partition_status_find(&have, expected.v[i]);
		int usable = st && st->materialized_at && st->path && access(st->path, R_OK) == 0;
		struct strv *dest = usable ? files : st ? failed : missing;
		if (dest && strv_push(dest, usable ? st->path : expected.v[i]) < 0) {
			lerr_set(err, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	strv_clear(&expected);
	partition_status_list_release(&have);
	return rc;
}
