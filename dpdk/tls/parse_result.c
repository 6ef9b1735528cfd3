/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hello parse outcomes → PARSE_ERR_* counters (one counter per named
 * failure; OK counts nothing here, the caller counts the hello itself).
 */
#include "tlsfp/counters.h"
#include "tlsfp/hello.h"

void
tlsfp_count_parse_result(struct tlsfp_counters *ctr, enum tlsfp_parse_result r)
{
	switch (r) {
	case TLSFP_PARSE_OK:
		break;
	case TLSFP_PARSE_TRUNCATED:
		TLSFP_COUNT(ctr, PARSE_ERR_TRUNCATED);
		break;
	case TLSFP_PARSE_BAD_LENGTH:
		TLSFP_COUNT(ctr, PARSE_ERR_BAD_LENGTH);
		break;
	case TLSFP_PARSE_BAD_EXTENSION:
		TLSFP_COUNT(ctr, PARSE_ERR_BAD_EXTENSION);
		break;
	case TLSFP_PARSE_TOO_MANY_ITEMS:
		TLSFP_COUNT(ctr, PARSE_ERR_TOO_MANY_ITEMS);
		break;
	case TLSFP_PARSE_UNSUPPORTED:
		TLSFP_COUNT(ctr, PARSE_ERR_UNSUPPORTED);
		break;
	}
}
