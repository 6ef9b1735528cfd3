/* SPDX-License-Identifier: BSD-3-Clause */
#include "tlsfp/counters.h"

static const char *const counter_names[TLSFP_CTR__COUNT] = {
#define TLSFP_X_NAME(id, name) [TLSFP_CTR_##id] = name,
	TLSFP_COUNTER_LIST(TLSFP_X_NAME)
#undef TLSFP_X_NAME
};

const char *
tlsfp_counter_name(enum tlsfp_counter id)
{
	if ((unsigned)id >= TLSFP_CTR__COUNT)
		return "unknown";
	return counter_names[id];
}
