/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EVE JSON lines (tlsfp/eve.h):
 *   - hand-built records against exact lines, written from the rules of
 *     the TypeScript writer (src/export/eve.ts over native/record_to_js.cc);
 *   - addresses against inet_ntop, timestamps and big flow ids against
 *     what Node printed for the same values;
 *   - snprintf semantics at every capacity, and the worst-case bound;
 *   - a differential test: the captures of data/eve/fixtures.txt through
 *     the C pipeline as `tlsfp pcap` drives it, every record formatted,
 *     line for line against data/eve/NAME.jsonl, which the TypeScript
 *     writer produced (scripts/fixtures/make-eve-expected.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <tlsfp/capture.h>
#include <tlsfp/eve.h>
#include <tlsfp/pipeline.h>
#include <tlsfp/record.h>

#include "check.h"

#define DATA "data/eve/"
#define REPO "../../" /* ctest runs in dpdk/test */

static char line[TLSFP_EVE_LINE_MAX];

static const char *
fmt(const struct tlsfp_record *r)
{
	size_t n = tlsfp_eve_format(r, line, sizeof(line));
	CHECK(n < sizeof(line));
	CHECK_EQ_INT(strlen(line), n);
	return line;
}

/* Appends n values (src may be NULL when n is 0). */
static uint16_t *
append(uint16_t *o, const uint16_t *src, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		*o++ = src[i];
	return o;
}

/* Client lists back to back, in record order. */
static void
set_lists(struct tlsfp_record *r, const uint16_t *c, uint16_t nc, const uint16_t *e, uint16_t ne,
	  const uint16_t *g, uint16_t ng, const uint16_t *pf, uint16_t npf, const uint16_t *s,
	  uint16_t ns, const uint16_t *v, uint16_t nv)
{
	uint16_t *o = r->lists;

	o = append(o, c, nc);
	o = append(o, e, ne);
	o = append(o, g, ng);
	o = append(o, pf, npf);
	o = append(o, s, ns);
	append(o, v, nv);
	r->n_ciphers = nc;
	r->n_exts = ne;
	r->n_groups = ng;
	r->n_point_formats = npf;
	r->n_sigalgs = ns;
	r->n_versions = nv;
}

#define HASH_A "0123456789abcdef0123456789abcdef"
#define HASH_B "fedcba9876543210fedcba9876543210"
#define JA4_X "t13d0203h2_aaaaaaaaaaaa_bbbbbbbbbbbb"
#define JA4_O_X "t13d0203h2_cccccccccccc_dddddddddddd"

/* A TLS 1.3 handshake over IPv4 with its ServerHello. */
static void
tls13_record(struct tlsfp_record *r)
{
	static const uint16_t c[] = {4865, 4866}, e[] = {0, 16, 43}, g[] = {29}, s[] = {1027},
			      v[] = {772};
	static const uint8_t alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

	memset(r, 0, sizeof(*r));
	r->ts_ns = UINT64_C(1795248000123456789);
	r->flow_id = 1234567;
	memcpy(r->src_ip, (const uint8_t[]){10, 0, 0, 1}, 4);
	memcpy(r->dst_ip, (const uint8_t[]){192, 168, 100, 254}, 4);
	r->src_port = 51000;
	r->dst_port = 443;
	r->ip_version = 4;
	r->l4proto = 6;
	r->transport = 't';
	r->flags = TLSFP_REC_F_CLIENT_HELLO | TLSFP_REC_F_SERVER_HELLO | TLSFP_REC_F_HAS_SNI |
		   TLSFP_REC_F_HAS_ALPN | TLSFP_REC_F_HAS_SUPPORTED_VERSIONS;
	r->reason = TLSFP_REC_R_SERVER_HELLO;
	r->ch_legacy_version = 0x0303;
	r->ch_max_supported_version = 0x0304;
	set_lists(r, c, 2, e, 3, g, 1, NULL, 0, s, 1, v, 1);
	memcpy(r->sni, "example.com", 11);
	r->sni_len = 11;
	memcpy(r->alpn, alpn, sizeof(alpn));
	r->alpn_len = sizeof(alpn);
	strcpy(r->ja3, HASH_A);
	strcpy(r->ja4, JA4_X);
	strcpy(r->ja4_o, JA4_O_X);
	r->sh_legacy_version = 0x0303;
	r->sh_selected_version = 0x0304;
	r->sh_cipher = 4865;
	r->sh_n_exts = 2;
	r->sh_exts[0] = 43;
	r->sh_exts[1] = 51;
	memcpy(r->sh_alpn, "h2", 2);
	r->sh_alpn_len = 2;
	strcpy(r->ja3s, HASH_B);
}

#define TLS13_LINE                                                                                 \
	"{\"timestamp\":\"2026-11-21T08:00:00.123456+0000\",\"flow_id\":1234567,"                  \
	"\"event_type\":\"tls\",\"src_ip\":\"10.0.0.1\",\"src_port\":51000,"                       \
	"\"dest_ip\":\"192.168.100.254\",\"dest_port\":443,\"proto\":\"TCP\","                     \
	"\"app_proto\":\"tls\",\"tls\":{\"sni\":\"example.com\",\"version\":\"TLS 1.3\","          \
	"\"client_alpns\":[\"h2\",\"http/1.1\"],\"server_alpns\":[\"h2\"],"                        \
	"\"ja3\":{\"hash\":\"" HASH_A "\",\"string\":\"771,4865-4866,0-16-43,29,\"},"              \
	"\"ja3s\":{\"hash\":\"" HASH_B "\",\"string\":\"771,4865,43-51\"},"                        \
	"\"ja4\":\"" JA4_X "\",\"client_handshake\":{\"version\":771,\"ciphers\":[4865,4866],"     \
	"\"exts\":[0,16,43],\"sig_algs\":[1027]}},"                                                \
	"\"tlsfp\":{\"ja4_r\":\"t13d0203h2_1301,1302_002b_0403\",\"ja4_o\":\"" JA4_O_X "\","       \
	"\"ja4_ro\":\"t13d0203h2_1301,1302_0000,0010,002b_0403\",\"reason\":\"server_hello\","     \
	"\"flags\":[\"server_hello\"]}}\n"

static void
test_tls13(void)
{
	struct tlsfp_record r;

	tls13_record(&r);
	CHECK_EQ_STR(fmt(&r), TLS13_LINE);
}

/* No ServerHello, no SNI or ALPN extension: those keys are left out. */
static void
test_client_only(void)
{
	static const uint16_t c[] = {47, 53};
	struct tlsfp_record r;

	memset(&r, 0, sizeof(r));
	r.ts_ns = 1000;
	r.flow_id = 0;
	memcpy(r.src_ip, (const uint8_t[]){1, 2, 3, 4}, 4);
	memcpy(r.dst_ip, (const uint8_t[]){0, 0, 0, 0}, 4);
	r.src_port = 1;
	r.dst_port = 65535;
	r.ip_version = 4;
	r.l4proto = 6;
	r.transport = 't';
	r.flags = TLSFP_REC_F_CLIENT_HELLO;
	r.reason = TLSFP_REC_R_FLOW_END;
	r.ch_legacy_version = 0x0303;
	set_lists(&r, c, 2, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
	strcpy(r.ja3, HASH_A);
	strcpy(r.ja4, "t12i020000_aaaaaaaaaaaa_000000000000");
	strcpy(r.ja4_o, "t12i020000_bbbbbbbbbbbb_000000000000");
	/* Server fields without the flag are not shown. */
	r.sh_alpn_len = 2;
	memcpy(r.sh_alpn, "h2", 2);
	r.sh_legacy_version = 0x0303;
	CHECK_EQ_STR(
		fmt(&r),
		"{\"timestamp\":\"1970-01-01T00:00:00.000001+0000\",\"flow_id\":0,"
		"\"event_type\":\"tls\",\"src_ip\":\"1.2.3.4\",\"src_port\":1,"
		"\"dest_ip\":\"0.0.0.0\",\"dest_port\":65535,\"proto\":\"TCP\","
		"\"app_proto\":\"tls\",\"tls\":{\"version\":\"TLS 1.2\","
		"\"ja3\":{\"hash\":\"" HASH_A "\",\"string\":\"771,47-53,,,\"},"
		"\"ja4\":\"t12i020000_aaaaaaaaaaaa_000000000000\","
		"\"client_handshake\":{\"version\":771,\"ciphers\":[47,53],\"exts\":[],"
		"\"sig_algs\":[]}},\"tlsfp\":{\"ja4_r\":\"t12i020000_002f,0035_\","
		"\"ja4_o\":\"t12i020000_bbbbbbbbbbbb_000000000000\","
		"\"ja4_ro\":\"t12i020000_002f,0035_\",\"reason\":\"flow_end\",\"flags\":[]}}\n");

	/* The SNI extension without a name: no sni. The ALPN extension with an
	 * empty list: client_alpns []. A ServerHello without ALPN: no
	 * server_alpns. */
	r.flags |= TLSFP_REC_F_HAS_SNI | TLSFP_REC_F_HAS_ALPN | TLSFP_REC_F_SERVER_HELLO;
	r.sh_alpn_len = 0;
	fmt(&r);
	CHECK(strstr(line, "\"sni\"") == NULL);
	CHECK(strstr(line, "\"tls\":{\"version\":\"TLS 1.2\",\"client_alpns\":[],\"ja3\":") !=
	      NULL);
	CHECK(strstr(line, "server_alpns") == NULL);
	CHECK(strstr(line, "\"ja3s\":{\"hash\":\"\",\"string\":\"771,0,\"},\"ja4\":") != NULL);
	/* An ALPN list whose last pair runs past the end: that pair dropped. */
	memcpy(r.alpn, (const uint8_t[]){0, 1, 'x', 9, 'y'}, 5);
	r.alpn_len = 5;
	fmt(&r);
	CHECK(strstr(line, "\"client_alpns\":[\"\",\"x\"],") != NULL);
}

static void
test_quic_dtls(void)
{
	struct tlsfp_record r;

	tls13_record(&r);
	r.transport = 'q';
	r.l4proto = 17;
	fmt(&r);
	CHECK(strstr(line, ",\"event_type\":\"quic\",\"src_ip\":") != NULL);
	CHECK(strstr(line, ",\"proto\":\"UDP\",\"app_proto\":\"quic\",\"quic\":{\"sni\":") != NULL);
	CHECK(strstr(line, "\"tls\"") == NULL);

	/* DTLS is logged as tls over UDP; its versions by name. */
	tls13_record(&r);
	r.transport = 'd';
	r.l4proto = 17;
	r.sh_selected_version = 0;
	r.sh_legacy_version = 0xfefd;
	fmt(&r);
	CHECK(strstr(line, ",\"event_type\":\"tls\",\"src_ip\":") != NULL);
	CHECK(strstr(line, ",\"proto\":\"UDP\",\"app_proto\":\"tls\",\"tls\":{\"sni\":") != NULL);
	CHECK(strstr(line, "\"version\":\"DTLS 1.2\"") != NULL);
	CHECK(strstr(line, "\"string\":\"65277,4865,43-51\"") != NULL);

	/* Neither 'q' nor 'd' nor UDP: tls over TCP. */
	r.transport = 'x';
	r.l4proto = 99;
	fmt(&r);
	CHECK(strstr(line, ",\"event_type\":\"tls\",") != NULL);
	CHECK(strstr(line, ",\"proto\":\"TCP\",") != NULL);
	/* The transport byte is JA4's first character: part a comes from
	 * rec->ja4 (unchanged), so the raw strings do not show 'x'. */
	CHECK(strstr(line, "\"ja4_r\":\"t13d0203h2_") != NULL);
}

static void
test_vlan_flags_reason(void)
{
	struct tlsfp_record r;

	tls13_record(&r);
	r.vlan_count = 2;
	r.vlan[0] = 100;
	r.vlan[1] = 4094;
	fmt(&r);
	CHECK(strstr(line, "\"app_proto\":\"tls\",\"vlan\":[100,4094],\"tls\":{") != NULL);
	r.vlan_count = 9; /* clamped to the 4 the record holds */
	r.vlan[2] = 0;
	r.vlan[3] = 7;
	fmt(&r);
	CHECK(strstr(line, "\"vlan\":[100,4094,0,7],\"tls\"") != NULL);

	r.flags = TLSFP_REC_F_CLIENT_HELLO | TLSFP_REC_F_HRR | TLSFP_REC_F_LISTS_TRUNCATED |
		  TLSFP_REC_F_ALPN_TRUNCATED | TLSFP_REC_F_SNI_TRUNCATED |
		  TLSFP_REC_F_HAS_SUPPORTED_VERSIONS;
	r.reason = TLSFP_REC_R_TIMEOUT;
	fmt(&r);
	CHECK(strstr(line,
		     "\"reason\":\"timeout\",\"flags\":[\"hello_retry_request\","
		     "\"lists_truncated\",\"alpn_truncated\",\"sni_truncated\"]}}\n") != NULL);
	CHECK(strstr(line, "\"version\":\"TLS 1.3\"") != NULL); /* offered, no SH */
	CHECK(strstr(line, "ja3s") == NULL);
	CHECK(strstr(line, "\"sni\"") == NULL);	     /* HAS_SNI unset */
	CHECK(strstr(line, "client_alpns") == NULL); /* HAS_ALPN unset */

	static const struct {
		uint8_t reason;
		const char *want;
	} reasons[] = {
		{0, "\"reason\":\"unknown\""},
		{TLSFP_REC_R_FLUSH, "\"reason\":\"flush\""},
		{TLSFP_REC_R_EVICTED, "\"reason\":\"evicted\""},
		{TLSFP_REC_R_CLIENT_ONLY, "\"reason\":\"client_only\""},
		{7, "\"reason\":\"unknown\""},
		{255, "\"reason\":\"unknown\""},
	};
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		r.reason = reasons[i].reason;
		fmt(&r);
		CHECK(strstr(line, reasons[i].want) != NULL);
	}
}

/* Names: EscapeName ('\' doubled, non-printable as \xNN), then JSON. */
static void
test_names(void)
{
	static const uint8_t alpn[] = {3, 'a', '"', 'b', 2, 0xff, 0x7f, 1, '\\'};
	struct tlsfp_record r;

	tls13_record(&r);
	memcpy(r.sni,
	       "a\"b\\c\x01"
	       "d",
	       7);
	r.sni_len = 7;
	memcpy(r.alpn, alpn, sizeof(alpn));
	r.alpn_len = sizeof(alpn);
	memcpy(r.sh_alpn, "\t\"", 2);
	r.sh_alpn_len = 2;
	fmt(&r);
	CHECK(strstr(line, "{\"sni\":\"a\\\"b\\\\\\\\c\\\\x01d\",") != NULL);
	CHECK(strstr(line, "\"client_alpns\":[\"a\\\"b\",\"\\\\xff\\\\x7f\",\"\\\\\\\\\"],") !=
	      NULL);
	CHECK(strstr(line, "\"server_alpns\":[\"\\\\x09\\\"\"],") != NULL);

	/* Lengths past the arrays are clamped to them. */
	memset(r.sni, 'a', sizeof(r.sni));
	r.sni_len = 60000;
	fmt(&r);
	{
		char want[TLSFP_REC_SNI_CAP + 16] = "{\"sni\":\"";
		memset(want + 8, 'a', TLSFP_REC_SNI_CAP);
		strcpy(want + 8 + TLSFP_REC_SNI_CAP, "\",");
		CHECK(strstr(line, want) != NULL);
	}

	/* Hash fields: up to the first NUL, never past the array, escaped. */
	tls13_record(&r);
	memset(r.ja3, '"', sizeof(r.ja3));
	strcpy(r.ja3s, "a\x01\n\x80");
	fmt(&r);
	{
		char want[2 * sizeof(r.ja3) + 32] = "\"ja3\":{\"hash\":\"";
		char *p = want + strlen(want);
		for (size_t i = 0; i < sizeof(r.ja3); i++, p += 2)
			memcpy(p, "\\\"", 2);
		strcpy(p, "\",\"string\"");
		CHECK(strstr(line, want) != NULL);
	}
	CHECK(strstr(line, "\"ja3s\":{\"hash\":\"a\\u0001\\n\xef\xbf\xbd\",") != NULL);

	/* JA4 part a with a byte JSON escapes: the raw strings escape it too. */
	tls13_record(&r);
	r.ja4[3] = '"';
	fmt(&r);
	CHECK(strstr(line, "\"ja4_r\":\"t13\\\"0203h2_1301,1302_002b_0403\",") != NULL);
	CHECK(strstr(line, "\"ja4_ro\":\"t13\\\"0203h2_1301,1302_0000,0010,002b_0403\",") != NULL);
	/* A JA4 shorter than part a: the rendered part a stays (transport byte
	 * first, here a control character). */
	r.ja4[5] = '\0';
	r.transport = 0x01;
	fmt(&r);
	CHECK(strstr(line, "\"ja4\":\"t13\\\"0\",") != NULL);
	CHECK(strstr(line, "\"ja4_r\":\"\\u000113d0203h2_1301,1302_002b_0403\",") != NULL);
}

static void
ip_case(const uint8_t ip[16])
{
	struct tlsfp_record r;
	char want[INET6_ADDRSTRLEN + 16], text[INET6_ADDRSTRLEN];

	tls13_record(&r);
	r.ip_version = 6;
	memcpy(r.src_ip, ip, 16);
	CHECK(inet_ntop(AF_INET6, ip, text, sizeof(text)) != NULL);
	snprintf(want, sizeof(want), "\"src_ip\":\"%s\",", text);
	fmt(&r);
	if (strstr(line, want) == NULL) {
		fprintf(stderr, "ipv6: want %s in %.120s\n", want, line);
		CHECK(0);
	}
}

/* IPv6 text against libc's inet_ntop, which the addon uses. */
static void
test_ipv6(void)
{
	static const char *const fixed[] = {"::",
					    "::1",
					    "::2",
					    "1::",
					    "2001:db8::1",
					    "1:0:0:2::3",
					    "1::2:0:0:3",
					    "::ffff:10.0.0.1",
					    "::1.2.3.4",
					    "::ffff:0:1.2.3.4",
					    "fe80::1:0:0:0",
					    "1:2:3:4:5:6:7:8",
					    "1:0:3:0:5:0:7:0",
					    "0:1:0:0:0:0:0:0",
					    "::ffff",
					    "64:ff9b::1.2.3.4",
					    "::ffff:ffff:ffff",
					    "0:0:1::"};
	uint8_t ip[16];
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		CHECK(inet_pton(AF_INET6, fixed[i], ip) == 1);
		ip_case(ip);
	}
	/* Random addresses, mostly zero groups so runs of every length occur. */
	for (int n = 0; n < 20000; n++) {
		for (int i = 0; i < 8; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			uint16_t g = (x & 3) != 0 ? 0 : (uint16_t)(x >> 20);
			if ((x >> 40 & 7) == 0)
				g = 0xffff;
			ip[2 * i] = (uint8_t)(g >> 8);
			ip[2 * i + 1] = (uint8_t)g;
		}
		ip_case(ip);
	}

	struct tlsfp_record r;
	tls13_record(&r);
	r.ip_version = 5; /* not 6: IPv4 text from the first 4 bytes */
	fmt(&r);
	CHECK(strstr(line, "\"src_ip\":\"10.0.0.1\",") != NULL);
}

/* Expected values printed by Node (eveTimestamp, JSON.stringify(Number(v))). */
static void
test_time_and_flow_id(void)
{
	static const struct {
		uint64_t ns;
		const char *want;
	} ts[] = {
		{0, "1970-01-01T00:00:00.000000+0000"},
		{UINT64_C(1795248000123456789), "2026-11-21T08:00:00.123456+0000"},
		{UINT64_C(951782400999999999), "2000-02-29T00:00:00.999999+0000"},
		{UINT64_C(18446744073709551615), "2554-07-21T23:34:33.709551+0000"},
		{UINT64_C(4102444799999999000), "2099-12-31T23:59:59.999999+0000"},
		{1000, "1970-01-01T00:00:00.000001+0000"},
	};
	static const struct {
		uint64_t id;
		const char *want;
	} ids[] = {
		{UINT64_C(9007199254740991), "9007199254740991"},
		{UINT64_C(9007199254740992), "9007199254740992"},
		{UINT64_C(9007199254740993), "9007199254740992"},
		{UINT64_C(9007199254740995), "9007199254740996"},
		{UINT64_C(18446744073709551615), "18446744073709552000"},
		{UINT64_C(12345678901234567891), "12345678901234567000"},
		{UINT64_C(1152921504606859321), "1152921504606859300"},
		{UINT64_C(9999999999999999999), "10000000000000000000"},
	};
	struct tlsfp_record r;
	char want[96];

	tls13_record(&r);
	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		r.ts_ns = ts[i].ns;
		snprintf(want, sizeof(want), "{\"timestamp\":\"%s\",\"flow_id\":", ts[i].want);
		CHECK(strncmp(fmt(&r), want, strlen(want)) == 0);
	}
	/* Every day of 1970..2554 against a naive day-by-day calendar. */
	{
		static const uint8_t mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		unsigned y = 1970, m = 1, d = 1;
		int bad = 0;
		for (uint64_t day = 0; day < 213503; day++) {
			r.ts_ns = day * 86400 * UINT64_C(1000000000) + UINT64_C(86399999999999);
			snprintf(want, sizeof(want),
				 "{\"timestamp\":\"%04u-%02u-%02uT23:59:59.999999", y, m, d);
			if (strncmp(fmt(&r), want, strlen(want)) != 0 && bad++ < 3)
				fprintf(stderr, "day %llu: %.60s, want %s\n",
					(unsigned long long)day, line, want);
			bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
			if (++d > (unsigned)(mdays[m - 1] + (m == 2 && leap))) {
				d = 1;
				if (++m > 12)
					m = 1, y++;
			}
		}
		CHECK_EQ_INT(bad, 0);
	}
	tls13_record(&r);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		r.flow_id = ids[i].id;
		snprintf(want, sizeof(want), ",\"flow_id\":%s,\"event_type\"", ids[i].want);
		CHECK(strstr(fmt(&r), want) != NULL);
	}
}

/* snprintf semantics at every capacity; nothing written past cap. */
static void
test_capacity(void)
{
	static char buf[4096];
	struct tlsfp_record r;
	size_t full = strlen(TLS13_LINE);

	tls13_record(&r);
	CHECK_EQ_INT(tlsfp_eve_format(&r, NULL, 0), full);
	for (size_t cap = 0; cap <= full + 2; cap++) {
		memset(buf, 0x5a, sizeof(buf));
		CHECK_EQ_INT(tlsfp_eve_format(&r, buf, cap), full);
		size_t k = cap;
		while (k < sizeof(buf) && buf[k] == 0x5a)
			k++;
		if (k != sizeof(buf)) {
			fprintf(stderr, "cap %zu: byte %zu written\n", cap, k);
			CHECK(0);
			break;
		}
		if (cap > full)
			CHECK(memcmp(buf, TLS13_LINE, full + 1) == 0);
	}
}

/* The longest line a record can give stays below TLSFP_EVE_LINE_MAX. */
static void
test_worst_case(void)
{
	static struct tlsfp_record r;
	static char buf[TLSFP_EVE_LINE_MAX + 4096];
	size_t n;

	tls13_record(&r);
	r.flow_id = UINT64_MAX;
	r.ip_version = 6;
	memcpy(r.src_ip,
	       (const uint8_t[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 255, 255, 255, 255}, 16);
	memset(r.dst_ip, 0xff, 16);
	r.src_port = r.dst_port = 65535;
	r.vlan_count = 4;
	for (int i = 0; i < 4; i++)
		r.vlan[i] = 65535;
	r.flags = 0x1ff;
	for (int i = 0; i < TLSFP_REC_LIST_CAP; i++)
		r.lists[i] = 65535;
	r.n_ciphers = TLSFP_REC_LIST_CAP / 2; /* ja3, client_handshake, ja4_r, ja4_ro */
	r.n_exts = TLSFP_REC_LIST_CAP / 4;
	r.n_sigalgs = TLSFP_REC_LIST_CAP / 4;
	r.n_groups = r.n_point_formats = r.n_versions = 0;
	memset(r.sni, 1, sizeof(r.sni));
	r.sni_len = TLSFP_REC_SNI_CAP;
	for (int off = 0; off < TLSFP_REC_ALPN_CAP; off += 256) {
		r.alpn[off] = 255;
		memset(r.alpn + off + 1, 1, 255);
	}
	r.alpn_len = TLSFP_REC_ALPN_CAP;
	memset(r.sh_alpn, 1, sizeof(r.sh_alpn));
	r.sh_alpn_len = TLSFP_REC_SH_ALPN_CAP;
	r.sh_n_exts = TLSFP_REC_SH_EXTS_CAP;
	for (int i = 0; i < TLSFP_REC_SH_EXTS_CAP; i++)
		r.sh_exts[i] = 65535;
	r.sh_legacy_version = r.sh_cipher = 65535;
	r.ch_legacy_version = 65535;
	memset(r.ja3, 1, sizeof(r.ja3));
	memset(r.ja3s, 1, sizeof(r.ja3s));
	memset(r.ja4_o, 1, sizeof(r.ja4_o));
	memset(r.ja4, 1, sizeof(r.ja4));
	n = tlsfp_eve_format(&r, buf, sizeof(buf));
	printf("test_eve: worst-case line %zu bytes, TLSFP_EVE_LINE_MAX %d\n", n,
	       (int)TLSFP_EVE_LINE_MAX);
	CHECK(n < TLSFP_EVE_LINE_MAX);
	CHECK_EQ_INT(strlen(buf), n);
	CHECK_EQ_INT(tlsfp_eve_format(&r, buf, TLSFP_EVE_LINE_MAX), n);
}

static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Well-formed UTF-8 (RFC 3629) without C0 controls. */
static bool
utf8_ok(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t c = s[i];
		size_t need;
		uint8_t lo = 0x80, hi = 0xbf;
		if (c < 0x80) {
			if (c < 0x20 && !(c == '\n' && i == n - 1))
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		else
			return false;
		for (size_t k = 1; k <= need; k++, lo = 0x80, hi = 0xbf)
			if (i + k >= n || s[i + k] < lo || s[i + k] > hi)
				return false;
		i += need + 1;
	}
	return true;
}

/*
 * Records of random bytes (what a corrupt ring slot could hold): the line
 * stays under TLSFP_EVE_LINE_MAX, is well-formed UTF-8 without a raw
 * control character, and no capacity makes the formatter write past it.
 */
static void
test_random_records(void)
{
	static struct tlsfp_record r;
	static char buf[TLSFP_EVE_LINE_MAX + 64];
	uint64_t x = 0x2545f4914f6cdd1dull;
	int bad = 0;

	for (int it = 0; it < 400; it++) {
		uint8_t *b = (uint8_t *)&r;
		for (size_t i = 0; i < sizeof(r); i++)
			b[i] = (uint8_t)rnd(&x);
		if (it % 2 == 0) {
			/* Plausible counts and lengths half of the time. */
			r.n_ciphers = (uint16_t)(rnd(&x) % 40);
			r.n_exts = (uint16_t)(rnd(&x) % 30);
			r.n_sigalgs = (uint16_t)(rnd(&x) % 20);
			r.sni_len = (uint16_t)(rnd(&x) % 300);
			r.alpn_len = (uint16_t)(rnd(&x) % 64);
			r.ip_version = it % 4 == 0 ? 6 : 4;
		}
		size_t n = tlsfp_eve_format(&r, buf, sizeof(buf));
		if (n >= TLSFP_EVE_LINE_MAX || strlen(buf) != n || n < 2 || buf[n - 1] != '\n' ||
		    buf[n - 2] != '}') {
			bad++;
			continue;
		}
		if (!utf8_ok((const uint8_t *)buf, n))
			bad++;
		/* Any capacity: the same length, nothing past cap. */
		size_t cap = (size_t)(rnd(&x) % (n + 2));
		memset(buf, 0x5a, sizeof(buf));
		if (tlsfp_eve_format(&r, buf, cap) != n)
			bad++;
		for (size_t i = cap; i < sizeof(buf); i++)
			if (buf[i] != 0x5a) {
				bad++;
				break;
			}
	}
	CHECK_EQ_INT(bad, 0);
}

/*
 * Corrupt records against the TypeScript writer. The records are random
 * (seeded, so the same each run) and go through tlsfp_record_pack /
 * unpack, which is how the addon can be handed one (unpackRecord):
 * `test_eve --write-packed FILE` writes them, and
 * scripts/fixtures/make-eve-expected.sh turns FILE into
 * data/eve/random-records.jsonl with the addon and eve.ts.
 */
#define RANDOM_RECORDS 32

static void
random_record(struct tlsfp_record *r, uint64_t *x, int it)
{
	uint8_t *b = (uint8_t *)r;

	for (size_t i = 0; i < sizeof(*r); i++)
		b[i] = (uint8_t)rnd(x);
	/* Short lists and names keep the expected file small; the rest
	 * (hash bytes, versions, flags, reason, transport, ports, vlans,
	 * ts_ns, flow_id) stays random. */
	r->n_ciphers = (uint16_t)(rnd(x) % 8);
	r->n_exts = (uint16_t)(rnd(x) % 8);
	r->n_groups = (uint16_t)(rnd(x) % 4);
	r->n_point_formats = (uint16_t)(rnd(x) % 3);
	r->n_sigalgs = (uint16_t)(rnd(x) % 6);
	r->n_versions = (uint16_t)(rnd(x) % 4);
	r->sni_len = (uint16_t)(rnd(x) % 40);
	r->alpn_len = (uint16_t)(rnd(x) % 40);
	r->sh_alpn_len = (uint16_t)(rnd(x) % 20);
	r->sh_n_exts = (uint16_t)(rnd(x) % 8);
	r->vlan_count = (uint8_t)(rnd(x) % 6);
	r->ip_version = it % 3 == 0 ? 6 : (uint8_t)rnd(x);
	r->l4proto = it % 2 ? 17 : (uint8_t)rnd(x);
	if (it % 4 == 0)
		r->transport = "tqd"[it % 3];
	if (it % 2 == 0)
		r->flow_id >>= 11; /* < 2^53, as the data plane writes it */
	if (it % 8 == 1) {
		/* Hash fields as the data plane writes them, ja4 part a with a
		 * byte JSON escapes or ill-formed UTF-8. */
		memcpy(r->ja3, HASH_A, sizeof(HASH_A));
		memcpy(r->ja4, JA4_X, sizeof(JA4_X));
		r->ja4[3] = (char)(it % 16 == 1 ? 0x7f : 0xe2);
	}
	if (it % 8 == 3)
		r->ja4[(size_t)it % 10] = '\0'; /* part a from the lists */
}

static int
write_packed(const char *path)
{
	static struct tlsfp_record r;
	static uint8_t pk[TLSFP_RECORD_PACKED_MAX];
	uint64_t x = 0x853c49e6748fea9bull;
	FILE *fp = fopen(path, "wb");

	if (fp == NULL)
		return 1;
	for (int it = 0; it < RANDOM_RECORDS; it++) {
		random_record(&r, &x, it);
		size_t n = tlsfp_record_pack(&r, pk, sizeof(pk));
		uint8_t len[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16),
				  (uint8_t)(n >> 24)};
		if (n == 0 || fwrite(len, 1, 4, fp) != 4 || fwrite(pk, 1, n, fp) != n) {
			fclose(fp);
			return 1;
		}
	}
	return fclose(fp) != 0;
}

static void compare_lines(const char *name, const char *got, size_t got_len, const char *want,
			  size_t want_len);
static char *read_file(const char *path, size_t *len);

static void
test_random_vs_ts(void)
{
	static struct tlsfp_record r, back;
	static uint8_t pk[TLSFP_RECORD_PACKED_MAX];
	static char got[RANDOM_RECORDS * 4096];
	uint64_t x = 0x853c49e6748fea9bull;
	size_t got_len = 0, want_len = 0;
	char *want = read_file(DATA "random-records.jsonl", &want_len);

	CHECK(want != NULL);
	if (want == NULL)
		return;
	for (int it = 0; it < RANDOM_RECORDS; it++) {
		random_record(&r, &x, it);
		size_t n = tlsfp_record_pack(&r, pk, sizeof(pk));
		CHECK(n != 0 && tlsfp_record_unpack(pk, n, &back) == 0);
		n = tlsfp_eve_format(&back, got + got_len, sizeof(got) - got_len);
		CHECK(got_len + n < sizeof(got));
		if (got_len + n >= sizeof(got))
			break;
		got_len += n;
	}
	compare_lines("random-records", got, got_len, want, want_len);
	free(want);
}

/* ---- differential test over captures ---- */

struct collect {
	char *text; /* formatted lines, back to back */
	size_t len, cap;
	size_t records;
};

static void
collect_emit(void *ctx, const struct tlsfp_record *rec)
{
	struct collect *c = ctx;
	size_t need = tlsfp_eve_format(rec, NULL, 0);

	if (c->len + need + 1 > c->cap) {
		size_t ncap = c->cap ? c->cap : 65536;
		while (ncap < c->len + need + 1)
			ncap *= 2;
		char *p = realloc(c->text, ncap);
		if (p == NULL)
			abort();
		c->text = p;
		c->cap = ncap;
	}
	CHECK_EQ_INT(tlsfp_eve_format(rec, c->text + c->len, c->cap - c->len), need);
	c->len += need;
	c->records++;
}

/*
 * The capture through the pipeline as `tlsfp pcap` drives it
 * (native/capture_analyzer.cc): default options, an expire every second
 * of capture time (not before the first), a flush at the end.
 */
static int
run_capture(const char *path, struct collect *c)
{
	struct tlsfp_pipeline_config cfg;
	struct tlsfp_pipeline *p;
	struct tlsfp_capture *cap;
	struct tlsfp_frame f;
	char errbuf[512];
	int err = 0, rc;
	uint64_t last_expire = 0;

	cap = tlsfp_capture_open(path, &err, errbuf, sizeof(errbuf));
	if (cap == NULL) {
		fprintf(stderr, "test_eve: %s\n", errbuf);
		return -1;
	}
	memset(&cfg, 0, sizeof(cfg));
	tlsfp_pipeline_config_defaults(&cfg);
	p = tlsfp_pipeline_create(&cfg, collect_emit, c);
	if (p == NULL) {
		tlsfp_capture_close(cap);
		return -1;
	}
	while ((rc = tlsfp_capture_next(cap, &f, &err, errbuf, sizeof(errbuf))) == 1) {
		tlsfp_pipeline_input(p, f.data, f.caplen, f.wirelen, f.linktype, f.ts_ns);
		if (f.ts_ns >= last_expire + UINT64_C(1000000000)) {
			if (last_expire != 0)
				tlsfp_pipeline_expire(p, f.ts_ns);
			last_expire = f.ts_ns;
		}
	}
	tlsfp_pipeline_flush(p);
	tlsfp_pipeline_destroy(p);
	tlsfp_capture_close(cap);
	return rc < 0 ? -1 : 0;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		fclose(fp);
		return NULL;
	}
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Line for line; on a difference, the line number and the first column. */
static void
compare_lines(const char *name, const char *got, size_t got_len, const char *want, size_t want_len)
{
	size_t i = 0, lineno = 1, col = 0;

	while (i < got_len && i < want_len && got[i] == want[i]) {
		if (got[i] == '\n')
			lineno++, col = 0;
		else
			col++;
		i++;
	}
	if (i == got_len && i == want_len)
		return;
	CHECK(0);
	/* From up to 60 characters before the difference. */
	size_t back = col < 60 ? col : 60;
	fprintf(stderr,
		"test_eve: %s: line %zu differs at column %zu:\n  got  %.160s\n  want %.160s\n",
		name, lineno, col, got + i - back, want + i - back);
}

static void
test_captures(void)
{
	size_t list_len, n_files = 0, n_lines = 0;
	char *list = read_file(DATA "fixtures.txt", &list_len);

	CHECK(list != NULL);
	if (list == NULL)
		return;
	for (char *save = NULL, *ln = strtok_r(list, "\n", &save); ln != NULL;
	     ln = strtok_r(NULL, "\n", &save)) {
		char name[128], rel[256], path[512], expected[512];
		struct collect c = {0};
		size_t want_len = 0;
		char *want;

		if (ln[0] == '#' || ln[0] == '\0')
			continue;
		if (sscanf(ln, "%127s %255s", name, rel) != 2) {
			fprintf(stderr, "test_eve: bad fixtures.txt line: %s\n", ln);
			CHECK(0);
			continue;
		}
		snprintf(path, sizeof(path), REPO "%s", rel);
		snprintf(expected, sizeof(expected), DATA "%s.jsonl", name);
		want = read_file(expected, &want_len);
		CHECK(want != NULL);
		CHECK_EQ_INT(run_capture(path, &c), 0);
		if (want != NULL) {
			compare_lines(name, c.text ? c.text : "", c.len, want, want_len);
			/* No empty expectations: each capture gives records. */
			CHECK(c.records > 0);
		}
		n_files++;
		n_lines += c.records;
		free(c.text);
		free(want);
	}
	free(list);
	printf("test_eve: %zu captures, %zu records compared with the TypeScript writer\n", n_files,
	       n_lines);
	CHECK(n_files >= 15);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-packed") == 0)
		return write_packed(argv[2]);
	test_tls13();
	test_client_only();
	test_quic_dtls();
	test_vlan_flags_reason();
	test_names();
	test_ipv6();
	test_time_and_flow_id();
	test_capacity();
	test_worst_case();
	test_random_records();
	test_random_vs_ts();
	test_captures();
	return check_exit("test_eve");
}
