/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 802.1Q / 802.1ad VLAN tags (ethertypes 0x8100, 0x88a8 and the pre-standard
 * QinQ 0x9100), stacked up to TLSFP_MAX_VLANS per link-layer header. The tags
 * of the outermost link-layer header are reported, outer first; tags of an
 * Ethernet header inside a tunnel are decoded but not reported.
 */
#include "decode_int.h"

#define VLAN_HLEN 4 /* TCI, then the next ethertype */

static enum dec_layer
dec_vlan(struct dec_state *s)
{
	if (s->r.len < VLAN_HLEN)
		return dec_short_l2(s);
	if (s->l2_vlans >= TLSFP_MAX_VLANS)
		return dec_fail(s, TLSFP_CTR_DEC_VLAN_LIMIT, DL_SKIP);
	uint16_t vid = tlsfp_load_be16(s->r.p) & 0x0fff;
	uint16_t type = tlsfp_load_be16(s->r.p + 2);
	if (s->l2_count == 1 && s->vlan_count < TLSFP_MAX_VLANS)
		s->vlan[s->vlan_count++] = vid;
	s->l2_vlans++;
	s->seen |= SEEN_VLAN;
	dec_consume(s, VLAN_HLEN);
	return dec_ethertype(s, type);
}
