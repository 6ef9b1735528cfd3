/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Render every fingerprint of fp.h from a client or server view, checking
 * the promises fp.h makes: snprintf-like lengths, NUL termination, JA4's
 * fixed 36 characters. Shared by the hello harnesses (fp/ has no parser of
 * its own, so it is fuzzed through theirs).
 */
#ifndef TLSFP_FUZZ_HELLO_COMMON_H
#define TLSFP_FUZZ_HELLO_COMMON_H

#include <string.h>

#include "fuzz.h"
#include "tlsfp/fp.h"

/* Large enough for any string of a hello under hello.h's capacities. */
#define FUZZ_FP_BUF (1u << 17)

typedef size_t (*fuzz_str_fn)(const void *view, char *out, size_t cap);

/* The full string, then the same into a buffer `small` bytes long, which
 * must hold its prefix and a NUL, and nothing past it. */
static inline void
fuzz_check_string(size_t full_len, const char *full, size_t small_len, const char *small,
		  size_t small_cap)
{
	FUZZ_CHECK(full_len < FUZZ_FP_BUF);
	FUZZ_CHECK(strlen(full) == full_len);
	FUZZ_CHECK(small_len == full_len);
	if (small_cap > 0) {
		size_t want = full_len < small_cap - 1 ? full_len : small_cap - 1;

		FUZZ_CHECK(strlen(small) == want);
		FUZZ_CHECK(memcmp(small, full, want) == 0);
	}
}

/* Part a of JA4, field by field, from the view (shared/FINGERPRINTS.md). */
static inline void
fuzz_check_ja4_a(const struct tlsfp_ch_view *v, const char a[11])
{
	uint32_t nc = v->ciphers.n < 99 ? v->ciphers.n : 99;
	uint32_t ne = v->exts.n < 99 ? v->exts.n : 99;

	FUZZ_CHECK(a[0] == v->transport);
	FUZZ_CHECK(a[3] == (v->has_sni ? 'd' : 'i'));
	FUZZ_CHECK(a[4] == (char)('0' + nc / 10) && a[5] == (char)('0' + nc % 10));
	FUZZ_CHECK(a[6] == (char)('0' + ne / 10) && a[7] == (char)('0' + ne % 10));
	if (v->alpn_first == NULL || v->alpn_first_len == 0)
		FUZZ_CHECK(a[8] == '0' && a[9] == '0');
}

/* A comma-separated JA3 string has exactly `commas` commas (the lists
 * are joined with '-'), and starts with the decimal legacy version. */
static inline void
fuzz_check_ja3(const char *s, int commas, uint16_t version)
{
	char head[8];
	int n = 0;

	for (const char *c = s; *c; c++)
		n += *c == ',';
	FUZZ_CHECK(n == commas);
	snprintf(head, sizeof(head), "%u,", version);
	FUZZ_CHECK(strncmp(s, head, strlen(head)) == 0);
}

static inline void
fuzz_render_ch(const struct tlsfp_ch_view *v, size_t small_cap)
{
	static char full[FUZZ_FP_BUF];
	char md5[TLSFP_MD5_HEX_LEN + 1], ja4[TLSFP_JA4_LEN + 1], a[11];
	char *small = malloc(small_cap ? small_cap : 1);
	size_t n, m;

	if (small == NULL)
		return;
	n = tlsfp_ja3_string(v, full, sizeof(full));
	m = tlsfp_ja3_string(v, small, small_cap);
	fuzz_check_string(n, full, m, small, small_cap);
	fuzz_check_ja3(full, 4, v->legacy_version);
	tlsfp_md5_hex(full, n, md5);
	FUZZ_CHECK(strlen(md5) == TLSFP_MD5_HEX_LEN);

	n = tlsfp_ja4_r(v, full, sizeof(full));
	m = tlsfp_ja4_r(v, small, small_cap);
	fuzz_check_string(n, full, m, small, small_cap);
	n = tlsfp_ja4_ro(v, full, sizeof(full));
	m = tlsfp_ja4_ro(v, small, small_cap);
	fuzz_check_string(n, full, m, small, small_cap);

	tlsfp_ja4(v, ja4);
	FUZZ_CHECK(strlen(ja4) == TLSFP_JA4_LEN);
	tlsfp_ja4_a(v, a);
	FUZZ_CHECK(strlen(a) == 10);
	fuzz_check_ja4_a(v, a);
	FUZZ_CHECK(memcmp(a, ja4, 10) == 0 && ja4[10] == '_' && ja4[23] == '_');
	/* An empty cipher list hashes to twelve zeros, not SHA-256(""). */
	FUZZ_CHECK((v->ciphers.n == 0) == (memcmp(ja4 + 11, "000000000000", 12) == 0));
	tlsfp_ja4_o(v, ja4);
	FUZZ_CHECK(strlen(ja4) == TLSFP_JA4_LEN);
	FUZZ_CHECK(memcmp(a, ja4, 10) == 0);

	FUZZ_CHECK(tlsfp_version_name(v->legacy_version) != NULL);
	FUZZ_CHECK(tlsfp_version_name(v->max_supported_version) != NULL);
	free(small);
}

static inline void
fuzz_render_sh(const struct tlsfp_sh_view *v, size_t small_cap)
{
	static char full[FUZZ_FP_BUF];
	char md5[TLSFP_MD5_HEX_LEN + 1];
	char *small = malloc(small_cap ? small_cap : 1);
	size_t n, m;

	if (small == NULL)
		return;
	n = tlsfp_ja3s_string(v, full, sizeof(full));
	m = tlsfp_ja3s_string(v, small, small_cap);
	fuzz_check_string(n, full, m, small, small_cap);
	fuzz_check_ja3(full, 2, v->legacy_version);
	tlsfp_md5_hex(full, n, md5);
	FUZZ_CHECK(strlen(md5) == TLSFP_MD5_HEX_LEN);
	FUZZ_CHECK(tlsfp_version_name(v->legacy_version) != NULL);
	free(small);
}

#endif /* TLSFP_FUZZ_HELLO_COMMON_H */
