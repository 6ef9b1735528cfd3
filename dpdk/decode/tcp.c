/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP (RFC 9293): the fixed header, the data offset (options are skipped,
 * nothing downstream needs them), and the payload up to the IP length.
 */
#include "decode_int.h"

#define TCP_MIN_HLEN 20

static DEC_HOT enum dec_layer
dec_tcp(struct dec_state *s)
{
	const uint8_t *h = s->r.p;
	if (DEC_UNLIKELY(s->r.len < TCP_MIN_HLEN))
		return dec_short(s, TLSFP_CTR_DEC_TCP_BAD_HEADER);
	uint32_t doff = (uint32_t)(h[12] >> 4) * 4;
	if (DEC_UNLIKELY(doff < TCP_MIN_HLEN))
		return dec_fail(s, TLSFP_CTR_DEC_TCP_BAD_HEADER, DL_ERROR);
	if (DEC_UNLIKELY(doff > s->r.len))
		return dec_short(s, TLSFP_CTR_DEC_TCP_BAD_HEADER);
	dec_consume(s, doff);
	dec_fill(s, IPPROTO_N_TCP, h);
	s->out->seq = tlsfp_load_be32(h + 4);
	s->out->ack = tlsfp_load_be32(h + 8);
	s->out->tcp_flags = h[13];
	return DL_OK;
}
