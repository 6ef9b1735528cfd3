/* SPDX-License-Identifier: BSD-3-Clause */
/* Packed records: exact round trips, and every malformed input refused. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsfp/record.h"

static uint32_t seed = 7;

static uint32_t
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

/* A record with every field set; list and name lengths as given. */
static void
make_record(struct tlsfp_record *rec, uint32_t n_list, uint16_t sni_len, uint16_t alpn_len,
	    uint16_t sh_exts, uint16_t sh_alpn)
{
	memset(rec, 0, sizeof(*rec));
	rec->ts_ns = 1795247940123456789ull;
	rec->flow_id = 0x1234567890ull;
	for (int i = 0; i < 16; i++) {
		rec->src_ip[i] = (uint8_t)rnd();
		rec->dst_ip[i] = (uint8_t)rnd();
	}
	rec->src_port = 51000;
	rec->dst_port = 443;
	rec->ip_version = 6;
	rec->l4proto = 6;
	rec->transport = 't';
	rec->vlan_count = 2;
	rec->vlan[0] = 10;
	rec->vlan[1] = 20;
	rec->flags = TLSFP_REC_F_CLIENT_HELLO | TLSFP_REC_F_SERVER_HELLO | TLSFP_REC_F_HAS_SNI;
	rec->reason = TLSFP_REC_R_SERVER_HELLO;
	rec->ch_legacy_version = 0x0303;
	rec->ch_max_supported_version = 0x0304;
	/* n_list split over the six lists */
	rec->n_ciphers = (uint16_t)(n_list / 2);
	rec->n_exts = (uint16_t)(n_list / 4);
	rec->n_groups = (uint16_t)(n_list / 8);
	rec->n_point_formats = 1;
	rec->n_sigalgs = (uint16_t)(n_list / 16);
	rec->n_versions = 2;
	uint32_t used =
		(uint32_t)rec->n_ciphers + rec->n_exts + rec->n_groups + 1 + rec->n_sigalgs + 2;
	for (uint32_t i = 0; i < used && i < TLSFP_REC_LIST_CAP; i++)
		rec->lists[i] = (uint16_t)rnd();
	rec->sni_len = sni_len;
	for (uint16_t i = 0; i < sni_len; i++)
		rec->sni[i] = (char)('a' + rnd() % 26);
	rec->alpn_len = alpn_len;
	for (uint16_t i = 0; i < alpn_len; i++)
		rec->alpn[i] = (uint8_t)rnd();
	memcpy(rec->ja3, "0123456789abcdef0123456789abcdef", 33);
	memcpy(rec->ja4, "t13d1516h2_8daaf6152771_02713d6af862", 37);
	memcpy(rec->ja4_o, "t13d1516h2_acb858a92679_e9e0a6d9c7d1", 37);
	rec->sh_legacy_version = 0x0303;
	rec->sh_selected_version = 0x0304;
	rec->sh_cipher = 0x1301;
	rec->sh_n_exts = sh_exts;
	for (uint16_t i = 0; i < sh_exts; i++)
		rec->sh_exts[i] = (uint16_t)rnd();
	rec->sh_alpn_len = sh_alpn;
	for (uint16_t i = 0; i < sh_alpn; i++)
		rec->sh_alpn[i] = (char)('0' + rnd() % 10);
	memcpy(rec->ja3s, "fedcba9876543210fedcba9876543210", 33);
}

static void
round_trip(const struct tlsfp_record *rec, const char *what)
{
	static uint8_t buf[TLSFP_RECORD_PACKED_MAX];
	static struct tlsfp_record back;
	size_t n = tlsfp_record_pack(rec, buf, sizeof(buf));

	CHECK(n > 2 && n <= TLSFP_RECORD_PACKED_MAX);
	CHECK_EQ_INT(tlsfp_record_unpack(buf, n, &back), 0);
	if (memcmp(rec, &back, sizeof(back)) != 0)
		fprintf(stderr, "round trip differs: %s\n", what);
	CHECK(memcmp(rec, &back, sizeof(back)) == 0);

	/* Too small an output: 0, whatever the shortfall. */
	CHECK_EQ_INT(tlsfp_record_pack(rec, buf, n - 1), 0);
	CHECK_EQ_INT(tlsfp_record_pack(rec, buf, 0), 0);

	/* Every strict prefix and one byte too many are refused, and leave a zeroed record. */
	static const struct tlsfp_record zero;
	int refused = 0;
	for (size_t k = 0; k < n; k++)
		refused += tlsfp_record_unpack(buf, k, &back) == -1;
	CHECK_EQ_INT(refused, (long long)n);
	buf[n] = 0;
	CHECK_EQ_INT(tlsfp_record_unpack(buf, n + 1, &back), -1);
	CHECK(memcmp(&back, &zero, sizeof(zero)) == 0);
}

int
main(void)
{
	static struct tlsfp_record rec;
	static uint8_t buf[TLSFP_RECORD_PACKED_MAX];
	static struct tlsfp_record back;

	make_record(&rec, 40, 18, 14, 3, 2);
	round_trip(&rec, "typical");
	/* A typical record packs to a small part of its struct. */
	CHECK(tlsfp_record_pack(&rec, buf, sizeof(buf)) < 600);

	make_record(&rec, 0, 0, 0, 0, 0);
	round_trip(&rec, "empty lists and names");

	make_record(&rec, 2000, TLSFP_REC_SNI_CAP, TLSFP_REC_ALPN_CAP, TLSFP_REC_SH_EXTS_CAP,
		    TLSFP_REC_SH_ALPN_CAP);
	round_trip(&rec, "every capacity full");
	CHECK(tlsfp_record_pack(&rec, buf, sizeof(buf)) <= TLSFP_RECORD_PACKED_MAX);

	/* Lengths over the capacities are cut when packing, as the views cut them. */
	make_record(&rec, 40, 18, 14, 3, 2);
	rec.sni_len = TLSFP_REC_SNI_CAP + 100;
	size_t n = tlsfp_record_pack(&rec, buf, sizeof(buf));
	CHECK_EQ_INT(tlsfp_record_unpack(buf, n, &back), 0);
	CHECK_EQ_INT(back.sni_len, TLSFP_REC_SNI_CAP);

	/* Wrong magic, another ABI, a length field over its capacity. */
	make_record(&rec, 40, 18, 14, 3, 2);
	n = tlsfp_record_pack(&rec, buf, sizeof(buf));
	buf[0] = 'X';
	CHECK_EQ_INT(tlsfp_record_unpack(buf, n, &back), -1);
	buf[0] = 'P';
	buf[1] = TLSFP_RECORD_ABI + 1;
	CHECK_EQ_INT(tlsfp_record_unpack(buf, n, &back), -1);
	buf[1] = TLSFP_RECORD_ABI;
	size_t sni_len_at = 2 + offsetof(struct tlsfp_record, lists) + 40 * sizeof(uint16_t);
	uint16_t huge = TLSFP_REC_SNI_CAP + 1;
	memcpy(buf + sni_len_at, &huge, 2);
	CHECK_EQ_INT(tlsfp_record_unpack(buf, n, &back), -1);

	/* The head alone: the same fields as a whole unpack, nothing after. */
	make_record(&rec, 40, 18, 14, 3, 2);
	n = tlsfp_record_pack(&rec, buf, sizeof(buf));
	memset(&back, 0xab, sizeof(back));
	CHECK_EQ_INT(tlsfp_record_unpack_head(buf, n, &back), 0);
	CHECK(memcmp(&back, &rec, offsetof(struct tlsfp_record, lists)) == 0);
	CHECK_EQ_INT(back.lists[0], 0xabab);
	CHECK_EQ_INT(
		tlsfp_record_unpack_head(buf, 2 + offsetof(struct tlsfp_record, lists) - 1, &back),
		-1);
	buf[1] = TLSFP_RECORD_ABI + 1;
	CHECK_EQ_INT(tlsfp_record_unpack_head(buf, n, &back), -1);

	/* Random bytes never unpack into anything but 0 or -1, and never overrun. */
	for (int t = 0; t < 20000; t++) {
		size_t len = rnd() % 700;
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		if (len >= 2) {
			buf[0] = 'P';
			buf[1] = TLSFP_RECORD_ABI;
		}
		int rc = tlsfp_record_unpack(buf, len, &back);
		CHECK(rc == 0 || rc == -1);
	}
	return check_exit("record_pack");
}
