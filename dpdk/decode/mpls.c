/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MPLS label stacks (ethertypes 0x8847/0x8848, GRE protocol 0x8847).
 *
 * A label stack entry is label(20) TC(3) S(1) TTL(8); S marks the bottom of
 * the stack. Nothing says what follows it, so it is guessed the usual way
 * from the first nibble: 4 IPv4, 6 IPv6, 0 a pseudowire control word
 * (RFC 4385: four bytes starting 0000) followed by an Ethernet frame.
 * An Ethernet pseudowire without a control word is not recognised.
 */
#include "decode_int.h"

#define MPLS_LSE_LEN 4
#define MPLS_BOS 0x00000100u
#define MPLS_PW_CW_LEN 4

static enum dec_layer
dec_mpls(struct dec_state *s)
{
	unsigned int labels = 0;
	for (;;) {
		if (s->r.len < MPLS_LSE_LEN)
			return dec_short_l2(s);
		if (labels == TLSFP_MAX_MPLS)
			return dec_fail(s, TLSFP_CTR_DEC_MPLS_LIMIT, DL_SKIP);
		uint32_t lse = tlsfp_load_be32(s->r.p);
		dec_consume(s, MPLS_LSE_LEN);
		labels++;
		if (lse & MPLS_BOS)
			break;
	}
	s->seen |= SEEN_MPLS;
	if (s->r.len < 1)
		return dec_short(s, TLSFP_CTR_DEC_NOT_IP);
	if ((s->r.p[0] >> 4) != 0)
		return dec_ip_by_nibble(s);
	/* Control word, then Ethernet: an L2VPN, bounded like a tunnel so
	 * that pseudowires nested in pseudowires cannot go on forever. */
	if (s->r.len < MPLS_PW_CW_LEN)
		return dec_short(s, TLSFP_CTR_DEC_NOT_IP);
	dec_consume(s, MPLS_PW_CW_LEN);
	return dec_tunnel(s, DL_ETH);
}
