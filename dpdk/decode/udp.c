/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP (RFC 768): the length field bounds the payload (a length beyond what
 * the IP packet holds is malformed unless the capture or a fragment cut the
 * packet short). Destination port 4789 is offered to VXLAN first.
 */
#include "decode_int.h"

#define UDP_HLEN 8

static enum dec_layer
dec_udp(struct dec_state *s)
{
	const uint8_t *h = s->r.p;
	if (DEC_UNLIKELY(s->r.len < UDP_HLEN))
		return dec_short(s, TLSFP_CTR_DEC_UDP_BAD_HEADER);
	uint32_t ulen = tlsfp_load_be16(h + 4);
	if (DEC_UNLIKELY(ulen < UDP_HLEN || !dec_window(s, ulen)))
		return dec_fail(s, TLSFP_CTR_DEC_UDP_BAD_HEADER, DL_ERROR);
	dec_consume(s, UDP_HLEN);
	if (tlsfp_load_be16(h + 2) == VXLAN_UDP_PORT) {
		enum dec_layer next = dec_vxlan(s);
		if (next != DL_UDP)
			return next;
	}
	dec_fill(s, IPPROTO_N_UDP, h);
	s->out->seq = 0;
	s->out->ack = 0;
	s->out->tcp_flags = 0;
	return DL_OK;
}
