/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A tiny writer of TLS hellos and records for the C unit tests: append
 * big-endian fields, open a length-prefixed vector and close it once its
 * content is written (the length is patched in).
 */
#ifndef TLSFP_TEST_TLS_BUILDER_H
#define TLSFP_TEST_TLS_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TB_CAP 140000

struct tb {
	uint8_t b[TB_CAP];
	size_t n;
};

static inline void
tb_u8(struct tb *t, uint8_t v)
{
	if (t->n < TB_CAP)
		t->b[t->n++] = v;
}

static inline void
tb_u16(struct tb *t, uint16_t v)
{
	tb_u8(t, (uint8_t)(v >> 8));
	tb_u8(t, (uint8_t)v);
}

static inline void
tb_u24(struct tb *t, uint32_t v)
{
	tb_u8(t, (uint8_t)(v >> 16));
	tb_u16(t, (uint16_t)v);
}

static inline void
tb_bytes(struct tb *t, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tb_u8(t, ((const uint8_t *)p)[i]);
}

static inline void
tb_zeros(struct tb *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tb_u8(t, 0);
}

/* Open a vector whose length field is `width` bytes; returns its position. */
static inline size_t
tb_open(struct tb *t, int width)
{
	size_t at = t->n;
	for (int i = 0; i < width; i++)
		tb_u8(t, 0);
	return at;
}

static inline void
tb_close(struct tb *t, size_t at, int width)
{
	size_t len = t->n - at - (size_t)width;
	for (int i = width - 1; i >= 0; i--) {
		t->b[at + (size_t)i] = (uint8_t)len;
		len >>= 8;
	}
}

/* ---- hellos ---- */

/* ClientHello up to (not including) the extensions block. Returns the
 * position of the handshake header (for tb_hs_end). */
static inline size_t
tb_ch_begin(struct tb *t, uint16_t legacy, const uint16_t *ciphers, size_t n_ciphers)
{
	size_t hs = t->n;
	tb_u8(t, 1);
	tb_u24(t, 0);
	tb_u16(t, legacy);
	for (int i = 0; i < 32; i++)
		tb_u8(t, (uint8_t)(0x40 + i));
	tb_u8(t, 32); /* session id */
	for (int i = 0; i < 32; i++)
		tb_u8(t, (uint8_t)(0x80 + i));
	size_t v = tb_open(t, 2);
	for (size_t i = 0; i < n_ciphers; i++)
		tb_u16(t, ciphers[i]);
	tb_close(t, v, 2);
	tb_u8(t, 1); /* compression methods: null */
	tb_u8(t, 0);
	return hs;
}

/* Patch the handshake length; returns the message length. */
static inline size_t
tb_hs_end(struct tb *t, size_t hs)
{
	size_t len = t->n - hs - 4;
	t->b[hs + 1] = (uint8_t)(len >> 16);
	t->b[hs + 2] = (uint8_t)(len >> 8);
	t->b[hs + 3] = (uint8_t)len;
	return t->n - hs;
}

static inline size_t
tb_ext_begin(struct tb *t, uint16_t type)
{
	tb_u16(t, type);
	return tb_open(t, 2);
}

static inline void
tb_ext_end(struct tb *t, size_t at)
{
	tb_close(t, at, 2);
}

static inline void
tb_ext_raw(struct tb *t, uint16_t type, const void *body, size_t n)
{
	size_t e = tb_ext_begin(t, type);
	tb_bytes(t, body, n);
	tb_ext_end(t, e);
}

static inline void
tb_ext_sni(struct tb *t, const char *host)
{
	size_t e = tb_ext_begin(t, 0x0000);
	size_t l = tb_open(t, 2);
	tb_u8(t, 0);
	tb_u16(t, (uint16_t)strlen(host));
	tb_bytes(t, host, strlen(host));
	tb_close(t, l, 2);
	tb_ext_end(t, e);
}

/* An extension whose body is one u16 vector of u16s (groups, sigalgs). */
static inline void
tb_ext_u16list(struct tb *t, uint16_t type, const uint16_t *v, size_t n)
{
	size_t e = tb_ext_begin(t, type);
	size_t l = tb_open(t, 2);
	for (size_t i = 0; i < n; i++)
		tb_u16(t, v[i]);
	tb_close(t, l, 2);
	tb_ext_end(t, e);
}

/* Client supported_versions: a u8 vector of u16s. */
static inline void
tb_ext_versions(struct tb *t, const uint16_t *v, size_t n)
{
	size_t e = tb_ext_begin(t, 0x002b);
	size_t l = tb_open(t, 1);
	for (size_t i = 0; i < n; i++)
		tb_u16(t, v[i]);
	tb_close(t, l, 1);
	tb_ext_end(t, e);
}

static inline void
tb_ext_point_formats(struct tb *t, const uint8_t *v, size_t n)
{
	size_t e = tb_ext_begin(t, 0x000b);
	size_t l = tb_open(t, 1);
	tb_bytes(t, v, n);
	tb_close(t, l, 1);
	tb_ext_end(t, e);
}

/* ALPN from n names given as (pointer, length) pairs. */
struct tb_name {
	const void *p;
	size_t n;
};

static inline void
tb_ext_alpn(struct tb *t, const struct tb_name *names, size_t n)
{
	size_t e = tb_ext_begin(t, 0x0010);
	size_t l = tb_open(t, 2);
	for (size_t i = 0; i < n; i++) {
		tb_u8(t, (uint8_t)names[i].n);
		tb_bytes(t, names[i].p, names[i].n);
	}
	tb_close(t, l, 2);
	tb_ext_end(t, e);
}

/* ServerHello up to the extensions block. */
static inline size_t
tb_sh_begin(struct tb *t, uint16_t legacy, const uint8_t random[32], uint16_t cipher)
{
	size_t hs = t->n;
	tb_u8(t, 2);
	tb_u24(t, 0);
	tb_u16(t, legacy);
	tb_bytes(t, random, 32);
	tb_u8(t, 32);
	for (int i = 0; i < 32; i++)
		tb_u8(t, (uint8_t)(0x80 + i));
	tb_u16(t, cipher);
	tb_u8(t, 0);
	return hs;
}

/* ---- records ---- */

/* Wrap msg[0, n) in records of at most `chunk` payload bytes. */
static inline void
tb_records(struct tb *t, uint8_t type, uint16_t version, const uint8_t *msg, size_t n, size_t chunk)
{
	for (size_t off = 0; off < n; off += chunk) {
		size_t k = n - off < chunk ? n - off : chunk;
		tb_u8(t, type);
		tb_u16(t, version);
		tb_u16(t, (uint16_t)k);
		tb_bytes(t, msg + off, k);
	}
}

#endif /* TLSFP_TEST_TLS_BUILDER_H */
