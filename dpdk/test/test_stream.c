/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bounded stream buffer: in order, reversed, duplicates, overlaps (the
 * first copy wins), TCP sequence wrap at 2^32, the byte bound, the holes
 * limit, and the buffer pool.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "flow/stream_buf.h"

#define BUF 64
#define NBUF 2

static uint8_t mem[NBUF * BUF];
static uint32_t stack[NBUF];
static struct tlsfp_sb_pool pool;

static void
fresh(struct tlsfp_stream_buf *sb)
{
	tlsfp_sb_init(sb);
	CHECK_EQ_INT(tlsfp_sb_acquire(&pool, sb), 0);
	memset(sb->data, 0, BUF);
}

static void
done(struct tlsfp_stream_buf *sb)
{
	tlsfp_sb_release(&pool, sb);
	CHECK(sb->data == NULL);
	CHECK_EQ_INT(pool.n_free, NBUF);
}

static const uint8_t *
B(const char *s)
{
	return (const uint8_t *)s;
}

static void
test_in_order(void)
{
	struct tlsfp_stream_buf sb;
	fresh(&sb);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), 0);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 0, B("abcd"), 4), TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 4, B("efgh"), 4), TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), 8);
	CHECK_EQ_INT(sb.n_ranges, 1);
	CHECK(memcmp(sb.data, "abcdefgh", 8) == 0);
	CHECK(!tlsfp_sb_has_holes(&sb));
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 8, B(""), 0), TLSFP_SB_DUPLICATE);
	done(&sb);
}

static void
test_reversed(void)
{
	struct tlsfp_stream_buf sb;
	fresh(&sb);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 8, B("ijkl"), 4), TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), 0);
	CHECK(tlsfp_sb_has_holes(&sb));
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 4, B("efgh"), 4), TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), 0);
	CHECK_EQ_INT(sb.n_ranges, 1); /* [4, 12) merged */
	CHECK_EQ_INT(sb.ranges[0].start, 4);
	CHECK_EQ_INT(sb.ranges[0].end, 12);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 0, B("abcd"), 4), TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), 12);
	CHECK(memcmp(sb.data, "abcdefghijkl", 12) == 0);
	done(&sb);
}

static void
test_duplicates_overlaps(void)
{
	struct tlsfp_stream_buf sb;
	fresh(&sb);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 2, B("AAAA"), 4), TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 2, B("AAAA"), 4), TLSFP_SB_DUPLICATE);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 3, B("XX"), 2), TLSFP_SB_DUPLICATE);
	/* Covers [0, 8): only [0, 2) and [6, 8) are new; AAAA stays. */
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 0, B("bbbbbbbb"), 8), TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), 8);
	CHECK(memcmp(sb.data, "bbAAAAbb", 8) == 0);

	/* One segment across several ranges and holes. */
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 10, B("CC"), 2), TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 14, B("DD"), 2), TLSFP_SB_ADDED);
	CHECK_EQ_INT(sb.n_ranges, 3);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 6, B("zzzzzzzzzzzz"), 12), TLSFP_SB_ADDED);
	CHECK_EQ_INT(sb.n_ranges, 1);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), 18);
	CHECK(memcmp(sb.data, "bbAAAAbbzzCCzzDDzz", 18) == 0);
	done(&sb);
}

static void
test_tcp_wrap(void)
{
	struct tlsfp_stream_buf sb;
	const uint32_t base = 0xfffffff8u;
	fresh(&sb);
	/* 8 bytes before the wrap, 8 after; the second arrives first. */
	CHECK_EQ_INT(tlsfp_sb_insert_tcp(&sb, base, 0, B("89abcdef"), 8), TLSFP_SB_ADDED);
	CHECK_EQ_INT(sb.ranges[0].start, 8);
	CHECK_EQ_INT(tlsfp_sb_insert_tcp(&sb, base, base, B("01234567"), 8), TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), 16);
	CHECK(memcmp(sb.data, "0123456789abcdef", 16) == 0);
	/* A retransmission starting 4 bytes before base: only its tail counts. */
	CHECK_EQ_INT(tlsfp_sb_insert_tcp(&sb, base, base - 4, B("wxyz01234567"), 12),
		     TLSFP_SB_DUPLICATE);
	CHECK_EQ_INT(tlsfp_sb_insert_tcp(&sb, base, base - 4, B("wxyz"), 4), TLSFP_SB_DUPLICATE);
	CHECK_EQ_INT(tlsfp_sb_insert_tcp(&sb, base, base - 2, B("..0123456789abcdefGH"), 20),
		     TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), 18);
	CHECK(memcmp(sb.data, "0123456789abcdefGH", 18) == 0);
	done(&sb);
}

static void
test_bound(void)
{
	struct tlsfp_stream_buf sb;
	uint8_t big[100];
	memset(big, 'q', sizeof(big));
	fresh(&sb);
	CHECK_EQ_INT(sb.cap, BUF);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, BUF - 4, big, 10), TLSFP_SB_ADDED);
	CHECK_EQ_INT(sb.ranges[0].end, BUF);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, BUF, big, 10), TLSFP_SB_BEYOND_CAP);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, UINT64_C(1) << 40, big, 10), TLSFP_SB_BEYOND_CAP);
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 0, big, 100), TLSFP_SB_ADDED);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), BUF);
	/* Far past the bound in sequence space too. */
	CHECK_EQ_INT(tlsfp_sb_insert_tcp(&sb, 100, 100 + 0x7fffffffu, big, 10),
		     TLSFP_SB_BEYOND_CAP);
	done(&sb);
}

static void
test_holes_limit(void)
{
	struct tlsfp_stream_buf sb;
	fresh(&sb);
	/* 16 one-byte islands at 1, 3, 5, ... 31. */
	for (unsigned i = 0; i < TLSFP_SB_MAX_RANGES; i++)
		CHECK_EQ_INT(tlsfp_sb_insert(&sb, 1 + 2 * i, B("x"), 1), TLSFP_SB_ADDED);
	CHECK_EQ_INT(sb.n_ranges, TLSFP_SB_MAX_RANGES);
	/* A 17th island is refused, and nothing of it is stored. */
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 40, B("y"), 1), TLSFP_SB_TOO_MANY_HOLES);
	CHECK_EQ_INT(sb.n_ranges, TLSFP_SB_MAX_RANGES);
	CHECK_EQ_INT(sb.data[40], 0);
	/* Filling a hole merges two islands: fine. */
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 2, B("y"), 1), TLSFP_SB_ADDED);
	CHECK_EQ_INT(sb.n_ranges, TLSFP_SB_MAX_RANGES - 1);
	/* Extending the last island touches no new range. */
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 32, B("zz"), 2), TLSFP_SB_ADDED);
	CHECK_EQ_INT(sb.n_ranges, TLSFP_SB_MAX_RANGES - 1);
	/* One segment covering everything collapses it all. */
	uint8_t all[40];
	memset(all, 'a', sizeof(all));
	CHECK_EQ_INT(tlsfp_sb_insert(&sb, 0, all, 40), TLSFP_SB_ADDED);
	CHECK_EQ_INT(sb.n_ranges, 1);
	CHECK_EQ_INT(tlsfp_sb_contiguous(&sb), 40);
	CHECK_EQ_INT(sb.data[1], 'x');
	CHECK_EQ_INT(sb.data[2], 'y');
	CHECK_EQ_INT(sb.data[32], 'z');
	CHECK_EQ_INT(sb.data[0], 'a');
	done(&sb);
}

static void
test_pool(void)
{
	struct tlsfp_stream_buf a, b, c;
	tlsfp_sb_init(&a);
	tlsfp_sb_init(&b);
	tlsfp_sb_init(&c);
	CHECK_EQ_INT(tlsfp_sb_insert(&a, 0, B("a"), 1), TLSFP_SB_BEYOND_CAP); /* no buffer */
	CHECK_EQ_INT(tlsfp_sb_acquire(&pool, &a), 0);
	CHECK_EQ_INT(a.buf_idx, 0);
	CHECK_EQ_INT(tlsfp_sb_acquire(&pool, &b), 0);
	CHECK_EQ_INT(b.buf_idx, 1);
	CHECK(a.data + BUF == b.data);
	CHECK_EQ_INT(tlsfp_sb_acquire(&pool, &c), -1);
	CHECK(c.data == NULL);
	tlsfp_sb_release(&pool, &a);
	tlsfp_sb_release(&pool, &a); /* twice: harmless */
	CHECK_EQ_INT(pool.n_free, 1);
	CHECK_EQ_INT(tlsfp_sb_acquire(&pool, &c), 0);
	CHECK_EQ_INT(c.buf_idx, 0);
	tlsfp_sb_release(&pool, &b);
	tlsfp_sb_release(&pool, &c);
	CHECK_EQ_INT(pool.n_free, NBUF);
}

int
main(void)
{
	tlsfp_sb_pool_init(&pool, mem, stack, NBUF, BUF);
	test_in_order();
	test_reversed();
	test_duplicates_overlaps();
	test_tcp_wrap();
	test_bound();
	test_holes_limit();
	test_pool();
	return check_exit("test_stream");
}
