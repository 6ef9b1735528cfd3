/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlsfp_record_unpack() on any bytes (packed records come back from the
 * control plane's SQLite file), and on success: packing the record and
 * unpacking it again gives the same record (unpack's NUL terminators
 * included), and its EVE line fits TLSFP_EVE_LINE_MAX.
 */
#include <string.h>

#include "fuzz.h"
#include "tlsfp/eve.h"
#include "tlsfp/record.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsfp_record rec, back;
	static uint8_t again[TLSFP_RECORD_PACKED_MAX];
	static char line[TLSFP_EVE_LINE_MAX];

	if (tlsfp_record_unpack(data, size, &rec) != 0)
		return 0;
	size_t n = tlsfp_record_pack(&rec, again, sizeof(again));
	FUZZ_CHECK(n == size);
	FUZZ_CHECK(tlsfp_record_unpack(again, n, &back) == 0);
	FUZZ_CHECK(memcmp(&rec, &back, sizeof(rec)) == 0);
	size_t len = tlsfp_eve_format(&rec, line, sizeof(line));
	FUZZ_CHECK(len < sizeof(line) && line[len - 1] == '\n' && line[len] == '\0');
	return 0;
}
