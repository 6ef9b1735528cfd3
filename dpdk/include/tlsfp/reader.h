/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one bounds-checked reader for every field read of a header or a hello.
 *
 * A reader is a (pointer, remaining) pair. Every read checks the length
 * first; a failed read sets `err` and makes every later read fail too, so a
 * parser can read a run of fields and check once at the end. No read ever
 * touches a byte outside [p, p + len).
 */
#ifndef TLSFP_READER_H
#define TLSFP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tlsfp_reader {
	const uint8_t *p;
	size_t len;
	bool err;
};

static inline struct tlsfp_reader
tlsfp_reader_init(const uint8_t *p, size_t len)
{
	struct tlsfp_reader r = {p, len, false};
	return r;
}

static inline bool
tlsfp_reader_has(const struct tlsfp_reader *r, size_t n)
{
	return !r->err && r->len >= n;
}

static inline uint8_t
tlsfp_read_u8(struct tlsfp_reader *r)
{
	if (!tlsfp_reader_has(r, 1)) {
		r->err = true;
		return 0;
	}
	uint8_t v = r->p[0];
	r->p += 1;
	r->len -= 1;
	return v;
}

static inline uint16_t
tlsfp_read_u16(struct tlsfp_reader *r)
{
	if (!tlsfp_reader_has(r, 2)) {
		r->err = true;
		return 0;
	}
	uint16_t v = (uint16_t)((r->p[0] << 8) | r->p[1]);
	r->p += 2;
	r->len -= 2;
	return v;
}

static inline uint32_t
tlsfp_read_u24(struct tlsfp_reader *r)
{
	if (!tlsfp_reader_has(r, 3)) {
		r->err = true;
		return 0;
	}
	uint32_t v = ((uint32_t)r->p[0] << 16) | ((uint32_t)r->p[1] << 8) | r->p[2];
	r->p += 3;
	r->len -= 3;
	return v;
}

static inline uint32_t
tlsfp_read_u32(struct tlsfp_reader *r)
{
	if (!tlsfp_reader_has(r, 4)) {
		r->err = true;
		return 0;
	}
	uint32_t v = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) |
		     ((uint32_t)r->p[2] << 8) | r->p[3];
	r->p += 4;
	r->len -= 4;
	return v;
}

/* Take the next n bytes as a pointer; NULL (and err) when fewer remain. */
static inline const uint8_t *
tlsfp_read_bytes(struct tlsfp_reader *r, size_t n)
{
	if (!tlsfp_reader_has(r, n)) {
		r->err = true;
		return NULL;
	}
	const uint8_t *v = r->p;
	r->p += n;
	r->len -= n;
	return v;
}

/* Split off the next n bytes as a sub-reader (a length-prefixed vector). */
static inline struct tlsfp_reader
tlsfp_read_sub(struct tlsfp_reader *r, size_t n)
{
	const uint8_t *p = tlsfp_read_bytes(r, n);
	struct tlsfp_reader sub = {p, p ? n : 0, p == NULL};
	return sub;
}

static inline void
tlsfp_read_skip(struct tlsfp_reader *r, size_t n)
{
	(void)tlsfp_read_bytes(r, n);
}

/* Big-endian loads from a pointer the caller has already bounds-checked. */
static inline uint16_t
tlsfp_load_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
tlsfp_load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif /* TLSFP_READER_H */
