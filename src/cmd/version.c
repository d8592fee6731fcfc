#include <curl/curl.h>
#include <duckdb.h>
#include <jansson.h>
#include <sqlite3.h>

#include "cmd/cli.h"

static const char usage[] =
	"usage: lucht version\n"
	"\n"
	"Prints the version of lucht and of the libraries it runs on.\n";

static int run(int argc, char **argv)
{
	extern const struct command command_version;
	(void)argv;
	if (argc > 1)
		return cli_usage_error(&command_version, "takes no arguments");
	printf("lucht %s (DuckDB %s, SQLite %s, libcurl %s, jansson %s)\n", LUCHT_VERSION,
	       duckdb_library_version(), sqlite3_libversion(), curl_version_info(CURLVERSION_NOW)->version,
	       jansson_version_str());
	return EXIT_OK;
}

const struct command command_version = {
	.name = "version",
	.summary = "print the version",
	.usage = usage,
	.run = run,
};
