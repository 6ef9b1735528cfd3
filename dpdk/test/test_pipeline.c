/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline end to end: raw-IPv4 (linktype 101) TCP frames built here,
 * carrying a synthetic ClientHello (SNI, ALPN, supported_versions, sigalgs,
 * GREASE in ciphers, extensions, groups, sigalgs and versions) and
 * ServerHello, delivered whole, split, reordered, duplicated, overlapping,
 * over several TLS records, with a HelloRetryRequest, cut short, timed out,
 * evicted, too big; and the RFC 9001 Appendix A QUIC Initials.
 *
 * Every variant of the same hello must give the same JA3/JA4/ja4_o bytes.
 * Expected fingerprints were computed from the spec (FINGERPRINTS.md) with
 * Python's hashlib over the strings written next to them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <tlsfp/counters.h>
#include <tlsfp/decode.h>
#include <tlsfp/fp.h>
#include <tlsfp/pipeline.h>
#include <tlsfp/record.h>

#include "check.h"
#include "rfc9001_vectors.h"
#include "tls_builder.h"

/* "771,4865-4866-4867-49195-49199-255,0-23-10-11-13-16-43-21,29-23-24,0" */
#define JA3_STR "771,4865-4866-4867-49195-49199-255,0-23-10-11-13-16-43-21,29-23-24,0"
#define JA3_MD5 "2d53f25559861467af6f6348ad5fc094"
/* b: "00ff,1301,1302,1303,c02b,c02f"
 * c: "000a,000b,000d,0015,0017,002b_0403,0804,0401,0503" */
#define JA4 "t13d0608h2_bcfe0a960bb4_7852a17597c9"
/* b: "1301,1302,1303,c02b,c02f,00ff"
 * c: "0000,0017,000a,000b,000d,0010,002b,0015_0403,0804,0401,0503" */
#define JA4_O "t13d0608h2_4b64b28dc7bd_dccd77db0bba"
/* "771,4865,43-51" */
#define JA3S_MD5 "f4febc55ea12b31ae17cfb7e614afda8"

#define CISN 1000u
#define SISN 5000u
#define T0 (UINT64_C(1700000000) * 1000000000u)
#define MS UINT64_C(1000000)
#define SEC UINT64_C(1000000000)

#define CTR(p, id) (tlsfp_pipeline_counters(p)->v[TLSFP_CTR_##id])

/* ---- records out ---- */

#define MAX_RECS 8
static struct tlsfp_record recs[MAX_RECS];
static int n_recs;

static void
on_record(void *ctx, const struct tlsfp_record *rec)
{
	(void)ctx;
	if (n_recs < MAX_RECS)
		recs[n_recs] = *rec;
	n_recs++;
}

static struct tlsfp_pipeline *
mk(const struct tlsfp_pipeline_config *cfg)
{
	struct tlsfp_pipeline_config def;

	if (cfg == NULL) {
		tlsfp_pipeline_config_defaults(&def);
		cfg = &def;
	}
	n_recs = 0;
	memset(recs, 0, sizeof(recs));
	return tlsfp_pipeline_create(cfg, on_record, NULL);
}

/* ---- frames ---- */

static const uint8_t CLI_IP[4] = {10, 0, 0, 1};
static const uint8_t SRV_IP[4] = {10, 0, 0, 2};
static uint16_t cli_port = 50000;
#define SRV_PORT 443

static uint8_t frame[65536];

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* How frames are framed: raw IPv4 (default), Ethernet + 802.1Q + IPv4
 * (tagged with the sender's VLAN), raw IPv6. */
enum { L_RAW4, L_VLAN4, L_RAW6 };
static int link_mode = L_RAW4;
static const uint16_t CLI_VLAN = 100, SRV_VLAN = 200;
static const uint8_t CLI_IP6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t SRV_IP6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* IP + TCP (or UDP) header in front of len payload bytes, at frame + 18
 * when tagged. Returns the frame length; *l4 is the L4 header. */
static uint32_t
build_frame(int from_client, uint8_t proto, const uint8_t *pl, uint32_t len, uint8_t **l4p)
{
	uint32_t l4len = proto == 6 ? 20 : 8;
	uint32_t l2 = link_mode == L_VLAN4 ? 18 : 0;
	uint32_t l3 = link_mode == L_RAW6 ? 40 : 20;
	uint8_t *ip = frame + l2, *l4 = ip + l3;

	memset(frame, 0, l2 + l3 + l4len);
	if (link_mode == L_VLAN4) {
		memset(frame, from_client ? 0xc1 : 0x5e, 12);
		put16(frame + 12, 0x8100);
		put16(frame + 14, from_client ? CLI_VLAN : SRV_VLAN);
		put16(frame + 16, 0x0800);
	}
	if (link_mode == L_RAW6) {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(l4len + len));
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, from_client ? CLI_IP6 : SRV_IP6, 16);
		memcpy(ip + 24, from_client ? SRV_IP6 : CLI_IP6, 16);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + l4len + len));
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, from_client ? CLI_IP : SRV_IP, 4);
		memcpy(ip + 16, from_client ? SRV_IP : CLI_IP, 4);
	}
	put16(l4, from_client ? cli_port : SRV_PORT);
	put16(l4 + 2, from_client ? SRV_PORT : cli_port);
	if (proto == 17)
		put16(l4 + 4, (uint16_t)(8 + len));
	if (len > 0)
		memcpy(l4 + l4len, pl, len);
	*l4p = l4;
	return l2 + l3 + l4len + len;
}

static int
linktype(void)
{
	return link_mode == L_VLAN4 ? TLSFP_LINKTYPE_ETHERNET : TLSFP_LINKTYPE_RAW;
}

static uint32_t
build_ip(int from_client, uint8_t proto, const uint8_t *pl, uint32_t len)
{
	uint8_t *l4;
	return build_frame(from_client, proto, pl, len, &l4);
}

static void
tcp(struct tlsfp_pipeline *p, int from_client, uint8_t flags, uint32_t seq, const uint8_t *pl,
    uint32_t len, uint64_t ts)
{
	uint8_t *t;
	uint32_t tot = build_frame(from_client, 6, pl, len, &t);

	put32(t + 4, seq);
	put32(t + 8, (flags & TLSFP_TCP_ACK) ? (from_client ? SISN + 1 : CISN + 1) : 0);
	t[12] = 0x50;
	t[13] = flags;
	put16(t + 14, 65535);
	tlsfp_pipeline_input(p, frame, tot, tot, linktype(), ts);
}

#define PA (TLSFP_TCP_PSH | TLSFP_TCP_ACK)

/* Client stream bytes [off, off + len) as one segment. */
static void cli_seg(struct tlsfp_pipeline *p, uint32_t off, uint32_t len, uint64_t ts);
static void srv_seg(struct tlsfp_pipeline *p, uint32_t off, uint32_t len, uint64_t ts);

static void
handshake3(struct tlsfp_pipeline *p, uint64_t ts)
{
	tcp(p, 1, TLSFP_TCP_SYN, CISN, NULL, 0, ts);
	tcp(p, 0, TLSFP_TCP_SYN | TLSFP_TCP_ACK, SISN, NULL, 0, ts + 1);
	tcp(p, 1, TLSFP_TCP_ACK, CISN + 1, NULL, 0, ts + 2);
}

/* ---- hellos ---- */

static struct tb msg_ch, msg_ch2, msg_sh, msg_hrr; /* handshake messages */
static struct tb cstream, sstream;		   /* TCP stream bytes */

static const uint8_t HRR_RANDOM[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static void
build_ch(struct tb *t, const char *sni, size_t pad)
{
	static const uint16_t ciphers[] = {0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0x00ff};
	static const uint16_t groups[] = {0x2a2a, 0x001d, 0x0017, 0x0018};
	static const uint16_t sigalgs[] = {0x5a5a, 0x0403, 0x0804, 0x0401, 0x0503};
	static const uint16_t versions[] = {0x3a3a, 0x0304, 0x0303};
	static const uint8_t pf[] = {0};
	static const struct tb_name alpn[] = {{"h2", 2}, {"http/1.1", 8}};

	t->n = 0;
	size_t hs = tb_ch_begin(t, 0x0303, ciphers, 7);
	size_t exts = tb_open(t, 2);
	tb_ext_raw(t, 0x1a1a, NULL, 0);
	tb_ext_sni(t, sni);
	tb_ext_raw(t, 0x0017, NULL, 0);
	tb_ext_u16list(t, 0x000a, groups, 4);
	tb_ext_point_formats(t, pf, 1);
	tb_ext_u16list(t, 0x000d, sigalgs, 5);
	tb_ext_alpn(t, alpn, 2);
	tb_ext_versions(t, versions, 3);
	size_t e = tb_ext_begin(t, 0x0015);
	tb_zeros(t, pad);
	tb_ext_end(t, e);
	tb_ext_raw(t, 0x4a4a, "", 1);
	tb_close(t, exts, 2);
	tb_hs_end(t, hs);
}

static void
build_sh(struct tb *t, bool hrr)
{
	static const uint8_t random[32] = {7, 7, 7, 7};
	static const uint8_t v13[2] = {0x03, 0x04};

	t->n = 0;
	size_t hs = tb_sh_begin(t, 0x0303, hrr ? HRR_RANDOM : random, 0x1301);
	size_t exts = tb_open(t, 2);
	tb_ext_raw(t, 0x002b, v13, 2);
	size_t ks = tb_ext_begin(t, 0x0033);
	tb_u16(t, hrr ? 0x0017 : 0x001d);
	if (!hrr) {
		tb_u16(t, 32);
		tb_zeros(t, 32);
	}
	tb_ext_end(t, ks);
	tb_close(t, exts, 2);
	tb_hs_end(t, hs);
}

/* The server's first flight: ServerHello, ChangeCipherSpec, one
 * application-data record (what TLS 1.3 sends next). */
static void
append_flight(struct tb *t, const struct tb *sh)
{
	static const uint8_t ccs[6] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
	tb_records(t, 22, 0x0303, sh->b, sh->n, 16384);
	tb_bytes(t, ccs, sizeof(ccs));
	tb_u8(t, 23);
	tb_u16(t, 0x0303);
	tb_u16(t, 48);
	tb_zeros(t, 48);
}

static void
cli_seg(struct tlsfp_pipeline *p, uint32_t off, uint32_t len, uint64_t ts)
{
	tcp(p, 1, PA, CISN + 1 + off, cstream.b + off, len, ts);
}

static void
srv_seg(struct tlsfp_pipeline *p, uint32_t off, uint32_t len, uint64_t ts)
{
	tcp(p, 0, PA, SISN + 1 + off, sstream.b + off, len, ts);
}

/* Default streams: the ClientHello in one record, the server flight. */
static void
default_streams(size_t chunk)
{
	cstream.n = 0;
	tb_records(&cstream, 22, 0x0301, msg_ch.b, msg_ch.n, chunk);
	sstream.n = 0;
	append_flight(&sstream, &msg_sh);
}

/* ---- record checks ---- */

static uint64_t the_flow_id;

static void
check_client_side(const struct tlsfp_record *r, uint64_t ts)
{
	static const uint8_t alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

	CHECK_EQ_STR(r->ja3, JA3_MD5);
	CHECK_EQ_STR(r->ja4, JA4);
	CHECK_EQ_STR(r->ja4_o, JA4_O);
	CHECK_EQ_STR(r->sni, "example.com");
	CHECK_EQ_INT(r->sni_len, 11);
	CHECK_EQ_INT(r->alpn_len, sizeof(alpn));
	CHECK(memcmp(r->alpn, alpn, sizeof(alpn)) == 0);
	CHECK_EQ_INT(r->ts_ns, ts);
	CHECK_EQ_INT(r->flow_id, the_flow_id);
	CHECK(memcmp(r->src_ip, CLI_IP, 4) == 0);
	CHECK(memcmp(r->dst_ip, SRV_IP, 4) == 0);
	CHECK_EQ_INT(r->src_port, cli_port);
	CHECK_EQ_INT(r->dst_port, SRV_PORT);
	CHECK_EQ_INT(r->ip_version, 4);
	CHECK_EQ_INT(r->l4proto, 6);
	CHECK_EQ_INT(r->transport, 't');
	CHECK_EQ_INT(r->ch_legacy_version, 0x0303);
	CHECK_EQ_INT(r->ch_max_supported_version, 0x0304);
	CHECK_EQ_INT(r->n_ciphers, 6);
	CHECK_EQ_INT(r->n_exts, 8);
	CHECK_EQ_INT(r->n_groups, 3);
	CHECK_EQ_INT(r->n_point_formats, 1);
	CHECK_EQ_INT(r->n_sigalgs, 4);
	CHECK_EQ_INT(r->n_versions, 2);
	uint32_t want = TLSFP_REC_F_CLIENT_HELLO | TLSFP_REC_F_HAS_SNI | TLSFP_REC_F_HAS_ALPN |
			TLSFP_REC_F_HAS_SUPPORTED_VERSIONS;
	CHECK_EQ_INT(r->flags & ~(uint32_t)(TLSFP_REC_F_SERVER_HELLO | TLSFP_REC_F_HRR), want);
}

static void
check_server_side(const struct tlsfp_record *r)
{
	CHECK(r->flags & TLSFP_REC_F_SERVER_HELLO);
	CHECK_EQ_STR(r->ja3s, JA3S_MD5);
	CHECK_EQ_INT(r->sh_legacy_version, 0x0303);
	CHECK_EQ_INT(r->sh_selected_version, 0x0304);
	CHECK_EQ_INT(r->sh_cipher, 0x1301);
	CHECK_EQ_INT(r->sh_n_exts, 2);
	CHECK_EQ_INT(r->sh_exts[0], 0x002b);
	CHECK_EQ_INT(r->sh_exts[1], 0x0033);
}

/* One full record paired with its ServerHello. */
static void
check_full(struct tlsfp_pipeline *p, uint64_t ch_ts)
{
	CHECK_EQ_INT(n_recs, 1);
	if (n_recs < 1)
		return;
	check_client_side(&recs[0], ch_ts);
	check_server_side(&recs[0]);
	CHECK_EQ_INT(recs[0].reason, TLSFP_REC_R_SERVER_HELLO);
	CHECK_EQ_INT(CTR(p, TLS_CLIENT_HELLO), 1);
	CHECK_EQ_INT(CTR(p, TLS_SERVER_HELLO), 1);
	CHECK_EQ_INT(CTR(p, HANDSHAKES), 1);
}

/* ---- scenarios ---- */

static void
test_single_segment(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	CHECK(p != NULL);
	default_streams(16384);
	handshake3(p, T0);
	cli_seg(p, 0, (uint32_t)cstream.n, T0 + 10 * MS);
	CHECK_EQ_INT(n_recs, 0);
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + 20 * MS);
	the_flow_id = recs[0].flow_id;
	CHECK(the_flow_id != 0);
	CHECK(the_flow_id < (UINT64_C(1) << 53));
	check_full(p, T0 + 10 * MS);
	CHECK_EQ_INT(CTR(p, PKT_IN), 5);
	CHECK_EQ_INT(CTR(p, DEC_TCP), 5);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 1);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 0);
	CHECK_EQ_INT(CTR(p, REASM_COMPLETED), 0);
	/* Later packets of the connection are not looked at. */
	static const uint8_t appdata[10] = {23, 3, 3, 0, 5, 1, 2, 3, 4, 5};
	tcp(p, 1, PA, CISN + 1 + (uint32_t)cstream.n, appdata, sizeof(appdata), T0 + 30 * MS);
	tcp(p, 1, TLSFP_TCP_FIN | TLSFP_TCP_ACK, CISN + 1 + (uint32_t)cstream.n + 10, NULL, 0,
	    T0 + 40 * MS);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 1);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 1);
	CHECK_EQ_INT(CTR(p, REASM_GAP), 0);

	/* The record's views render the same fingerprints as the hashes. */
	struct tlsfp_ch_view v;
	char s[512];
	char h[TLSFP_JA4_LEN + 1];
	tlsfp_record_ch_view(&recs[0], &v);
	size_t n = tlsfp_ja3_string(&v, s, sizeof(s));
	CHECK_EQ_INT(n, strlen(JA3_STR));
	CHECK_EQ_STR(s, JA3_STR);
	tlsfp_ja4(&v, h);
	CHECK_EQ_STR(h, JA4);
	tlsfp_ja4_o(&v, h);
	CHECK_EQ_STR(h, JA4_O);
	struct tlsfp_sh_view sv;
	tlsfp_record_sh_view(&recs[0], &sv);
	tlsfp_ja3s_string(&sv, s, sizeof(s));
	CHECK_EQ_STR(s, "771,4865,43-51");
	struct tlsfp_record_lists l;
	tlsfp_record_lists(&recs[0], &l);
	CHECK_EQ_INT(l.ciphers.v - recs[0].lists, 0);
	CHECK_EQ_INT(l.exts.v - recs[0].lists, 6);
	CHECK_EQ_INT(l.versions.v - recs[0].lists, 6 + 8 + 3 + 1 + 4);
	CHECK_EQ_INT(l.versions.v[0], 0x0304);
	CHECK_EQ_INT(l.versions.v[1], 0x0303);
	tlsfp_pipeline_destroy(p);
}

/* Without the TCP handshake (capture started just before the hello). */
static void
test_no_syn(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	cli_seg(p, 0, (uint32_t)cstream.n, T0);
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + MS);
	check_full(p, T0);
	CHECK_EQ_INT(CTR(p, PKT_IN), 2);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 1);
	tlsfp_pipeline_destroy(p);
}

static void
test_split(unsigned parts)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	uint32_t n = (uint32_t)cstream.n, step = n / parts;
	for (unsigned i = 0; i < parts; i++) {
		uint32_t off = i * step, len = (i + 1 == parts) ? n - off : step;
		cli_seg(p, off, len, T0 + i * MS);
	}
	/* The server flight split too, inside the ServerHello. */
	srv_seg(p, 0, 30, T0 + 10 * MS);
	srv_seg(p, 30, (uint32_t)sstream.n - 30, T0 + 11 * MS);
	check_full(p, T0);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 2);
	CHECK_EQ_INT(CTR(p, REASM_COMPLETED), 2);
	CHECK_EQ_INT(CTR(p, REASM_OUT_OF_ORDER), 0);
	CHECK_EQ_INT(CTR(p, REASM_DUPLICATE), 0);
	tlsfp_pipeline_destroy(p);
}

/* SYN first, then the three segments last to first. */
static void
test_reversed_with_syn(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	uint32_t n = (uint32_t)cstream.n;
	handshake3(p, T0);
	cli_seg(p, 600, n - 600, T0 + 1 * MS);
	cli_seg(p, 300, 300, T0 + 2 * MS);
	CHECK_EQ_INT(CTR(p, TLS_CLIENT_HELLO), 0);
	cli_seg(p, 0, 300, T0 + 3 * MS);
	CHECK_EQ_INT(CTR(p, TLS_CLIENT_HELLO), 1);
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + 4 * MS);
	/* The first packet of the ClientHello seen is the record's time. */
	check_full(p, T0 + 1 * MS);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 1);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 1);
	CHECK_EQ_INT(CTR(p, REASM_COMPLETED), 1);
	CHECK_EQ_INT(CTR(p, REASM_OUT_OF_ORDER), 2);
	tlsfp_pipeline_destroy(p);
}

/* Without the SYN, a segment ahead of the first is lost: the hello times
 * out (the capture cannot know where the stream starts). */
static void
test_reversed_without_syn(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	uint32_t n = (uint32_t)cstream.n;
	cli_seg(p, 400, n - 400, T0);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 0);
	cli_seg(p, 0, 400, T0 + MS);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 1);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 1);
	tlsfp_pipeline_expire(p, T0 + MS + 10 * SEC);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, REASM_TIMEOUT), 1);
	CHECK_EQ_INT(CTR(p, FLOW_TIMEOUT), 1);
	tlsfp_pipeline_destroy(p);
}

/* Retransmissions: an exact duplicate, and an overlap whose overlapping
 * bytes differ (the first copy wins, as the receiver's stack would see). */
static void
test_duplicates_and_overlaps(void)
{
	static uint8_t bad[400];
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	uint32_t n = (uint32_t)cstream.n;
	cli_seg(p, 0, 400, T0);
	cli_seg(p, 0, 400, T0 + 1 * MS);   /* duplicate */
	cli_seg(p, 100, 200, T0 + 2 * MS); /* inside: duplicate */
	memcpy(bad, cstream.b + 300, 300);
	memset(bad, 0xee, 100); /* bytes 300..399 differ from the first copy */
	tcp(p, 1, PA, CISN + 1 + 300, bad, 300, T0 + 3 * MS);
	cli_seg(p, 550, n - 550, T0 + 4 * MS); /* overlaps 550..599 */
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + 5 * MS);
	/* After the record: both hellos retransmitted, absorbed quietly. */
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + 6 * MS);
	cli_seg(p, 0, 400, T0 + 7 * MS);
	check_full(p, T0);
	CHECK_EQ_INT(CTR(p, REASM_DUPLICATE), 3);
	CHECK_EQ_INT(CTR(p, REASM_OUT_OF_ORDER), 0);
	CHECK_EQ_INT(CTR(p, TLS_SERVER_HELLO_ORPHAN), 0);
	CHECK_EQ_INT(CTR(p, TLS_SECOND_CLIENT_HELLO), 0);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 1);
	/* The same tuple reused by a new connection: a new record. */
	handshake3(p, T0 + 8 * MS);
	cli_seg(p, 0, (uint32_t)cstream.n, T0 + 9 * MS);
	tcp(p, 0, TLSFP_TCP_RST, SISN + 1, NULL, 0, T0 + 10 * MS);
	CHECK_EQ_INT(n_recs, 2);
	CHECK_EQ_INT(recs[1].reason, TLSFP_REC_R_FLOW_END);
	CHECK_EQ_INT(recs[1].ts_ns, T0 + 9 * MS);
	CHECK_EQ_STR(recs[1].ja4, JA4);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 2);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 2);
	tlsfp_pipeline_destroy(p);
}

/* The ClientHello over several TLS records: in one segment (no buffer),
 * and cut in segments at places that split a record header. */
static void
test_multi_record(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(300);
	CHECK(cstream.n > 2 * 305 + 5); /* three records */
	cli_seg(p, 0, (uint32_t)cstream.n, T0);
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + MS);
	check_full(p, T0);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 0);
	tlsfp_pipeline_destroy(p);

	p = mk(NULL);
	cli_seg(p, 0, 302, T0);
	cli_seg(p, 302, 305, T0 + MS);
	cli_seg(p, 607, (uint32_t)cstream.n - 607, T0 + 2 * MS);
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + 3 * MS);
	check_full(p, T0);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 1);
	tlsfp_pipeline_destroy(p);
}

/* HelloRetryRequest: one record with the first ClientHello and the real
 * ServerHello; the second ClientHello is ignored (and counted). */
static void
test_hrr(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	sstream.n = 0;
	static const uint8_t ccs[6] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
	tb_records(&sstream, 22, 0x0303, msg_hrr.b, msg_hrr.n, 16384);
	tb_bytes(&sstream, ccs, sizeof(ccs));
	uint32_t hrr_len = (uint32_t)sstream.n;
	append_flight(&sstream, &msg_sh);
	struct tb *c2 = &msg_ch2; /* other SNI: must not reach the record */
	static struct tb c2s;
	c2s.n = 0;
	tb_bytes(&c2s, ccs, sizeof(ccs)); /* TLS 1.3 middlebox compatibility */
	tb_records(&c2s, 22, 0x0303, c2->b, c2->n, 16384);

	handshake3(p, T0);
	cli_seg(p, 0, (uint32_t)cstream.n, T0 + 1 * MS);
	srv_seg(p, 0, hrr_len, T0 + 2 * MS);
	CHECK_EQ_INT(CTR(p, TLS_HELLO_RETRY_REQUEST), 1);
	CHECK_EQ_INT(n_recs, 0);
	tcp(p, 1, PA, CISN + 1 + (uint32_t)cstream.n, c2s.b, (uint32_t)c2s.n, T0 + 3 * MS);
	srv_seg(p, hrr_len, (uint32_t)sstream.n - hrr_len, T0 + 4 * MS);
	check_full(p, T0 + 1 * MS);
	CHECK(recs[0].flags & TLSFP_REC_F_HRR);
	CHECK_EQ_INT(CTR(p, TLS_SECOND_CLIENT_HELLO), 1);
	CHECK_EQ_INT(CTR(p, TLS_HELLO_RETRY_REQUEST), 1);
	tlsfp_pipeline_destroy(p);

	/* HRR, CCS and the ServerHello in one server segment. */
	p = mk(NULL);
	cli_seg(p, 0, (uint32_t)cstream.n, T0);
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + MS);
	check_full(p, T0);
	CHECK(recs[0].flags & TLSFP_REC_F_HRR);
	tlsfp_pipeline_destroy(p);
}

/* Capture starts at the second segment: nothing to fingerprint. */
static void
test_mid_stream(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	uint32_t n = (uint32_t)cstream.n;
	cli_seg(p, 300, 300, T0);
	cli_seg(p, 600, n - 600, T0 + MS);
	tcp(p, 0, TLSFP_TCP_ACK, SISN + 1, NULL, 0, T0 + 2 * MS);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, PKT_IN), 3);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 0);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 0);
	tlsfp_pipeline_destroy(p);
}

static void
test_not_tls(void)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
	static const char banner[] = "220 smtp ready\r\n";
	struct tlsfp_pipeline *p = mk(NULL);
	handshake3(p, T0);
	tcp(p, 1, PA, CISN + 1, (const uint8_t *)http, sizeof(http) - 1, T0 + MS);
	tcp(p, 0, PA, SISN + 1, (const uint8_t *)banner, sizeof(banner) - 1, T0 + 2 * MS);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 1); /* the SYN */
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 0);
	CHECK_EQ_INT(CTR(p, REASM_NOT_TLS), 0);
	CHECK_EQ_INT(CTR(p, REASM_GAP), 0);
	tlsfp_pipeline_destroy(p);

	/* Reordered non-TLS after a SYN: buffered, then found not TLS. */
	p = mk(NULL);
	handshake3(p, T0);
	tcp(p, 1, PA, CISN + 1 + 10, (const uint8_t *)http + 10, sizeof(http) - 11, T0 + MS);
	tcp(p, 1, PA, CISN + 1, (const uint8_t *)http, 10, T0 + 2 * MS);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 1);
	CHECK_EQ_INT(CTR(p, REASM_NOT_TLS), 1);
	tlsfp_pipeline_destroy(p);
}

static void
test_orphan_server_hello(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	srv_seg(p, 0, (uint32_t)sstream.n, T0);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, TLS_SERVER_HELLO_ORPHAN), 1);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 0);
	tlsfp_pipeline_destroy(p);

	/* After a SYN: the server speaks first with a ServerHello. */
	p = mk(NULL);
	handshake3(p, T0);
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + MS);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, TLS_SERVER_HELLO_ORPHAN), 1);
	tlsfp_pipeline_destroy(p);
}

static void
test_fin_before_server_hello(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	handshake3(p, T0);
	cli_seg(p, 0, (uint32_t)cstream.n, T0 + MS);
	tcp(p, 1, TLSFP_TCP_FIN | TLSFP_TCP_ACK, CISN + 1 + (uint32_t)cstream.n, NULL, 0,
	    T0 + 2 * MS);
	CHECK_EQ_INT(n_recs, 1);
	check_client_side(&recs[0], T0 + MS);
	CHECK_EQ_INT(recs[0].reason, TLSFP_REC_R_FLOW_END);
	CHECK_EQ_INT(recs[0].flags & TLSFP_REC_F_SERVER_HELLO, 0);
	CHECK_EQ_INT(recs[0].ja3s[0], 0);
	CHECK_EQ_INT(CTR(p, HANDSHAKES), 1);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 1);
	tlsfp_pipeline_destroy(p);

	/* RST in the middle of a hello: given up, counted as a gap. */
	p = mk(NULL);
	cli_seg(p, 0, 300, T0);
	tcp(p, 0, TLSFP_TCP_RST, SISN + 1, NULL, 0, T0 + MS);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, REASM_GAP), 1);
	tlsfp_pipeline_destroy(p);
}

static void
test_timeouts(void)
{
	struct tlsfp_pipeline_config cfg;
	tlsfp_pipeline_config_defaults(&cfg);

	/* Awaiting the ServerHello, timed out by an explicit expire. */
	struct tlsfp_pipeline *p = mk(&cfg);
	default_streams(16384);
	cli_seg(p, 0, (uint32_t)cstream.n, T0);
	tlsfp_pipeline_expire(p, T0 + cfg.flow_timeout_ns - 1);
	CHECK_EQ_INT(n_recs, 0);
	tlsfp_pipeline_expire(p, T0 + cfg.flow_timeout_ns);
	CHECK_EQ_INT(n_recs, 1);
	check_client_side(&recs[0], T0);
	CHECK_EQ_INT(recs[0].reason, TLSFP_REC_R_TIMEOUT);
	CHECK_EQ_INT(CTR(p, FLOW_TIMEOUT), 1);
	CHECK_EQ_INT(CTR(p, REASM_TIMEOUT), 0);
	/* The late ServerHello is an orphan now. */
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + cfg.flow_timeout_ns + 1);
	CHECK_EQ_INT(n_recs, 1);
	CHECK_EQ_INT(CTR(p, TLS_SERVER_HELLO_ORPHAN), 1);
	tlsfp_pipeline_destroy(p);

	/* Timed out from packet time alone: an unrelated packet 31 s later. */
	p = mk(&cfg);
	cli_seg(p, 0, (uint32_t)cstream.n, T0);
	cli_port++;
	tcp(p, 1, TLSFP_TCP_ACK, 1, NULL, 0, T0 + 31 * SEC);
	cli_port--;
	CHECK_EQ_INT(n_recs, 1);
	CHECK_EQ_INT(recs[0].reason, TLSFP_REC_R_TIMEOUT);
	tlsfp_pipeline_destroy(p);

	/* A hello in progress for longer than hello_timeout. */
	p = mk(&cfg);
	cli_seg(p, 0, 300, T0);
	tlsfp_pipeline_expire(p, T0 + cfg.hello_timeout_ns);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, REASM_TIMEOUT), 1);
	CHECK_EQ_INT(CTR(p, FLOW_TIMEOUT), 1);
	/* Its tail, later, starts nothing (not a hello on its own). */
	cli_seg(p, 300, (uint32_t)cstream.n - 300, T0 + cfg.hello_timeout_ns + 1);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 1);
	tlsfp_pipeline_destroy(p);

	/* Flush writes the pending record with reason FLUSH. */
	p = mk(&cfg);
	cli_seg(p, 0, (uint32_t)cstream.n, T0);
	cli_port++;
	cli_seg(p, 0, 300, T0 + 1); /* another flow, hello incomplete */
	cli_port--;
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 1);
	CHECK_EQ_INT(recs[0].reason, TLSFP_REC_R_FLUSH);
	CHECK_EQ_INT(CTR(p, REASM_GAP), 1);
	tlsfp_pipeline_destroy(p);
}

static void
test_eviction(void)
{
	struct tlsfp_pipeline_config cfg;
	tlsfp_pipeline_config_defaults(&cfg);
	cfg.max_flows = 2;
	struct tlsfp_pipeline *p = mk(&cfg);
	default_streams(16384);
	uint16_t base = cli_port;

	/* Three hellos on two entries: the oldest goes out as EVICTED. */
	for (int i = 0; i < 3; i++) {
		cli_port = (uint16_t)(base + i);
		cli_seg(p, 0, (uint32_t)cstream.n, T0 + (uint64_t)i * MS);
	}
	CHECK_EQ_INT(n_recs, 1);
	CHECK_EQ_INT(recs[0].reason, TLSFP_REC_R_EVICTED);
	CHECK_EQ_INT(recs[0].src_port, base);
	CHECK_EQ_INT(CTR(p, FLOW_TABLE_FULL), 1);
	CHECK_EQ_INT(CTR(p, FLOW_EVICTED), 1);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 3);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 3);
	CHECK_EQ_INT(recs[1].reason, TLSFP_REC_R_FLUSH);
	CHECK_EQ_INT(recs[1].src_port, base + 1);
	CHECK_EQ_INT(recs[2].src_port, base + 2);
	tlsfp_pipeline_destroy(p);

	/* A SYN-only entry goes first, quietly, even when it is the newest. */
	p = mk(&cfg);
	cli_port = base;
	cli_seg(p, 0, (uint32_t)cstream.n, T0);
	cli_port = (uint16_t)(base + 1);
	tcp(p, 1, TLSFP_TCP_SYN, CISN, NULL, 0, T0 + 1 * MS);
	cli_port = (uint16_t)(base + 2);
	cli_seg(p, 0, (uint32_t)cstream.n, T0 + 2 * MS);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, FLOW_TABLE_FULL), 1);
	CHECK_EQ_INT(CTR(p, FLOW_EVICTED), 0);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 2);
	CHECK_EQ_INT(recs[0].src_port, base);
	CHECK_EQ_INT(recs[1].src_port, base + 2);
	cli_port = base;
	tlsfp_pipeline_destroy(p);
}

static void
test_overflow_and_no_memory(void)
{
	struct tlsfp_pipeline_config cfg;
	tlsfp_pipeline_config_defaults(&cfg);
	cfg.hello_max_bytes = 512;
	default_streams(16384);
	CHECK(cstream.n > 700);

	/* One segment: the message is larger than the bound. */
	struct tlsfp_pipeline *p = mk(&cfg);
	cli_seg(p, 0, (uint32_t)cstream.n, T0);
	CHECK_EQ_INT(CTR(p, REASM_OVERFLOW), 1);
	CHECK_EQ_INT(CTR(p, TLS_CLIENT_HELLO), 0);
	tlsfp_pipeline_destroy(p);

	/* Split over small records: the bound fills before the end. */
	default_streams(100);
	p = mk(&cfg);
	cli_seg(p, 0, 300, T0);
	cli_seg(p, 300, 300, T0 + 1);
	CHECK_EQ_INT(CTR(p, REASM_OVERFLOW), 1);
	cli_seg(p, 600, (uint32_t)cstream.n - 600, T0 + 2);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, TLS_CLIENT_HELLO), 0);
	CHECK_EQ_INT(CTR(p, REASM_OVERFLOW), 1);
	tlsfp_pipeline_destroy(p);

	/* No reassembly memory at all: single-segment hellos still work. */
	tlsfp_pipeline_config_defaults(&cfg);
	cfg.reasm_max_bytes = 0;
	default_streams(16384);
	p = mk(&cfg);
	cli_seg(p, 0, 300, T0);
	CHECK_EQ_INT(CTR(p, REASM_NO_MEMORY), 1);
	cli_port++;
	cli_seg(p, 0, (uint32_t)cstream.n, T0 + 1);
	cli_port--;
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 1);
	CHECK_EQ_INT(CTR(p, TLS_CLIENT_HELLO), 1);
	tlsfp_pipeline_destroy(p);
}

/* Tagged frames: the two directions carry different VLANs (a SPAN of both
 * sides of a router) and still meet; the record has the client's tags. */
static void
test_vlan(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	link_mode = L_VLAN4;
	cli_seg(p, 0, 300, T0);
	cli_seg(p, 300, (uint32_t)cstream.n - 300, T0 + MS);
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + 2 * MS);
	link_mode = L_RAW4;
	check_full(p, T0);
	CHECK_EQ_INT(CTR(p, DEC_VLAN), 3);
	CHECK_EQ_INT(recs[0].vlan_count, 1);
	CHECK_EQ_INT(recs[0].vlan[0], CLI_VLAN);
	tlsfp_pipeline_destroy(p);
}

static void
test_ipv6(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	link_mode = L_RAW6;
	handshake3(p, T0);
	cli_seg(p, 300, (uint32_t)cstream.n - 300, T0 + MS);
	cli_seg(p, 0, 300, T0 + 2 * MS);
	srv_seg(p, 0, (uint32_t)sstream.n, T0 + 3 * MS);
	link_mode = L_RAW4;
	CHECK_EQ_INT(CTR(p, DEC_IPV6), 6);
	CHECK_EQ_INT(n_recs, 1);
	if (n_recs == 1) {
		const struct tlsfp_record *r = &recs[0];
		CHECK_EQ_INT(r->ip_version, 6);
		CHECK(memcmp(r->src_ip, CLI_IP6, 16) == 0);
		CHECK(memcmp(r->dst_ip, SRV_IP6, 16) == 0);
		CHECK_EQ_INT(r->src_port, cli_port);
		CHECK(r->flow_id != the_flow_id);
		CHECK_EQ_INT(r->ts_ns, T0 + MS);
		CHECK_EQ_STR(r->ja3, JA3_MD5);
		CHECK_EQ_STR(r->ja4, JA4);
		CHECK_EQ_STR(r->ja4_o, JA4_O);
		CHECK_EQ_STR(r->ja3s, JA3S_MD5);
	}
	tlsfp_pipeline_destroy(p);
}

static void
test_bad_config(void)
{
	struct tlsfp_pipeline_config cfg;
	tlsfp_pipeline_config_defaults(&cfg);
	cfg.max_flows = 0;
	CHECK(tlsfp_pipeline_create(&cfg, on_record, NULL) == NULL);
	tlsfp_pipeline_config_defaults(&cfg);
	cfg.hello_max_bytes = 0;
	CHECK(tlsfp_pipeline_create(&cfg, on_record, NULL) == NULL);
	tlsfp_pipeline_config_defaults(&cfg);
	CHECK(tlsfp_pipeline_create(&cfg, NULL, NULL) == NULL);
}

/* Input counters and truncated captures. */
static void
test_input_counters(void)
{
	struct tlsfp_pipeline *p = mk(NULL);
	default_streams(16384);
	uint32_t tot = build_ip(1, 6, cstream.b, 100);
	frame[20 + 12] = 0x50;
	tlsfp_pipeline_input(p, frame, 60, tot, TLSFP_LINKTYPE_RAW, T0);
	tlsfp_pipeline_input(p, frame, 10, tot, TLSFP_LINKTYPE_RAW, T0); /* cut in IP */
	CHECK_EQ_INT(CTR(p, PKT_IN), 2);
	CHECK_EQ_INT(CTR(p, BYTES_IN), 2 * tot);
	CHECK_EQ_INT(CTR(p, PKT_TRUNCATED_CAPTURE), 2);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 0);
	tlsfp_pipeline_destroy(p);
}

/* ---- QUIC: the RFC 9001 Appendix A Initials (rfc9001_vectors.h) ---- */

/* The RFC ClientHello, by the spec:
 * JA3 "771,4865-4866,0-65281-10-16-5-51-43-13-45-28-57,29-23-24," (no
 * point formats); JA4 part a q13d0211an (ALPN "alpn"). */
#define Q_JA3 "41bc9ae914d6cb3bd0bd0a5453ab7d7f"
#define Q_JA4 "q13d0211an_62ed6f6ca7ad_4d634acda6c0"
#define Q_JA4_O "q13d0211an_62ed6f6ca7ad_46fb564859bb"
/* ServerHello: "771,4865,51-43" */
#define Q_JA3S "eb1d94daa7e0344597e756a1fb6e7054"

static size_t
unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; h[0] && h[1] && n < cap; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void
udp(struct tlsfp_pipeline *p, int from_client, const uint8_t *pl, uint32_t len, uint64_t ts)
{
	uint32_t tot = build_ip(from_client, 17, pl, len);
	tlsfp_pipeline_input(p, frame, tot, tot, linktype(), ts);
}

static void
test_quic(void)
{
	static uint8_t cpkt[1300], spkt[300];
	size_t cn = unhex(V1_CLIENT_PACKET, cpkt, sizeof(cpkt));
	size_t sn = unhex(V1_SERVER_PACKET, spkt, sizeof(spkt));
	CHECK_EQ_INT(cn, 1200);

	struct tlsfp_pipeline *p = mk(NULL);
	udp(p, 1, cpkt, (uint32_t)cn, T0);
	CHECK_EQ_INT(CTR(p, QUIC_INITIAL), 1);
	CHECK_EQ_INT(CTR(p, QUIC_CLIENT_HELLO), 1);
	CHECK_EQ_INT(n_recs, 0);
	udp(p, 0, spkt, (uint32_t)sn, T0 + MS);
	CHECK_EQ_INT(CTR(p, QUIC_INITIAL), 2);
	CHECK_EQ_INT(CTR(p, QUIC_SERVER_HELLO), 1);
	CHECK_EQ_INT(n_recs, 1);
	if (n_recs == 1) {
		const struct tlsfp_record *r = &recs[0];
		CHECK_EQ_INT(r->transport, 'q');
		CHECK_EQ_INT(r->l4proto, 17);
		CHECK_EQ_INT(r->reason, TLSFP_REC_R_SERVER_HELLO);
		CHECK_EQ_INT(r->src_port, cli_port);
		CHECK_EQ_INT(r->dst_port, SRV_PORT);
		CHECK_EQ_INT(r->ts_ns, T0);
		CHECK_EQ_STR(r->sni, "example.com");
		CHECK_EQ_STR(r->ja3, Q_JA3);
		CHECK_EQ_STR(r->ja4, Q_JA4);
		CHECK_EQ_STR(r->ja4_o, Q_JA4_O);
		CHECK_EQ_STR(r->ja3s, Q_JA3S);
		CHECK_EQ_INT(r->sh_selected_version, 0x0304);
	}
	/* Retransmissions of either Initial after the record: skipped. */
	udp(p, 1, cpkt, (uint32_t)cn, T0 + 2 * MS);
	udp(p, 0, spkt, (uint32_t)sn, T0 + 3 * MS);
	CHECK_EQ_INT(CTR(p, QUIC_INITIAL), 2);
	CHECK_EQ_INT(CTR(p, QUIC_DECRYPT_FAILED), 0);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 1);
	CHECK_EQ_INT(CTR(p, HANDSHAKES), 1);
	tlsfp_pipeline_destroy(p);

	/* Client only: written by the flush, without a server side. */
	p = mk(NULL);
	udp(p, 1, cpkt, (uint32_t)cn, T0);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 1);
	CHECK_EQ_INT(recs[0].reason, TLSFP_REC_R_FLUSH);
	CHECK_EQ_STR(recs[0].ja4, Q_JA4);
	tlsfp_pipeline_destroy(p);

	/* A corrupted Initial is counted, nothing else happens. */
	p = mk(NULL);
	cpkt[600] ^= 0x55;
	udp(p, 1, cpkt, (uint32_t)cn, T0);
	cpkt[600] ^= 0x55;
	CHECK_EQ_INT(CTR(p, QUIC_DECRYPT_FAILED), 1);
	CHECK_EQ_INT(CTR(p, FLOW_CREATED), 0);
	tlsfp_pipeline_destroy(p);
}

/* ---- QUIC: Initials built here (RFC 9001 section 5), for splits ---- */

static const uint8_t V1_SALT[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
				    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t Q_DCID[8] = {0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8};
static const uint8_t Q_SCID[4] = {0x5c, 0x5c, 0x5c, 0x01};

static void
hmac256(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen, uint8_t out[32])
{
	unsigned int olen = 32;
	HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &olen);
}

/* HKDF-Expand-Label (RFC 8446 7.1) with an empty context, out_len <= 32. */
static void
expand_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t out_len)
{
	uint8_t info[64], t[32];
	size_t n = 0, ll = strlen(label);
	info[n++] = 0;
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0;
	info[n++] = 1; /* T(1) = HMAC(secret, info || 0x01) */
	hmac256(secret, 32, info, n, t);
	memcpy(out, t, out_len);
}

/* Protect one Initial carrying `frames` (already encoded) into out. */
static size_t
quic_protect(bool server, const uint8_t *frames, size_t flen, uint32_t pn, uint8_t *out)
{
	uint8_t init[32], sec[32], key[16], iv[12], hp[16], nonce[12], mask[16];
	const uint8_t *dcid = server ? Q_SCID : Q_DCID, *scid = server ? NULL : Q_SCID;
	size_t dlen = server ? sizeof(Q_SCID) : sizeof(Q_DCID), slen = server ? 0 : sizeof(Q_SCID);
	size_t n = 0;
	int len;

	hmac256(V1_SALT, sizeof(V1_SALT), Q_DCID, sizeof(Q_DCID), init); /* HKDF-Extract */
	expand_label(init, server ? "server in" : "client in", sec, 32);
	expand_label(sec, "quic key", key, 16);
	expand_label(sec, "quic iv", iv, 12);
	expand_label(sec, "quic hp", hp, 16);

	out[n++] = 0xc3; /* long header, Initial, 4-byte packet number */
	put32(out + n, 1);
	n += 4;
	out[n++] = (uint8_t)dlen;
	memcpy(out + n, dcid, dlen);
	n += dlen;
	out[n++] = (uint8_t)slen;
	if (slen)
		memcpy(out + n, scid, slen);
	n += slen;
	out[n++] = 0; /* token length */
	put16(out + n, (uint16_t)(0x4000 | (4 + flen + 16)));
	n += 2;
	size_t pn_off = n;
	put32(out + n, pn);
	n += 4;

	memcpy(nonce, iv, 12);
	for (int i = 0; i < 4; i++)
		nonce[8 + i] ^= (uint8_t)(pn >> (24 - 8 * i));
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, nonce);
	EVP_EncryptUpdate(c, NULL, &len, out, (int)n); /* AAD: the header */
	EVP_EncryptUpdate(c, out + n, &len, frames, (int)flen);
	EVP_EncryptFinal_ex(c, out + n + flen, &len);
	EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + n + flen);
	EVP_CIPHER_CTX_free(c);

	c = EVP_CIPHER_CTX_new();
	EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, hp, NULL);
	EVP_EncryptUpdate(c, mask, &len, out + pn_off + 4, 16);
	EVP_CIPHER_CTX_free(c);
	out[0] ^= mask[0] & 0x0f;
	for (int i = 0; i < 4; i++)
		out[pn_off + i] ^= mask[1 + i];
	return n + flen + 16;
}

/* A CRYPTO frame (offset and length as 4-byte varints). */
static size_t
crypto_frame(uint8_t *out, uint32_t off, const uint8_t *data, uint32_t len)
{
	out[0] = 0x06;
	put32(out + 1, 0x80000000u | off);
	put32(out + 5, 0x80000000u | len);
	memcpy(out + 9, data, len);
	return 9 + len;
}

/* One client Initial with CRYPTO frames of msg_ch [a0, a1) then [b0, b1)
 * (b0 == b1: none), padded to 1200 bytes. */
static void
quic_client(struct tlsfp_pipeline *p, uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1,
	    uint32_t pn, uint64_t ts)
{
	static uint8_t fr[1400], pkt[1500];
	size_t n = crypto_frame(fr, a0, msg_ch.b + a0, a1 - a0);
	if (b1 > b0)
		n += crypto_frame(fr + n, b0, msg_ch.b + b0, b1 - b0);
	CHECK(n <= 1200 - 40);
	memset(fr + n, 0, 1200 - 40 - n); /* PADDING */
	size_t len = quic_protect(false, fr, 1200 - 40, pn, pkt);
	udp(p, 1, pkt, (uint32_t)len, ts);
}

static void
quic_server(struct tlsfp_pipeline *p, const struct tb *msg, uint64_t ts)
{
	static uint8_t fr[1400], pkt[1500];
	static const uint8_t ack[5] = {0x02, 0x00, 0x00, 0x00, 0x00};
	memcpy(fr, ack, sizeof(ack));
	size_t n = sizeof(ack) + crypto_frame(fr + sizeof(ack), 0, msg->b, (uint32_t)msg->n);
	size_t len = quic_protect(true, fr, n, 0, pkt);
	udp(p, 0, pkt, (uint32_t)len, ts);
}

#define QS_JA4 "q13d0608h2_bcfe0a960bb4_7852a17597c9"
#define QS_JA4_O "q13d0608h2_4b64b28dc7bd_dccd77db0bba"

static void
check_quic_record(const struct tlsfp_record *r, uint64_t ts)
{
	CHECK_EQ_INT(r->transport, 'q');
	CHECK_EQ_INT(r->l4proto, 17);
	CHECK_EQ_INT(r->ts_ns, ts);
	CHECK_EQ_INT(r->src_port, cli_port);
	CHECK_EQ_STR(r->sni, "example.com");
	CHECK_EQ_STR(r->ja3, JA3_MD5);
	CHECK_EQ_STR(r->ja4, QS_JA4);
	CHECK_EQ_STR(r->ja4_o, QS_JA4_O);
}

/* A ClientHello over two Initials (as Chrome sends its post-quantum one),
 * in order, reversed, duplicated; frames reversed inside one packet. */
static void
test_quic_split(void)
{
	uint32_t n = (uint32_t)msg_ch.n;
	CHECK(n > 700 && n < 1100);

	/* Second half first. */
	struct tlsfp_pipeline *p = mk(NULL);
	quic_client(p, 500, n, 0, 0, 1, T0);
	CHECK_EQ_INT(CTR(p, QUIC_INITIAL), 1);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 1);
	quic_client(p, 500, n, 0, 0, 1, T0 + 1); /* retransmitted */
	CHECK_EQ_INT(CTR(p, REASM_DUPLICATE), 1);
	CHECK_EQ_INT(CTR(p, QUIC_CLIENT_HELLO), 0);
	quic_client(p, 0, 500, 0, 0, 0, T0 + 2);
	CHECK_EQ_INT(CTR(p, QUIC_CLIENT_HELLO), 1);
	CHECK_EQ_INT(CTR(p, REASM_COMPLETED), 1);
	CHECK_EQ_INT(CTR(p, REASM_OUT_OF_ORDER), 1);
	quic_server(p, &msg_sh, T0 + 3);
	CHECK_EQ_INT(CTR(p, QUIC_INITIAL), 4);
	CHECK_EQ_INT(CTR(p, QUIC_SERVER_HELLO), 1);
	CHECK_EQ_INT(CTR(p, QUIC_DECRYPT_FAILED), 0);
	CHECK_EQ_INT(n_recs, 1);
	if (n_recs == 1) {
		check_quic_record(&recs[0], T0);
		CHECK_EQ_INT(recs[0].reason, TLSFP_REC_R_SERVER_HELLO);
		CHECK_EQ_STR(recs[0].ja3s, JA3S_MD5);
	}
	tlsfp_pipeline_destroy(p);

	/* In order, the server Initial lost: the timeout writes it. */
	p = mk(NULL);
	quic_client(p, 0, 400, 0, 0, 0, T0);
	quic_client(p, 400, n, 0, 0, 1, T0 + 1);
	CHECK_EQ_INT(CTR(p, REASM_OUT_OF_ORDER), 0);
	CHECK_EQ_INT(CTR(p, QUIC_CLIENT_HELLO), 1);
	tlsfp_pipeline_expire(p, T0 + 1 + 30 * SEC);
	CHECK_EQ_INT(n_recs, 1);
	if (n_recs == 1) {
		check_quic_record(&recs[0], T0);
		CHECK_EQ_INT(recs[0].reason, TLSFP_REC_R_TIMEOUT);
		CHECK_EQ_INT(recs[0].flags & TLSFP_REC_F_SERVER_HELLO, 0);
	}
	tlsfp_pipeline_destroy(p);

	/* Both halves in one packet, last frame first: no reassembly. */
	p = mk(NULL);
	quic_client(p, 600, n, 0, 600, 0, T0);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 0);
	CHECK_EQ_INT(CTR(p, QUIC_CLIENT_HELLO), 1);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 1);
	if (n_recs == 1) {
		check_quic_record(&recs[0], T0);
		CHECK_EQ_INT(recs[0].reason, TLSFP_REC_R_FLUSH);
	}
	tlsfp_pipeline_destroy(p);

	/* Over the bound: counted as a CRYPTO overflow. */
	struct tlsfp_pipeline_config cfg;
	tlsfp_pipeline_config_defaults(&cfg);
	cfg.hello_max_bytes = 512;
	p = mk(&cfg);
	quic_client(p, 0, 400, 0, 0, 0, T0);
	CHECK_EQ_INT(CTR(p, QUIC_CRYPTO_OVERFLOW), 1);
	quic_client(p, 400, n, 0, 0, 1, T0 + 1);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, QUIC_CLIENT_HELLO), 0);
	tlsfp_pipeline_destroy(p);
}

int
main(void)
{
	build_ch(&msg_ch, "example.com", 600);
	build_ch(&msg_ch2, "other.example", 600);
	build_sh(&msg_sh, false);
	build_sh(&msg_hrr, true);

	test_single_segment();
	test_no_syn();
	test_split(2);
	test_split(3);
	test_reversed_with_syn();
	test_reversed_without_syn();
	test_duplicates_and_overlaps();
	test_multi_record();
	test_hrr();
	test_mid_stream();
	test_not_tls();
	test_orphan_server_hello();
	test_fin_before_server_hello();
	test_timeouts();
	test_eviction();
	test_overflow_and_no_memory();
	test_vlan();
	test_ipv6();
	test_bad_config();
	test_input_counters();
	test_quic();
	test_quic_split();
	return check_exit("test_pipeline");
}
