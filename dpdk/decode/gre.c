/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GRE (RFC 2784 with the key and sequence number of RFC 2890).
 *
 * Flags: C(0x8000) checksum+reserved present, R(0x4000), K(0x2000) key
 * present, S(0x1000) sequence number present, s(0x0800) and recursion
 * (0x0700) from RFC 1701, version (0x0007). R, s, recursion or a version
 * other than 0 (1 is PPTP's enhanced GRE) are not supported. Each of C, K,
 * S adds 4 bytes. The protocol type says what follows: IPv4, IPv6, MPLS,
 * Ethernet (0x6558), or an ERSPAN session (0x88be type I/II, 0x22eb type
 * III); ERSPAN type I is GRE without a sequence number and no ERSPAN header.
 */
#include "decode_int.h"

#define GRE_MIN_HLEN 4
#define GRE_F_C 0x8000
#define GRE_F_K 0x2000
#define GRE_F_S 0x1000
#define GRE_F_UNSUPPORTED 0x4f07 /* R, s, recursion, version */

static enum dec_layer
dec_gre(struct dec_state *s)
{
	if (s->r.len < GRE_MIN_HLEN)
		return dec_short(s, TLSFP_CTR_DEC_TUNNEL_BAD_HEADER);
	uint16_t flags = tlsfp_load_be16(s->r.p);
	uint16_t proto = tlsfp_load_be16(s->r.p + 2);
	if (flags & GRE_F_UNSUPPORTED)
		return dec_fail(s, TLSFP_CTR_DEC_GRE_UNSUPPORTED, DL_SKIP);
	uint32_t hlen = GRE_MIN_HLEN + ((flags & GRE_F_C) ? 4 : 0) + ((flags & GRE_F_K) ? 4 : 0) +
			((flags & GRE_F_S) ? 4 : 0);
	if (s->r.len < hlen)
		return dec_short(s, TLSFP_CTR_DEC_TUNNEL_BAD_HEADER);
	dec_consume(s, hlen);
	s->seen |= SEEN_GRE;
	switch (proto) {
	case ETH_P_IPV4:
		return dec_tunnel(s, DL_IPV4);
	case ETH_P_IPV6:
		return dec_tunnel(s, DL_IPV6);
	case ETH_P_TEB:
		return dec_tunnel(s, DL_ETH);
	case ETH_P_MPLS_UC:
	case ETH_P_MPLS_MC:
		return dec_tunnel(s, DL_MPLS);
	case ETH_P_ERSPAN:
		if (flags & GRE_F_S)
			return dec_tunnel(s, DL_ERSPAN2);
		s->seen |= SEEN_ERSPAN; /* type I: the mirrored frame follows */
		return dec_tunnel(s, DL_ETH);
	case ETH_P_ERSPAN3:
		return dec_tunnel(s, DL_ERSPAN3);
	default:
		return dec_fail(s, TLSFP_CTR_DEC_GRE_UNSUPPORTED, DL_SKIP);
	}
}
