#include <getopt.h>
#include <glob.h>

#include "cmd/cli.h"
#include "io/duck.h"
#include "luchtmeetnet/pipeline.h"
#include "util/buf.h"

static const char usage[] =
	"usage: lucht sql [--csv | --json] QUERY\n"
	"\n"
	"Runs one DuckDB statement over the landing zone and the data lake, where every asset\n"
	"is a view of its Parquet files, with the partition folders as columns (date DATE,\n"
	"station VARCHAR):\n"
	"\n"
	"  lucht sql \"SELECT formula, avg(value) FROM daily_air_quality_data\n"
	"             WHERE date = '2024-01-24' GROUP BY formula\"\n"
	"\n"
	"Views: air_quality_data, station_names (landing zone), daily_air_quality_data,\n"
	"air_quality_station_names (data lake). An asset with no files yet is an empty table\n"
	"with the same columns.\n"
	"\n"
	"  --csv    CSV with a header line\n"
	"  --json   an array of objects\n"
	"\n"
	"Exit status: 0 printed, 1 the query failed (the message is DuckDB's), 2 usage error.\n";

extern const struct command command_sql;

/* One view per asset: its files when there are any, else an empty table of its columns. */
static int define_view(struct duck *d, const struct config *c, const struct asset_def *a,
		       struct lerr *err)
{
	const struct partitions_def *dims[PARTITIONS_MAX_DIMS];
	size_t n = partitions_dims(a->partitions, dims);
	const char *root = a->storage == STORAGE_DATA_LAKE ? c->data_lake : c->landing_zone;
	struct buf pattern, sql;
	buf_init(&pattern, 8192);
	buf_init(&sql, 16384);
	buf_printf(&pattern, "%s/%s", root, a->name);
	for (size_t i = 0; i < n; i++)
		buf_puts(&pattern, "/*");
	buf_puts(&pattern, "/data.parquet");

	glob_t g;
	int found = glob(buf_str(&pattern), GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	if (found) {
		buf_printf(&sql, "CREATE VIEW %s AS SELECT * FROM read_parquet(", a->name);
		duck_quote(&sql, buf_str(&pattern));
		buf_puts(&sql, n ? ", hive_partitioning = true, hive_types = {" : ", hive_partitioning = false");
		for (size_t i = 0; i < n; i++)
			buf_printf(&sql, "%s'%s': %s", i ? ", " : "", dims[i]->hive_name,
				   dims[i]->kind == PARTITIONS_DAILY ? "DATE" : "VARCHAR");
		buf_puts(&sql, n ? "})" : ")");
	} else {
		buf_printf(&sql, "CREATE TABLE %s (%s", a->name, a->columns_sql);
		for (size_t i = 0; i < n; i++)
			buf_printf(&sql, ", %s %s", dims[i]->hive_name,
				   dims[i]->kind == PARTITIONS_DAILY ? "DATE" : "VARCHAR");
		buf_puts(&sql, ")");
	}
	int rc = duck_exec(d, buf_str(&sql), err);
	if (rc < 0)
		lerr_prefix(err, "cannot open the files of %s", a->name);
	buf_release(&pattern);
	buf_release(&sql);
	return rc;
}

static int query(struct cli *cli, const char *sql, enum duck_format fmt)
{
	struct lerr err;
	struct duck d = {0};
	int rc = EXIT_OK;
	if (duck_open(&d, &err) < 0)
		return cli_fail(cli->cmd, EXIT_FAILED, "%s", err.msg);
	for (size_t i = 0; i < lmn_pipeline.nassets && rc == EXIT_OK; i++)
		if (define_view(&d, &cli->config, &lmn_pipeline.assets[i], &err) < 0)
			rc = cli_fail(cli->cmd, EXIT_FAILED, "%s", err.msg);
	if (rc == EXIT_OK && duck_print_query(&d, sql, fmt, stdout, NULL, &err) < 0)
		rc = cli_fail(cli->cmd, EXIT_FAILED, "%s", err.msg);
	duck_close(&d);
	return rc;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {{"csv", no_argument, NULL, 'c'},
					     {"json", no_argument, NULL, 'j'},
					     {0}};
	enum duck_format fmt = DUCK_TABLE;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c != 'c' && c != 'j')
			return cli_option_error(&command_sql, c, argv);
		fmt = c == 'c' ? DUCK_CSV : DUCK_JSON;
	}
	if (optind + 1 != argc)
		return cli_usage_error(&command_sql, optind == argc ? "which query?"
					   : "give the query as one argument, in quotes");
	struct cli cli;
	int rc = cli_open(&cli, &command_sql, false);
	if (rc)
		return rc;
	rc = query(&cli, argv[optind], fmt);
	cli_close(&cli);
	return rc;
}

const struct command command_sql = {
	.name = "sql",
	.summary = "query the lake and the landing zone with DuckDB",
	.usage = usage,
	.run = run,
};
