/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The whole pipeline on a sequence of raw-IP frames. Input: frames, each
 * behind a 2-byte big-endian prefix; its low 15 bits are the frame length
 * (cut to what is left), its top bit moves the clock 40 s on before the
 * frame, so flow and hello timeouts are reached too. Otherwise time moves
 * 1 ms per frame. Each frame is an exactly sized heap copy freed right
 * after input, so ASan sees a read past caplen or a pointer kept past the
 * call. Every input ends with a flush, which drops all state: inputs do not
 * affect each other.
 */
#include <string.h>

#include "fuzz.h"
#include "tlsfp/decode.h"
#include "tlsfp/pipeline.h"

#define T0_NS 1700000000000000000ull
#define STEP_NS 1000000ull
#define JUMP_NS 40000000000ull

static uint64_t n_records;

static void
emit(void *ctx, const struct tlsfp_record *rec)
{
	(void)ctx;
	(void)rec;
	n_records++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsfp_pipeline *p;
	uint64_t ts = T0_NS;
	size_t pos = 0, len;
	uint16_t prefix;
	uint8_t *frame;

	if (p == NULL) {
		struct tlsfp_pipeline_config cfg;

		tlsfp_pipeline_config_defaults(&cfg);
		cfg.max_flows = 256; /* small: reach table-full and eviction */
		cfg.reasm_max_bytes = 1u << 20;
		p = tlsfp_pipeline_create(&cfg, emit, NULL);
		FUZZ_CHECK(p != NULL);
	}

	while (size - pos >= 2) {
		prefix = (uint16_t)((data[pos] << 8) | data[pos + 1]);
		pos += 2;
		len = prefix & 0x7fff;
		if (len > size - pos)
			len = size - pos;
		ts += (prefix & 0x8000) ? JUMP_NS : STEP_NS;
		frame = malloc(len ? len : 1);
		if (frame == NULL)
			break;
		memcpy(frame, data + pos, len);
		tlsfp_pipeline_input(p, frame, (uint32_t)len, (uint32_t)len, TLSFP_LINKTYPE_RAW,
				     ts);
		free(frame);
		pos += len;
	}
	tlsfp_pipeline_expire(p, ts);
	tlsfp_pipeline_flush(p);
	return 0;
}
