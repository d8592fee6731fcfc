#include "cmd/run_json.h"

#include "cmd/cli.h"

static json_t *time_or_null(int64_t us)
{
	char s[32];
	cli_format_time(us, s);
	return s[0] ? json_string(s) : json_null();
}

json_t *run_to_json(const struct run *r)
{
	json_t *tags = r->tags_json ? json_loads(r->tags_json, 0, NULL) : NULL;
	if (!json_is_object(tags)) {
		json_decref(tags);
		tags = json_object();
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:o, s:o, s:o, s:o}", "id", r->id,
			 "job", r->job, "asset", r->asset, "partition", r->partition, "status",
			 run_status_name(r->status), "tags", tags, "attempt", r->attempt,
			 "created_at", time_or_null(r->created_at), "started_at",
			 time_or_null(r->started_at), "ended_at", time_or_null(r->ended_at), "error",
			 r->error ? json_string(r->error) : json_null());
}
