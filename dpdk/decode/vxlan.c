/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN (RFC 7348) on UDP destination port 4789: flags(8) with I (0x08)
 * marking a valid VNI, reserved(24), VNI(24), reserved(8), then Ethernet.
 *
 * Called with the window at the UDP payload. Returns DL_UDP when the
 * payload is not a VXLAN header (too short or I clear): the port is only a
 * hint, and such a datagram is reported as the plain UDP it is. When the
 * capture ends inside the 8 header bytes nothing can be said: truncated.
 */
#include "decode_int.h"

#define VXLAN_HLEN 8
#define VXLAN_FLAG_I 0x08

static enum dec_layer
dec_vxlan(struct dec_state *s)
{
	if (s->r.len < VXLAN_HLEN)
		return s->cut ? dec_fail(s, TLSFP_CTR_DEC_TRUNCATED, DL_ERROR) : DL_UDP;
	if (!(s->r.p[0] & VXLAN_FLAG_I))
		return DL_UDP;
	dec_consume(s, VXLAN_HLEN);
	s->seen |= SEEN_VXLAN;
	return dec_tunnel(s, DL_ETH);
}
