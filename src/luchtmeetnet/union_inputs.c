#include "io/duck.h"
#include "io/parquet_io.h"
#include "luchtmeetnet/pipeline.h"
#include "util/buf.h"

/* The first few of a list, for a message that stays one readable line. */
static void list_some(struct buf *b, const struct strv *v, size_t most)
{
	for (size_t i = 0; i < v->n && i < most; i++)
		buf_printf(b, "%s%s", i ? ", " : "", v->v[i]);
	if (v->n > most)
		buf_printf(b, " and %zu more", v->n - most);
}

int lmn_union_inputs(struct asset_ctx *ctx, const char *columns, struct lerr *err)
{
	struct strv files = STRV_INIT, failed = STRV_INIT, missing = STRV_INIT;
	struct buf sql;
	buf_init(&sql, 1024 * 1024);
	int rc = -1;
	const char *input = ctx->asset->input;
	const char *where = ctx->partition[0] ? ctx->partition : ctx->asset->name;

	if (asset_input_files(ctx, &files, &failed, &missing, err) < 0)
		goto out;
	if (failed.n || missing.n) {
		struct buf list;
		buf_init(&list, 4096);
		if (failed.n) {
			buf_printf(&list, "; %zu failed: ", failed.n);
			list_some(&list, &failed, 10);
		}
		if (missing.n) {
			buf_printf(&list, "; %zu missing: ", missing.n);
			list_some(&list, &missing, 10);
		}
		asset_log(ctx, EVENT_WARNING, "skipped %zu of %zu %s partitions for %s that are not "
			  "materialized%s", failed.n + missing.n, failed.n + missing.n + files.n,
			  input, where, buf_str(&list));
		buf_release(&list);
	}
	if (files.n == 0) {
		lerr_set(err, "no materialized %s partition for %s: materialize it first "
			 "(lucht materialize %s%s%s)", input, where, input,
			 ctx->partition[0] ? " --date " : "", ctx->partition);
		goto out;
	}
	asset_log(ctx, EVENT_INFO, "reading %zu %s partitions", files.n, input);
	if (buf_printf(&sql, "INSERT INTO out SELECT %s FROM read_parquet(", columns) < 0 ||
	    parquet_path_list_sql(&sql, files.v, files.n) < 0 ||
	    buf_puts(&sql, ", hive_partitioning = false, union_by_name = true)") < 0) {
		lerr_set(err, "too many input files for one query");
		goto out;
	}
	rc = duck_exec(ctx->duck, buf_str(&sql), err);
out:
	strv_clear(&files);
	strv_clear(&failed);
	strv_clear(&missing);
	buf_release(&sql);
	return rc;
}
