/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls/record.c: the record-layer walk (tlsfp_tls_first_handshake) and the
 * prefix test (tlsfp_tls_looks_like_hello), on hand-built streams.
 */
#include <stdlib.h>

#include "check.h"
#include "tls_builder.h"
#include "tlsfp/hello.h"

static struct tb s;
static uint8_t hello[600];
static uint8_t out[20000];

/* A 600-byte "ClientHello" message: type 1, u24 length, pattern body. */
static void
make_hello(void)
{
	size_t body = sizeof(hello) - 4;
	hello[0] = 1;
	hello[1] = (uint8_t)(body >> 16);
	hello[2] = (uint8_t)(body >> 8);
	hello[3] = (uint8_t)body;
	for (size_t i = 4; i < sizeof(hello); i++)
		hello[i] = (uint8_t)(i * 31 + 7);
}

/* Run the walk on exactly len heap bytes (ASan sees overreads). */
static enum tlsfp_hs_status
walk(const uint8_t *p, size_t len, size_t cap, size_t *msg_len, size_t *consumed)
{
	uint8_t *copy = malloc(len ? len : 1);
	if (len != 0)
		memcpy(copy, p, len);
	*msg_len = *consumed = 12345;
	enum tlsfp_hs_status r = tlsfp_tls_first_handshake(copy, len, out, cap, msg_len, consumed);
	free(copy);
	return r;
}

/* Every proper prefix of a valid stream needs more; the whole completes. */
static void
check_prefixes(const uint8_t *p, size_t len, size_t complete_at)
{
	size_t ml, cons;
	int bad = 0;
	for (size_t k = 0; k < complete_at; k++)
		if (walk(p, k, sizeof(out), &ml, &cons) != TLSFP_HS_NEED_MORE) {
			bad++;
			fprintf(stderr, "prefix %zu not NEED_MORE\n", k);
		}
	CHECK_EQ_INT(bad, 0);
	for (size_t k = complete_at; k <= len; k++)
		if (walk(p, k, sizeof(out), &ml, &cons) != TLSFP_HS_COMPLETE)
			bad++;
	CHECK_EQ_INT(bad, 0);
}

static void
test_split_records(void)
{
	size_t ml, cons;

	/* One record. */
	s.n = 0;
	tb_records(&s, 22, 0x0301, hello, sizeof(hello), 16384);
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_COMPLETE);
	CHECK_EQ_INT(ml, sizeof(hello));
	CHECK_EQ_INT(cons, sizeof(hello) + 5);
	CHECK(memcmp(out, hello, sizeof(hello)) == 0);

	/* Three records (250 + 250 + 100), record versions as browsers send. */
	s.n = 0;
	tb_records(&s, 22, 0x0301, hello, 250, 250);
	tb_records(&s, 22, 0x0303, hello + 250, 250, 250);
	tb_records(&s, 22, 0x0303, hello + 500, 100, 250);
	memset(out, 0, sizeof(out));
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_COMPLETE);
	CHECK_EQ_INT(ml, sizeof(hello));
	CHECK_EQ_INT(cons, sizeof(hello) + 15);
	CHECK(memcmp(out, hello, sizeof(hello)) == 0);
	check_prefixes(s.b, s.n, s.n);

	/* The 4-byte handshake header itself split (1 + 2 + rest bytes). */
	s.n = 0;
	tb_records(&s, 22, 0x0301, hello, 1, 1);
	tb_records(&s, 22, 0x0301, hello + 1, 2, 2);
	tb_records(&s, 22, 0x0301, hello + 3, sizeof(hello) - 3, 16384);
	memset(out, 0, sizeof(out));
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_COMPLETE);
	CHECK_EQ_INT(ml, sizeof(hello));
	CHECK_EQ_INT(cons, s.n);
	CHECK(memcmp(out, hello, sizeof(hello)) == 0);
	check_prefixes(s.b, s.n, s.n);

	/* Tiny records all the way (7 bytes each). */
	s.n = 0;
	tb_records(&s, 22, 0x0303, hello, sizeof(hello), 7);
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_COMPLETE);
	CHECK_EQ_INT(cons, s.n);
	CHECK(memcmp(out, hello, sizeof(hello)) == 0);
}

static void
test_ccs_and_consumed(void)
{
	size_t ml, cons;

	/* A ChangeCipherSpec record between two handshake records is skipped. */
	s.n = 0;
	tb_records(&s, 22, 0x0303, hello, 300, 300);
	tb_records(&s, 20, 0x0303, (const uint8_t *)"\x01", 1, 1);
	tb_records(&s, 22, 0x0303, hello + 300, 300, 300);
	memset(out, 0, sizeof(out));
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_COMPLETE);
	CHECK_EQ_INT(ml, sizeof(hello));
	CHECK_EQ_INT(cons, 300 + 5 + 6 + 300 + 5);
	CHECK(memcmp(out, hello, sizeof(hello)) == 0);
	check_prefixes(s.b, s.n, s.n);

	/* Two messages in one record then another record: consumed is the end
	 * of the record holding the first message's last byte... */
	static uint8_t two[700];
	memcpy(two, hello, 600);
	static const uint8_t second[] = {11, 0, 0, 96};
	memcpy(two + 600, second, 4);
	memset(two + 604, 0x55, 96);
	s.n = 0;
	tb_records(&s, 22, 0x0303, two, 650, 650);
	tb_records(&s, 22, 0x0303, two + 650, 50, 50);
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_COMPLETE);
	CHECK_EQ_INT(ml, 600);
	CHECK_EQ_INT(cons, 655);
	/* ... and the message is complete before that record is: consumed
	 * may then run past len (documented in hello.h). */
	CHECK_EQ_INT(walk(s.b, 605, sizeof(out), &ml, &cons), TLSFP_HS_COMPLETE);
	CHECK_EQ_INT(ml, 600);
	CHECK_EQ_INT(cons, 655);
	CHECK_EQ_INT(walk(s.b, 604, sizeof(out), &ml, &cons), TLSFP_HS_NEED_MORE);

	/* A ServerHello after a (fake) HRR: walk again from consumed. */
	static const uint8_t hrr[] = {2, 0, 0, 2, 0xaa, 0xbb};
	static const uint8_t sh2[] = {2, 0, 0, 3, 1, 2, 3};
	s.n = 0;
	tb_records(&s, 22, 0x0303, hrr, sizeof(hrr), 100);
	tb_records(&s, 20, 0x0303, (const uint8_t *)"\x01", 1, 1);
	tb_records(&s, 22, 0x0303, sh2, sizeof(sh2), 100);
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_COMPLETE);
	CHECK_EQ_INT(ml, sizeof(hrr));
	CHECK_EQ_INT(cons, 11);
	/* The rest starts with CCS: not a handshake record at a stream start. */
	CHECK_EQ_INT(walk(s.b + cons, s.n - cons, sizeof(out), &ml, &cons), TLSFP_HS_NOT_TLS);
	CHECK_EQ_INT(walk(s.b + 17, s.n - 17, sizeof(out), &ml, &cons), TLSFP_HS_COMPLETE);
	CHECK_EQ_INT(ml, sizeof(sh2));
	CHECK(memcmp(out, sh2, sizeof(sh2)) == 0);
}

static void
test_bad_streams(void)
{
	size_t ml, cons;

	/* An alert record first: not TLS handshake; mid-message: bad record. */
	static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
	CHECK_EQ_INT(walk(alert, sizeof(alert), sizeof(out), &ml, &cons), TLSFP_HS_NOT_TLS);
	CHECK_EQ_INT(walk(alert, 1, sizeof(out), &ml, &cons), TLSFP_HS_NOT_TLS);
	s.n = 0;
	tb_records(&s, 22, 0x0303, hello, 300, 300);
	tb_bytes(&s, alert, sizeof(alert));
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_BAD_RECORD);
	CHECK_EQ_INT(walk(s.b, 306, sizeof(out), &ml, &cons), TLSFP_HS_BAD_RECORD);
	/* Application data mid-message. */
	s.n = 0;
	tb_records(&s, 22, 0x0303, hello, 300, 300);
	tb_records(&s, 23, 0x0303, hello, 10, 10);
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_BAD_RECORD);
	/* Bad version / zero length / oversized record mid-message. */
	static const uint8_t bad_hdrs[][5] = {
		{22, 2, 0, 0, 10},	{22, 3, 5, 0, 10},	{22, 3, 3, 0, 0},
		{22, 3, 3, 0x48, 0x01}, {22, 3, 3, 0xff, 0xff},
	};
	for (size_t i = 0; i < sizeof(bad_hdrs) / sizeof(bad_hdrs[0]); i++) {
		s.n = 0;
		tb_bytes(&s, bad_hdrs[i], 5);
		tb_zeros(&s, 10);
		CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_NOT_TLS);
		s.n = 0;
		tb_records(&s, 22, 0x0303, hello, 300, 300);
		tb_bytes(&s, bad_hdrs[i], 5);
		tb_zeros(&s, 10);
		CHECK_EQ_INT(walk(s.b, s.n, sizeof(out), &ml, &cons), TLSFP_HS_BAD_RECORD);
	}
	/* The largest legal record length is accepted. */
	static const uint8_t max_hdr[] = {22, 3, 3, 0x48, 0x00, 1, 0, 0, 4};
	CHECK_EQ_INT(walk(max_hdr, sizeof(max_hdr), sizeof(out), &ml, &cons), TLSFP_HS_NEED_MORE);

	/* SSLv2-format hello. */
	static const uint8_t sslv2[] = {0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15};
	CHECK_EQ_INT(walk(sslv2, sizeof(sslv2), sizeof(out), &ml, &cons), TLSFP_HS_NOT_TLS);

	/* A message bigger than cap: refused as soon as its header is seen. */
	s.n = 0;
	tb_records(&s, 22, 0x0303, hello, sizeof(hello), 16384);
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(hello) - 1, &ml, &cons), TLSFP_HS_TOO_BIG);
	CHECK_EQ_INT(walk(s.b, 9, sizeof(hello) - 1, &ml, &cons), TLSFP_HS_TOO_BIG);
	CHECK_EQ_INT(walk(s.b, 8, sizeof(hello) - 1, &ml, &cons), TLSFP_HS_NEED_MORE);
	CHECK_EQ_INT(walk(s.b, s.n, sizeof(hello), &ml, &cons), TLSFP_HS_COMPLETE);
	CHECK_EQ_INT(walk(s.b, s.n, 2, &ml, &cons), TLSFP_HS_TOO_BIG);
	/* 16 MiB - 1 handshake length. */
	static const uint8_t huge[] = {22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff};
	CHECK_EQ_INT(walk(huge, sizeof(huge), sizeof(out), &ml, &cons), TLSFP_HS_TOO_BIG);
}

static void
test_looks_like_hello(void)
{
	s.n = 0;
	tb_records(&s, 22, 0x0301, hello, sizeof(hello), 16384);
	for (size_t k = 1; k <= s.n; k++)
		CHECK(tlsfp_tls_looks_like_hello(s.b, k));
	CHECK(!tlsfp_tls_looks_like_hello(s.b, 0));

	static const uint8_t server[] = {22, 3, 3, 0, 90, 2};
	CHECK(tlsfp_tls_looks_like_hello(server, 6));
	static const uint8_t tls13_rec[] = {22, 3, 4, 0x48, 0x00, 1};
	CHECK(tlsfp_tls_looks_like_hello(tls13_rec, 6));
	static const uint8_t ssl3[] = {22, 3, 0, 0, 90, 1};
	CHECK(tlsfp_tls_looks_like_hello(ssl3, 6));

	static const uint8_t no[][6] = {
		{23, 3, 3, 0, 90, 1},	  /* application data */
		{21, 3, 3, 0, 2, 2},	  /* alert */
		{22, 2, 0, 0, 90, 1},	  /* version major */
		{22, 3, 5, 0, 90, 1},	  /* version minor */
		{22, 3, 3, 0, 0, 1},	  /* zero length */
		{22, 3, 3, 0x48, 1, 1},	  /* length over 16384 + 2048 */
		{22, 3, 3, 0x49, 0, 1},	  /* ditto, seen from the high byte */
		{22, 3, 3, 0, 90, 11},	  /* Certificate */
		{22, 3, 3, 0, 90, 0},	  /* HelloRequest */
		{0x80, 0x2e, 1, 0, 2, 0}, /* SSLv2 */
		{'G', 'E', 'T', ' ', '/', ' '},
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(!tlsfp_tls_looks_like_hello(no[i], 6));
	/* Judged on what is there: the bad byte must be within len. */
	CHECK(tlsfp_tls_looks_like_hello(no[7], 5));
	CHECK(!tlsfp_tls_looks_like_hello(no[6], 4));
	CHECK(tlsfp_tls_looks_like_hello(no[6], 3));
	CHECK(!tlsfp_tls_looks_like_hello(no[3], 3));
	CHECK(tlsfp_tls_looks_like_hello(no[3], 2));
}

int
main(void)
{
	make_hello();
	test_split_records();
	test_ccs_and_consumed();
	test_bad_streams();
	test_looks_like_hello();
	return check_exit("test_tls_record");
}
