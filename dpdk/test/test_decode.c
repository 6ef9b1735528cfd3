/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlsfp_decode(): frames built byte by byte for each layer and combination,
 * each asserting the 5-tuple, VLAN list, payload position and the exact
 * counters; every prefix of a tunnelled frame; random corruptions checked
 * against the contract (out written only on OK, one reason per failure,
 * payload inside the captured bytes). Copies each input into a buffer of
 * its exact size, so a build with -fsanitize=address catches any overread.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsfp/counters.h"
#include "tlsfp/decode.h"

/* ---- frame builder ------------------------------------------------------ */

struct fb {
	uint8_t b[2048];
	uint32_t n;
	struct {
		uint32_t field, start;
	} patch[16];
	int npatch;
};

static void
fb_init(struct fb *f)
{
	memset(f, 0, sizeof(*f));
}

static void
put(struct fb *f, const void *p, uint32_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
u8(struct fb *f, uint8_t v)
{
	f->b[f->n++] = v;
}

static void
u16(struct fb *f, uint16_t v)
{
	u8(f, (uint8_t)(v >> 8));
	u8(f, (uint8_t)v);
}

static void
u32(struct fb *f, uint32_t v)
{
	u16(f, (uint16_t)(v >> 16));
	u16(f, (uint16_t)v);
}

static void
zeros(struct fb *f, uint32_t n)
{
	memset(f->b + f->n, 0, n);
	f->n += n;
}

/* A 16-bit length field at `field` that counts from `start` to the end of
 * the frame, filled in by fb_finish(). */
static void
patch_len(struct fb *f, uint32_t field, uint32_t start)
{
	f->patch[f->npatch].field = field;
	f->patch[f->npatch].start = start;
	f->npatch++;
}

static void
fb_finish(struct fb *f)
{
	for (int i = 0; i < f->npatch; i++) {
		uint32_t v = f->n - f->patch[i].start;
		f->b[f->patch[i].field] = (uint8_t)(v >> 8);
		f->b[f->patch[i].field + 1] = (uint8_t)v;
	}
	f->npatch = 0;
}

static const uint8_t A4[4] = {192, 0, 2, 1};
static const uint8_t B4[4] = {198, 51, 100, 7};
static const uint8_t C4[4] = {10, 1, 2, 3};
static const uint8_t D4[4] = {10, 4, 5, 6};
static const uint8_t A6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
static const uint8_t B6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02};

static void
eth(struct fb *f, uint16_t type)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};
	put(f, macs, sizeof(macs));
	u16(f, type);
}

/* The TCI (PCP 5 set, to check it is masked off) and the next ethertype. */
static void
vlan(struct fb *f, uint16_t vid, uint16_t type)
{
	u16(f, (uint16_t)(0xa000 | vid));
	u16(f, type);
}

/* optwords 32-bit words of options (NOP..., EOL). */
static void
ipv4(struct fb *f, uint8_t proto, const uint8_t *src, const uint8_t *dst, int optwords,
     uint16_t frag)
{
	uint32_t start = f->n;
	u8(f, (uint8_t)(0x40 | (5 + optwords)));
	u8(f, 0);
	patch_len(f, f->n, start);
	u16(f, 0);
	u16(f, 0x1234);
	u16(f, frag);
	u8(f, 64);
	u8(f, proto);
	u16(f, 0xbeef); /* wrong checksum on purpose: not verified */
	put(f, src, 4);
	put(f, dst, 4);
	for (int i = 0; i < optwords * 4; i++)
		u8(f, i == optwords * 4 - 1 ? 0 : 1);
}

static void
ipv6(struct fb *f, uint8_t next, const uint8_t *src, const uint8_t *dst)
{
	uint32_t start = f->n;
	u32(f, 0x60000000);
	patch_len(f, f->n, start + 40);
	u16(f, 0);
	u8(f, next);
	u8(f, 64);
	put(f, src, 16);
	put(f, dst, 16);
}

/* An 8-byte hop-by-hop / destination options header: PadN. */
static void
ipv6_opts8(struct fb *f, uint8_t next)
{
	static const uint8_t padn[6] = {1, 4, 0, 0, 0, 0};
	u8(f, next);
	u8(f, 0);
	put(f, padn, sizeof(padn));
}

static void
ipv6_frag(struct fb *f, uint8_t next, uint16_t offset8, bool more)
{
	u8(f, next);
	u8(f, 0);
	u16(f, (uint16_t)((offset8 << 3) | (more ? 1 : 0)));
	u32(f, 0xcafe0001);
}

/* TCP with 12 bytes of options (MSS, SACK permitted, NOP, window scale,
 * NOP, NOP) when opts, none otherwise. */
static void
tcp(struct fb *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
    bool opts)
{
	static const uint8_t o[12] = {2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7, 1, 1};
	u16(f, sport);
	u16(f, dport);
	u32(f, seq);
	u32(f, ack);
	u8(f, (uint8_t)((opts ? 8 : 5) << 4));
	u8(f, flags);
	u16(f, 65535);
	u16(f, 0);
	u16(f, 0);
	if (opts)
		put(f, o, sizeof(o));
}

static void
udp(struct fb *f, uint16_t sport, uint16_t dport)
{
	uint32_t start = f->n;
	u16(f, sport);
	u16(f, dport);
	patch_len(f, f->n, start);
	u16(f, 0);
	u16(f, 0);
}

static void
vxlan(struct fb *f, uint32_t vni)
{
	u32(f, 0x08000000);
	u32(f, vni << 8);
}

static const char HELLO[] = "\x16\x03\x01\x00\x05hello";
#define HELLO_LEN 10u

/* ---- running and checking ----------------------------------------------- */

static const enum tlsfp_counter FAILURES[] = {
	TLSFP_CTR_DEC_UNKNOWN_LINKTYPE,
	TLSFP_CTR_DEC_TRUNCATED,
	TLSFP_CTR_DEC_NOT_IP,
	TLSFP_CTR_DEC_IPV4_BAD_HEADER,
	TLSFP_CTR_DEC_IPV4_FRAGMENT,
	TLSFP_CTR_DEC_IPV6_BAD_HEADER,
	TLSFP_CTR_DEC_IPV6_FRAGMENT,
	TLSFP_CTR_DEC_IPV6_EXT_LIMIT,
	TLSFP_CTR_DEC_TCP_BAD_HEADER,
	TLSFP_CTR_DEC_UDP_BAD_HEADER,
	TLSFP_CTR_DEC_OTHER_L4,
	TLSFP_CTR_DEC_VLAN_LIMIT,
	TLSFP_CTR_DEC_MPLS_LIMIT,
	TLSFP_CTR_DEC_TUNNEL_LIMIT,
	TLSFP_CTR_DEC_GRE_UNSUPPORTED,
	TLSFP_CTR_DEC_ERSPAN_UNSUPPORTED,
	TLSFP_CTR_DEC_TUNNEL_BAD_HEADER,
};
#define NFAILURES (sizeof(FAILURES) / sizeof(FAILURES[0]))

struct run {
	enum tlsfp_decode_result res;
	struct tlsfp_packet pkt;
	struct tlsfp_counters ctr;
	const uint8_t *data; /* the exact-size copy decoded (freed by run_done) */
	uint32_t len;
};

static const struct tlsfp_packet *
poisoned(void)
{
	static struct tlsfp_packet p;
	memset(&p, 0xa5, sizeof(p));
	return &p;
}

/* Decode the first `len` bytes of f from a buffer of exactly that size and
 * check the contract that holds for every input. */
static void
run_n(struct run *r, const struct fb *f, uint32_t len, int linktype)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, f->b, len);
	memset(&r->ctr, 0, sizeof(r->ctr));
	memcpy(&r->pkt, poisoned(), sizeof(r->pkt));
	r->data = copy;
	r->len = len;
	r->res = tlsfp_decode(copy, len, linktype, &r->pkt, &r->ctr);

	uint64_t failures = 0, total = 0;
	for (size_t i = 0; i < NFAILURES; i++)
		failures += r->ctr.v[FAILURES[i]];
	for (int i = 0; i < TLSFP_CTR__COUNT; i++)
		total += r->ctr.v[i];
	if (r->res == TLSFP_DECODE_OK) {
		CHECK_EQ_INT(failures, 0);
		CHECK_EQ_INT(r->ctr.v[TLSFP_CTR_DEC_TCP] + r->ctr.v[TLSFP_CTR_DEC_UDP], 1);
		CHECK_EQ_INT(r->ctr.v[TLSFP_CTR_DEC_IPV4] + r->ctr.v[TLSFP_CTR_DEC_IPV6], 1);
		CHECK(r->pkt.payload >= copy && r->pkt.payload <= copy + len);
		CHECK((uint64_t)(r->pkt.payload - copy) + r->pkt.payload_len <= len);
		CHECK(r->pkt.vlan_count <= TLSFP_MAX_VLANS);
		CHECK(r->pkt.tunnel_depth <= TLSFP_MAX_TUNNEL_DEPTH);
	} else {
		CHECK(r->res == TLSFP_DECODE_SKIP || r->res == TLSFP_DECODE_ERROR);
		CHECK_EQ_INT(failures, 1);
		CHECK_EQ_INT(total, 1);
		CHECK(memcmp(&r->pkt, poisoned(), sizeof(r->pkt)) == 0);
	}
}

static void
run(struct run *r, const struct fb *f, int linktype)
{
	run_n(r, f, f->n, linktype);
}

static void
run_done(struct run *r)
{
	free((void *)r->data);
	r->data = NULL;
}

/* Exactly these counters, each once (a counter listed twice: twice). */
static void
check_counters(const struct run *r, const enum tlsfp_counter *ids, size_t n)
{
	struct tlsfp_counters exp;
	memset(&exp, 0, sizeof(exp));
	for (size_t i = 0; i < n; i++)
		exp.v[ids[i]]++;
	for (int i = 0; i < TLSFP_CTR__COUNT; i++) {
		check_count++;
		if (r->ctr.v[i] != exp.v[i]) {
			check_failures++;
			fprintf(stderr, "counter %s is %" PRIu64 ", expected %" PRIu64 "\n",
				tlsfp_counter_name((enum tlsfp_counter)i), r->ctr.v[i], exp.v[i]);
		}
	}
}

#define COUNTERS(r, ...)                                                                           \
	do {                                                                                       \
		static const enum tlsfp_counter ids_[] = {__VA_ARGS__};                            \
		check_counters((r), ids_, sizeof(ids_) / sizeof(ids_[0]));                         \
	} while (0)

#define C(x) TLSFP_CTR_DEC_##x

struct want {
	uint8_t ipv, l4;
	const uint8_t *src, *dst;
	uint16_t sport, dport;
	uint8_t depth;
	uint8_t nvlan;
	uint16_t vlan[TLSFP_MAX_VLANS];
	uint32_t payload_off, payload_len;
	uint8_t truncated;
	/* TCP */
	uint32_t seq, ack;
	uint8_t flags;
};

static void
check_pkt(const char *name, const struct run *r, const struct want *w)
{
	int before = check_failures;
	const struct tlsfp_packet *p = &r->pkt;
	uint8_t src[16] = {0}, dst[16] = {0};

	CHECK_EQ_INT(r->res, TLSFP_DECODE_OK);
	if (r->res != TLSFP_DECODE_OK) {
		fprintf(stderr, "  ^ case %s\n", name);
		return;
	}
	memcpy(src, w->src, w->ipv == 4 ? 4 : 16);
	memcpy(dst, w->dst, w->ipv == 4 ? 4 : 16);
	CHECK_EQ_INT(p->ip_version, w->ipv);
	CHECK_EQ_INT(p->l4proto, w->l4);
	CHECK(memcmp(p->src, src, 16) == 0);
	CHECK(memcmp(p->dst, dst, 16) == 0);
	CHECK_EQ_INT(p->sport, w->sport);
	CHECK_EQ_INT(p->dport, w->dport);
	CHECK_EQ_INT(p->tunnel_depth, w->depth);
	CHECK_EQ_INT(p->vlan_count, w->nvlan);
	for (int i = 0; i < w->nvlan && i < TLSFP_MAX_VLANS; i++)
		CHECK_EQ_INT(p->vlan[i], w->vlan[i]);
	CHECK_EQ_INT(p->payload - r->data, w->payload_off);
	CHECK_EQ_INT(p->payload_len, w->payload_len);
	CHECK_EQ_INT(p->payload_truncated, w->truncated);
	CHECK_EQ_INT(p->seq, w->seq);
	CHECK_EQ_INT(p->ack, w->ack);
	CHECK_EQ_INT(p->tcp_flags, w->flags);
	if (w->payload_len == HELLO_LEN && !w->truncated)
		CHECK(memcmp(p->payload, HELLO, HELLO_LEN) == 0);
	if (check_failures != before)
		fprintf(stderr, "  ^ case %s\n", name);
}

static void
check_fail(const char *name, const struct run *r, enum tlsfp_decode_result res)
{
	int before = check_failures;
	CHECK_EQ_INT(r->res, res);
	if (check_failures != before)
		fprintf(stderr, "  ^ case %s\n", name);
}

#define PSHACK (TLSFP_TCP_PSH | TLSFP_TCP_ACK)

/* The TCP segment every case ends with, and what it decodes to. */
static void
tcp_hello(struct fb *f)
{
	tcp(f, 51000, 443, 1000, 2000, PSHACK, true);
	put(f, HELLO, HELLO_LEN);
}

static struct want
want_tcp4(const uint8_t *src, const uint8_t *dst, uint32_t payload_off)
{
	struct want w = {.ipv = 4,
			 .l4 = 6,
			 .src = src,
			 .dst = dst,
			 .sport = 51000,
			 .dport = 443,
			 .payload_off = payload_off,
			 .payload_len = HELLO_LEN,
			 .seq = 1000,
			 .ack = 2000,
			 .flags = PSHACK};
	return w;
}

static struct want
want_tcp6(uint32_t payload_off)
{
	struct want w = want_tcp4(A6, B6, payload_off);
	w.ipv = 6;
	return w;
}

/* ---- cases ---------------------------------------------------------------- */

static void
test_eth_ipv4_tcp(void)
{
	struct fb f;
	struct run r;

	/* IPv4 with 8 bytes of options, TCP with 12. */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 6, A4, B4, 2, 0x4000 /* DF */);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	struct want w = want_tcp4(A4, B4, 14 + 28 + 32);
	check_pkt("eth/ipv4+opts/tcp+opts", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP));
	run_done(&r);

	/* A bare SYN padded to the 60-byte Ethernet minimum: the padding is
	 * not payload. */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 6, A4, B4, 0, 0);
	tcp(&f, 40000, 443, 7, 0, TLSFP_TCP_SYN, false);
	fb_finish(&f);
	zeros(&f, 6);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = (struct want){.ipv = 4,
			  .l4 = 6,
			  .src = A4,
			  .dst = B4,
			  .sport = 40000,
			  .dport = 443,
			  .payload_off = 54,
			  .payload_len = 0,
			  .seq = 7,
			  .flags = TLSFP_TCP_SYN};
	check_pkt("eth padding", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP));
	run_done(&r);

	/* Capture cut inside the payload: OK, what is there, flagged. */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 6, A4, B4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	run_n(&r, &f, f.n - 4, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp4(A4, B4, 14 + 20 + 32);
	w.payload_len = HELLO_LEN - 4;
	w.truncated = 1;
	check_pkt("payload cut by capture", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP));
	run_done(&r);
}

static void
test_ipv4_errors(void)
{
	struct fb f;
	struct run r;

	/* Non-first fragments (offsets 1480, 32768 with MF): skipped and
	 * counted. */
	static const uint16_t frags[2] = {185, 0x2000 | 0x1000};
	for (int i = 0; i < 2; i++) {
		fb_init(&f);
		eth(&f, 0x0800);
		ipv4(&f, 6, A4, B4, 0, frags[i]);
		tcp_hello(&f);
		fb_finish(&f);
		run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
		check_fail("ipv4 non-first fragment", &r, TLSFP_DECODE_SKIP);
		COUNTERS(&r, C(IPV4_FRAGMENT));
		run_done(&r);
	}

	/* First fragment (MF, offset 0): decoded, payload continues later. */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 6, A4, B4, 0, 0x2000);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	struct want w = want_tcp4(A4, B4, 14 + 20 + 32);
	w.truncated = 1;
	check_pkt("ipv4 first fragment", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP));
	run_done(&r);

	/* First fragment of a UDP datagram whose length covers all fragments:
	 * not malformed, truncated. */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 17, A4, B4, 0, 0x2000);
	u16(&f, 5000);
	u16(&f, 443);
	u16(&f, 3000);
	u16(&f, 0);
	put(&f, HELLO, HELLO_LEN);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = (struct want){.ipv = 4,
			  .l4 = 17,
			  .src = A4,
			  .dst = B4,
			  .sport = 5000,
			  .dport = 443,
			  .payload_off = 42,
			  .payload_len = HELLO_LEN,
			  .truncated = 1};
	check_pkt("ipv4 first fragment udp", &r, &w);
	COUNTERS(&r, C(IPV4), C(UDP));
	run_done(&r);

	/* Version 5 in an IPv4 ethertype. */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 6, A4, B4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	f.b[14] = 0x55;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("ipv4 version", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(IPV4_BAD_HEADER));
	run_done(&r);

	/* IHL 4. */
	f.b[14] = 0x44;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("ipv4 ihl", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(IPV4_BAD_HEADER));
	run_done(&r);

	/* Total length shorter than the header. */
	f.b[14] = 0x45;
	f.b[16] = 0;
	f.b[17] = 19;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("ipv4 total < ihl", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(IPV4_BAD_HEADER));
	run_done(&r);

	/* Total length that ends inside the TCP header: TCP is malformed
	 * (not a capture truncation). */
	f.b[17] = 30;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("ipv4 total inside tcp", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(TCP_BAD_HEADER));
	run_done(&r);

	/* ICMP. */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 1, A4, B4, 0, 0);
	u32(&f, 0x08000000);
	u32(&f, 0);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("icmp", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(OTHER_L4));
	run_done(&r);

	/* ARP. */
	fb_init(&f);
	eth(&f, 0x0806);
	zeros(&f, 28);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("arp", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(NOT_IP));
	run_done(&r);

	/* TCP data offset 4. */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 6, A4, B4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	f.b[14 + 20 + 12] = 0x40;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("tcp doff", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(TCP_BAD_HEADER));
	run_done(&r);

	/* TCP data offset 15 (60 bytes) beyond the IP packet. */
	f.b[14 + 20 + 12] = 0xf0;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("tcp doff beyond ip", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(TCP_BAD_HEADER));
	run_done(&r);
}

static void
test_ipv6(void)
{
	struct fb f;
	struct run r;

	/* Hop-by-hop, destination options, TCP. */
	fb_init(&f);
	eth(&f, 0x86dd);
	ipv6(&f, 0, A6, B6);
	ipv6_opts8(&f, 60);
	ipv6_opts8(&f, 6);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	struct want w = want_tcp6(14 + 40 + 16 + 32);
	check_pkt("ipv6 hbh+dst/tcp", &r, &w);
	COUNTERS(&r, C(IPV6), C(TCP));
	run_done(&r);

	/* Routing header (24 bytes) and AH (payload len 4 → 24 bytes). */
	fb_init(&f);
	eth(&f, 0x86dd);
	ipv6(&f, 43, A6, B6);
	u8(&f, 51);
	u8(&f, 2);
	zeros(&f, 22);
	u8(&f, 6);
	u8(&f, 4);
	zeros(&f, 22);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp6(14 + 40 + 24 + 24 + 32);
	check_pkt("ipv6 routing+ah/tcp", &r, &w);
	COUNTERS(&r, C(IPV6), C(TCP));
	run_done(&r);

	/* First fragment (offset 0, M set). */
	fb_init(&f);
	eth(&f, 0x86dd);
	ipv6(&f, 44, A6, B6);
	ipv6_frag(&f, 6, 0, true);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp6(14 + 40 + 8 + 32);
	w.truncated = 1;
	check_pkt("ipv6 first fragment", &r, &w);
	COUNTERS(&r, C(IPV6), C(TCP));
	run_done(&r);

	/* Atomic fragment (offset 0, M clear): a whole packet. */
	fb_init(&f);
	eth(&f, 0x86dd);
	ipv6(&f, 44, A6, B6);
	ipv6_frag(&f, 6, 0, false);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp6(14 + 40 + 8 + 32);
	check_pkt("ipv6 atomic fragment", &r, &w);
	COUNTERS(&r, C(IPV6), C(TCP));
	run_done(&r);

	/* Non-first fragment. */
	fb_init(&f);
	eth(&f, 0x86dd);
	ipv6(&f, 0, A6, B6);
	ipv6_opts8(&f, 44);
	ipv6_frag(&f, 6, 181, true);
	zeros(&f, 40);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("ipv6 non-first fragment", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(IPV6_FRAGMENT));
	run_done(&r);

	/* TLSFP_MAX_IPV6_EXT destination options headers: OK; one more: limit. */
	for (int extra = 0; extra <= 1; extra++) {
		int n = TLSFP_MAX_IPV6_EXT + extra;
		fb_init(&f);
		eth(&f, 0x86dd);
		ipv6(&f, 60, A6, B6);
		for (int i = 0; i < n; i++)
			ipv6_opts8(&f, i == n - 1 ? 6 : 60);
		tcp_hello(&f);
		fb_finish(&f);
		run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
		if (!extra) {
			w = want_tcp6(14 + 40 + 8 * (uint32_t)n + 32);
			check_pkt("ipv6 ext max", &r, &w);
			COUNTERS(&r, C(IPV6), C(TCP));
		} else {
			check_fail("ipv6 ext limit", &r, TLSFP_DECODE_SKIP);
			COUNTERS(&r, C(IPV6_EXT_LIMIT));
		}
		run_done(&r);
	}

	/* An extension header longer than the payload length. */
	fb_init(&f);
	eth(&f, 0x86dd);
	ipv6(&f, 60, A6, B6);
	u8(&f, 6);
	u8(&f, 200);
	zeros(&f, 6);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("ipv6 ext too long", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(IPV6_BAD_HEADER));
	run_done(&r);

	/* No next header (59). */
	fb_init(&f);
	eth(&f, 0x86dd);
	ipv6(&f, 59, A6, B6);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("ipv6 no next header", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(OTHER_L4));
	run_done(&r);
}

static void
test_vlan(void)
{
	struct fb f;
	struct run r;
	struct want w;

	/* 802.1Q. */
	fb_init(&f);
	eth(&f, 0x8100);
	vlan(&f, 100, 0x0800);
	ipv4(&f, 6, A4, B4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp4(A4, B4, 18 + 20 + 32);
	w.nvlan = 1;
	w.vlan[0] = 100;
	check_pkt("802.1q", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP), C(VLAN));
	run_done(&r);

	/* QinQ: 802.1ad outer 10, 802.1Q inner 20, reported outer first. */
	fb_init(&f);
	eth(&f, 0x88a8);
	vlan(&f, 10, 0x8100);
	vlan(&f, 20, 0x86dd);
	ipv6(&f, 6, A6, B6);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp6(22 + 40 + 32);
	w.nvlan = 2;
	w.vlan[0] = 10;
	w.vlan[1] = 20;
	check_pkt("qinq", &r, &w);
	COUNTERS(&r, C(IPV6), C(TCP), C(VLAN));
	run_done(&r);

	/* 4 tags (0x9100, 0x88a8, 0x8100, 0x8100): OK; 5: limit. */
	for (int n = 4; n <= 5; n++) {
		static const uint16_t tpid[5] = {0x9100, 0x88a8, 0x8100, 0x8100, 0x8100};
		fb_init(&f);
		eth(&f, tpid[0]);
		for (int i = 0; i < n; i++)
			vlan(&f, (uint16_t)(i + 1), i == n - 1 ? 0x0800 : tpid[i + 1]);
		ipv4(&f, 6, A4, B4, 0, 0);
		tcp_hello(&f);
		fb_finish(&f);
		run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
		if (n == 4) {
			w = want_tcp4(A4, B4, 14 + 16 + 20 + 32);
			w.nvlan = 4;
			for (int i = 0; i < 4; i++)
				w.vlan[i] = (uint16_t)(i + 1);
			check_pkt("4 tags", &r, &w);
			COUNTERS(&r, C(IPV4), C(TCP), C(VLAN));
		} else {
			check_fail("5 tags", &r, TLSFP_DECODE_SKIP);
			COUNTERS(&r, C(VLAN_LIMIT));
		}
		run_done(&r);
	}
}

static void
test_vlan_in_tunnel(void)
{
	struct fb f;
	struct run r;

	/* Outer Ethernet with 3 tags, GRE Ethernet bridging, inner Ethernet
	 * with 2: the limit is per header, only the outer tags are reported. */
	fb_init(&f);
	eth(&f, 0x8100);
	vlan(&f, 1, 0x8100);
	vlan(&f, 2, 0x8100);
	vlan(&f, 3, 0x0800);
	ipv4(&f, 47, A4, B4, 0, 0);
	u16(&f, 0);
	u16(&f, 0x6558);
	eth(&f, 0x88a8);
	vlan(&f, 4, 0x8100);
	vlan(&f, 5, 0x0800);
	ipv4(&f, 6, C4, D4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	struct want w = want_tcp4(C4, D4, 26 + 20 + 4 + 22 + 20 + 32);
	w.depth = 1;
	w.nvlan = 3;
	w.vlan[0] = 1;
	w.vlan[1] = 2;
	w.vlan[2] = 3;
	check_pkt("vlans outside and inside a tunnel", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP), C(VLAN), C(GRE));
	run_done(&r);
}

static void
test_mpls(void)
{
	struct fb f;
	struct run r;
	struct want w;

	/* Two labels, bottom of stack on the second, then IPv4. */
	fb_init(&f);
	eth(&f, 0x8847);
	u32(&f, (1000u << 12) | 64);
	u32(&f, (2000u << 12) | 0x100 | 64);
	ipv4(&f, 6, A4, B4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp4(A4, B4, 14 + 8 + 20 + 32);
	check_pkt("mpls 2 labels ipv4", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP), C(MPLS));
	run_done(&r);

	/* One label → IPv6. */
	fb_init(&f);
	eth(&f, 0x8847);
	u32(&f, (3000u << 12) | 0x100 | 64);
	ipv6(&f, 6, A6, B6);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp6(14 + 4 + 40 + 32);
	check_pkt("mpls ipv6", &r, &w);
	COUNTERS(&r, C(IPV6), C(TCP), C(MPLS));
	run_done(&r);

	/* Ethernet pseudowire with control word; the inner tag is not
	 * reported (the outer Ethernet had none). */
	fb_init(&f);
	eth(&f, 0x8847);
	u32(&f, (4000u << 12) | 0x100 | 64);
	u32(&f, 0x00000001); /* control word, sequence 1 */
	eth(&f, 0x8100);
	vlan(&f, 300, 0x0800);
	ipv4(&f, 6, C4, D4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp4(C4, D4, 14 + 4 + 4 + 18 + 20 + 32);
	w.depth = 1;
	check_pkt("mpls pseudowire", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP), C(MPLS), C(VLAN));
	run_done(&r);

	/* TLSFP_MAX_MPLS labels without bottom of stack, then one more. */
	fb_init(&f);
	eth(&f, 0x8847);
	for (int i = 0; i <= TLSFP_MAX_MPLS; i++)
		u32(&f, ((uint32_t)(i + 16) << 12) | (i == TLSFP_MAX_MPLS ? 0x100u : 0) | 64);
	ipv4(&f, 6, A4, B4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("mpls limit", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(MPLS_LIMIT));
	run_done(&r);

	/* Bottom of stack followed by nibble 9: not IP. */
	fb_init(&f);
	eth(&f, 0x8847);
	u32(&f, (5000u << 12) | 0x100 | 64);
	u32(&f, 0x90000000);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("mpls not ip", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(NOT_IP));
	run_done(&r);
}

/* Outer Ethernet (one tag, 100) / IPv4 A→B / GRE with the given flags,
 * protocol and 4-byte fields. */
static void
outer_gre(struct fb *f, uint16_t flags, uint16_t proto, int nfields)
{
	eth(f, 0x8100);
	vlan(f, 100, 0x0800);
	ipv4(f, 47, A4, B4, 0, 0);
	u16(f, flags);
	u16(f, proto);
	for (int i = 0; i < nfields; i++)
		u32(f, 0x11110000u + (uint32_t)i);
}

#define OUTER_GRE_LEN (18 + 20 + 4)

static void
inner_eth_vlan_ipv4_tcp(struct fb *f)
{
	eth(f, 0x8100);
	vlan(f, 200, 0x0800);
	ipv4(f, 6, C4, D4, 1, 0);
	tcp_hello(f);
}

#define INNER_LEN_TO_PAYLOAD (18 + 24 + 32)

static void
test_gre(void)
{
	struct fb f;
	struct run r;
	struct want w;

	/* IPv4 in GRE with a key; no outer tags this time. */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 47, A4, B4, 0, 0);
	u16(&f, 0x2000);
	u16(&f, 0x0800);
	u32(&f, 0xdeadbeef);
	ipv4(&f, 6, C4, D4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp4(C4, D4, 14 + 20 + 8 + 20 + 32);
	w.depth = 1;
	check_pkt("ipv4 in gre with key", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP), C(GRE));
	run_done(&r);

	/* Checksum + key + sequence, IPv6 inside, outer IPv6. */
	fb_init(&f);
	eth(&f, 0x86dd);
	ipv6(&f, 47, B6, A6);
	u16(&f, 0xb000);
	u16(&f, 0x86dd);
	u32(&f, 0);
	u32(&f, 1);
	u32(&f, 2);
	ipv6(&f, 6, A6, B6);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp6(14 + 40 + 16 + 40 + 32);
	w.depth = 1;
	check_pkt("ipv6 in gre c+k+s", &r, &w);
	COUNTERS(&r, C(IPV6), C(TCP), C(GRE));
	run_done(&r);

	/* Transparent Ethernet bridging. */
	fb_init(&f);
	outer_gre(&f, 0, 0x6558, 0);
	inner_eth_vlan_ipv4_tcp(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp4(C4, D4, OUTER_GRE_LEN + INNER_LEN_TO_PAYLOAD);
	w.depth = 1;
	w.nvlan = 1;
	w.vlan[0] = 100;
	check_pkt("gre teb", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP), C(GRE), C(VLAN));
	run_done(&r);

	/* Version 1 (PPTP) and the routing bit: unsupported. */
	static const uint16_t bad_flags[2] = {0x0001, 0x4000};
	for (int i = 0; i < 2; i++) {
		fb_init(&f);
		outer_gre(&f, bad_flags[i], 0x0800, 0);
		ipv4(&f, 6, C4, D4, 0, 0);
		tcp_hello(&f);
		fb_finish(&f);
		run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
		check_fail("gre unsupported flags", &r, TLSFP_DECODE_SKIP);
		COUNTERS(&r, C(GRE_UNSUPPORTED));
		run_done(&r);
	}

	/* Unknown protocol. */
	fb_init(&f);
	outer_gre(&f, 0, 0x0806, 0);
	zeros(&f, 28);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("gre unknown protocol", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(GRE_UNSUPPORTED));
	run_done(&r);

	/* Key flag set but the IP packet ends after the base header. */
	fb_init(&f);
	outer_gre(&f, 0x2000, 0x0800, 0);
	fb_finish(&f);
	zeros(&f, 4); /* Ethernet padding, not GRE */
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("gre short in ip", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(TUNNEL_BAD_HEADER));
	run_done(&r);

	/* IP-in-IP (protocol 4) and 6in4 (41). */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 41, A4, B4, 0, 0);
	ipv6(&f, 6, A6, B6);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp6(14 + 20 + 40 + 32);
	w.depth = 1;
	check_pkt("6in4", &r, &w);
	COUNTERS(&r, C(IPV6), C(TCP));
	run_done(&r);

	/* Tunnels nested to the limit (IPv4 in GRE, 3 times), then once more. */
	for (int n = TLSFP_MAX_TUNNEL_DEPTH; n <= TLSFP_MAX_TUNNEL_DEPTH + 1; n++) {
		fb_init(&f);
		eth(&f, 0x0800);
		for (int i = 0; i < n; i++) {
			ipv4(&f, 47, A4, B4, 0, 0);
			u16(&f, 0);
			u16(&f, 0x0800);
		}
		ipv4(&f, 6, C4, D4, 0, 0);
		tcp_hello(&f);
		fb_finish(&f);
		run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
		if (n == TLSFP_MAX_TUNNEL_DEPTH) {
			w = want_tcp4(C4, D4, 14 + 24 * (uint32_t)n + 20 + 32);
			w.depth = (uint8_t)n;
			check_pkt("gre nested to the limit", &r, &w);
			COUNTERS(&r, C(IPV4), C(TCP), C(GRE));
		} else {
			check_fail("gre nested beyond", &r, TLSFP_DECODE_SKIP);
			COUNTERS(&r, C(TUNNEL_LIMIT));
		}
		run_done(&r);
	}
}

static void
test_erspan(void)
{
	struct fb f;
	struct run r;
	struct want w;

	/* Type II: GRE with sequence number, 8-byte ERSPAN header (version 1,
	 * VLAN 200, session 5). Outer tag 100 reported, inner 200 not. */
	fb_init(&f);
	outer_gre(&f, 0x1000, 0x88be, 1);
	u16(&f, 0x1000 | 200);
	u16(&f, 0x0005);
	u32(&f, 0x00000001);
	inner_eth_vlan_ipv4_tcp(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp4(C4, D4, OUTER_GRE_LEN + 4 + 8 + INNER_LEN_TO_PAYLOAD);
	w.depth = 1;
	w.nvlan = 1;
	w.vlan[0] = 100;
	check_pkt("erspan ii", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP), C(VLAN), C(GRE), C(ERSPAN));
	run_done(&r);

	/* Same with version 2 in a type II header: unsupported. */
	f.b[OUTER_GRE_LEN + 4] = 0x20;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("erspan ii bad version", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(ERSPAN_UNSUPPORTED));
	run_done(&r);

	/* Type I: no sequence number, no ERSPAN header. */
	fb_init(&f);
	outer_gre(&f, 0, 0x88be, 0);
	inner_eth_vlan_ipv4_tcp(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp4(C4, D4, OUTER_GRE_LEN + INNER_LEN_TO_PAYLOAD);
	w.depth = 1;
	w.nvlan = 1;
	w.vlan[0] = 100;
	check_pkt("erspan i", &r, &w);
	COUNTERS(&r, C(IPV4), C(TCP), C(VLAN), C(GRE), C(ERSPAN));
	run_done(&r);

	/* Type III, without and with the platform-specific subheader. */
	for (int o = 0; o <= 1; o++) {
		fb_init(&f);
		outer_gre(&f, 0x1000, 0x22eb, 1);
		u16(&f, 0x2000 | 200);	     /* version 2, VLAN 200 */
		u16(&f, 0x0005);	     /* session 5 */
		u32(&f, 0x12345678);	     /* timestamp */
		u16(&f, 0x0000);	     /* SGT */
		u8(&f, 0x00 | 0x01);	     /* P 0, FT 0 (Ethernet), hw id high bits 01 */
		u8(&f, (uint8_t)(0x06 | o)); /* gra 11, O */
		if (o) {
			u32(&f, 0xaaaaaaaa);
			u32(&f, 0xbbbbbbbb);
		}
		inner_eth_vlan_ipv4_tcp(&f);
		fb_finish(&f);
		run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
		w = want_tcp4(C4, D4,
			      OUTER_GRE_LEN + 4 + 12 + 8 * (uint32_t)o + INNER_LEN_TO_PAYLOAD);
		w.depth = 1;
		w.nvlan = 1;
		w.vlan[0] = 100;
		check_pkt(o ? "erspan iii with subheader" : "erspan iii", &r, &w);
		COUNTERS(&r, C(IPV4), C(TCP), C(VLAN), C(GRE), C(ERSPAN));
		run_done(&r);
	}

	/* Type III carrying a type II version number: unsupported. */
	f.b[OUTER_GRE_LEN + 4] = 0x10;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("erspan iii bad version", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(ERSPAN_UNSUPPORTED));
	run_done(&r);
	f.b[OUTER_GRE_LEN + 4] = 0x20;

	/* Type III with frame type 2 (IP): not decoded. */
	f.b[OUTER_GRE_LEN + 4 + 10] = 0x08;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("erspan iii ft 2", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(ERSPAN_UNSUPPORTED));
	run_done(&r);
}

/* Ethernet / IPv4 / UDP → 4789 / VXLAN / Ethernet / IPv6 / TCP. */
static void
build_vxlan(struct fb *f)
{
	fb_init(f);
	eth(f, 0x0800);
	ipv4(f, 17, A4, B4, 0, 0);
	udp(f, 49152, 4789);
	vxlan(f, 42);
	eth(f, 0x86dd);
	ipv6(f, 6, A6, B6);
	tcp_hello(f);
	fb_finish(f);
}

#define VXLAN_PAYLOAD_OFF (14 + 20 + 8 + 8 + 14 + 40 + 32)

static void
test_vxlan_udp(void)
{
	struct fb f;
	struct run r;
	struct want w;

	build_vxlan(&f);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = want_tcp6(VXLAN_PAYLOAD_OFF);
	w.depth = 1;
	check_pkt("vxlan ipv6 tcp", &r, &w);
	COUNTERS(&r, C(IPV6), C(TCP), C(VXLAN));
	run_done(&r);

	/* I flag clear: the datagram is plain UDP to port 4789. */
	f.b[14 + 20 + 8] = 0x00;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = (struct want){.ipv = 4,
			  .l4 = 17,
			  .src = A4,
			  .dst = B4,
			  .sport = 49152,
			  .dport = 4789,
			  .payload_off = 42,
			  .payload_len = f.n - 42};
	check_pkt("udp 4789 without I flag", &r, &w);
	COUNTERS(&r, C(IPV4), C(UDP));
	run_done(&r);

	/* Plain UDP (a QUIC-looking datagram) with Ethernet padding. */
	fb_init(&f);
	eth(&f, 0x0800);
	ipv4(&f, 17, A4, B4, 0, 0);
	udp(&f, 55555, 443);
	u8(&f, 0xc3);
	fb_finish(&f);
	zeros(&f, 60 - f.n);
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	w = (struct want){.ipv = 4,
			  .l4 = 17,
			  .src = A4,
			  .dst = B4,
			  .sport = 55555,
			  .dport = 443,
			  .payload_off = 42,
			  .payload_len = 1};
	check_pkt("udp", &r, &w);
	COUNTERS(&r, C(IPV4), C(UDP));
	run_done(&r);

	/* UDP length beyond the IP packet. */
	f.b[14 + 20 + 5] = 200;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("udp length beyond ip", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(UDP_BAD_HEADER));
	run_done(&r);

	/* UDP length 7. */
	f.b[14 + 20 + 5] = 7;
	run(&r, &f, TLSFP_LINKTYPE_ETHERNET);
	check_fail("udp length 7", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(UDP_BAD_HEADER));
	run_done(&r);
}

/* Every prefix of the VXLAN frame: a failure is a truncation; an OK holds
 * exactly the captured part of the payload. */
static void
test_vxlan_prefixes(void)
{
	struct fb f;
	struct run r;
	int ok = 0;

	build_vxlan(&f);
	for (uint32_t n = 0; n <= f.n; n++) {
		int before = check_failures;
		run_n(&r, &f, n, TLSFP_LINKTYPE_ETHERNET);
		if (n < VXLAN_PAYLOAD_OFF) {
			check_fail("vxlan prefix", &r, TLSFP_DECODE_ERROR);
			COUNTERS(&r, C(TRUNCATED));
		} else {
			struct want w = want_tcp6(VXLAN_PAYLOAD_OFF);
			w.depth = 1;
			w.payload_len = n - VXLAN_PAYLOAD_OFF;
			w.truncated = n < f.n;
			check_pkt("vxlan prefix ok", &r, &w);
			COUNTERS(&r, C(IPV6), C(TCP), C(VXLAN));
			ok++;
		}
		if (check_failures != before)
			fprintf(stderr, "  ^ prefix length %u\n", n);
		run_done(&r);
	}
	CHECK_EQ_INT(ok, HELLO_LEN + 1);
}

static void
test_linktypes(void)
{
	struct fb f;
	struct run r;
	struct want w4 = want_tcp4(A4, B4, 0), w6 = want_tcp6(0);

	/* Linux cooked v1: outgoing, ARPHRD_ETHER, 6-byte address. */
	fb_init(&f);
	u16(&f, 4);
	u16(&f, 1);
	u16(&f, 6);
	zeros(&f, 8);
	u16(&f, 0x0800);
	ipv4(&f, 6, A4, B4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_LINUX_SLL);
	w4.payload_off = 16 + 20 + 32;
	check_pkt("sll", &r, &w4);
	COUNTERS(&r, C(IPV4), C(TCP));
	run_done(&r);

	/* Linux cooked v1 with a VLAN tag left in: reported. */
	fb_init(&f);
	u16(&f, 0);
	u16(&f, 1);
	u16(&f, 6);
	zeros(&f, 8);
	u16(&f, 0x8100);
	vlan(&f, 7, 0x0800);
	ipv4(&f, 6, A4, B4, 0, 0);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_LINUX_SLL);
	struct want wv = want_tcp4(A4, B4, 16 + 4 + 20 + 32);
	wv.nvlan = 1;
	wv.vlan[0] = 7;
	check_pkt("sll vlan", &r, &wv);
	COUNTERS(&r, C(IPV4), C(TCP), C(VLAN));
	run_done(&r);

	/* Linux cooked v2. */
	fb_init(&f);
	u16(&f, 0x86dd);
	u16(&f, 0);
	u32(&f, 3);
	u16(&f, 1);
	u8(&f, 0);
	u8(&f, 6);
	zeros(&f, 8);
	ipv6(&f, 6, A6, B6);
	tcp_hello(&f);
	fb_finish(&f);
	run(&r, &f, TLSFP_LINKTYPE_LINUX_SLL2);
	w6.payload_off = 20 + 40 + 32;
	check_pkt("sll2", &r, &w6);
	COUNTERS(&r, C(IPV6), C(TCP));
	run_done(&r);

	/* NULL/LOOP: AF_INET and each AF_INET6 in both byte orders. */
	static const uint32_t afs[4] = {2, 24, 28, 30};
	for (int lt = 0; lt < 2; lt++) {
		for (int i = 0; i < 4; i++) {
			for (int swap = 0; swap <= 1; swap++) {
				uint32_t af = swap ? __builtin_bswap32(afs[i]) : afs[i];
				fb_init(&f);
				u32(&f, af);
				if (i == 0)
					ipv4(&f, 6, A4, B4, 0, 0);
				else
					ipv6(&f, 6, A6, B6);
				tcp_hello(&f);
				fb_finish(&f);
				run(&r, &f, lt ? TLSFP_LINKTYPE_LOOP : TLSFP_LINKTYPE_NULL);
				if (i == 0) {
					w4.payload_off = 4 + 20 + 32;
					check_pkt("null ipv4", &r, &w4);
					COUNTERS(&r, C(IPV4), C(TCP));
				} else {
					w6.payload_off = 4 + 40 + 32;
					check_pkt("null ipv6", &r, &w6);
					COUNTERS(&r, C(IPV6), C(TCP));
				}
				run_done(&r);
			}
		}
	}

	/* NULL with AF 17 (not IP). */
	fb_init(&f);
	u32(&f, 17);
	zeros(&f, 20);
	run(&r, &f, TLSFP_LINKTYPE_NULL);
	check_fail("null other af", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(NOT_IP));
	run_done(&r);

	/* Raw IP under each of its link types. */
	static const int raw4[4] = {TLSFP_LINKTYPE_RAW, TLSFP_LINKTYPE_RAW_ALT1,
				    TLSFP_LINKTYPE_RAW_ALT2, TLSFP_LINKTYPE_IPV4};
	for (int i = 0; i < 4; i++) {
		fb_init(&f);
		ipv4(&f, 6, A4, B4, 0, 0);
		tcp_hello(&f);
		fb_finish(&f);
		run(&r, &f, raw4[i]);
		w4.payload_off = 20 + 32;
		check_pkt("raw ipv4", &r, &w4);
		COUNTERS(&r, C(IPV4), C(TCP));
		run_done(&r);
	}
	static const int raw6[2] = {TLSFP_LINKTYPE_RAW, TLSFP_LINKTYPE_IPV6};
	for (int i = 0; i < 2; i++) {
		fb_init(&f);
		ipv6(&f, 6, A6, B6);
		tcp_hello(&f);
		fb_finish(&f);
		run(&r, &f, raw6[i]);
		w6.payload_off = 40 + 32;
		check_pkt("raw ipv6", &r, &w6);
		COUNTERS(&r, C(IPV6), C(TCP));
		run_done(&r);
	}

	/* An IPv6 packet under LINKTYPE_IPV4 is a bad IPv4 header. */
	run(&r, &f, TLSFP_LINKTYPE_IPV4);
	check_fail("ipv6 as ipv4", &r, TLSFP_DECODE_ERROR);
	COUNTERS(&r, C(IPV4_BAD_HEADER));
	run_done(&r);

	/* Raw with version nibble 5. */
	f.b[0] = 0x50;
	run(&r, &f, TLSFP_LINKTYPE_RAW);
	check_fail("raw nibble 5", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(NOT_IP));
	run_done(&r);

	/* Empty frames of every supported link type are truncated. */
	static const int all[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		CHECK_EQ_INT(tlsfp_linktype_supported(all[i]), 1);
		run_n(&r, &f, 0, all[i]);
		check_fail("empty frame", &r, TLSFP_DECODE_ERROR);
		COUNTERS(&r, C(TRUNCATED));
		run_done(&r);
	}

	/* Unknown link type. */
	CHECK_EQ_INT(tlsfp_linktype_supported(105), 0);
	CHECK_EQ_INT(tlsfp_linktype_supported(-1), 0);
	run(&r, &f, 105);
	check_fail("unknown linktype", &r, TLSFP_DECODE_SKIP);
	COUNTERS(&r, C(UNKNOWN_LINKTYPE));
	run_done(&r);
}

/* Random corruptions of the tunnelled frames: the contract checks in
 * run_n() hold for every one (and ASan watches the reads). */
static void
test_corruptions(void)
{
	struct fb frames[4];
	uint32_t seed = 0x12345678;
	uint64_t outcomes[3] = {0, 0, 0};

	build_vxlan(&frames[0]);
	fb_init(&frames[1]);
	outer_gre(&frames[1], 0x1000, 0x22eb, 1);
	u32(&frames[1], 0x200000c8);
	zeros(&frames[1], 7);
	u8(&frames[1], 1);
	zeros(&frames[1], 8);
	inner_eth_vlan_ipv4_tcp(&frames[1]);
	fb_finish(&frames[1]);
	fb_init(&frames[2]);
	eth(&frames[2], 0x8847);
	u32(&frames[2], 0x100);
	u32(&frames[2], 0);
	inner_eth_vlan_ipv4_tcp(&frames[2]);
	fb_finish(&frames[2]);
	fb_init(&frames[3]);
	eth(&frames[3], 0x86dd);
	ipv6(&frames[3], 0, A6, B6);
	ipv6_opts8(&frames[3], 44);
	ipv6_frag(&frames[3], 47, 0, false);
	u16(&frames[3], 0);
	u16(&frames[3], 0x0800);
	ipv4(&frames[3], 17, C4, D4, 0, 0);
	udp(&frames[3], 1, 4789);
	vxlan(&frames[3], 1);
	eth(&frames[3], 0x0800);
	ipv4(&frames[3], 6, A4, B4, 0, 0);
	tcp_hello(&frames[3]);
	fb_finish(&frames[3]);

	for (int it = 0; it < 40000; it++) {
		struct fb f = frames[it % 4];
		struct run r;
		int flips = 1 + (int)((seed >> 8) % 4);
		for (int k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			uint32_t pos = (seed >> 8) % f.n;
			seed = seed * 1103515245u + 12345u;
			f.b[pos] = (uint8_t)(seed >> 16);
		}
		seed = seed * 1103515245u + 12345u;
		uint32_t len = (seed >> 4) % 3 ? f.n : (seed >> 8) % (f.n + 1);
		int before = check_failures;
		run_n(&r, &f, len, TLSFP_LINKTYPE_ETHERNET);
		outcomes[r.res]++;
		run_done(&r);
		if (check_failures != before) {
			fprintf(stderr, "  ^ corruption iteration %d\n", it);
			break;
		}
	}
	/* Enough of each outcome that the walk was exercised. */
	CHECK(outcomes[TLSFP_DECODE_OK] > 1000);
	CHECK(outcomes[TLSFP_DECODE_SKIP] > 1000);
	CHECK(outcomes[TLSFP_DECODE_ERROR] > 1000);
}

int
main(void)
{
	test_eth_ipv4_tcp();
	test_ipv4_errors();
	test_ipv6();
	test_vlan();
	test_vlan_in_tunnel();
	test_mpls();
	test_gre();
	test_erspan();
	test_vxlan_udp();
	test_vxlan_prefixes();
	test_linktypes();
	test_corruptions();
	return check_exit("test_decode");
}
