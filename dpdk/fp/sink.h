/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one text writer of the fingerprints (internal to fp/): the same code
 * renders a list either into a bounded string (snprintf semantics: at most
 * cap bytes with the NUL, the full length counted) or straight into a
 * digest, in 256-byte chunks, so a hashed part never needs its preimage in
 * one buffer and the clear and hashed forms cannot drift apart.
 *
 * Numbers are written by hand (no snprintf): 4-digit lower-case hex for JA4,
 * decimal for JA3.
 */
#ifndef TLSFP_FP_SINK_H
#define TLSFP_FP_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fp/digest.h"
#include "tlsfp/fp.h"
#include "tlsfp/hello.h" /* tlsfp_is_grease */

struct tlsfp_sink {
	size_t n;  /* characters produced so far */
	char *out; /* string mode */
	size_t cap;
	struct tlsfp_fp_digest *md; /* digest mode when non-NULL */
	size_t fill;
	char chunk[256];
};

static inline char
tlsfp_hex_digit(unsigned v)
{
	return "0123456789abcdef"[v & 0x0f];
}

static inline void
tlsfp_sink_string(struct tlsfp_sink *s, char *out, size_t cap)
{
	s->n = 0;
	s->out = out;
	s->cap = cap;
	s->md = NULL;
	s->fill = 0;
}

/* Digest mode: bytes go to md, already begun. */
static inline void
tlsfp_sink_digest(struct tlsfp_sink *s, struct tlsfp_fp_digest *md)
{
	s->n = 0;
	s->out = NULL;
	s->cap = 0;
	s->md = md;
	s->fill = 0;
}

static inline void
tlsfp_sink_put(struct tlsfp_sink *s, const char *b, size_t k)
{
	if (s->out != NULL) {
		/* Keep room for the NUL. */
		if (s->n + 1 < s->cap) {
			size_t room = s->cap - 1 - s->n;
			memcpy(s->out + s->n, b, k < room ? k : room);
		}
	} else if (s->md != NULL) {
		if (s->fill + k > sizeof(s->chunk)) {
			tlsfp_fp_digest_update(s->md, s->chunk, s->fill);
			s->fill = 0;
		}
		memcpy(s->chunk + s->fill, b, k);
		s->fill += k;
	}
	s->n += k;
}

static inline void
tlsfp_sink_char(struct tlsfp_sink *s, char c)
{
	tlsfp_sink_put(s, &c, 1);
}

/* String mode: NUL-terminate; returns the full length. */
static inline size_t
tlsfp_sink_finish(struct tlsfp_sink *s)
{
	if (s->cap != 0)
		s->out[s->n < s->cap - 1 ? s->n : s->cap - 1] = '\0';
	return s->n;
}

/* Digest mode: flush the last chunk (the caller then ends the digest). */
static inline void
tlsfp_sink_flush(struct tlsfp_sink *s)
{
	if (s->md != NULL && s->fill != 0)
		tlsfp_fp_digest_update(s->md, s->chunk, s->fill);
	s->fill = 0;
}

/* An optional separator then v as 4 lower-case hex digits. */
static inline void
tlsfp_sink_hex4(struct tlsfp_sink *s, char sep, uint16_t v)
{
	char b[5];
	size_t k = 0;
	if (sep != '\0')
		b[k++] = sep;
	b[k++] = tlsfp_hex_digit(v >> 12);
	b[k++] = tlsfp_hex_digit(v >> 8);
	b[k++] = tlsfp_hex_digit(v >> 4);
	b[k++] = tlsfp_hex_digit(v);
	tlsfp_sink_put(s, b, k);
}

/* An optional separator then v in decimal. */
static inline void
tlsfp_sink_dec(struct tlsfp_sink *s, char sep, uint16_t v)
{
	char b[6];
	size_t k = sizeof(b);
	do {
		b[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (sep != '\0')
		b[--k] = sep;
	tlsfp_sink_put(s, b + k, sizeof(b) - k);
}

#endif /* TLSFP_FP_SINK_H */
