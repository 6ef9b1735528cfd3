/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls/: ClientHello and ServerHello parsing on hand-built byte arrays, from
 * the bytes to the fingerprints, and every malformed shape to its named
 * result. The Chrome hello below is FoxIO's JA4.md example (15 ciphers,
 * 16 extensions, h2) with GREASE added where Chrome sends it and in places
 * it does not (sigalgs); its fingerprints are the spec's published values
 * The variants' values (no SNI, no sigalgs, no supported_versions) come from
 * two oracles run on pcaps of these exact bytes (TLSFP_DUMP_DIR below,
 * wrapped in one TCP segment): tshark 4.0 (tls.handshake.ja3) for the JA3
 * MD5s and FoxIO's python/ja4.py for JA4 / ja4_o; both agreed with the spec
 * values above on the base hello.
 *
 * Set TLSFP_DUMP_DIR=<dir> to write these ClientHellos' bytes there.
 */
#include <stdlib.h>

#include <openssl/evp.h>

#include "check.h"
#include "tls_builder.h"
#include "tlsfp/counters.h"
#include "tlsfp/fp.h"
#include "tlsfp/hello.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const uint16_t chrome_ciphers[] = {0x4a4a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
					  0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
					  0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t chrome_sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805,
					  0x3a3a, 0x0501, 0x0806, 0x0601};
static const uint16_t chrome_groups[] = {0x8a8a, 0x001d, 0x0017, 0x0018};
static const uint16_t chrome_versions[] = {0xeaea, 0x0304, 0x0303};
static const uint8_t pf0[] = {0};

static struct tb t;
static struct tlsfp_client_hello ch;
static struct tlsfp_server_hello sh;

struct chrome_opts {
	const char *sni;	    /* NULL: no SNI extension */
	const struct tb_name *alpn; /* NULL: no ALPN extension */
	size_t n_alpn;
	bool no_sigalgs, no_versions;
};

static const struct tb_name alpn_h2_h11[] = {{"h2", 2}, {"http/1.1", 8}};

/* Extensions in the JA4.md example's order: 001b,0000,0033,0010,4469,0017,
 * 002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015, between two GREASE. */
static size_t
build_chrome(const struct chrome_opts *o)
{
	t.n = 0;
	size_t hs = tb_ch_begin(&t, 0x0303, chrome_ciphers, N(chrome_ciphers));
	size_t exts = tb_open(&t, 2);
	tb_ext_raw(&t, 0x0a0a, NULL, 0);
	tb_ext_raw(&t, 0x001b, "\x02\x00\x02", 3);
	if (o->sni)
		tb_ext_sni(&t, o->sni);
	{
		size_t e = tb_ext_begin(&t, 0x0033);
		size_t l = tb_open(&t, 2);
		tb_u16(&t, 0x8a8a);
		tb_u16(&t, 1);
		tb_u8(&t, 0);
		tb_u16(&t, 0x001d);
		tb_u16(&t, 32);
		for (int i = 0; i < 32; i++)
			tb_u8(&t, (uint8_t)(i * 7));
		tb_close(&t, l, 2);
		tb_ext_end(&t, e);
	}
	if (o->alpn)
		tb_ext_alpn(&t, o->alpn, o->n_alpn);
	tb_ext_raw(&t, 0x4469, "\x00\x03\x02h2", 5);
	tb_ext_raw(&t, 0x0017, NULL, 0);
	tb_ext_raw(&t, 0x002d, "\x01\x01", 2);
	if (!o->no_sigalgs)
		tb_ext_u16list(&t, 0x000d, chrome_sigalgs, N(chrome_sigalgs));
	tb_ext_raw(&t, 0x0005, "\x01\x00\x00\x00\x00", 5);
	tb_ext_raw(&t, 0x0023, NULL, 0);
	tb_ext_raw(&t, 0x0012, NULL, 0);
	if (!o->no_versions)
		tb_ext_versions(&t, chrome_versions, N(chrome_versions));
	tb_ext_raw(&t, 0xff01, "\x00", 1);
	tb_ext_point_formats(&t, pf0, 1);
	tb_ext_u16list(&t, 0x000a, chrome_groups, N(chrome_groups));
	tb_ext_raw(&t, 0x1a1a, "\x00", 1);
	{
		size_t e = tb_ext_begin(&t, 0x0015);
		tb_zeros(&t, 200);
		tb_ext_end(&t, e);
	}
	tb_close(&t, exts, 2);
	return tb_hs_end(&t, hs);
}

static const struct chrome_opts chrome_default = {"example.com", alpn_h2_h11, 2, false, false};

static void
fingerprints(char transport, char *ja4, char *ja4o, char *ja3s, char *ja3md5)
{
	struct tlsfp_ch_view v;
	tlsfp_client_hello_view(&ch, transport, &v);
	if (ja4)
		tlsfp_ja4(&v, ja4);
	if (ja4o)
		tlsfp_ja4_o(&v, ja4o);
	if (ja3s) {
		size_t n = tlsfp_ja3_string(&v, ja3s, 1024);
		if (ja3md5)
			tlsfp_md5_hex(ja3s, n, ja3md5);
	}
}

/* With TLSFP_DUMP_DIR set, write the current message to <dir>/<name>.bin
 * (for cross-checks with external oracles, see the header comment). */
static void
dump(const char *name, size_t len)
{
	const char *dir = getenv("TLSFP_DUMP_DIR");
	char path[512];
	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(t.b, 1, len, f);
		fclose(f);
	}
}

static void
test_chrome(void)
{
	char ja4[TLSFP_JA4_LEN + 1], ja4o[TLSFP_JA4_LEN + 1], ja3[1024], md5[33];
	size_t len = build_chrome(&chrome_default);

	dump("chrome", len);

	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, len, &ch), TLSFP_PARSE_OK);
	CHECK_EQ_INT(ch.legacy_version, 0x0303);
	CHECK_EQ_INT(ch.max_supported_version, 0x0304);
	CHECK(ch.has_supported_versions);
	CHECK(ch.has_sni);
	CHECK(ch.has_alpn);
	/* GREASE removed from every list, wire order kept. */
	CHECK_EQ_INT(ch.n_ciphers, 15);
	CHECK_EQ_INT(ch.ciphers[0], 0x1301);
	CHECK_EQ_INT(ch.ciphers[14], 0x0035);
	CHECK_EQ_INT(ch.n_exts, 16);
	CHECK_EQ_INT(ch.exts[0], 0x001b);
	CHECK_EQ_INT(ch.exts[15], 0x0015);
	CHECK_EQ_INT(ch.n_groups, 3);
	CHECK_EQ_INT(ch.groups[0], 0x001d);
	CHECK_EQ_INT(ch.n_versions, 2);
	CHECK_EQ_INT(ch.versions[0], 0x0304);
	CHECK_EQ_INT(ch.versions[1], 0x0303);
	CHECK_EQ_INT(ch.n_sigalgs, 8);
	CHECK_EQ_INT(ch.sigalgs[4], 0x0805);
	CHECK_EQ_INT(ch.sigalgs[5], 0x0501);
	CHECK_EQ_INT(ch.n_point_formats, 1);
	CHECK_EQ_INT(ch.point_formats[0], 0);
	CHECK_EQ_INT(ch.sni_len, 11);
	CHECK(ch.sni && memcmp(ch.sni, "example.com", 11) == 0);
	CHECK_EQ_INT(ch.alpn_len, 12);
	CHECK(ch.alpn && memcmp(ch.alpn, "\x02h2\x08http/1.1", 12) == 0);

	fingerprints('t', ja4, ja4o, ja3, md5);
	CHECK_EQ_STR(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	CHECK_EQ_STR(ja4o, "t13d1516h2_acb858a92679_18f69afefd3d");
	CHECK_EQ_STR(ja3, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-"
			  "156-157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,"
			  "29-23-24,0");
	CHECK_EQ_STR(md5, "c000e2caf3a25423f9de6c8a4b12a975");
	fingerprints('q', ja4, NULL, NULL, NULL);
	CHECK_EQ_STR(ja4, "q13d1516h2_8daaf6152771_e5627efa2ab1");

	/* The SNI extension with an IP literal still gives 'd' (by presence). */
	struct chrome_opts o = chrome_default;
	o.sni = "192.0.2.1";
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, len = build_chrome(&o), &ch), TLSFP_PARSE_OK);
	dump("chrome_sni_ip", len);
	fingerprints('t', ja4, NULL, NULL, NULL);
	CHECK_EQ_STR(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	/* No SNI extension: 'i', one extension fewer; c unchanged (SNI is
	 * never in c). */
	o.sni = NULL;
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, len = build_chrome(&o), &ch), TLSFP_PARSE_OK);
	dump("chrome_no_sni", len);
	CHECK(!ch.has_sni);
	CHECK(ch.sni == NULL);
	fingerprints('t', ja4, ja4o, ja3, md5);
	CHECK_EQ_STR(ja4, "t13i1515h2_8daaf6152771_e5627efa2ab1");
	CHECK_EQ_STR(ja4o, "t13i1515h2_acb858a92679_353e1886b8ab");
	CHECK_EQ_STR(md5, "a91f94c1fb483a9b5f654d7cacc3c565");

	/* No signature_algorithms: no trailing '_' in c (JA4.md value). */
	o = chrome_default;
	o.no_sigalgs = true;
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, len = build_chrome(&o), &ch), TLSFP_PARSE_OK);
	dump("chrome_no_sigalgs", len);
	fingerprints('t', ja4, ja4o, ja3, md5);
	/* 15 extensions now and 000d gone from the list as well. */
	CHECK_EQ_STR(ja4, "t13d1515h2_8daaf6152771_bebfbbe173b2");
	CHECK_EQ_STR(ja4o, "t13d1515h2_acb858a92679_a5e49772c5e6");
	CHECK_EQ_STR(md5, "0c42f4dd01ff8d01e125457ba5645a50");

	/* No supported_versions: the version comes from legacy_version. */
	o = chrome_default;
	o.no_versions = true;
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, len = build_chrome(&o), &ch), TLSFP_PARSE_OK);
	dump("chrome_no_versions", len);
	CHECK(!ch.has_supported_versions);
	CHECK_EQ_INT(ch.max_supported_version, 0);
	fingerprints('t', ja4, ja4o, ja3, md5);
	CHECK_EQ_STR(ja4, "t12d1515h2_8daaf6152771_8d4582d59f63");
	CHECK_EQ_STR(ja4o, "t12d1515h2_acb858a92679_69ae0e77eaf1");
	CHECK_EQ_STR(md5, "c20e62d566385ebb121d92b3fef056a3");
}

static void
check_alpn(const struct tb_name *names, size_t n, const char *want_a)
{
	struct chrome_opts o = chrome_default;
	char ja4[TLSFP_JA4_LEN + 1];
	o.alpn = names;
	o.n_alpn = n;
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, build_chrome(&o), &ch), TLSFP_PARSE_OK);
	fingerprints('t', ja4, NULL, NULL, NULL);
	ja4[10] = '\0';
	CHECK_EQ_STR(ja4, want_a);
}

static void
test_alpn_rows(void)
{
	static const struct tb_name ab[] = {{"\xab", 1}}, abcd[] = {{"\xab\xcd", 2}},
				    x30ab[] = {{"\x30\xab", 2}}, sp[] = {{" ", 1}},
				    b[] = {{"b", 1}}, h11[] = {{"http/1.1", 8}, {"h2", 2}},
				    empty_first[] = {{"", 0}, {"h2", 2}};
	check_alpn(ab, 1, "t13d1516ab");
	check_alpn(abcd, 1, "t13d1516ad");
	check_alpn(x30ab, 1, "t13d15163b");
	check_alpn(sp, 1, "t13d151620");
	check_alpn(b, 1, "t13d1516bb");
	check_alpn(h11, 2, "t13d1516h1");
	check_alpn(alpn_h2_h11, 2, "t13d1516h2");
	/* An empty list and an empty first name are accepted and give 00. */
	check_alpn(empty_first, 2, "t13d151600");
	check_alpn(empty_first, 0, "t13d151600"); /* list of no names */
	CHECK(ch.has_alpn);
	CHECK_EQ_INT(ch.alpn_len, 0);
}

static void
test_minimal_hellos(void)
{
	static const uint16_t c[] = {0x0004, 0x0005, 0x000a};
	char ja3[1024], ja4[TLSFP_JA4_LEN + 1];

	/* No extensions block at all: valid, JA3 fields empty. */
	t.n = 0;
	size_t hs = tb_ch_begin(&t, 0x0301, c, N(c));
	size_t len = tb_hs_end(&t, hs);
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, len, &ch), TLSFP_PARSE_OK);
	CHECK_EQ_INT(ch.n_exts, 0);
	fingerprints('t', ja4, NULL, ja3, NULL);
	CHECK_EQ_STR(ja3, "769,4-5-10,,,");
	CHECK(strncmp(ja4, "t10i030000_", 11) == 0);
	CHECK_EQ_STR(ja4 + 24, "000000000000");

	/* An empty extensions block: also valid. */
	t.n = 0;
	hs = tb_ch_begin(&t, 0x0301, c, N(c));
	tb_u16(&t, 0);
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, tb_hs_end(&t, hs), &ch), TLSFP_PARSE_OK);

	/* An empty cipher vector is accepted (odd scanners): b is 0s. */
	t.n = 0;
	hs = tb_ch_begin(&t, 0x0303, NULL, 0);
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, tb_hs_end(&t, hs), &ch), TLSFP_PARSE_OK);
	fingerprints('t', ja4, NULL, ja3, NULL);
	CHECK_EQ_STR(ja4, "t12i000000_000000000000_000000000000");
	CHECK_EQ_STR(ja3, "771,,,,");

	/* Empty session id, two compression methods. */
	t.n = 0;
	tb_u8(&t, 1);
	tb_u24(&t, 0);
	tb_u16(&t, 0x0303);
	tb_zeros(&t, 32);
	tb_u8(&t, 0);
	tb_u16(&t, 2);
	tb_u16(&t, 0x002f);
	tb_u8(&t, 2);
	tb_u8(&t, 1);
	tb_u8(&t, 0);
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, tb_hs_end(&t, 0), &ch), TLSFP_PARSE_OK);
	CHECK_EQ_INT(ch.n_ciphers, 1);

	/* supported_versions holding only GREASE: present, max 0. */
	static const uint16_t only_grease[] = {0x7a7a};
	t.n = 0;
	hs = tb_ch_begin(&t, 0x0303, c, N(c));
	size_t e = tb_open(&t, 2);
	tb_ext_versions(&t, only_grease, 1);
	tb_close(&t, e, 2);
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, tb_hs_end(&t, hs), &ch), TLSFP_PARSE_OK);
	CHECK(ch.has_supported_versions);
	CHECK_EQ_INT(ch.n_versions, 0);
	CHECK_EQ_INT(ch.n_exts, 1);
	CHECK_EQ_INT(ch.max_supported_version, 0);
}

/* Parse a copy of exactly len bytes on the heap, so ASan sees any overread. */
static enum tlsfp_parse_result
parse_exact(const uint8_t *p, size_t len, bool server)
{
	uint8_t *copy = malloc(len ? len : 1);
	if (len != 0)
		memcpy(copy, p, len);
	enum tlsfp_parse_result r = server ? tlsfp_parse_server_hello(copy, len, &sh)
					   : tlsfp_parse_client_hello(copy, len, &ch);
	free(copy);
	return r;
}

/* Truncate a valid hello at every length. As is: TRUNCATED every time (the
 * handshake length points past the end). With the handshake length patched
 * to fit: never a crash, OK only where the cut leaves a complete hello
 * (after the compression methods: no extensions). */
static void
truncations(const uint8_t *msg, size_t len, bool server, size_t ok_cut)
{
	static uint8_t buf[TB_CAP];
	int bad_plain = 0, bad_patched = 0;

	for (size_t k = 0; k < len; k++) {
		enum tlsfp_parse_result r = parse_exact(msg, k, server);
		if (r != TLSFP_PARSE_TRUNCATED)
			bad_plain++;
		if (k < 4)
			continue;
		memcpy(buf, msg, k);
		buf[1] = (uint8_t)((k - 4) >> 16);
		buf[2] = (uint8_t)((k - 4) >> 8);
		buf[3] = (uint8_t)(k - 4);
		r = parse_exact(buf, k, server);
		if ((r == TLSFP_PARSE_OK) != (k == ok_cut)) {
			bad_patched++;
			fprintf(stderr, "cut %zu -> %d\n", k, r);
		}
		if (r > 0 || r < TLSFP_PARSE_UNSUPPORTED)
			bad_patched++;
	}
	CHECK_EQ_INT(bad_plain, 0);
	CHECK_EQ_INT(bad_patched, 0);
	CHECK_EQ_INT(parse_exact(msg, len, server), TLSFP_PARSE_OK);
}

static void
test_truncation(void)
{
	static uint8_t msg[TB_CAP];
	size_t len = build_chrome(&chrome_default);
	memcpy(msg, t.b, len);
	/* 4 + 2 + 32 + 1 + 32 + 2 + 32 + 1 + 1: end of compression methods. */
	truncations(msg, len, false, 4 + 2 + 32 + 33 + 2 + 2 * N(chrome_ciphers) + 2);

	static const uint8_t rnd[32] = {1};
	t.n = 0;
	size_t hs = tb_sh_begin(&t, 0x0303, rnd, 0x1301);
	size_t e = tb_open(&t, 2);
	tb_ext_raw(&t, 0x002b, "\x03\x04", 2);
	tb_ext_raw(&t, 0x0010, "\x00\x03\x02h2", 5);
	tb_ext_raw(&t, 0x0033,
		   "\x00\x1d\x00\x04"
		   "abcd",
		   8);
	tb_close(&t, e, 2);
	len = tb_hs_end(&t, hs);
	memcpy(msg, t.b, len);
	truncations(msg, len, true, 4 + 2 + 32 + 33 + 2 + 1);
}

/* A one-cipher ClientHello whose extensions block holds `ext` (n bytes). */
static enum tlsfp_parse_result
ch_with_ext(const void *ext, size_t n)
{
	static const uint16_t c[] = {0x1301};
	t.n = 0;
	size_t hs = tb_ch_begin(&t, 0x0303, c, 1);
	size_t e = tb_open(&t, 2);
	tb_bytes(&t, ext, n);
	tb_close(&t, e, 2);
	size_t len = tb_hs_end(&t, hs);
	enum tlsfp_parse_result r = parse_exact(t.b, len, false);
	/* Again in place, so the facts' pointers (SNI, ALPN) stay valid. */
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, len, &ch), r);
	return r;
}

#define EXT(s) ch_with_ext(s, sizeof(s) - 1)

static void
test_malformed_client(void)
{
	static const uint16_t c[] = {0x1301};
	size_t hs, len;

	/* Sanity: the wrapper accepts a well-formed extension. */
	CHECK_EQ_INT(EXT("\x00\x0a\x00\x04\x00\x02\x00\x1d"), TLSFP_PARSE_OK);

	/* Not a ClientHello / SSLv2 format. */
	static const uint8_t sh_type[] = {2, 0, 0, 0};
	CHECK_EQ_INT(tlsfp_parse_client_hello(sh_type, 4, &ch), TLSFP_PARSE_UNSUPPORTED);
	static const uint8_t sslv2[] = {0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00,
					0x00, 0x00, 0x10, 0x07, 0x00, 0xc0, 0x05, 0x00,
					0x80, 0x03, 0x00, 0x80, 0x01, 0x00, 0x80, 0x06,
					0x00, 0x40, 0x04, 0x00, 0x80, 0x02, 0x00, 0x80};
	CHECK_EQ_INT(parse_exact(sslv2, sizeof(sslv2), false), TLSFP_PARSE_UNSUPPORTED);
	CHECK_EQ_INT(parse_exact(NULL, 0, false), TLSFP_PARSE_TRUNCATED);

	/* Handshake length: past the end / short of it. */
	t.n = 0;
	hs = tb_ch_begin(&t, 0x0303, c, 1);
	len = tb_hs_end(&t, hs);
	t.b[3]++;
	CHECK_EQ_INT(parse_exact(t.b, len, false), TLSFP_PARSE_TRUNCATED);
	t.b[3] -= 2;
	CHECK_EQ_INT(parse_exact(t.b, len, false), TLSFP_PARSE_BAD_LENGTH);

	/* Session id over 32 bytes. */
	t.n = 0;
	tb_u8(&t, 1);
	tb_u24(&t, 0);
	tb_u16(&t, 0x0303);
	tb_zeros(&t, 32);
	tb_u8(&t, 33);
	tb_zeros(&t, 33);
	tb_u16(&t, 2);
	tb_u16(&t, 0x1301);
	tb_u8(&t, 1);
	tb_u8(&t, 0);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, 0), false), TLSFP_PARSE_BAD_LENGTH);

	/* Odd cipher vector; cipher vector past the end. */
	t.n = 0;
	tb_u8(&t, 1);
	tb_u24(&t, 0);
	tb_u16(&t, 0x0303);
	tb_zeros(&t, 33);
	tb_u16(&t, 3);
	tb_bytes(&t, "\x13\x01\x13", 3);
	tb_u8(&t, 1);
	tb_u8(&t, 0);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, 0), false), TLSFP_PARSE_BAD_LENGTH);
	t.n = 0;
	tb_u8(&t, 1);
	tb_u24(&t, 0);
	tb_u16(&t, 0x0303);
	tb_zeros(&t, 33);
	tb_u16(&t, 200);
	tb_bytes(&t, "\x13\x01\x01\x00", 4);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, 0), false), TLSFP_PARSE_TRUNCATED);

	/* Compression vector past the end. */
	t.n = 0;
	tb_u8(&t, 1);
	tb_u24(&t, 0);
	tb_u16(&t, 0x0303);
	tb_zeros(&t, 33);
	tb_u16(&t, 2);
	tb_u16(&t, 0x1301);
	tb_u8(&t, 5);
	tb_u8(&t, 0);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, 0), false), TLSFP_PARSE_TRUNCATED);

	/* Extensions block: one stray byte; length short of the body (trailing
	 * bytes after it); length past the end. */
	t.n = 0;
	hs = tb_ch_begin(&t, 0x0303, c, 1);
	tb_u8(&t, 0);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, hs), false), TLSFP_PARSE_TRUNCATED);
	t.n = 0;
	hs = tb_ch_begin(&t, 0x0303, c, 1);
	tb_u16(&t, 4);
	tb_bytes(&t, "\x00\x17\x00\x00\xff", 5);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, hs), false), TLSFP_PARSE_BAD_LENGTH);
	t.n = 0;
	hs = tb_ch_begin(&t, 0x0303, c, 1);
	tb_u16(&t, 9);
	tb_bytes(&t, "\x00\x17\x00\x00", 4);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, hs), false), TLSFP_PARSE_TRUNCATED);

	/* One extension: header cut; body length past the block. */
	CHECK_EQ_INT(EXT("\x00\x17\x00"), TLSFP_PARSE_TRUNCATED);
	CHECK_EQ_INT(EXT("\x00\x17\x00\x05\x00"), TLSFP_PARSE_TRUNCATED);

	/* server_name: list length off either way; name past the
	 * list. An empty body, an empty host name, a list with a non-host_name entry first and
	 * a repeated extension (first one wins, both types listed) are fine. */
	CHECK_EQ_INT(EXT("\x00\x00\x00\x00"), TLSFP_PARSE_OK);
	CHECK(ch.has_sni && ch.sni == NULL && ch.sni_len == 0);
	CHECK_EQ_INT(EXT("\x00\x00\x00\x06\x00\x05\x00\x00\x01x"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x00\x00\x06\x00\x03\x00\x00\x01x"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x00\x00\x06\x00\x04\x00\x00\x02x"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x00\x00\x06\x00\x04\x00\x00\x01x"
			 "\x00\x00\x00\x06\x00\x04\x00\x00\x01y"),
		     TLSFP_PARSE_OK);
	CHECK(ch.n_exts == 2 && ch.sni_len == 1 && ch.sni[0] == 'x');
	CHECK_EQ_INT(EXT("\x00\x00\x00\x05\x00\x03\x00\x00\x00"), TLSFP_PARSE_OK);
	CHECK(ch.has_sni && ch.sni != NULL && ch.sni_len == 0);
	CHECK_EQ_INT(EXT("\x00\x00\x00\x0a\x00\x08\x07\x00\x01q\x00\x00\x01h"), TLSFP_PARSE_OK);
	CHECK(ch.sni_len == 1 && ch.sni[0] == 'h');

	/* supported_groups: odd list; trailing byte; list past the body. */
	CHECK_EQ_INT(EXT("\x00\x0a\x00\x05\x00\x03\x00\x1d\x00"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x0a\x00\x05\x00\x02\x00\x1d\x00"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x0a\x00\x04\x00\x04\x00\x1d"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x0a\x00\x01\x00"), TLSFP_PARSE_BAD_EXTENSION);

	/* ec_point_formats: length off; trailing byte. */
	CHECK_EQ_INT(EXT("\x00\x0b\x00\x02\x02\x00"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x0b\x00\x03\x01\x00\x00"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x0b\x00\x00"), TLSFP_PARSE_BAD_EXTENSION);

	/* signature_algorithms: odd; trailing byte; GREASE dropped. */
	CHECK_EQ_INT(EXT("\x00\x0d\x00\x05\x00\x03\x04\x03\x08"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x0d\x00\x05\x00\x02\x04\x03\x08"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x0d\x00\x08\x00\x06\x0a\x0a\x04\x03\xfa\xfa"), TLSFP_PARSE_OK);
	CHECK(ch.n_sigalgs == 1 && ch.sigalgs[0] == 0x0403);
	/* signature_algorithms_cert (0x0032) is not 0x000d: type only. */
	CHECK_EQ_INT(EXT("\x00\x32\x00\x04\x00\x02\x04\x03"), TLSFP_PARSE_OK);
	CHECK(ch.n_sigalgs == 0 && ch.n_exts == 1 && ch.exts[0] == 0x0032);

	/* ALPN: name past the list; list length off; trailing byte. */
	CHECK_EQ_INT(EXT("\x00\x10\x00\x05\x00\x03\x03h2"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x10\x00\x05\x00\x02\x02h2"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x10\x00\x06\x00\x03\x02h2x"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x10\x00\x00"), TLSFP_PARSE_BAD_EXTENSION);

	/* supported_versions: odd; length off; GREASE-only fine. */
	CHECK_EQ_INT(EXT("\x00\x2b\x00\x04\x03\x03\x04\x03"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x2b\x00\x05\x02\x03\x04\x03\x03"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(EXT("\x00\x2b\x00\x05\x04\x03\x04\x03\x03"), TLSFP_PARSE_OK);
	CHECK(ch.n_versions == 2 && ch.max_supported_version == 0x0304);
	/* Repeated supported_versions: the first one's list is the one kept. */
	CHECK_EQ_INT(EXT("\x00\x2b\x00\x03\x02\x03\x04\x00\x2b\x00\x03\x02\x03\x03"),
		     TLSFP_PARSE_OK);
	CHECK(ch.n_versions == 1 && ch.max_supported_version == 0x0304 && ch.n_exts == 2);
	/* A repeated extension we do not parse is recorded twice (JA3 as sent). */
	CHECK_EQ_INT(EXT("\x00\x17\x00\x00\x00\x17\x00\x00"), TLSFP_PARSE_OK);
	CHECK_EQ_INT(ch.n_exts, 2);
	/* GREASE extension types repeat freely and are not recorded. */
	CHECK_EQ_INT(EXT("\x0a\x0a\x00\x00\x0a\x0a\x00\x01\x00"), TLSFP_PARSE_OK);
	CHECK_EQ_INT(ch.n_exts, 0);
}

static void
test_capacities(void)
{
	static uint16_t c[TLSFP_CH_MAX_CIPHERS];
	size_t hs;

	/* The largest cipher vector the wire can carry (32767 entries, GREASE
	 * first and not counted) parses whole: never refused, never cut. */
	for (size_t i = 0; i < N(c); i++)
		c[i] = (uint16_t)(0x1000 + i);
	c[0] = 0x0a0a;
	t.n = 0;
	hs = tb_ch_begin(&t, 0x0303, c, TLSFP_CH_MAX_CIPHERS);
	size_t non_grease = 0;
	for (size_t i = 0; i < N(c); i++)
		non_grease += !tlsfp_is_grease(c[i]);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, hs), false), TLSFP_PARSE_OK);
	CHECK_EQ_INT(ch.n_ciphers, non_grease);
	CHECK_EQ_INT(ch.ciphers[non_grease - 1], c[N(c) - 1]);

	/* The most extensions an extensions block can hold: 16383 empty ones. */
	t.n = 0;
	hs = tb_ch_begin(&t, 0x0303, c + 1, 1);
	size_t e = tb_open(&t, 2);
	for (size_t i = 0; i < TLSFP_CH_MAX_EXTS; i++)
		tb_ext_raw(&t, (uint16_t)(0x1000 + i), NULL, 0);
	tb_close(&t, e, 2);
	non_grease = 0;
	for (size_t i = 0; i < TLSFP_CH_MAX_EXTS; i++)
		non_grease += !tlsfp_is_grease((uint16_t)(0x1000 + i));
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, hs), false), TLSFP_PARSE_OK);
	CHECK_EQ_INT(ch.n_exts, non_grease);

	/* A 120-extension hello: JA4 counts capped at 99. */
	t.n = 0;
	hs = tb_ch_begin(&t, 0x0303, c + 1, 150);
	e = tb_open(&t, 2);
	for (size_t i = 0; i < 120; i++)
		tb_ext_raw(&t, (uint16_t)(0x1000 + i), NULL, 0);
	tb_close(&t, e, 2);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, hs), false), TLSFP_PARSE_OK);
	/* parse_exact freed the copy: re-parse in place for the view. */
	CHECK_EQ_INT(tlsfp_parse_client_hello(t.b, t.n, &ch), TLSFP_PARSE_OK);
	char ja4[TLSFP_JA4_LEN + 1];
	fingerprints('t', ja4, NULL, NULL, NULL);
	CHECK(strncmp(ja4, "t12i999900_", 11) == 0);

	/* ServerHello: the most extensions its block can hold. */
	static const uint8_t rnd[32];
	t.n = 0;
	hs = tb_sh_begin(&t, 0x0303, rnd, 0x1301);
	e = tb_open(&t, 2);
	for (size_t i = 0; i < TLSFP_SH_MAX_EXTS; i++)
		tb_ext_raw(&t, (uint16_t)(0x1000 + i), NULL, 0);
	tb_close(&t, e, 2);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, hs), true), TLSFP_PARSE_OK);
	CHECK_EQ_INT(sh.n_exts, TLSFP_SH_MAX_EXTS);
}

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest"). */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static size_t
build_sh(const uint8_t random[32], const void *exts, size_t n)
{
	t.n = 0;
	size_t hs = tb_sh_begin(&t, 0x0303, random, 0x1301);
	if (exts) {
		size_t e = tb_open(&t, 2);
		tb_bytes(&t, exts, n);
		tb_close(&t, e, 2);
	}
	return tb_hs_end(&t, hs);
}

static enum tlsfp_parse_result
sh_both(size_t len)
{
	enum tlsfp_parse_result r = parse_exact(t.b, len, true);
	/* Again in place, so sh.alpn stays valid. */
	CHECK_EQ_INT(tlsfp_parse_server_hello(t.b, len, &sh), r);
	return r;
}

#define SH(rnd, s) sh_both(build_sh(rnd, s, sizeof(s) - 1))

static void
test_server_hello(void)
{
	static const uint8_t rnd[32] = {0x11, 0x22};
	char s[256];
	struct tlsfp_sh_view v;

	/* TLS 1.3 ServerHello: selected version, ALPN, exts as sent. */
	CHECK_EQ_INT(SH(rnd, "\x00\x2b\x00\x02\x03\x04\x00\x10\x00\x05\x00\x03\x02h2"
			     "\x00\x33\x00\x02\x00\x1d"),
		     TLSFP_PARSE_OK);
	CHECK(!sh.is_hello_retry_request);
	CHECK_EQ_INT(sh.legacy_version, 0x0303);
	CHECK_EQ_INT(sh.selected_version, 0x0304);
	CHECK_EQ_INT(sh.cipher, 0x1301);
	CHECK_EQ_INT(sh.n_exts, 3);
	CHECK(sh.alpn_len == 2 && memcmp(sh.alpn, "h2", 2) == 0);
	tlsfp_server_hello_view(&sh, &v);
	tlsfp_ja3s_string(&v, s, sizeof(s));
	CHECK_EQ_STR(s, "771,4865,43-16-51");

	/* Row: HelloRetryRequest detected by its random. */
	CHECK_EQ_INT(SH(hrr_random, "\x00\x2b\x00\x02\x03\x04\x00\x33\x00\x02\x00\x1d"),
		     TLSFP_PARSE_OK);
	CHECK(sh.is_hello_retry_request);
	uint8_t near[32];
	memcpy(near, hrr_random, 32);
	near[31] ^= 1;
	CHECK_EQ_INT(SH(near, "\x00\x2b\x00\x02\x03\x04"), TLSFP_PARSE_OK);
	CHECK(!sh.is_hello_retry_request);
	/* The constant really is SHA-256("HelloRetryRequest"). */
	{
		unsigned char md[32];
		unsigned int n = 0;
		EVP_Digest("HelloRetryRequest", 17, md, &n, EVP_sha256(), NULL);
		CHECK(n == 32 && memcmp(md, hrr_random, 32) == 0);
	}

	/* No extensions (TLS 1.2 and older): valid. */
	CHECK_EQ_INT(parse_exact(t.b, build_sh(rnd, NULL, 0), true), TLSFP_PARSE_OK);
	CHECK_EQ_INT(sh.n_exts, 0);
	CHECK_EQ_INT(sh.selected_version, 0);
	CHECK(sh.alpn == NULL);

	/* Malformed: supported_versions not 2 bytes; ALPN with two names,
	 * an empty name, list length off; repeated; type; trailing bytes. */
	CHECK_EQ_INT(SH(rnd, "\x00\x2b\x00\x03\x03\x04\x00"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(SH(rnd, "\x00\x2b\x00\x01\x03"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(SH(rnd, "\x00\x10\x00\x08\x00\x06\x02h2\x02h3"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(SH(rnd, "\x00\x10\x00\x03\x00\x01\x00"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(SH(rnd, "\x00\x10\x00\x05\x00\x04\x02h2"), TLSFP_PARSE_BAD_EXTENSION);
	CHECK_EQ_INT(SH(rnd, "\x00\x2b\x00\x02\x03\x04\x00\x2b\x00\x02\x03\x03"), TLSFP_PARSE_OK);
	CHECK(sh.selected_version == 0x0304 && sh.n_exts == 2);
	CHECK_EQ_INT(SH(rnd, "\x00\x2b\x00\x09\x03\x04"), TLSFP_PARSE_TRUNCATED);
	static const uint8_t ch_type[] = {1, 0, 0, 0};
	CHECK_EQ_INT(tlsfp_parse_server_hello(ch_type, 4, &sh), TLSFP_PARSE_UNSUPPORTED);
	t.n = 0;
	size_t hs = tb_sh_begin(&t, 0x0303, rnd, 0x1301);
	tb_u16(&t, 0);
	tb_u8(&t, 0);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, hs), true), TLSFP_PARSE_BAD_LENGTH);
	t.n = 0;
	tb_u8(&t, 2);
	tb_u24(&t, 0);
	tb_u16(&t, 0x0303);
	tb_zeros(&t, 32);
	tb_u8(&t, 40);
	tb_zeros(&t, 43);
	CHECK_EQ_INT(parse_exact(t.b, tb_hs_end(&t, 0), true), TLSFP_PARSE_BAD_LENGTH);
}

static void
test_counters(void)
{
	struct tlsfp_counters ctr;
	memset(&ctr, 0, sizeof(ctr));
	tlsfp_count_parse_result(&ctr, TLSFP_PARSE_OK);
	tlsfp_count_parse_result(&ctr, TLSFP_PARSE_TRUNCATED);
	tlsfp_count_parse_result(&ctr, TLSFP_PARSE_TRUNCATED);
	tlsfp_count_parse_result(&ctr, TLSFP_PARSE_BAD_LENGTH);
	tlsfp_count_parse_result(&ctr, TLSFP_PARSE_BAD_EXTENSION);
	tlsfp_count_parse_result(&ctr, TLSFP_PARSE_TOO_MANY_ITEMS);
	tlsfp_count_parse_result(&ctr, TLSFP_PARSE_UNSUPPORTED);
	CHECK_EQ_INT(ctr.v[TLSFP_CTR_PARSE_ERR_TRUNCATED], 2);
	CHECK_EQ_INT(ctr.v[TLSFP_CTR_PARSE_ERR_BAD_LENGTH], 1);
	CHECK_EQ_INT(ctr.v[TLSFP_CTR_PARSE_ERR_BAD_EXTENSION], 1);
	CHECK_EQ_INT(ctr.v[TLSFP_CTR_PARSE_ERR_TOO_MANY_ITEMS], 1);
	CHECK_EQ_INT(ctr.v[TLSFP_CTR_PARSE_ERR_UNSUPPORTED], 1);
	uint64_t sum = 0;
	for (int i = 0; i < TLSFP_CTR__COUNT; i++)
		sum += ctr.v[i];
	CHECK_EQ_INT(sum, 6);
}

int
main(void)
{
	test_chrome();
	test_alpn_rows();
	test_minimal_hellos();
	test_truncation();
	test_malformed_client();
	test_capacities();
	test_server_hello();
	test_counters();
	return check_exit("test_hello");
}
