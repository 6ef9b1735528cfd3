/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 (RFC 8200) and its extension headers: hop-by-hop options (0),
 * routing (43), fragment (44), destination options (60) and the
 * authentication header (51, RFC 4302), at most TLSFP_MAX_IPV6_EXT of them.
 * ESP (50), "no next header" (59) and anything else end the walk as
 * DEC_OTHER_L4. A non-first fragment is skipped (DEC_IPV6_FRAGMENT); a first
 * fragment is decoded and its payload reported as truncated.
 */
#include "decode_int.h"

#define IPV6_HLEN 40
#define IPV6_FRAG_HLEN 8
#define IPV6_FRAG_OFFSET_MASK 0xfff8
#define IPV6_FRAG_M 0x0001

static inline bool
ipv6_is_ext(uint8_t next)
{
	return next == IPPROTO_N_HOPOPTS || next == IPPROTO_N_ROUTING ||
	       next == IPPROTO_N_FRAGMENT || next == IPPROTO_N_DSTOPTS || next == IPPROTO_N_AH;
}

static enum dec_layer
dec_ipv6(struct dec_state *s)
{
	const uint8_t *h = s->r.p;
	if (DEC_UNLIKELY(s->r.len < IPV6_HLEN))
		return dec_short(s, TLSFP_CTR_DEC_IPV6_BAD_HEADER);
	if (DEC_UNLIKELY((h[0] >> 4) != 6))
		return dec_fail(s, TLSFP_CTR_DEC_IPV6_BAD_HEADER, DL_ERROR);
	/* A zero payload length with a jumbo payload option (RFC 2675) is
	 * not supported: it then reads as an empty packet. */
	if (DEC_UNLIKELY(!dec_window(s, IPV6_HLEN + (uint32_t)tlsfp_load_be16(h + 4))))
		return dec_fail(s, TLSFP_CTR_DEC_IPV6_BAD_HEADER, DL_ERROR);
	s->ip_version = 6;
	s->src = h + 8;
	s->dst = h + 24;
	dec_consume(s, IPV6_HLEN);

	uint8_t next = h[6];
	for (unsigned int n = 0;; n++) {
		if (!ipv6_is_ext(next))
			return dec_ip_proto(s, next);
		if (n == TLSFP_MAX_IPV6_EXT)
			return dec_fail(s, TLSFP_CTR_DEC_IPV6_EXT_LIMIT, DL_SKIP);
		/* Every extension header starts next header, length. */
		if (s->r.len < 2)
			return dec_short(s, TLSFP_CTR_DEC_IPV6_BAD_HEADER);
		uint32_t len;
		if (next == IPPROTO_N_FRAGMENT) {
			if (s->r.len < IPV6_FRAG_HLEN)
				return dec_short(s, TLSFP_CTR_DEC_IPV6_BAD_HEADER);
			uint16_t off = tlsfp_load_be16(s->r.p + 2);
			if (off & IPV6_FRAG_OFFSET_MASK)
				return dec_fail(s, TLSFP_CTR_DEC_IPV6_FRAGMENT, DL_SKIP);
			if (off & IPV6_FRAG_M)
				s->cut = true;
			len = IPV6_FRAG_HLEN;
		} else if (next == IPPROTO_N_AH) {
			len = ((uint32_t)s->r.p[1] + 2) * 4;
		} else {
			len = ((uint32_t)s->r.p[1] + 1) * 8;
		}
		if (s->r.len < len)
			return dec_short(s, TLSFP_CTR_DEC_IPV6_BAD_HEADER);
		next = s->r.p[0];
		dec_consume(s, len);
	}
}
