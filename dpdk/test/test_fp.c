/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp/: JA3, JA3S, JA4 (+ r, o, ro) on hand-made views, exact values.
 *
 * Oracles: the worked examples of the public specs (the JA3 README string
 * and hash; FoxIO technical_details/JA4.md: the Chrome example's JA4, ja4_o,
 * ja4_r, ja4_ro and its no-sigalgs hash 6d807ffa2a79), the rules of
 * shared/FINGERPRINTS.md for every "known disagreement" row (the ALPN cases
 * are the ones listed in JA4.md), and for long lists an independent
 * one-shot EVP SHA-256 of a preimage built here with qsort + snprintf.
 */
#include <stdlib.h>

#include <openssl/evp.h>

#include "check.h"
#include "tlsfp/fp.h"
#include "tlsfp/hello.h" /* tlsfp_is_grease */

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define L(a) ((struct tlsfp_u16s){(a), N(a)})

/* The Chrome ClientHello of FoxIO's JA4.md example. */
static const uint16_t chrome_ciphers[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
					  0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
					  0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t chrome_exts[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017,
				       0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
				       0xff01, 0x000b, 0x000a, 0x0015};
static const uint16_t chrome_sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
					  0x0805, 0x0501, 0x0806, 0x0601};
static const uint16_t chrome_groups[] = {0x001d, 0x0017, 0x0018};
static const uint16_t pf_uncompressed[] = {0};

static struct tlsfp_ch_view
chrome_view(void)
{
	struct tlsfp_ch_view v = {
		.transport = 't',
		.legacy_version = 0x0303,
		.max_supported_version = 0x0304,
		.has_sni = true,
		.has_alpn = true,
		.ciphers = L(chrome_ciphers),
		.exts = L(chrome_exts),
		.groups = L(chrome_groups),
		.point_formats = L(pf_uncompressed),
		.sigalgs = L(chrome_sigalgs),
		.alpn_first = (const uint8_t *)"h2",
		.alpn_first_len = 2,
	};
	return v;
}

static const char *
ja4(const struct tlsfp_ch_view *v)
{
	static char out[TLSFP_JA4_LEN + 1];
	tlsfp_ja4(v, out);
	return out;
}

static const char *
ja4_o(const struct tlsfp_ch_view *v)
{
	static char out[TLSFP_JA4_LEN + 1];
	tlsfp_ja4_o(v, out);
	return out;
}

static const char *
ja4_r(const struct tlsfp_ch_view *v)
{
	static char out[65536];
	size_t n = tlsfp_ja4_r(v, out, sizeof(out));
	CHECK_EQ_INT(n, strlen(out));
	return out;
}

static const char *
ja4_ro(const struct tlsfp_ch_view *v)
{
	static char out[65536];
	size_t n = tlsfp_ja4_ro(v, out, sizeof(out));
	CHECK_EQ_INT(n, strlen(out));
	return out;
}

static const char *
ja4_a(const struct tlsfp_ch_view *v)
{
	static char out[11];
	tlsfp_ja4_a(v, out);
	return out;
}

/* First 12 hex of SHA-256(s), one-shot, independent of fp/'s chunked path. */
static void
sha12(const char *s, char out[13])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	for (int i = 0; i < 6; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void
test_ja3_readme(void)
{
	static const uint16_t c[] = {47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4};
	static const uint16_t e[] = {0, 10, 11};
	static const uint16_t g[] = {23, 24, 25};
	struct tlsfp_ch_view v = {.transport = 't',
				  .legacy_version = 769,
				  .ciphers = L(c),
				  .exts = L(e),
				  .groups = L(g),
				  .point_formats = L(pf_uncompressed)};
	char s[512], md5[TLSFP_MD5_HEX_LEN + 1];
	size_t n = tlsfp_ja3_string(&v, s, sizeof(s));

	CHECK_EQ_STR(s, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
	CHECK_EQ_INT(n, strlen(s));
	tlsfp_md5_hex(s, n, md5);
	CHECK_EQ_STR(md5, "ada70206e40642a3e4461f35503241d5");

	/* Missing lists: empty fields, commas kept. */
	static const uint16_t c2[] = {4, 5, 10};
	struct tlsfp_ch_view v2 = {.transport = 't', .legacy_version = 769, .ciphers = L(c2)};
	tlsfp_ja3_string(&v2, s, sizeof(s));
	CHECK_EQ_STR(s, "769,4-5-10,,,");
	struct tlsfp_ch_view v3 = {.transport = 't', .legacy_version = 0};
	tlsfp_ja3_string(&v3, s, sizeof(s));
	CHECK_EQ_STR(s, "0,,,,");

	/* GREASE in a view is dropped; 65535 prints in full. */
	static const uint16_t c4[] = {0x0a0a, 65535, 0xfafa, 1};
	static const uint16_t g4[] = {0x2a2a, 29};
	struct tlsfp_ch_view v4 = {.transport = 't',
				   .legacy_version = 771,
				   .ciphers = L(c4),
				   .exts = L(c4),
				   .groups = L(g4)};
	tlsfp_ja3_string(&v4, s, sizeof(s));
	CHECK_EQ_STR(s, "771,65535-1,65535-1,29,");

	/* snprintf semantics: cut at cap-1, NUL, full length returned. */
	char small[8];
	memset(small, 'X', sizeof(small));
	n = tlsfp_ja3_string(&v, small, sizeof(small));
	CHECK_EQ_INT(
		n, strlen("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"));
	CHECK_EQ_STR(small, "769,47-");
	CHECK_EQ_INT(tlsfp_ja3_string(&v, NULL, 0), n);
	char one[1] = {'X'};
	tlsfp_ja3_string(&v, one, 1);
	CHECK_EQ_INT(one[0], '\0');

	/* Empty string MD5. */
	tlsfp_md5_hex("", 0, md5);
	CHECK_EQ_STR(md5, "d41d8cd98f00b204e9800998ecf8427e");
}

static void
test_ja3_chrome(void)
{
	struct tlsfp_ch_view v = chrome_view();
	char s[1024], md5[TLSFP_MD5_HEX_LEN + 1];
	size_t n = tlsfp_ja3_string(&v, s, sizeof(s));

	CHECK_EQ_STR(s, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-"
			"157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0");
	tlsfp_md5_hex(s, n, md5);
	CHECK_EQ_STR(md5, "c000e2caf3a25423f9de6c8a4b12a975"); /* md5sum of the string */
}

static void
test_ja3s(void)
{
	static const uint16_t e[] = {43, 51};
	struct tlsfp_sh_view v = {.legacy_version = 771, .cipher = 4865, .exts = L(e)};
	char s[64];
	CHECK_EQ_INT(tlsfp_ja3s_string(&v, s, sizeof(s)), 14);
	CHECK_EQ_STR(s, "771,4865,43-51");
	struct tlsfp_sh_view v2 = {.legacy_version = 769, .cipher = 47};
	tlsfp_ja3s_string(&v2, s, sizeof(s));
	CHECK_EQ_STR(s, "769,47,");
	/* Server extensions are kept as sent, GREASE included (reference). */
	static const uint16_t e3[] = {0x0a0a, 65281};
	struct tlsfp_sh_view v3 = {.legacy_version = 771, .cipher = 49199, .exts = L(e3)};
	tlsfp_ja3s_string(&v3, s, sizeof(s));
	CHECK_EQ_STR(s, "771,49199,2570-65281");
}

static void
test_ja4_chrome_example(void)
{
	struct tlsfp_ch_view v = chrome_view();

	CHECK_EQ_STR(ja4(&v), "t13d1516h2_8daaf6152771_e5627efa2ab1");
	CHECK_EQ_STR(ja4_o(&v), "t13d1516h2_acb858a92679_18f69afefd3d");
	CHECK_EQ_STR(ja4_a(&v), "t13d1516h2");
	CHECK_EQ_STR(ja4_r(&v),
		     "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,"
		     "cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,"
		     "ff01_0403,0804,0401,0503,0805,0501,0806,0601");
	CHECK_EQ_STR(ja4_ro(&v),
		     "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,"
		     "002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,"
		     "000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601");

	/* Transport and version mapping. */
	v.transport = 'q';
	CHECK_EQ_STR(ja4(&v), "q13d1516h2_8daaf6152771_e5627efa2ab1");
	static const struct {
		uint16_t v;
		const char *code;
	} vers[] = {{0x0304, "13"}, {0x0303, "12"}, {0x0302, "11"}, {0x0301, "10"},
		    {0x0300, "s3"}, {0x0002, "s2"}, {0xfeff, "d1"}, {0xfefd, "d2"},
		    {0xfefc, "d3"}, {0x0305, "00"}, {0x7f1c, "00"}, {0x0000, "00"}};
	v.transport = 'd';
	for (size_t i = 0; i < N(vers); i++) {
		char want[11];
		v.max_supported_version = 0;
		v.legacy_version = vers[i].v;
		snprintf(want, sizeof(want), "d%sd1516h2", vers[i].code);
		CHECK_EQ_STR(ja4_a(&v), want);
		/* supported_versions wins over legacy_version (0 = absent). */
		if (vers[i].v == 0)
			continue;
		v.max_supported_version = vers[i].v;
		v.legacy_version = 0x0301;
		CHECK_EQ_STR(ja4_a(&v), want);
	}
}

/* Every row of FINGERPRINTS.md "Known disagreements" that lives in fp/
 * (the HRR row and the parser side of GREASE/SNI are in test_hello.c). */
static void
test_known_disagreements(void)
{
	struct tlsfp_ch_view v;

	/* Row: empty cipher list -> part b 000000000000 (not SHA-256("")). */
	v = chrome_view();
	v.ciphers.n = 0;
	CHECK_EQ_STR(ja4(&v), "t13d0016h2_000000000000_e5627efa2ab1");
	CHECK_EQ_STR(ja4_o(&v), "t13d0016h2_000000000000_18f69afefd3d");
	CHECK(strncmp(ja4_r(&v), "t13d0016h2__0005,000a,", 22) == 0);

	/* Row: empty extension list and no sigalgs -> part c 000000000000. */
	v = chrome_view();
	v.exts.n = 0;
	v.sigalgs.n = 0;
	v.has_sni = false;
	v.alpn_first = NULL;
	v.alpn_first_len = 0;
	v.has_alpn = false;
	CHECK_EQ_STR(ja4(&v), "t13i150000_8daaf6152771_000000000000");
	CHECK_EQ_STR(ja4_o(&v), "t13i150000_acb858a92679_000000000000");
	CHECK_EQ_STR(ja4_r(&v), "t13i150000_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,"
				"c02c,c02f,c030,cca8,cca9_");
	/* Only SNI and ALPN: JA4's sorted list is empty, ja4_o keeps them. */
	static const uint16_t sni_alpn[] = {0x0000, 0x0010};
	v = chrome_view();
	v.exts = L(sni_alpn);
	v.sigalgs.n = 0;
	CHECK_EQ_STR(ja4(&v), "t13d1502h2_8daaf6152771_000000000000");
	CHECK_EQ_STR(ja4_o(&v), "t13d1502h2_acb858a92679_a2cf1a00988d"); /* sha256("0000,0010") */
	CHECK(strcmp(ja4_r(&v) + strlen(ja4_r(&v)) - 5, "cca9_") == 0);
	CHECK(strcmp(ja4_ro(&v) + strlen(ja4_ro(&v)) - 10, "_0000,0010") == 0);
	/* Sigalgs without any other extension (only from an odd view): the
	 * preimage is "_<sigalgs>", hashed. */
	v.sigalgs = L(chrome_sigalgs);
	CHECK_EQ_STR(ja4(&v), "t13d1502h2_8daaf6152771_909772d10520");

	/* Row: no sigalgs -> no trailing '_' in c (JA4.md: 6d807ffa2a79). */
	v = chrome_view();
	v.sigalgs.n = 0;
	CHECK_EQ_STR(ja4(&v), "t13d1516h2_8daaf6152771_6d807ffa2a79");
	const char *r = ja4_r(&v);
	CHECK(strcmp(r + strlen(r) - 10, ",4469,ff01") == 0);
	CHECK(strchr(strrchr(r, '_'), ',') != NULL); /* last '_' is the b/c one */

	/* Row: GREASE inside signature_algorithms removed (defensive, even in
	 * a view; the parser already drops it). */
	static const uint16_t sig_grease[] = {0x0a0a, 0x0403, 0x0804, 0x0401, 0x0503,
					      0x0805, 0x1a1a, 0x0501, 0x0806, 0x0601};
	v = chrome_view();
	v.sigalgs = L(sig_grease);
	CHECK_EQ_STR(ja4(&v), "t13d1516h2_8daaf6152771_e5627efa2ab1");
	/* ... and in ciphers and extensions, which are not counted either. */
	static const uint16_t c_grease[] = {0xdada, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
					    0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
					    0x009c, 0x009d, 0x002f, 0x0035};
	static const uint16_t e_grease[] = {0x3a3a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469,
					    0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012,
					    0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0xfafa};
	v.ciphers = L(c_grease);
	v.exts = L(e_grease);
	CHECK_EQ_STR(ja4(&v), "t13d1516h2_8daaf6152771_e5627efa2ab1");
	CHECK_EQ_STR(ja4_o(&v), "t13d1516h2_acb858a92679_18f69afefd3d");

	/* Row: SNI flag by presence only. */
	v = chrome_view();
	v.has_sni = false;
	CHECK_EQ_STR(ja4(&v), "t13i1516h2_8daaf6152771_e5627efa2ab1");

	/* Row: counts above 99 capped at 99. */
	static uint16_t many_c[150], many_e[120];
	for (int i = 0; i < 150; i++)
		many_c[i] = (uint16_t)(0x0100 + 149 - i);
	for (int i = 0; i < 120; i++)
		many_e[i] = (uint16_t)(0x0100 + i);
	v = chrome_view();
	v.ciphers = L(many_c);
	v.exts = L(many_e);
	CHECK_EQ_STR(ja4_a(&v), "t13d9999h2");
	v.ciphers.n = 99;
	v.exts.n = 100;
	CHECK_EQ_STR(ja4_a(&v), "t13d9999h2");
	v.ciphers.n = 98;
	v.exts.n = 9;
	CHECK_EQ_STR(ja4_a(&v), "t13d9809h2");

	/* Rows: ALPN. The JA4.md hex-rule list, one-byte names, the usual. */
	static const struct {
		const char *name;
		size_t len;
		const char *want;
	} alpn[] = {
		{"\xab", 1, "ab"},
		{"\x20", 1, "20"},
		{"\xab\xcd", 2, "ad"},
		{"\x20\x61", 2, "21"},
		{"\x30\xab", 2, "3b"},
		{"\x61\x20", 2, "60"},
		{"\x30\x31\xab\xcd", 4, "3d"},
		{"\x30\xab\xcd\x31", 4, "01"},
		{"b", 1, "bb"},
		{"h2", 2, "h2"},
		{"http/1.1", 8, "h1"},
		{"h3", 2, "h3"},
		{"Z", 1, "ZZ"},
		{"0", 1, "00"},
		{"\x00", 1, "00"},
		{"\xff\x7f", 2, "ff"},
		{"a\x80z", 3, "az"},
		{"/h", 2, "28"},
	};
	v = chrome_view();
	for (size_t i = 0; i < N(alpn); i++) {
		char want[11];
		v.alpn_first = (const uint8_t *)alpn[i].name;
		v.alpn_first_len = (uint32_t)alpn[i].len;
		snprintf(want, sizeof(want), "t13d1516%s", alpn[i].want);
		CHECK_EQ_STR(ja4_a(&v), want);
	}
	/* No ALPN, an empty list, an empty first name: all "00". */
	v.alpn_first = NULL;
	v.alpn_first_len = 0;
	v.has_alpn = false;
	CHECK_EQ_STR(ja4(&v), "t13d151600_8daaf6152771_e5627efa2ab1");
	v.has_alpn = true;
	v.alpn_first = (const uint8_t *)"h2";
	v.alpn_first_len = 0;
	CHECK_EQ_STR(ja4_a(&v), "t13d151600");
}

static int
cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Long lists (heapsort path, the >scratch selection path, several digest
 * chunks): compare with a preimage built here and hashed one-shot. */
static void
test_long_lists(void)
{
	static uint16_t c[3000], sorted[3000];
	static char pre[3000 * 5 + 1], want[64], r[3000 * 5 + 200];
	size_t sizes[] = {17, 150, 2048, 2049, 3000};

	for (size_t k = 0; k < N(sizes); k++) {
		size_t n = sizes[k];
		uint32_t x = 12345;
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			c[i] = (uint16_t)(x >> 16);
			if (i % 7 == 3)
				c[i] = c[i - 1]; /* duplicates are kept */
			if (tlsfp_is_grease(c[i]))
				c[i] ^= 0x0100;
		}
		memcpy(sorted, c, n * sizeof(c[0]));
		qsort(sorted, n, sizeof(sorted[0]), cmp_u16);
		size_t p = 0;
		for (size_t i = 0; i < n; i++)
			p += (size_t)snprintf(pre + p, sizeof(pre) - p, i ? ",%04x" : "%04x",
					      sorted[i]);
		char h[13];
		sha12(pre, h);

		struct tlsfp_ch_view v = {.transport = 't', .legacy_version = 0x0303};
		v.ciphers.v = c;
		v.ciphers.n = (uint32_t)n;
		snprintf(want, sizeof(want), "t12i%02u0000_%s_000000000000",
			 (unsigned)(n > 99 ? 99 : n), h);
		CHECK_EQ_STR(ja4(&v), want);
		size_t rn = tlsfp_ja4_r(&v, r, sizeof(r));
		CHECK_EQ_INT(rn, 11 + strlen(pre) + 1);
		CHECK(strncmp(r + 11, pre, strlen(pre)) == 0);
	}
}

static void
test_version_names(void)
{
	CHECK_EQ_STR(tlsfp_version_name(0x0002), "SSLv2");
	CHECK_EQ_STR(tlsfp_version_name(0x0300), "SSLv3");
	CHECK_EQ_STR(tlsfp_version_name(0x0301), "TLS 1.0");
	CHECK_EQ_STR(tlsfp_version_name(0x0302), "TLS 1.1");
	CHECK_EQ_STR(tlsfp_version_name(0x0303), "TLS 1.2");
	CHECK_EQ_STR(tlsfp_version_name(0x0304), "TLS 1.3");
	CHECK_EQ_STR(tlsfp_version_name(0xfeff), "DTLS 1.0");
	CHECK_EQ_STR(tlsfp_version_name(0xfefd), "DTLS 1.2");
	CHECK_EQ_STR(tlsfp_version_name(0xfefc), "DTLS 1.3");
	CHECK_EQ_STR(tlsfp_version_name(0x0305), "UNDETERMINED");
	CHECK_EQ_STR(tlsfp_version_name(0x0a0a), "UNDETERMINED");
	CHECK_EQ_STR(tlsfp_version_name(0), "UNDETERMINED");
}

int
main(void)
{
	test_ja3_readme();
	test_ja3_chrome();
	test_ja3s();
	test_ja4_chrome_example();
	test_known_disagreements();
	test_long_lists();
	test_version_names();
	return check_exit("test_fp");
}
