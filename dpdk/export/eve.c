/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EVE JSON lines from handshake records (tlsfp/eve.h). The reference is the
 * TypeScript writer: native/record_to_js.cc builds the record object (names
 * escaped to printable ASCII, addresses as inet_ntop prints them, clear
 * fingerprint strings rendered by fp/), src/export/eve.ts picks and orders
 * the fields and JSON.stringify writes them. Every rule below names the
 * line of that pipeline it reproduces.
 *
 * Output goes through one bounded writer (snprintf semantics: it counts
 * what it cannot store). Lists are written straight into the buffer when
 * their worst case fits, with no per-value bound check; runs of plain
 * bytes are found eight at a time.
 *
 * Cost (callgrind, curl's TLS 1.3 record, a 1.2 KB line): ~13k
 * instructions, ~1 us on the team's VM; two thirds of it is fp/ rendering
 * the JA3/JA3S strings and ja4_r/ja4_ro (sort, sink). A hostile record
 * (1024 list entries) takes ~25 us.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tlsfp/eve.h"
#include "tlsfp/fp.h"
#include "tlsfp/record.h"

#define JA4_A_LEN 10
#define NS_PER_S 1000000000ull
#define JS_SAFE_INT (1ull << 53)

struct eve_w {
	char *buf;
	size_t cap;
	size_t n; /* length so far, counted even past cap */
};

static const char hex_digits[] = "0123456789abcdef";

static inline void
put(struct eve_w *w, const char *s, size_t k)
{
	if (w->n + k <= w->cap)
		memcpy(w->buf + w->n, s, k);
	w->n += k;
}

#define PUT_LIT(w, lit) put((w), (lit), sizeof(lit) - 1)

static inline void
put_char(struct eve_w *w, char c)
{
	if (w->n < w->cap)
		w->buf[w->n] = c;
	w->n++;
}

/* Room left at the write position, and the position (NULL when none). */
static inline char *
at(struct eve_w *w, size_t *room)
{
	if (w->n >= w->cap) {
		*room = 0;
		return NULL;
	}
	*room = w->cap - w->n;
	return w->buf + w->n;
}

/* v in decimal, ending just before end; returns the first digit. */
static inline char *
dec_back(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

static void
put_u64(struct eve_w *w, uint64_t v)
{
	char b[20];
	char *p = dec_back(b + sizeof(b), v);

	put(w, p, (size_t)(b + sizeof(b) - p));
}

/* "00" .. "99": two digits a step. */
static const char digit_pairs[201] = "0001020304050607080910111213141516171819"
				     "2021222324252627282930313233343536373839"
				     "4041424344454647484950515253545556575859"
				     "6061626364656667686970717273747576777879"
				     "8081828384858687888990919293949596979899";

static inline char *
pair(char *p, uint32_t v)
{
	memcpy(p, digit_pairs + 2 * v, 2);
	return p + 2;
}

/* v (< 100000) in decimal at p; returns the end. */
static inline char *
dec16(char *p, uint32_t v)
{
	if (v < 10) {
		*p++ = (char)('0' + v);
	} else if (v < 100) {
		p = pair(p, v);
	} else if (v < 1000) {
		*p++ = (char)('0' + v / 100);
		p = pair(p, v % 100);
	} else if (v < 10000) {
		p = pair(p, v / 100);
		p = pair(p, v % 100);
	} else {
		*p++ = (char)('0' + v / 10000);
		p = pair(p, v / 100 % 100);
		p = pair(p, v % 100);
	}
	return p;
}

/* A port or version number. */
static void
put_u16(struct eve_w *w, uint16_t v)
{
	char b[5];

	put(w, b, (size_t)(dec16(b, v) - b));
}

/* A JSON array of numbers: [1,2,3]. */
static void
put_u16_list(struct eve_w *w, const uint16_t *v, uint32_t n)
{
	size_t worst = 2 + (size_t)n * 6;

	if (w->n + worst <= w->cap) {
		char *p = w->buf + w->n;
		*p++ = '[';
		for (uint32_t i = 0; i < n; i++) {
			if (i != 0)
				*p++ = ',';
			p = dec16(p, v[i]);
		}
		*p++ = ']';
		w->n = (size_t)(p - w->buf);
		return;
	}
	put_char(w, '[');
	for (uint32_t i = 0; i < n; i++) {
		char b[6];
		char *e = b;
		if (i != 0)
			*e++ = ',';
		e = dec16(e, v[i]);
		put(w, b, (size_t)(e - b));
	}
	put_char(w, ']');
}

/*
 * JSON.stringify's escaping of a control character or '"' / '\', into b;
 * returns its length.
 */
static size_t
json_escape_byte(uint8_t c, char b[6])
{
	b[0] = '\\';
	switch (c) {
	case '"':
		b[1] = '"';
		return 2;
	case '\\':
		b[1] = '\\';
		return 2;
	case '\b':
		b[1] = 'b';
		return 2;
	case '\f':
		b[1] = 'f';
		return 2;
	case '\n':
		b[1] = 'n';
		return 2;
	case '\r':
		b[1] = 'r';
		return 2;
	case '\t':
		b[1] = 't';
		return 2;
	default:
		break;
	}
	b[1] = 'u';
	b[2] = '0';
	b[3] = '0';
	b[4] = hex_digits[c >> 4];
	b[5] = hex_digits[c & 0xf];
	return 6;
}

/* A byte JSON.stringify writes as is (DEL included), ASCII only. */
static inline bool
json_plain(uint8_t c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* A byte EscapeName keeps as is and JSON.stringify too. */
static inline bool
name_plain(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
/* Some byte of v is below n (n <= 0x80; exact as "any", SWAR). */
#define ANY_BELOW(v, n) (((v)-ONES * (n)) & ~(v)&HIGHS)
#define ANY_EQ(v, c) ANY_BELOW((v) ^ (ONES * (c)), 1)

/*
 * The end of the run of plain bytes from s[i] (json_plain, or name_plain
 * when name): eight bytes a step while none needs a look, then one by one.
 */
static inline size_t
plain_run(const uint8_t *s, size_t len, size_t i, bool name)
{
	while (i + 8 <= len) {
		uint64_t v;
		memcpy(&v, s + i, 8);
		uint64_t odd = (v & HIGHS) | ANY_BELOW(v, 0x20) | ANY_EQ(v, '"') | ANY_EQ(v, '\\');
		if (name)
			odd |= ANY_EQ(v, 0x7f);
		if (odd != 0)
			break;
		i += 8;
	}
	while (i < len && (name ? name_plain(s[i]) : json_plain(s[i])))
		i++;
	return i;
}

/*
 * The UTF-8 sequence starting at s[0] (a byte >= 0x80): its length when it
 * is well-formed (RFC 3629: no overlong form, no surrogate, <= U+10FFFF),
 * else 0 and in *skip the length of its maximal well-formed prefix (at
 * least 1), which a decoder replaces by one U+FFFD.
 */
static size_t
utf8_seq(const uint8_t *s, size_t len, size_t *skip)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, k = 1;

	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		*skip = 1;
		return 0;
	}
	while (k <= need && k < len && s[k] >= lo && s[k] <= hi) {
		lo = 0x80;
		hi = 0xbf;
		k++;
	}
	*skip = k;
	return k == need + 1 ? k : 0;
}

/*
 * Bytes as the inside of a JSON string, runs of plain bytes in one copy.
 * Only corrupt hash fields hold bytes >= 0x80: the addon decodes such a
 * string as UTF-8 (napi_create_string_utf8), keeping well-formed sequences
 * and replacing each maximal ill-formed one by U+FFFD, which
 * JSON.stringify writes as is; the same here.
 */
static void
put_json_bytes(struct eve_w *w, const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t j = plain_run(s, len, i, false);
		put(w, (const char *)s + i, j - i);
		if (j < len) {
			uint8_t c = s[j];
			if (c < 0x80) {
				char b[6];
				put(w, b, json_escape_byte(c, b));
				j++;
			} else {
				size_t skip, k = utf8_seq(s + j, len - j, &skip);
				if (k != 0)
					put(w, (const char *)s + j, k);
				else
					PUT_LIT(w, "\xef\xbf\xbd");
				j += skip;
			}
		}
		i = j;
	}
}

/* A fixed-size C string field (up to its first NUL, never past cap). */
static void
put_cstr_field(struct eve_w *w, const char *s, size_t cap)
{
	put_char(w, '"');
	put_json_bytes(w, (const uint8_t *)s, strnlen(s, cap));
	put_char(w, '"');
}

/*
 * A name (SNI, ALPN) as a JSON string: record_to_js.cc EscapeName ('\' →
 * "\\", printable ASCII as is, anything else "\xNN" lower-case), then
 * JSON.stringify, which doubles those backslashes and escapes '"'.
 */
static void
put_name(struct eve_w *w, const uint8_t *s, size_t len)
{
	size_t i = 0;

	put_char(w, '"');
	while (i < len) {
		size_t j = plain_run(s, len, i, true);
		put(w, (const char *)s + i, j - i);
		if (j < len) {
			uint8_t c = s[j];
			if (c == '\\') {
				PUT_LIT(w, "\\\\\\\\");
			} else if (c == '"') {
				PUT_LIT(w, "\\\"");
			} else {
				char b[5] = {'\\', '\\', 'x', hex_digits[c >> 4],
					     hex_digits[c & 0xf]};
				put(w, b, sizeof(b));
			}
			j++;
		}
		i = j;
	}
	put_char(w, '"');
}

/*
 * ALPN ProtocolNameList body → JSON array of names (record_to_js.cc
 * ForEachAlpn: a pair that runs past the end is dropped, and the rest).
 */
static void
put_alpn_list(struct eve_w *w, const uint8_t *body, size_t len)
{
	size_t off = 0;
	bool first = true;

	put_char(w, '[');
	while (off < len) {
		size_t l = body[off];
		if (off + 1 + l > len)
			break;
		if (!first)
			put_char(w, ',');
		put_name(w, body + off + 1, l);
		first = false;
		off += 1 + l;
	}
	put_char(w, ']');
}

/* "%u.%u.%u.%u" into p; returns the end. */
static char *
fmt_ipv4(char *p, const uint8_t *ip)
{
	for (int i = 0; i < 4; i++) {
		if (i != 0)
			*p++ = '.';
		p = dec16(p, ip[i]);
	}
	return p;
}

/*
 * IPv6 text exactly as glibc's inet_ntop(AF_INET6) writes it: lower-case
 * hex without leading zeros, the first longest run of two or more zero
 * groups as "::", and the last 32 bits dotted for ::a.b.c.d and
 * ::ffff:a.b.c.d.
 */
static char *
fmt_ipv6(char *p, const uint8_t *ip)
{
	uint16_t g[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++) {
		g[i] = (uint16_t)(ip[2 * i] << 8 | ip[2 * i + 1]);
		if (g[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
			if (cur_len > best_len)
				best = cur, best_len = cur_len;
		} else {
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && g[5] == 0xffff)))
			return fmt_ipv4(p, ip + 12);
		uint16_t v = g[i];
		if (v >= 0x1000)
			*p++ = hex_digits[v >> 12];
		if (v >= 0x100)
			*p++ = hex_digits[(v >> 8) & 0xf];
		if (v >= 0x10)
			*p++ = hex_digits[(v >> 4) & 0xf];
		*p++ = hex_digits[v & 0xf];
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

/* An address as a JSON string (record_to_js.cc AddressToJs: v4 unless 6). */
static void
put_ip(struct eve_w *w, const uint8_t *ip, uint8_t version)
{
	char b[48];
	char *p = b;

	*p++ = '"';
	p = version != 6 ? fmt_ipv4(p, ip) : fmt_ipv6(p, ip);
	*p++ = '"';
	put(w, b, (size_t)(p - b));
}

static inline char *
two(char *p, uint32_t v)
{
	*p++ = (char)('0' + v / 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/*
 * eve.ts eveTimestamp: "YYYY-MM-DDTHH:MM:SS.uuuuuu+0000", UTC, microseconds
 * truncated. The civil date comes from the day count by the proleptic
 * Gregorian inverse of days-from-civil (eras of 400 years, years starting
 * in March), no gmtime. A u64 of ns ends in 2554: always 4-digit years.
 */
static void
put_timestamp(struct eve_w *w, uint64_t ts_ns)
{
	uint64_t secs = ts_ns / NS_PER_S;
	uint32_t micros = (uint32_t)(ts_ns % NS_PER_S / 1000);
	uint64_t days = secs / 86400;
	uint32_t sod = (uint32_t)(secs % 86400);
	uint64_t z = days + 719468; /* days since 0000-03-01 */
	uint64_t era = z / 146097;
	uint32_t doe = (uint32_t)(z - era * 146097);			      /* [0, 146096] */
	uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		      /* [0, 365] */
	uint32_t mp = (5 * doy + 2) / 153;				      /* March = 0 */
	uint32_t day = doy - (153 * mp + 2) / 5 + 1;
	uint32_t month = mp < 10 ? mp + 3 : mp - 9;
	uint32_t year = (uint32_t)(era * 400 + yoe) + (month <= 2);
	char b[34];
	char *p = b;

	*p++ = '"';
	p = two(p, year / 100);
	p = two(p, year % 100);
	*p++ = '-';
	p = two(p, month);
	*p++ = '-';
	p = two(p, day);
	*p++ = 'T';
	p = two(p, sod / 3600);
	*p++ = ':';
	p = two(p, sod / 60 % 60);
	*p++ = ':';
	p = two(p, sod % 60);
	*p++ = '.';
	p = two(p, micros / 10000);
	p = two(p, micros / 100 % 100);
	p = two(p, micros % 100);
	memcpy(p, "+0000\"", 6);
	p += 6;
	put(w, b, (size_t)(p - b));
}

/*
 * flow_id as JavaScript prints the double it becomes (record_to_js.cc
 * napi_create_double). Below 2^53 (every record the data plane writes)
 * that is the integer itself. Above (a corrupt record), the shortest
 * decimal that rounds back to the same double, zero-padded, as
 * Number.prototype.toString does for integers below 1e21: kept exact here
 * rather than guessed, it is cold.
 */
static void
put_flow_id(struct eve_w *w, uint64_t id)
{
	typedef unsigned __int128 u128;
	double d;
	u128 v, best = 0;
	int digits = 0;
	char b[40];
	char *s = b + sizeof(b);

	if (id < JS_SAFE_INT) {
		put_u64(w, id);
		return;
	}
	d = (double)id;
	v = (u128)d;
	for (u128 t = v; t != 0; t /= 10)
		digits++;
	for (int k = 1; k <= 17; k++) {
		u128 p = 1, lo, hi;
		bool lo_ok, hi_ok;
		for (int i = 0; i < digits - k; i++)
			p *= 10;
		lo = v / p * p;
		hi = lo + p;
		lo_ok = lo != 0 && (double)lo == d;
		hi_ok = (double)hi == d;
		if (!lo_ok && !hi_ok)
			continue;
		if (lo_ok && hi_ok) {
			/* The nearer; on a tie the even digit string. */
			u128 dl = v - lo, dh = hi - v;
			best = dl < dh ? lo : dh < dl ? hi : (lo / p) % 2 == 0 ? lo : hi;
		} else {
			best = lo_ok ? lo : hi;
		}
		break;
	}
	do {
		*--s = (char)('0' + (unsigned)(best % 10));
		best /= 10;
	} while (best != 0);
	put(w, s, (size_t)(b + sizeof(b) - s));
}

/*
 * ja4_r / ja4_ro: rendered by fp/ from the record's lists, then part a (the
 * first 10 characters) taken from the data plane's JA4, which counted the
 * whole hello (record_to_js.cc WithPartA). Rendered in place; part a is
 * checked for JSON escaping (it holds a record byte, the transport).
 */
static void
put_ja4_raw(struct eve_w *w, const struct tlsfp_record *rec, const struct tlsfp_ch_view *ch,
	    size_t (*render)(const struct tlsfp_ch_view *, char *, size_t))
{
	char pa[JA4_A_LEN + 1], esc[6 * JA4_A_LEN];
	struct eve_w t = {.buf = esc, .cap = sizeof(esc), .n = 0};
	const char *a = pa;
	size_t p0, e = JA4_A_LEN, room, len;
	bool plain = true;
	char *dst;

	if (strnlen(rec->ja4, sizeof(rec->ja4)) >= JA4_A_LEN)
		memcpy(pa, rec->ja4, JA4_A_LEN);
	else
		tlsfp_ja4_a(ch, pa); /* what the rendered string starts with */
	for (int i = 0; i < JA4_A_LEN; i++)
		plain &= json_plain((uint8_t)pa[i]);
	if (!plain) {
		/* Cold: a corrupt record. Character 10 is '_', so no UTF-8
		 * sequence spans the end of part a; an ill-formed one (<= 3
		 * bytes) becomes U+FFFD (3 bytes): e >= 10. */
		put_json_bytes(&t, (const uint8_t *)pa, JA4_A_LEN);
		a = esc;
		e = t.n;
	}
	put_char(w, '"');
	p0 = w->n;
	/* Render so that character 10 lands right after the escaped part a,
	 * then write part a over the rendered one. */
	w->n = p0 + e - JA4_A_LEN;
	dst = at(w, &room);
	len = render(ch, dst, room);
	if (len < JA4_A_LEN) /* never: part a and two '_' */
		len = JA4_A_LEN;
	w->n = p0;
	put(w, a, e);
	w->n = p0 + e - JA4_A_LEN + len;
	put_char(w, '"');
}

/* Names of the set flags worth telling (eve.ts FLAG_NAMES, in order). */
static void
put_flags(struct eve_w *w, uint32_t f)
{
	static const struct {
		uint32_t bit;
		const char *name;
		uint8_t len;
	} names[] = {
		{TLSFP_REC_F_SERVER_HELLO, "\"server_hello\"", 14},
		{TLSFP_REC_F_HRR, "\"hello_retry_request\"", 21},
		{TLSFP_REC_F_LISTS_TRUNCATED, "\"lists_truncated\"", 17},
		{TLSFP_REC_F_ALPN_TRUNCATED, "\"alpn_truncated\"", 16},
		{TLSFP_REC_F_SNI_TRUNCATED, "\"sni_truncated\"", 15},
	};
	bool first = true;

	put_char(w, '[');
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(f & names[i].bit))
			continue;
		if (!first)
			put_char(w, ',');
		put(w, names[i].name, names[i].len);
		first = false;
	}
	put_char(w, ']');
}

/* record_builder.cc REASONS: anything out of range is "unknown". */
static void
put_reason(struct eve_w *w, uint8_t reason)
{
	switch (reason) {
	case TLSFP_REC_R_SERVER_HELLO:
		PUT_LIT(w, "\"server_hello\"");
		break;
	case TLSFP_REC_R_FLOW_END:
		PUT_LIT(w, "\"flow_end\"");
		break;
	case TLSFP_REC_R_TIMEOUT:
		PUT_LIT(w, "\"timeout\"");
		break;
	case TLSFP_REC_R_FLUSH:
		PUT_LIT(w, "\"flush\"");
		break;
	case TLSFP_REC_R_EVICTED:
		PUT_LIT(w, "\"evicted\"");
		break;
	case TLSFP_REC_R_CLIENT_ONLY:
		PUT_LIT(w, "\"client_only\"");
		break;
	default:
		PUT_LIT(w, "\"unknown\"");
		break;
	}
}

static void
put_str(struct eve_w *w, const char *s)
{
	put_char(w, '"');
	put(w, s, strlen(s));
	put_char(w, '"');
}

/* The tls (or quic) object: eve.ts protocolObject, keys in its order. */
static void
put_protocol(struct eve_w *w, const struct tlsfp_record *rec, const struct tlsfp_ch_view *ch,
	     const struct tlsfp_record_lists *l)
{
	const bool has_sh = (rec->flags & TLSFP_REC_F_SERVER_HELLO) != 0;
	uint16_t server_version =
		rec->sh_selected_version ? rec->sh_selected_version : rec->sh_legacy_version;
	uint16_t offered = rec->ch_max_supported_version ? rec->ch_max_supported_version
							 : rec->ch_legacy_version;
	size_t room, sh_alpn;
	char *dst;

	put_char(w, '{');
	/* sni: only when a host_name was there (the extension alone is not one). */
	if ((rec->flags & TLSFP_REC_F_HAS_SNI) && rec->sni_len > 0) {
		PUT_LIT(w, "\"sni\":");
		put_name(w, (const uint8_t *)rec->sni,
			 rec->sni_len < TLSFP_REC_SNI_CAP ? rec->sni_len : TLSFP_REC_SNI_CAP);
		put_char(w, ',');
	}
	PUT_LIT(w, "\"version\":");
	put_str(w, tlsfp_version_name(has_sh ? server_version : offered));
	/* client_alpns: whenever the extension was there, even with no name. */
	if (rec->flags & TLSFP_REC_F_HAS_ALPN) {
		PUT_LIT(w, ",\"client_alpns\":");
		put_alpn_list(w, rec->alpn,
			      rec->alpn_len < TLSFP_REC_ALPN_CAP ? rec->alpn_len
								 : TLSFP_REC_ALPN_CAP);
	}
	/* server_alpns: [the server's name] when it chose a non-empty one. */
	sh_alpn =
		rec->sh_alpn_len < TLSFP_REC_SH_ALPN_CAP ? rec->sh_alpn_len : TLSFP_REC_SH_ALPN_CAP;
	if (has_sh && sh_alpn > 0) {
		PUT_LIT(w, ",\"server_alpns\":[");
		put_name(w, (const uint8_t *)rec->sh_alpn, sh_alpn);
		put_char(w, ']');
	}
	PUT_LIT(w, ",\"ja3\":{\"hash\":");
	put_cstr_field(w, rec->ja3, sizeof(rec->ja3));
	PUT_LIT(w, ",\"string\":\""); /* digits, ',' and '-' only */
	dst = at(w, &room);
	w->n += tlsfp_ja3_string(ch, dst, room);
	PUT_LIT(w, "\"}");
	if (has_sh) {
		struct tlsfp_sh_view sh;
		tlsfp_record_sh_view(rec, &sh);
		PUT_LIT(w, ",\"ja3s\":{\"hash\":");
		put_cstr_field(w, rec->ja3s, sizeof(rec->ja3s));
		PUT_LIT(w, ",\"string\":\"");
		dst = at(w, &room);
		w->n += tlsfp_ja3s_string(&sh, dst, room);
		PUT_LIT(w, "\"}");
	}
	PUT_LIT(w, ",\"ja4\":");
	put_cstr_field(w, rec->ja4, sizeof(rec->ja4));
	PUT_LIT(w, ",\"client_handshake\":{\"version\":");
	put_u16(w, rec->ch_legacy_version);
	PUT_LIT(w, ",\"ciphers\":");
	put_u16_list(w, l->ciphers.v, l->ciphers.n);
	PUT_LIT(w, ",\"exts\":");
	put_u16_list(w, l->exts.v, l->exts.n);
	PUT_LIT(w, ",\"sig_algs\":");
	put_u16_list(w, l->sigalgs.v, l->sigalgs.n);
	PUT_LIT(w, "}}");
}

size_t
tlsfp_eve_format(const struct tlsfp_record *rec, char *buf, size_t cap)
{
	struct eve_w w = {.buf = buf, .cap = buf != NULL ? cap : 0, .n = 0};
	const bool quic = rec->transport == 'q';
	struct tlsfp_record_lists lists;
	struct tlsfp_ch_view ch;
	uint8_t nvlan = rec->vlan_count < 4 ? rec->vlan_count : 4;

	tlsfp_record_lists(rec, &lists);
	tlsfp_record_ch_view(rec, &ch);

	/* eve.ts toEve, keys in its order. DTLS is logged as "tls". */
	PUT_LIT(&w, "{\"timestamp\":");
	put_timestamp(&w, rec->ts_ns);
	PUT_LIT(&w, ",\"flow_id\":");
	put_flow_id(&w, rec->flow_id);
	if (quic)
		PUT_LIT(&w, ",\"event_type\":\"quic\",\"src_ip\":");
	else
		PUT_LIT(&w, ",\"event_type\":\"tls\",\"src_ip\":");
	put_ip(&w, rec->src_ip, rec->ip_version);
	PUT_LIT(&w, ",\"src_port\":");
	put_u16(&w, rec->src_port);
	PUT_LIT(&w, ",\"dest_ip\":");
	put_ip(&w, rec->dst_ip, rec->ip_version);
	PUT_LIT(&w, ",\"dest_port\":");
	put_u16(&w, rec->dst_port);
	if (rec->l4proto == 17)
		PUT_LIT(&w, ",\"proto\":\"UDP\"");
	else
		PUT_LIT(&w, ",\"proto\":\"TCP\"");
	if (quic)
		PUT_LIT(&w, ",\"app_proto\":\"quic\"");
	else
		PUT_LIT(&w, ",\"app_proto\":\"tls\"");
	if (nvlan > 0) {
		PUT_LIT(&w, ",\"vlan\":");
		put_u16_list(&w, rec->vlan, nvlan);
	}
	if (quic)
		PUT_LIT(&w, ",\"quic\":");
	else
		PUT_LIT(&w, ",\"tls\":");
	put_protocol(&w, rec, &ch, &lists);

	PUT_LIT(&w, ",\"tlsfp\":{\"ja4_r\":");
	put_ja4_raw(&w, rec, &ch, tlsfp_ja4_r);
	PUT_LIT(&w, ",\"ja4_o\":");
	put_cstr_field(&w, rec->ja4_o, sizeof(rec->ja4_o));
	PUT_LIT(&w, ",\"ja4_ro\":");
	put_ja4_raw(&w, rec, &ch, tlsfp_ja4_ro);
	PUT_LIT(&w, ",\"reason\":");
	put_reason(&w, rec->reason);
	PUT_LIT(&w, ",\"flags\":");
	put_flags(&w, rec->flags);
	PUT_LIT(&w, "}}\n");

	if (w.n < w.cap)
		w.buf[w.n] = '\0';
	return w.n;
}
