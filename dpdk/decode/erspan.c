/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ERSPAN headers (draft-foschiano-erspan) after GRE; the mirrored Ethernet
 * frame follows them. The original VLAN field is not reported: vlan[] holds
 * the tags of the outermost Ethernet header.
 *
 * Type II, 8 bytes: ver(4)=1 vlan(12) cos(3) en(2) t(1) session(10),
 *   reserved(12) index(20).
 * Type III, 12 bytes: ver(4)=2 vlan(12) cos(3) bso(2) t(1) session(10),
 *   timestamp(32), sgt(16) p(1) ft(5) hw_id(6) d(1) gra(2) o(1); when o is
 *   set an 8-byte platform-specific subheader follows. Only frame type 0
 *   (Ethernet) is decoded.
 */
#include "decode_int.h"

#define ERSPAN2_HLEN 8
#define ERSPAN2_VERSION 1
#define ERSPAN3_HLEN 12
#define ERSPAN3_VERSION 2
#define ERSPAN3_PLATFORM_LEN 8
#define ERSPAN3_FT_ETHERNET 0

static enum dec_layer
dec_erspan2(struct dec_state *s)
{
	if (s->r.len < ERSPAN2_HLEN)
		return dec_short(s, TLSFP_CTR_DEC_TUNNEL_BAD_HEADER);
	if ((s->r.p[0] >> 4) != ERSPAN2_VERSION)
		return dec_fail(s, TLSFP_CTR_DEC_ERSPAN_UNSUPPORTED, DL_SKIP);
	dec_consume(s, ERSPAN2_HLEN);
	s->seen |= SEEN_ERSPAN;
	return DL_ETH;
}

static enum dec_layer
dec_erspan3(struct dec_state *s)
{
	const uint8_t *h = s->r.p;
	if (s->r.len < ERSPAN3_HLEN)
		return dec_short(s, TLSFP_CTR_DEC_TUNNEL_BAD_HEADER);
	uint32_t ft = (h[10] >> 2) & 0x1f;
	if ((h[0] >> 4) != ERSPAN3_VERSION || ft != ERSPAN3_FT_ETHERNET)
		return dec_fail(s, TLSFP_CTR_DEC_ERSPAN_UNSUPPORTED, DL_SKIP);
	uint32_t hlen = ERSPAN3_HLEN + ((h[11] & 0x01) ? ERSPAN3_PLATFORM_LEN : 0);
	if (s->r.len < hlen)
		return dec_short(s, TLSFP_CTR_DEC_TUNNEL_BAD_HEADER);
	dec_consume(s, hlen);
	s->seen |= SEEN_ERSPAN;
	return DL_ETH;
}
