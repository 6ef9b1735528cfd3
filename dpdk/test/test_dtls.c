/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS: the ClientHello parser's DTLS mode (cookie, version order), the
 * record/fragment walk, and the pipeline's UDP path end to end on raw-IPv4
 * frames built here (fragments over records and datagrams, out of order,
 * HelloVerifyRequest, truncations). Expected values were worked out by hand
 * from the spec (FINGERPRINTS.md) and checked with Python's hashlib.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsfp/counters.h"
#include "tlsfp/decode.h"
#include "tlsfp/fp.h"
#include "tlsfp/hello.h"
#include "tlsfp/pipeline.h"
#include "tlsfp/record.h"

#define CTR(p, id) (tlsfp_pipeline_counters(p)->v[TLSFP_CTR_##id])

/* ---- byte builder ---- */

struct tb {
	uint8_t b[4096];
	size_t n;
};

static void
u8(struct tb *t, uint8_t v)
{
	if (t->n < sizeof(t->b))
		t->b[t->n++] = v;
}

static void
u16(struct tb *t, uint16_t v)
{
	u8(t, (uint8_t)(v >> 8));
	u8(t, (uint8_t)v);
}

static void
u24(struct tb *t, uint32_t v)
{
	u8(t, (uint8_t)(v >> 16));
	u16(t, (uint16_t)v);
}

static void
bytes(struct tb *t, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		u8(t, ((const uint8_t *)p)[i]);
}

static void
put_u16_at(struct tb *t, size_t at, uint16_t v)
{
	t->b[at] = (uint8_t)(v >> 8);
	t->b[at + 1] = (uint8_t)v;
}

/* ---- hellos ---- */

/* Extension with a body; returns the body start to patch lengths. */
static void
ext(struct tb *t, uint16_t type, const uint8_t *body, uint16_t n)
{
	u16(t, type);
	u16(t, n);
	bytes(t, body, n);
}

/*
 * A DTLS ClientHello body. ciphers: GREASE 0x0a0a, then the given list;
 * extensions: SNI example.com, supported_groups {x25519, P-256},
 * ec_point_formats {0}, signature_algorithms {0x0403, 0x0804}, ALPN
 * {"coap"}, and supported_versions when n_versions > 0.
 */
static void
ch_body(struct tb *t, uint8_t cookie_len, const uint16_t *ciphers, int n_ciphers,
	const uint16_t *versions, int n_versions)
{
	static const uint8_t sni[] = {0,   14,	0,   0,	  11,  'e', 'x', 'a',
				      'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'};
	static const uint8_t groups[] = {0, 4, 0x00, 0x1d, 0x00, 0x17};
	static const uint8_t pf[] = {1, 0};
	static const uint8_t sig[] = {0, 4, 0x04, 0x03, 0x08, 0x04};
	static const uint8_t alpn[] = {0, 5, 4, 'c', 'o', 'a', 'p'};

	u16(t, 0xfefd);
	for (int i = 0; i < 32; i++)
		u8(t, (uint8_t)(0x40 + i));
	u8(t, 0); /* session id */
	u8(t, cookie_len);
	for (int i = 0; i < cookie_len; i++)
		u8(t, (uint8_t)(0xc0 ^ i));
	u16(t, (uint16_t)(2 * (n_ciphers + 1)));
	u16(t, 0x0a0a);
	for (int i = 0; i < n_ciphers; i++)
		u16(t, ciphers[i]);
	u8(t, 1);
	u8(t, 0);
	size_t at = t->n;
	u16(t, 0);
	ext(t, 0x0000, sni, sizeof(sni));
	ext(t, 0x000a, groups, sizeof(groups));
	ext(t, 0x000b, pf, sizeof(pf));
	ext(t, 0x000d, sig, sizeof(sig));
	ext(t, 0x0010, alpn, sizeof(alpn));
	if (n_versions > 0) {
		u16(t, 0x002b);
		u16(t, (uint16_t)(1 + 2 * n_versions));
		u8(t, (uint8_t)(2 * n_versions));
		for (int i = 0; i < n_versions; i++)
			u16(t, versions[i]);
	}
	put_u16_at(t, at, (uint16_t)(t->n - at - 2));
}

static const uint16_t CIPHERS[] = {0xc02b, 0xc02f, 0x00ff};
#define JA4_12 "dd2d0305cp_0e67c0ef781e_876bcc86782c"
/* JA3 string: 65277,49195-49199-255,0-10-11-13-16,29-23,0 */
#define JA3_12 "93f08b3b2beb65eae45fdf8bceb0e8f5"

/* ServerHello body: DTLS 1.2, cipher 0xc02f, renegotiation_info, ALPN coap. */
static void
sh_body(struct tb *t)
{
	static const uint8_t reneg[] = {0};
	static const uint8_t alpn[] = {0, 5, 4, 'c', 'o', 'a', 'p'};

	u16(t, 0xfefd);
	for (int i = 0; i < 32; i++)
		u8(t, (uint8_t)i);
	u8(t, 0);
	u16(t, 0xc02f);
	u8(t, 0);
	u16(t, 5 + 4 + sizeof(alpn));
	ext(t, 0xff01, reneg, sizeof(reneg));
	ext(t, 0x0010, alpn, sizeof(alpn));
}
#define JA3S_12 "1009dc98465ea69133da8a414829b0e6" /* 65277,49199,65281-16 */

/* TLS form: 4-byte header + body. */
static void
tls_msg(struct tb *out, uint8_t type, const struct tb *body)
{
	out->n = 0;
	u8(out, type);
	u24(out, (uint32_t)body->n);
	bytes(out, body->b, body->n);
}

/* One DTLS handshake fragment (12-byte header) of body[off, off + len). */
static void
fragment(struct tb *out, uint8_t type, uint16_t seq, const struct tb *body, size_t off, size_t len)
{
	u8(out, type);
	u24(out, (uint32_t)body->n);
	u16(out, seq);
	u24(out, (uint32_t)off);
	u24(out, (uint32_t)len);
	bytes(out, body->b + off, len);
}

/* A record of `type` around payload; epoch 0 unless given. */
static void
record(struct tb *out, uint8_t type, uint16_t version, uint16_t epoch, uint64_t seq,
       const struct tb *payload)
{
	u8(out, type);
	u16(out, version);
	u16(out, epoch);
	u16(out, (uint16_t)(seq >> 32));
	u16(out, (uint16_t)(seq >> 16));
	u16(out, (uint16_t)seq);
	u16(out, (uint16_t)payload->n);
	bytes(out, payload->b, payload->n);
}

/* A datagram holding one handshake record with one fragment. */
static void
dgram1(struct tb *out, uint8_t type, uint16_t seq, const struct tb *body, size_t off, size_t len,
       uint64_t rseq)
{
	struct tb frag = {.n = 0};
	fragment(&frag, type, seq, body, off, len);
	out->n = 0;
	record(out, 22, 0xfefd, 0, rseq, &frag);
}

/* ---- parser ---- */

static struct tlsfp_client_hello ch;

static void
test_parse(void)
{
	struct tb body = {.n = 0}, msg = {.n = 0};
	struct tlsfp_ch_view v;
	char ja4[TLSFP_JA4_LEN + 1], ja3[256];

	for (int cookie = 0; cookie <= 32; cookie += 32) {
		body.n = 0;
		ch_body(&body, (uint8_t)cookie, CIPHERS, 3, NULL, 0);
		tls_msg(&msg, 1, &body);
		CHECK_EQ_INT(tlsfp_parse_client_hello_dtls(msg.b, msg.n, &ch), TLSFP_PARSE_OK);
		CHECK_EQ_INT(ch.legacy_version, 0xfefd);
		CHECK_EQ_INT(ch.max_supported_version, 0);
		CHECK_EQ_INT(ch.n_ciphers, 3);
		CHECK_EQ_INT(ch.ciphers[0], 0xc02b);
		CHECK_EQ_INT(ch.n_exts, 5);
		CHECK(ch.has_sni && ch.sni_len == 11 && memcmp(ch.sni, "example.com", 11) == 0);
		tlsfp_client_hello_view(&ch, 'd', &v);
		tlsfp_ja4(&v, ja4);
		CHECK_EQ_STR(ja4, JA4_12);
		tlsfp_ja3_string(&v, ja3, sizeof(ja3));
		CHECK_EQ_STR(ja3, "65277,49195-49199-255,0-10-11-13-16,29-23,0");
		CHECK_EQ_STR(tlsfp_version_name(ch.legacy_version), "DTLS 1.2");
	}
	/* A 32-byte cookie read as TLS: the cookie length is taken for the
	 * cipher vector: the TLS parser cannot give the DTLS facts. */
	CHECK(tlsfp_parse_client_hello(msg.b, msg.n, &ch) != TLSFP_PARSE_OK || ch.n_ciphers != 3);

	/* DTLS 1.3: supported_versions max in DTLS order, not numeric. */
	static const uint16_t vers[] = {0xfefd, 0x1a1a, 0xfefc, 0xfeff};
	body.n = 0;
	ch_body(&body, 0, CIPHERS, 3, vers, 4);
	tls_msg(&msg, 1, &body);
	CHECK_EQ_INT(tlsfp_parse_client_hello_dtls(msg.b, msg.n, &ch), TLSFP_PARSE_OK);
	CHECK_EQ_INT(ch.max_supported_version, 0xfefc);
	CHECK_EQ_INT(ch.n_versions, 3);
	tlsfp_client_hello_view(&ch, 'd', &v);
	tlsfp_ja4(&v, ja4);
	CHECK_EQ_STR(ja4, "dd3d0306cp_0e67c0ef781e_fb71836bce29");
	CHECK_EQ_STR(tlsfp_version_name(ch.max_supported_version), "DTLS 1.3");
	/* TLS keeps the numeric maximum (0xfeff here): unchanged behaviour. */
	body.n = 0;
	ch_body(&body, 0, CIPHERS, 3, vers, 4);
	/* Drop the cookie byte to make it a TLS hello. */
	memmove(body.b + 35, body.b + 36, body.n - 36);
	body.n--;
	tls_msg(&msg, 1, &body);
	CHECK_EQ_INT(tlsfp_parse_client_hello(msg.b, msg.n, &ch), TLSFP_PARSE_OK);
	CHECK_EQ_INT(ch.max_supported_version, 0xfeff);

	/* Truncations: every prefix (header length kept) fails; with the
	 * header length patched to the prefix, no read goes out of bounds
	 * (ASan) and a cut inside a vector fails. */
	body.n = 0;
	ch_body(&body, 20, CIPHERS, 3, vers, 4);
	tls_msg(&msg, 1, &body);
	int ok = 0, fails = 0;
	for (size_t n = 0; n < msg.n; n++) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, msg.b, n);
		ok += tlsfp_parse_client_hello_dtls(cut, n, &ch) == TLSFP_PARSE_OK;
		if (n >= 4) {
			cut[1] = (uint8_t)((n - 4) >> 16);
			cut[2] = (uint8_t)((n - 4) >> 8);
			cut[3] = (uint8_t)(n - 4);
			/* before the end of the compression methods: must fail */
			if (n < 4 + 2 + 32 + 1 + 1 + 20 + 2 + 8 + 2)
				fails += tlsfp_parse_client_hello_dtls(cut, n, &ch) !=
					 TLSFP_PARSE_OK;
			else
				(void)tlsfp_parse_client_hello_dtls(cut, n, &ch);
		}
		free(cut);
	}
	CHECK_EQ_INT(ok, 0);
	CHECK_EQ_INT(fails, 4 + 2 + 32 + 1 + 1 + 20 + 2 + 8 + 2 - 4);
}

/* ---- record walk ---- */

static void
test_walk(void)
{
	struct tb body = {.n = 0}, frag = {.n = 0}, d = {.n = 0}, ccs = {.n = 0};
	struct tlsfp_dtls_walk w;
	struct tlsfp_dtls_fragment fr;

	ch_body(&body, 0, CIPHERS, 3, NULL, 0);
	/* Two records, a ChangeCipherSpec between, an encrypted epoch-1
	 * handshake record, then a DTLS 1.3 unified-header record. */
	fragment(&frag, 1, 0, &body, 0, 50);
	fragment(&frag, 1, 0, &body, 50, 10); /* two fragments in one record */
	record(&d, 22, 0xfefd, 0, 0, &frag);
	u8(&ccs, 1);
	record(&d, 20, 0xfefd, 0, 1, &ccs);
	record(&d, 22, 0xfefd, 1, 0, &frag);
	frag.n = 0;
	fragment(&frag, 1, 0, &body, 60, body.n - 60);
	record(&d, 22, 0xfeff, 0, 2, &frag);
	u8(&d, 0x2f);
	u8(&d, 0x00);

	CHECK(tlsfp_dtls_looks_like_hello(d.b, d.n));
	tlsfp_dtls_walk_init(&w, d.b, d.n);
	CHECK_EQ_INT(tlsfp_dtls_next_fragment(&w, &fr), TLSFP_DTLS_FRAGMENT);
	CHECK(fr.msg_type == 1 && fr.message_seq == 0 && fr.frag_off == 0 && fr.frag_len == 50 &&
	      fr.msg_len == body.n && fr.data == d.b + 13 + 12);
	CHECK_EQ_INT(tlsfp_dtls_next_fragment(&w, &fr), TLSFP_DTLS_FRAGMENT);
	CHECK(fr.frag_off == 50 && fr.frag_len == 10);
	CHECK_EQ_INT(tlsfp_dtls_next_fragment(&w, &fr), TLSFP_DTLS_FRAGMENT);
	CHECK(fr.frag_off == 60 && fr.frag_len == body.n - 60 &&
	      memcmp(fr.data, body.b + 60, fr.frag_len) == 0);
	CHECK_EQ_INT(tlsfp_dtls_next_fragment(&w, &fr), TLSFP_DTLS_END);

	/* Malformed: a fragment past its message, a record past the datagram,
	 * a fragment header cut by its record. */
	struct tb bad = {.n = 0};
	frag.n = 0;
	fragment(&frag, 1, 0, &body, 0, 20);
	frag.b[6] = 0xff; /* fragment_offset high byte */
	record(&bad, 22, 0xfefd, 0, 0, &frag);
	tlsfp_dtls_walk_init(&w, bad.b, bad.n);
	CHECK_EQ_INT(tlsfp_dtls_next_fragment(&w, &fr), TLSFP_DTLS_BAD);
	tlsfp_dtls_walk_init(&w, d.b, 40);
	CHECK_EQ_INT(tlsfp_dtls_next_fragment(&w, &fr), TLSFP_DTLS_BAD);
	CHECK(!tlsfp_dtls_looks_like_hello(d.b, 40));
	bad.n = 0;
	frag.n = 5;
	record(&bad, 22, 0xfefd, 0, 0, &frag);
	tlsfp_dtls_walk_init(&w, bad.b, bad.n);
	CHECK_EQ_INT(tlsfp_dtls_next_fragment(&w, &fr), TLSFP_DTLS_BAD);

	/* The prefix test. */
	struct tb x = {.n = 0};
	x.n = 0;
	frag.n = 0;
	fragment(&frag, 1, 0, &body, 0, 20);
	record(&x, 22, 0xfefd, 0, 0, &frag);
	CHECK(tlsfp_dtls_looks_like_hello(x.b, x.n));
	x.b[2] = 0xfe; /* version 0xfefe: unassigned */
	CHECK(!tlsfp_dtls_looks_like_hello(x.b, x.n));
	x.b[1] = 0x03, x.b[2] = 0x03; /* TLS 1.2 */
	CHECK(!tlsfp_dtls_looks_like_hello(x.b, x.n));
	x.b[1] = 0xfe, x.b[2] = 0xfd, x.b[4] = 1; /* epoch 1 */
	CHECK(!tlsfp_dtls_looks_like_hello(x.b, x.n));
	x.b[4] = 0, x.b[13] = 11; /* Certificate first */
	CHECK(!tlsfp_dtls_looks_like_hello(x.b, x.n));
	x.b[13] = 1, x.b[0] = 23;
	CHECK(!tlsfp_dtls_looks_like_hello(x.b, x.n));

	/* Every prefix of a datagram: the walk stays inside it. */
	for (size_t n = 0; n <= d.n; n++) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, d.b, n);
		(void)tlsfp_dtls_looks_like_hello(cut, n);
		tlsfp_dtls_walk_init(&w, cut, n);
		int guard = 0;
		while (tlsfp_dtls_next_fragment(&w, &fr) == TLSFP_DTLS_FRAGMENT && guard++ < 16)
			CHECK(fr.data + fr.frag_len <= cut + n);
		free(cut);
	}
}

/* ---- pipeline ---- */

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
mk(void)
{
	struct tlsfp_pipeline_config cfg;

	tlsfp_pipeline_config_defaults(&cfg);
	cfg.max_flows = 1024;
	cfg.reasm_max_bytes = (uint64_t)64 * cfg.hello_max_bytes;
	n_recs = 0;
	memset(recs, 0, sizeof(recs));
	return tlsfp_pipeline_create(&cfg, on_record, NULL);
}

static const uint8_t CLI_IP[4] = {10, 0, 0, 1};
static const uint8_t SRV_IP[4] = {10, 0, 0, 2};
static uint16_t cli_port = 40000;
#define SRV_PORT 5684 /* CoAP over DTLS: any port works */
#define T0 UINT64_C(1700000000000000000)
#define MS UINT64_C(1000000)

static uint8_t frame[65536];

/* Raw IPv4 + UDP around payload, into the pipeline. */
static void
udp(struct tlsfp_pipeline *p, int from_client, const struct tb *pl, size_t len, uint64_t ts)
{
	memset(frame, 0, 28);
	frame[0] = 0x45;
	frame[2] = (uint8_t)((28 + len) >> 8);
	frame[3] = (uint8_t)(28 + len);
	frame[8] = 64;
	frame[9] = 17;
	memcpy(frame + 12, from_client ? CLI_IP : SRV_IP, 4);
	memcpy(frame + 16, from_client ? SRV_IP : CLI_IP, 4);
	uint16_t sp = from_client ? cli_port : SRV_PORT, dp = from_client ? SRV_PORT : cli_port;
	frame[20] = (uint8_t)(sp >> 8);
	frame[21] = (uint8_t)sp;
	frame[22] = (uint8_t)(dp >> 8);
	frame[23] = (uint8_t)dp;
	frame[24] = (uint8_t)((8 + len) >> 8);
	frame[25] = (uint8_t)(8 + len);
	memcpy(frame + 28, pl->b, len);
	tlsfp_pipeline_input(p, frame, (uint32_t)(28 + len), (uint32_t)(28 + len),
			     TLSFP_LINKTYPE_RAW, ts);
}

static struct tb chb, shb, dg;

static void
server_hello_dgram(struct tlsfp_pipeline *p, uint16_t seq, uint64_t ts)
{
	struct tb frag = {.n = 0}, cert = {.n = 0};
	u24(&cert, 0);
	u24(&cert, 0);
	u24(&cert, 0); /* a few bytes of a Certificate body */
	fragment(&frag, 2, seq, &shb, 0, shb.n);
	fragment(&frag, 11, (uint16_t)(seq + 1), &cert, 0, 4); /* packed with the ServerHello */
	dg.n = 0;
	record(&dg, 22, 0xfefd, 0, 1, &frag);
	udp(p, 0, &dg, dg.n, ts);
}

static void
check_record(const struct tlsfp_record *r, const char *ja4, const char *ja3)
{
	CHECK_EQ_INT(r->transport, 'd');
	CHECK_EQ_INT(r->l4proto, 17);
	CHECK_EQ_INT(r->src_port, cli_port);
	CHECK_EQ_INT(r->dst_port, SRV_PORT);
	CHECK_EQ_STR(r->ja4, ja4);
	CHECK_EQ_STR(r->ja3, ja3);
	CHECK(r->flags & TLSFP_REC_F_SERVER_HELLO);
	CHECK_EQ_STR(r->ja3s, JA3S_12);
	CHECK_EQ_INT(r->reason, TLSFP_REC_R_SERVER_HELLO);
	CHECK_EQ_INT(r->ch_legacy_version, 0xfefd);
}

static void
test_pipeline_whole(void)
{
	struct tlsfp_pipeline *p = mk();

	cli_port++;
	dgram1(&dg, 1, 0, &chb, 0, chb.n, 0);
	udp(p, 1, &dg, dg.n, T0);
	udp(p, 1, &dg, dg.n, T0 + MS); /* retransmission: ignored */
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, DTLS_CLIENT_HELLO), 1);
	server_hello_dgram(p, 0, T0 + 2 * MS);
	CHECK_EQ_INT(n_recs, 1);
	check_record(&recs[0], JA4_12, JA3_12);
	CHECK_EQ_INT(CTR(p, DTLS_SERVER_HELLO), 1);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 0);
	server_hello_dgram(p, 0, T0 + 3 * MS); /* retransmitted flight */
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 1);
	CHECK_EQ_INT(CTR(p, HANDSHAKES), 1);
	tlsfp_pipeline_destroy(p);
}

/* Two records in one datagram, then two datagrams out of order. */
static void
test_pipeline_fragmented(void)
{
	struct tlsfp_pipeline *p = mk();
	struct tb f1 = {.n = 0}, f2 = {.n = 0};
	size_t half = chb.n / 2;

	cli_port++;
	fragment(&f1, 1, 0, &chb, 0, half);
	fragment(&f2, 1, 0, &chb, half, chb.n - half);
	dg.n = 0;
	record(&dg, 22, 0xfefd, 0, 0, &f1);
	record(&dg, 22, 0xfefd, 0, 1, &f2);
	udp(p, 1, &dg, dg.n, T0);
	CHECK_EQ_INT(CTR(p, DTLS_CLIENT_HELLO), 1);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 0);
	server_hello_dgram(p, 0, T0 + MS);
	CHECK_EQ_INT(n_recs, 1);
	check_record(&recs[0], JA4_12, JA3_12);

	/* Over datagrams: last fragment first, a duplicate, then the first. */
	cli_port++;
	n_recs = 0;
	dgram1(&dg, 1, 0, &chb, 100, chb.n - 100, 1);
	udp(p, 1, &dg, dg.n, T0 + 10 * MS);
	udp(p, 1, &dg, dg.n, T0 + 11 * MS);
	CHECK_EQ_INT(CTR(p, REASM_STARTED), 1);
	CHECK_EQ_INT(CTR(p, REASM_OUT_OF_ORDER), 1);
	CHECK_EQ_INT(CTR(p, REASM_DUPLICATE), 1);
	CHECK_EQ_INT(CTR(p, DTLS_CLIENT_HELLO), 1);
	dgram1(&dg, 1, 0, &chb, 0, 100, 0);
	udp(p, 1, &dg, dg.n, T0 + 12 * MS);
	CHECK_EQ_INT(CTR(p, DTLS_CLIENT_HELLO), 2);
	CHECK_EQ_INT(CTR(p, REASM_COMPLETED), 1);
	server_hello_dgram(p, 0, T0 + 13 * MS);
	CHECK_EQ_INT(n_recs, 1);
	check_record(&recs[0], JA4_12, JA3_12);
	tlsfp_pipeline_destroy(p);
}

/* HelloVerifyRequest: the first ClientHello is the one fingerprinted. */
static void
test_pipeline_hvr(void)
{
	struct tlsfp_pipeline *p = mk();
	struct tb ch2 = {.n = 0}, hvr = {.n = 0};
	static const uint16_t other[] = {0xc02b, 0x009c};

	cli_port++;
	dgram1(&dg, 1, 0, &chb, 0, chb.n, 0);
	udp(p, 1, &dg, dg.n, T0);
	u16(&hvr, 0xfeff);
	u8(&hvr, 8);
	bytes(&hvr, "cookie!!", 8);
	dgram1(&dg, TLSFP_HS_HELLO_VERIFY_REQUEST, 0, &hvr, 0, hvr.n, 0);
	dg.b[1] = 0xfe, dg.b[2] = 0xff;
	udp(p, 0, &dg, dg.n, T0 + MS);
	CHECK_EQ_INT(CTR(p, DTLS_HELLO_VERIFY_REQUEST), 1);
	CHECK_EQ_INT(n_recs, 0);
	/* The second ClientHello, with the cookie and other ciphers. */
	ch_body(&ch2, 8, other, 2, NULL, 0);
	dgram1(&dg, 1, 1, &ch2, 0, ch2.n, 1);
	udp(p, 1, &dg, dg.n, T0 + 2 * MS);
	server_hello_dgram(p, 1, T0 + 3 * MS);
	CHECK_EQ_INT(n_recs, 1);
	check_record(&recs[0], JA4_12, JA3_12);
	CHECK_EQ_INT(CTR(p, DTLS_CLIENT_HELLO), 1);

	/* The HVR before the ClientHello's second fragment: the server side
	 * is not started, the record waits for the ClientHello. */
	cli_port++;
	n_recs = 0;
	dgram1(&dg, 1, 0, &chb, 0, 60, 0);
	udp(p, 1, &dg, dg.n, T0 + 10 * MS);
	dgram1(&dg, TLSFP_HS_HELLO_VERIFY_REQUEST, 0, &hvr, 0, hvr.n, 0);
	udp(p, 0, &dg, dg.n, T0 + 11 * MS);
	dgram1(&dg, 1, 0, &chb, 60, chb.n - 60, 1);
	udp(p, 1, &dg, dg.n, T0 + 12 * MS);
	server_hello_dgram(p, 1, T0 + 13 * MS);
	CHECK_EQ_INT(n_recs, 1);
	check_record(&recs[0], JA4_12, JA3_12);

	/* A ServerHello with no ClientHello: nothing. */
	cli_port++;
	n_recs = 0;
	server_hello_dgram(p, 0, T0 + 20 * MS);
	tlsfp_pipeline_flush(p);
	CHECK_EQ_INT(n_recs, 0);
	CHECK_EQ_INT(CTR(p, TLS_SERVER_HELLO_ORPHAN), 1);
	tlsfp_pipeline_destroy(p);
}

/* Truncated datagrams and messages never give a record nor read out of
 * bounds; a message too big for hello_max_bytes is refused at once. */
static void
test_pipeline_truncated(void)
{
	struct tlsfp_pipeline *p = mk();
	struct tb whole = {.n = 0};

	dgram1(&whole, 1, 0, &chb, 0, chb.n, 0);
	for (size_t n = 0; n < whole.n; n++) {
		cli_port++;
		udp(p, 1, &whole, n, T0 + n);
	}
	/* Well-framed records around a message whose declared length is the
	 * cut one: the parser sees every prefix. */
	for (size_t n = 0; n < chb.n; n++) {
		struct tb cut = {.n = 0};
		bytes(&cut, chb.b, n);
		cli_port++;
		dgram1(&dg, 1, 0, &cut, 0, cut.n, 0);
		udp(p, 1, &dg, dg.n, T0 + n);
		server_hello_dgram(p, 0, T0 + n);
	}
	tlsfp_pipeline_flush(p);
	/* Only the prefix that ends right after the compression methods is a
	 * whole hello (without extensions, which is legal): one record. */
	CHECK_EQ_INT(n_recs, 1);
	CHECK_EQ_STR(recs[0].ja4, "dd2i030000_0e67c0ef781e_000000000000");

	struct tb big = {.n = 0}, frag = {.n = 0};
	for (size_t i = 0; i < 200; i++)
		u8(&big, 0);
	fragment(&frag, 1, 0, &big, 0, 100);
	frag.b[1] = 0x01; /* msg_len 0x0100c8 > hello_max_bytes */
	frag.b[2] = 0x00;
	dg.n = 0;
	record(&dg, 22, 0xfefd, 0, 0, &frag);
	cli_port++;
	udp(p, 1, &dg, dg.n, T0);
	CHECK_EQ_INT(CTR(p, DTLS_HANDSHAKE_OVERFLOW), 1);
	tlsfp_pipeline_destroy(p);
}

int
main(void)
{
	ch_body(&chb, 0, CIPHERS, 3, NULL, 0);
	sh_body(&shb);
	test_parse();
	test_walk();
	test_pipeline_whole();
	test_pipeline_fragmented();
	test_pipeline_hvr();
	test_pipeline_truncated();
	return check_exit("test_dtls");
}
