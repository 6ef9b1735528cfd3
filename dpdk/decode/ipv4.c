/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 (RFC 791) and the IP protocol dispatch shared with IPv6.
 *
 * The header checksum is not verified: mirror ports and capture points
 * deliver packets whose checksums were left to NIC offload, and a wrong
 * checksum does not change what the bytes say.
 *
 * Fragments: a non-first fragment carries no L4 header and is skipped
 * (DEC_IPV4_FRAGMENT); a first fragment with MF set is decoded as far as
 * it goes — its payload starts with the L4 header — and reported with
 * payload_truncated, since the rest of the L4 segment is in later fragments.
 */
#include "decode_int.h"

#define IPV4_MIN_HLEN 20
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff

static enum dec_layer
dec_ip_proto(struct dec_state *s, uint8_t proto)
{
	switch (proto) {
	case IPPROTO_N_TCP:
		return DL_TCP;
	case IPPROTO_N_UDP:
		return DL_UDP;
	case IPPROTO_N_GRE:
		return DL_GRE;
	case IPPROTO_N_IPIP:
		return dec_tunnel(s, DL_IPV4);
	case IPPROTO_N_IPV6:
		return dec_tunnel(s, DL_IPV6);
	default:
		return dec_fail(s, TLSFP_CTR_DEC_OTHER_L4, DL_SKIP);
	}
}

static DEC_HOT enum dec_layer
dec_ipv4(struct dec_state *s)
{
	const uint8_t *h = s->r.p;
	if (DEC_UNLIKELY(s->r.len < IPV4_MIN_HLEN))
		return dec_short(s, TLSFP_CTR_DEC_IPV4_BAD_HEADER);
	uint32_t hlen = (uint32_t)(h[0] & 0x0f) * 4;
	uint32_t total = tlsfp_load_be16(h + 2);
	if (DEC_UNLIKELY((h[0] >> 4) != 4 || hlen < IPV4_MIN_HLEN || total < hlen))
		return dec_fail(s, TLSFP_CTR_DEC_IPV4_BAD_HEADER, DL_ERROR);
	if (DEC_UNLIKELY(!dec_window(s, total)))
		return dec_fail(s, TLSFP_CTR_DEC_IPV4_BAD_HEADER, DL_ERROR);
	if (DEC_UNLIKELY(hlen > s->r.len)) /* options cut by the capture */
		return dec_short(s, TLSFP_CTR_DEC_IPV4_BAD_HEADER);
	uint16_t frag = tlsfp_load_be16(h + 6);
	if (DEC_UNLIKELY(frag & (IPV4_OFFSET_MASK | IPV4_MF))) {
		if (frag & IPV4_OFFSET_MASK)
			return dec_fail(s, TLSFP_CTR_DEC_IPV4_FRAGMENT, DL_SKIP);
		s->cut = true;
	}
	s->ip_version = 4;
	s->src = h + 12;
	s->dst = h + 16;
	dec_consume(s, hlen);
	uint8_t proto = h[9];
	if (DEC_LIKELY(proto == IPPROTO_N_TCP))
		return DL_TCP;
	return dec_ip_proto(s, proto);
}
