#include "cmd/selection_opts.h"

#include <time.h>

#include "cmd/cli.h"
#include "luchtmeetnet/pipeline.h"

int selection_opts_take(struct selection_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'p':
		return strv_push(&o->keys, arg) < 0 ? -1 : 1;
	case 's':
		return strv_push(&o->stations, arg) < 0 ? -1 : 1;
	case 'd':
		o->sel.date = arg;
		return 1;
	case 'f':
		o->sel.from = arg;
		return 1;
	case 't':
		o->sel.to = arg;
		return 1;
	default:
		return 0;
	}
}

void selection_opts_release(struct selection_opts *o)
{
	strv_clear(&o->keys);
	strv_clear(&o->stations);
}

int selection_opts_resolve(struct selection_opts *o, const struct command *cmd, int argc,
			   char **argv, const struct asset_def **asset, struct strv *keys)
{
	struct lerr err;
	if (optind + 1 != argc)
		return cli_usage_error(cmd, optind == argc ? "which asset?" : "one asset at a time");
	*asset = pipeline_asset(&lmn_pipeline, argv[optind]);
	if (!*asset) {
		pipeline_unknown_asset(&lmn_pipeline, argv[optind], &err);
		return cli_usage_error(cmd, "%s", err.msg);
	}
	o->sel.keys = &o->keys;
	o->sel.values = &o->stations;
	if (partitions_select((*asset)->partitions, &o->sel, time(NULL), keys, &err) < 0)
		return cli_usage_error(cmd, "%s", err.msg);
	return 0;
}
