/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bounded out-of-order stream buffer (see stream_buf.h for the contract).
 *
 * Cost: an insert walks the range array twice (at most 16 entries) and
 * copies only the bytes not held yet.
 */
#include <string.h>

#include "flow/stream_buf.h"

void
tlsfp_sb_init(struct tlsfp_stream_buf *sb)
{
	sb->data = NULL;
	sb->buf_idx = TLSFP_SB_NO_BUF;
	sb->cap = 0;
	sb->n_ranges = 0;
}

void
tlsfp_sb_pool_init(struct tlsfp_sb_pool *pool, uint8_t *mem, uint32_t *free_stack, uint32_t n,
		   uint32_t buf_size)
{
	pool->mem = mem;
	pool->free_stack = free_stack;
	pool->n = n;
	pool->buf_size = buf_size;
	/* Lowest index on top, so a fresh pool hands out buffer 0 first. */
	for (uint32_t i = 0; i < n; i++)
		free_stack[i] = n - 1 - i;
	pool->n_free = n;
}

int
tlsfp_sb_acquire(struct tlsfp_sb_pool *pool, struct tlsfp_stream_buf *sb)
{
	if (sb->data != NULL) {
		sb->n_ranges = 0;
		return 0;
	}
	if (pool->n_free == 0)
		return -1;
	uint32_t idx = pool->free_stack[--pool->n_free];
	sb->data = pool->mem + (size_t)idx * pool->buf_size;
	sb->buf_idx = idx;
	sb->cap = pool->buf_size;
	sb->n_ranges = 0;
	return 0;
}

void
tlsfp_sb_release(struct tlsfp_sb_pool *pool, struct tlsfp_stream_buf *sb)
{
	if (sb->data != NULL && sb->buf_idx < pool->n)
		pool->free_stack[pool->n_free++] = sb->buf_idx;
	tlsfp_sb_init(sb);
}

/* Merge [s, e) into the range array; -1 (array unchanged) if it would need
 * more than TLSFP_SB_MAX_RANGES ranges. Touching ranges are merged. */
static int
merge_range(struct tlsfp_stream_buf *sb, uint32_t s, uint32_t e)
{
	struct tlsfp_sb_range out[TLSFP_SB_MAX_RANGES + 1];
	unsigned n = 0, i = 0;

	while (i < sb->n_ranges && sb->ranges[i].end < s)
		out[n++] = sb->ranges[i++];
	uint32_t ms = s, me = e;
	while (i < sb->n_ranges && sb->ranges[i].start <= e) {
		if (sb->ranges[i].start < ms)
			ms = sb->ranges[i].start;
		if (sb->ranges[i].end > me)
			me = sb->ranges[i].end;
		i++;
	}
	out[n].start = ms;
	out[n].end = me;
	n++;
	if (n + (sb->n_ranges - i) > TLSFP_SB_MAX_RANGES)
		return -1;
	while (i < sb->n_ranges)
		out[n++] = sb->ranges[i++];
	memcpy(sb->ranges, out, n * sizeof(out[0]));
	sb->n_ranges = (uint8_t)n;
	return 0;
}

enum tlsfp_sb_result
tlsfp_sb_insert(struct tlsfp_stream_buf *sb, uint64_t offset, const uint8_t *p, uint32_t len)
{
	if (len == 0)
		return TLSFP_SB_DUPLICATE;
	if (sb->data == NULL || offset >= sb->cap)
		return TLSFP_SB_BEYOND_CAP;

	uint32_t s = (uint32_t)offset;
	uint32_t e = (len > sb->cap - s) ? sb->cap : s + len;

	/* Copy the parts of [s, e) no range covers yet (first copy wins). */
	struct tlsfp_sb_range gaps[TLSFP_SB_MAX_RANGES + 1];
	unsigned n_gaps = 0;
	uint32_t pos = s;
	for (unsigned i = 0; i < sb->n_ranges && pos < e; i++) {
		const struct tlsfp_sb_range *r = &sb->ranges[i];
		if (r->end <= pos)
			continue;
		if (r->start >= e)
			break;
		if (r->start > pos) {
			gaps[n_gaps].start = pos;
			gaps[n_gaps].end = r->start;
			n_gaps++;
		}
		pos = r->end;
	}
	if (pos < e) {
		gaps[n_gaps].start = pos;
		gaps[n_gaps].end = e;
		n_gaps++;
	}
	if (n_gaps == 0)
		return TLSFP_SB_DUPLICATE;
	if (merge_range(sb, s, e) != 0)
		return TLSFP_SB_TOO_MANY_HOLES;
	for (unsigned g = 0; g < n_gaps; g++)
		memcpy(sb->data + gaps[g].start, p + (gaps[g].start - s),
		       gaps[g].end - gaps[g].start);
	return TLSFP_SB_ADDED;
}

enum tlsfp_sb_result
tlsfp_sb_insert_tcp(struct tlsfp_stream_buf *sb, uint32_t base_seq, uint32_t seq, const uint8_t *p,
		    uint32_t len)
{
	uint32_t dist = seq - base_seq; /* modulo 2^32 */

	if (dist >= 0x80000000u) {
		/* Starts before the stream: keep only what reaches past base. */
		uint32_t before = base_seq - seq;
		if (len <= before)
			return TLSFP_SB_DUPLICATE;
		p += before;
		len -= before;
		dist = 0;
	}
	return tlsfp_sb_insert(sb, dist, p, len);
}
