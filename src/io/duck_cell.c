#include "io/duck_internal.h"

#include <inttypes.h>

bool duck__cell_plain(duckdb_type t)
{
	switch (t) {
	case DUCKDB_TYPE_VARCHAR:
	case DUCKDB_TYPE_BOOLEAN:
	case DUCKDB_TYPE_TINYINT:
	case DUCKDB_TYPE_SMALLINT:
	case DUCKDB_TYPE_INTEGER:
	case DUCKDB_TYPE_BIGINT:
	case DUCKDB_TYPE_UTINYINT:
	case DUCKDB_TYPE_USMALLINT:
	case DUCKDB_TYPE_UINTEGER:
	case DUCKDB_TYPE_UBIGINT:
		return true;
	default:
		return false;
	}
}

bool duck__cell_valid(duckdb_vector v, idx_t row)
{
	uint64_t *validity = duckdb_vector_get_validity(v);
	return !validity || duckdb_validity_row_is_valid(validity, row);
}

int duck__cell_int64(duckdb_vector v, duckdb_type t, idx_t row, int64_t *out)
{
	const void *data = duckdb_vector_get_data(v);
	switch (t) {
	case DUCKDB_TYPE_TINYINT:
		*out = ((const int8_t *)data)[row];
		return 0;
	case DUCKDB_TYPE_SMALLINT:
		*out = ((const int16_t *)data)[row];
		return 0;
	case DUCKDB_TYPE_INTEGER:
		*out = ((const int32_t *)data)[row];
		return 0;
	case DUCKDB_TYPE_BIGINT:
		*out = ((const int64_t *)data)[row];
		return 0;
	case DUCKDB_TYPE_UTINYINT:
		*out = ((const uint8_t *)data)[row];
		return 0;
	case DUCKDB_TYPE_USMALLINT:
		*out = ((const uint16_t *)data)[row];
		return 0;
	case DUCKDB_TYPE_UINTEGER:
		*out = ((const uint32_t *)data)[row];
		return 0;
	case DUCKDB_TYPE_UBIGINT: {
		uint64_t u = ((const uint64_t *)data)[row];
		if (u > INT64_MAX)
			return -1;
		*out = (int64_t)u;
		return 0;
	}
	case DUCKDB_TYPE_HUGEINT: {
		/* sum() of integers is a HUGEINT; most such values fit. */
		duckdb_hugeint h = ((const duckdb_hugeint *)data)[row];
		if (!((h.upper == 0 && h.lower <= INT64_MAX) || (h.upper == -1 && h.lower > INT64_MAX)))
			return -1;
		*out = (int64_t)h.lower;
		return 0;
	}
	default:
		return -1;
	}
}

int duck__cell_text(duckdb_vector v, duckdb_type t, idx_t row, struct buf *out)
{
	switch (t) {
	case DUCKDB_TYPE_VARCHAR: {
		duckdb_string_t *s = &((duckdb_string_t *)duckdb_vector_get_data(v))[row];
		return buf_append(out, duckdb_string_t_data(s), duckdb_string_t_length(*s));
	}
	case DUCKDB_TYPE_BOOLEAN:
		return buf_puts(out, ((const bool *)duckdb_vector_get_data(v))[row] ? "true" : "false");
	case DUCKDB_TYPE_UBIGINT:
		return buf_printf(out, "%" PRIu64, ((const uint64_t *)duckdb_vector_get_data(v))[row]);
	default: {
		int64_t i;
		if (!duck__cell_plain(t) || duck__cell_int64(v, t, row, &i) < 0)
			return -1;
		return buf_printf(out, "%" PRId64, i);
	}
	}
}
