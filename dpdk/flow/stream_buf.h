/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bounded byte buffer for one direction of a stream (internal to the
 * fingerprint core): bytes are placed by offset from the stream's start,
 * in any order, and read back as the contiguous prefix.
 *
 * Shared by TCP (offset = seq - base_seq, modulo 2^32) and QUIC (offset =
 * CRYPTO frame offset). Semantics, the usual ones of an IDS:
 *   - the first copy of a byte wins: an overlapping retransmission never
 *     rewrites bytes already held (and a segment that adds nothing is a
 *     duplicate);
 *   - bytes at or beyond `cap` are dropped: a hello must fit in the bound,
 *     and what follows it (certificates, application data) is not needed;
 *   - the filled ranges are a small sorted array; a stream with more holes
 *     than TLSFP_SB_MAX_RANGES ranges is refused (the caller gives up).
 *
 * Memory: the data area comes from a tlsfp_sb_pool preallocated on the cold
 * path; acquiring and releasing are O(1) and never allocate.
 */
#ifndef TLSFP_FLOW_STREAM_BUF_H
#define TLSFP_FLOW_STREAM_BUF_H

#include <stdint.h>

#define TLSFP_SB_MAX_RANGES 16
#define TLSFP_SB_NO_BUF UINT32_MAX

struct tlsfp_sb_range {
	uint32_t start, end; /* [start, end) */
};

struct tlsfp_stream_buf {
	uint8_t *data;	  /* cap bytes from the pool, NULL while not needed */
	uint32_t buf_idx; /* index in the pool, TLSFP_SB_NO_BUF when none */
	uint32_t cap;
	uint8_t n_ranges;
	/* Sorted, disjoint and never adjacent (adjacent ranges are merged). */
	struct tlsfp_sb_range ranges[TLSFP_SB_MAX_RANGES];
};

enum tlsfp_sb_result {
	TLSFP_SB_ADDED = 0,	      /* new bytes stored (maybe with some overlap) */
	TLSFP_SB_DUPLICATE = 1,	      /* every byte was already held, or len 0 */
	TLSFP_SB_BEYOND_CAP = 2,      /* the segment lies wholly at or past cap */
	TLSFP_SB_TOO_MANY_HOLES = -1, /* would need more than MAX_RANGES ranges: nothing stored */
};

/* Fixed set of equal buffers. Single thread. */
struct tlsfp_sb_pool {
	uint8_t *mem;	      /* n * buf_size bytes */
	uint32_t *free_stack; /* n indices */
	uint32_t n, n_free;
	uint32_t buf_size;
};

/* An empty, buffer-less stream (what a zeroed struct is not: buf_idx). */
void tlsfp_sb_init(struct tlsfp_stream_buf *sb);

/* Cold path. mem and free_stack are owned by the caller (sized n * buf_size
 * and n); this only fills the free stack. */
void tlsfp_sb_pool_init(struct tlsfp_sb_pool *pool, uint8_t *mem, uint32_t *free_stack, uint32_t n,
			uint32_t buf_size);

/* Give sb a data area and empty it. -1 when the pool is empty. */
int tlsfp_sb_acquire(struct tlsfp_sb_pool *pool, struct tlsfp_stream_buf *sb);
/* Return sb's data area (if any) and make it empty again. */
void tlsfp_sb_release(struct tlsfp_sb_pool *pool, struct tlsfp_stream_buf *sb);

/* Place len bytes at stream offset `offset` (sb must hold a buffer). */
enum tlsfp_sb_result tlsfp_sb_insert(struct tlsfp_stream_buf *sb, uint64_t offset, const uint8_t *p,
				     uint32_t len);

/*
 * TCP: place a segment whose first byte has sequence number seq, the stream
 * starting at base_seq. Sequence space wraps at 2^32: the distance is taken
 * modulo 2^32, and a segment starting up to 2^31 before base_seq is a
 * retransmission of earlier bytes whose part before base is ignored.
 */
enum tlsfp_sb_result tlsfp_sb_insert_tcp(struct tlsfp_stream_buf *sb, uint32_t base_seq,
					 uint32_t seq, const uint8_t *p, uint32_t len);

/* Bytes held from offset 0 without a hole. */
static inline uint32_t
tlsfp_sb_contiguous(const struct tlsfp_stream_buf *sb)
{
	return (sb->n_ranges > 0 && sb->ranges[0].start == 0) ? sb->ranges[0].end : 0;
}

/* 1 when a byte is missing below the highest byte held. */
static inline int
tlsfp_sb_has_holes(const struct tlsfp_stream_buf *sb)
{
	return sb->n_ranges > 1 || (sb->n_ranges == 1 && sb->ranges[0].start != 0);
}

#endif /* TLSFP_FLOW_STREAM_BUF_H */
