/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the decode module: the walk state shared by the layer files.
 *
 * decode.c includes every layer file into one translation unit (see the
 * comment there), so all layer functions are static and the compiler sees
 * the whole Ethernet → IP → TCP path at once. This header declares them so
 * the include order of the layer files does not matter.
 *
 * Each layer function has the same shape: the current header starts at
 * s->r.p and at most s->r.len bytes belong to it and what it carries; check
 * the length first, read the fields, consume the header, return the next
 * layer to decode or a terminal (DL_OK/DL_SKIP/DL_ERROR). A layer that
 * returns DL_SKIP or DL_ERROR has counted exactly one DEC_* reason; a layer
 * that returns DL_OK has filled `out`. Nothing else writes `out`.
 */
#ifndef TLSFP_DECODE_INT_H
#define TLSFP_DECODE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tlsfp/counters.h"
#include "tlsfp/decode.h"
#include "tlsfp/reader.h"

#define DEC_LIKELY(x) __builtin_expect(!!(x), 1)
#define DEC_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Layers of the common path (Ethernet, IPv4, TCP): inlined into both the
 * straight-line fast path and the general walk of tlsfp_decode(). */
#define DEC_HOT inline __attribute__((always_inline))

/* Ethertypes (also GRE protocol types). */
#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define ETH_P_TEB 0x6558     /* transparent Ethernet bridging (GRE) */
#define ETH_P_ERSPAN 0x88be  /* ERSPAN type I and II (GRE) */
#define ETH_P_ERSPAN3 0x22eb /* ERSPAN type III (GRE) */

#define IPPROTO_N_HOPOPTS 0
#define IPPROTO_N_IPIP 4
#define IPPROTO_N_TCP 6
#define IPPROTO_N_UDP 17
#define IPPROTO_N_IPV6 41
#define IPPROTO_N_ROUTING 43
#define IPPROTO_N_FRAGMENT 44
#define IPPROTO_N_GRE 47
#define IPPROTO_N_AH 51
#define IPPROTO_N_DSTOPTS 60

#define VXLAN_UDP_PORT 4789

/* What to decode next; the first three end the walk. */
enum dec_layer {
	DL_OK = 0,
	DL_SKIP,
	DL_ERROR,
	DL_ETH,
	DL_VLAN,
	DL_MPLS,
	DL_IPV4,
	DL_IPV6,
	DL_TCP,
	DL_UDP,
	DL_GRE,
	DL_ERSPAN2,
	DL_ERSPAN3,
};

/* Encapsulations a packet carried; each counted once per OK packet. */
#define SEEN_VLAN 0x01
#define SEEN_MPLS 0x02
#define SEEN_GRE 0x04
#define SEEN_ERSPAN 0x08
#define SEEN_VXLAN 0x10

struct dec_state {
	/* The current header and everything after it that belongs to it:
	 * captured bytes, cut down to what the innermost length field
	 * (IP total/payload length, UDP length) says. */
	struct tlsfp_reader r;
	/* The window ends short of what a length field claims: the capture
	 * was truncated, or the IP packet is a first fragment. A header that
	 * does not fit is then DEC_TRUNCATED rather than malformed. Before
	 * any length field is seen the window ends at the capture's end. */
	bool cut;
	uint8_t depth;	    /* tunnels entered */
	uint8_t l2_count;   /* link-layer headers seen; 1 = outermost */
	uint8_t l2_vlans;   /* tags in the current link-layer header */
	uint8_t vlan_count; /* tags of the outermost link-layer header */
	uint8_t seen;	    /* SEEN_* */
	uint8_t ip_version; /* of the innermost IP header so far */
	const uint8_t *src, *dst;
	uint16_t vlan[TLSFP_MAX_VLANS];
	struct tlsfp_packet *out;
	struct tlsfp_counters *ctr;
};

static inline void
dec_consume(struct dec_state *s, uint32_t n)
{
	/* Callers have checked n <= s->r.len. */
	s->r.p += n;
	s->r.len -= n;
}

/* Count one failure reason and end the walk. */
static inline enum dec_layer
dec_fail(struct dec_state *s, enum tlsfp_counter reason, enum dec_layer result)
{
	s->ctr->v[reason]++;
	return result;
}

/* A header does not fit in the window: truncated capture when the window
 * was cut short, otherwise the header (or its carrier's length) is bad. */
static inline enum dec_layer
dec_short(struct dec_state *s, enum tlsfp_counter bad)
{
	return dec_fail(s, s->cut ? TLSFP_CTR_DEC_TRUNCATED : bad, DL_ERROR);
}

/* A length field says the current header and what it carries take
 * `claimed` bytes: narrow the window to them (dropping Ethernet padding).
 * When fewer are there, keep the window if the capture cut it short;
 * false if the field claims more than its carrier holds (malformed). */
static inline bool
dec_window(struct dec_state *s, uint32_t claimed)
{
	if (DEC_LIKELY(claimed <= s->r.len)) {
		s->r.len = claimed;
		s->cut = false;
		return true;
	}
	return s->cut;
}

/* A link-layer header (Ethernet, VLAN tag, MPLS label) does not fit: only
 * the capture can cut the outermost one short; inside a tunnel the
 * carrier's length is wrong. */
static inline enum dec_layer
dec_short_l2(struct dec_state *s)
{
	return dec_short(s, s->depth ? TLSFP_CTR_DEC_TUNNEL_BAD_HEADER : TLSFP_CTR_DEC_TRUNCATED);
}

/* Enter one more tunnel (GRE, VXLAN, IP-in-IP, an MPLS Ethernet pseudowire)
 * or stop at the limit. */
static inline enum dec_layer
dec_tunnel(struct dec_state *s, enum dec_layer inner)
{
	if (DEC_UNLIKELY(s->depth >= TLSFP_MAX_TUNNEL_DEPTH))
		return dec_fail(s, TLSFP_CTR_DEC_TUNNEL_LIMIT, DL_SKIP);
	s->depth++;
	return inner;
}

/* linktype.c */
static enum dec_layer dec_linktype(struct dec_state *s, int linktype);
static enum dec_layer dec_ip_by_nibble(struct dec_state *s);
/* eth.c */
static enum dec_layer dec_eth(struct dec_state *s);
static void dec_l2_start(struct dec_state *s);
static enum dec_layer dec_ethertype(struct dec_state *s, uint16_t type);
/* vlan.c */
static enum dec_layer dec_vlan(struct dec_state *s);
/* mpls.c */
static enum dec_layer dec_mpls(struct dec_state *s);
/* ipv4.c, ipv6.c */
static enum dec_layer dec_ipv4(struct dec_state *s);
static enum dec_layer dec_ipv6(struct dec_state *s);
static enum dec_layer dec_ip_proto(struct dec_state *s, uint8_t proto);
/* tcp.c, udp.c */
static enum dec_layer dec_tcp(struct dec_state *s);
static enum dec_layer dec_udp(struct dec_state *s);
/* gre.c, erspan.c, vxlan.c */
static enum dec_layer dec_gre(struct dec_state *s);
static enum dec_layer dec_erspan2(struct dec_state *s);
static enum dec_layer dec_erspan3(struct dec_state *s);
static enum dec_layer dec_vxlan(struct dec_state *s);
/* decode.c */
static void dec_fill(struct dec_state *s, uint8_t l4proto, const uint8_t *l4);

#endif /* TLSFP_DECODE_INT_H */
