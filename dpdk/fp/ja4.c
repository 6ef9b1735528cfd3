/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JA4 for TLS clients and its variants ja4_r, ja4_o, ja4_ro, exactly as
 * shared/FINGERPRINTS.md (after FoxIO's JA4 technical details) defines them:
 *
 *   a  transport, version, d/i, #ciphers, #exts, ALPN   (10 characters)
 *   b  ciphers, 4-hex, sorted (ja4_o: wire order), ','-joined, SHA-256/12;
 *      no ciphers -> "000000000000"
 *   c  exts without SNI/ALPN, sorted (ja4_o: all exts, wire order), then
 *      '_' + sigalgs in wire order only when there are sigalgs; SHA-256/12;
 *      empty preimage (no exts, no sigalgs) -> "000000000000"
 *
 * The hashed and clear forms share one writer (fp/sink.h), so they cannot
 * disagree. GREASE is dropped again here so a view from any source renders
 * per the spec.
 *
 * Cost: sorting is on a stack copy (4 KiB): insertion sort up to 16 items
 * (every real hello), heapsort above, so a hostile 2048-cipher hello costs
 * O(n log n), not O(n^2).
 */
#include "fp/digest.h"
#include "fp/sink.h"

#define JA4_A_LEN 10
#define JA4_HASH_HEX 12
#define SORT_SCRATCH TLSFP_CH_MAX_CIPHERS

static const char *
version_code(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "13";
	case 0x0303:
		return "12";
	case 0x0302:
		return "11";
	case 0x0301:
		return "10";
	case 0x0300:
		return "s3";
	case 0x0002:
		return "s2";
	case 0xfeff:
		return "d1";
	case 0xfefd:
		return "d2";
	case 0xfefc:
		return "d3";
	default:
		return "00";
	}
}

static bool
is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static uint32_t
count_non_grease(const struct tlsfp_u16s *l)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < l->n; i++)
		n += !tlsfp_is_grease(l->v[i]);
	return n;
}

static void
put_count(char *out, uint32_t n)
{
	if (n > 99)
		n = 99;
	out[0] = (char)('0' + n / 10);
	out[1] = (char)('0' + n % 10);
}

void
tlsfp_ja4_a(const struct tlsfp_ch_view *ch, char out[11])
{
	const char *ver = version_code(ch->max_supported_version != 0 ? ch->max_supported_version
								      : ch->legacy_version);

	out[0] = ch->transport;
	out[1] = ver[0];
	out[2] = ver[1];
	out[3] = ch->has_sni ? 'd' : 'i';
	put_count(out + 4, count_non_grease(&ch->ciphers));
	put_count(out + 6, count_non_grease(&ch->exts));
	if (ch->alpn_first == NULL || ch->alpn_first_len == 0) {
		out[8] = '0';
		out[9] = '0';
	} else {
		uint8_t first = ch->alpn_first[0];
		uint8_t last = ch->alpn_first[ch->alpn_first_len - 1];
		if (is_alnum(first) && is_alnum(last)) {
			out[8] = (char)first;
			out[9] = (char)last;
		} else {
			out[8] = tlsfp_hex_digit(first >> 4);
			out[9] = tlsfp_hex_digit(last);
		}
	}
	out[10] = '\0';
}

static void
sort_u16(uint16_t *v, size_t n)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			uint16_t x = v[i];
			size_t j = i;
			for (; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	/* Heapsort: sift-down max-heap, then pop to the end. */
	for (size_t start = n / 2; start-- > 0;) {
		for (size_t root = start, child; (child = 2 * root + 1) < n; root = child) {
			if (child + 1 < n && v[child + 1] > v[child])
				child++;
			if (v[root] >= v[child])
				break;
			uint16_t t = v[root];
			v[root] = v[child];
			v[child] = t;
		}
	}
	for (size_t end = n; end-- > 1;) {
		uint16_t t = v[0];
		v[0] = v[end];
		v[end] = t;
		for (size_t root = 0, child; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && v[child + 1] > v[child])
				child++;
			if (v[root] >= v[child])
				break;
			t = v[root];
			v[root] = v[child];
			v[child] = t;
		}
	}
}

static bool
keep(uint16_t v, bool drop_sni_alpn)
{
	if (tlsfp_is_grease(v))
		return false;
	return !(drop_sni_alpn && (v == TLSFP_EXT_SERVER_NAME || v == TLSFP_EXT_ALPN));
}

/*
 * A list as ','-joined 4-hex: wire order, or sorted ascending. Lists longer
 * than the scratch (never produced by the parser or a record, whose lists
 * are capped lower) are emitted by repeated selection of the next value:
 * slower, same output.
 */
static void
put_hex_list(struct tlsfp_sink *s, const struct tlsfp_u16s *l, bool sorted, bool drop_sni_alpn)
{
	char sep = '\0';

	if (!sorted) {
		for (uint32_t i = 0; i < l->n; i++) {
			if (!keep(l->v[i], drop_sni_alpn))
				continue;
			tlsfp_sink_hex4(s, sep, l->v[i]);
			sep = ',';
		}
		return;
	}
	if (l->n <= SORT_SCRATCH) {
		uint16_t tmp[SORT_SCRATCH];
		size_t n = 0;
		for (uint32_t i = 0; i < l->n; i++)
			if (keep(l->v[i], drop_sni_alpn))
				tmp[n++] = l->v[i];
		sort_u16(tmp, n);
		for (size_t i = 0; i < n; i++) {
			tlsfp_sink_hex4(s, sep, tmp[i]);
			sep = ',';
		}
		return;
	}
	for (uint32_t floor = 0; floor <= 0xffff;) {
		uint32_t min = 0x10000, count = 0;
		for (uint32_t i = 0; i < l->n; i++) {
			uint16_t v = l->v[i];
			if (v < floor || v > min || !keep(v, drop_sni_alpn))
				continue;
			count = v == min ? count + 1 : 1;
			min = v;
		}
		if (min > 0xffff)
			break;
		while (count-- > 0) {
			tlsfp_sink_hex4(s, sep, (uint16_t)min);
			sep = ',';
		}
		floor = min + 1;
	}
}

/* Part b preimage. */
static void
put_b(struct tlsfp_sink *s, const struct tlsfp_ch_view *ch, bool original)
{
	put_hex_list(s, &ch->ciphers, !original, false);
}

/* Part c preimage: exts, then '_' and the sigalgs only when there are any. */
static void
put_c(struct tlsfp_sink *s, const struct tlsfp_ch_view *ch, bool original)
{
	put_hex_list(s, &ch->exts, !original, !original);
	if (count_non_grease(&ch->sigalgs) != 0) {
		tlsfp_sink_char(s, '_');
		put_hex_list(s, &ch->sigalgs, false, false);
	}
}

/* SHA-256 of a part's preimage, first 12 hex; an empty one gives 12 '0'. */
static void
hash_part(const struct tlsfp_ch_view *ch, bool original,
	  void (*put)(struct tlsfp_sink *, const struct tlsfp_ch_view *, bool), char *out)
{
	struct tlsfp_sink s;
	struct tlsfp_fp_digest md;

	tlsfp_fp_digest_begin(&md, TLSFP_FP_SHA256);
	tlsfp_sink_digest(&s, &md);
	put(&s, ch, original);
	tlsfp_sink_flush(&s);
	if (s.n == 0) {
		memset(out, '0', JA4_HASH_HEX);
		return;
	}
	tlsfp_fp_digest_end_hex(&md, out, JA4_HASH_HEX);
}

static void
ja4_hashed(const struct tlsfp_ch_view *ch, char out[TLSFP_JA4_LEN + 1], bool original)
{
	tlsfp_ja4_a(ch, out);
	out[JA4_A_LEN] = '_';
	hash_part(ch, original, put_b, out + JA4_A_LEN + 1);
	out[JA4_A_LEN + 1 + JA4_HASH_HEX] = '_';
	hash_part(ch, original, put_c, out + JA4_A_LEN + 2 + JA4_HASH_HEX);
	out[TLSFP_JA4_LEN] = '\0';
}

static size_t
ja4_raw(const struct tlsfp_ch_view *ch, char *out, size_t cap, bool original)
{
	struct tlsfp_sink s;
	char a[JA4_A_LEN + 1];

	tlsfp_ja4_a(ch, a);
	tlsfp_sink_string(&s, out, cap);
	tlsfp_sink_put(&s, a, JA4_A_LEN);
	tlsfp_sink_char(&s, '_');
	put_b(&s, ch, original);
	tlsfp_sink_char(&s, '_');
	put_c(&s, ch, original);
	return tlsfp_sink_finish(&s);
}

void
tlsfp_ja4(const struct tlsfp_ch_view *ch, char out[TLSFP_JA4_LEN + 1])
{
	ja4_hashed(ch, out, false);
}

void
tlsfp_ja4_o(const struct tlsfp_ch_view *ch, char out[TLSFP_JA4_LEN + 1])
{
	ja4_hashed(ch, out, true);
}

size_t
tlsfp_ja4_r(const struct tlsfp_ch_view *ch, char *out, size_t cap)
{
	return ja4_raw(ch, out, cap, false);
}

size_t
tlsfp_ja4_ro(const struct tlsfp_ch_view *ch, char *out, size_t cap)
{
	return ja4_raw(ch, out, cap, true);
}
