/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet II and the ethertype dispatch shared by every link layer.
 */
#include "decode_int.h"

#define ETH_HLEN 14
#define ETH_MIN_TYPE 0x0600 /* below: an 802.3 length, LLC follows */

/* A new link-layer header begins: its VLAN tags are counted afresh and
 * only the first one's tags are reported. */
static inline void
dec_l2_start(struct dec_state *s)
{
	s->l2_count++;
	s->l2_vlans = 0;
}

static enum dec_layer
dec_ethertype(struct dec_state *s, uint16_t type)
{
	switch (type) {
	case ETH_P_IPV4:
		return DL_IPV4;
	case ETH_P_IPV6:
		return DL_IPV6;
	case ETH_P_8021Q:
	case ETH_P_8021AD:
	case ETH_P_QINQ_OLD:
		return DL_VLAN;
	case ETH_P_MPLS_UC:
	case ETH_P_MPLS_MC:
		return DL_MPLS;
	default:
		/* ARP, LLDP, 802.3/LLC (type < 0x0600), ...: not ours. */
		return dec_fail(s, TLSFP_CTR_DEC_NOT_IP, DL_SKIP);
	}
}

static DEC_HOT enum dec_layer
dec_eth(struct dec_state *s)
{
	if (DEC_UNLIKELY(s->r.len < ETH_HLEN))
		return dec_short_l2(s);
	uint16_t type = tlsfp_load_be16(s->r.p + 12);
	dec_l2_start(s);
	dec_consume(s, ETH_HLEN);
	if (DEC_LIKELY(type == ETH_P_IPV4))
		return DL_IPV4;
	return dec_ethertype(s, type);
}
