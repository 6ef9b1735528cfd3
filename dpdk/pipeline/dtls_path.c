/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS over UDP, on any port, recognised by content: the first ClientHello
 * and the ServerHello of a flow, each reassembled from its handshake
 * fragments, which may be spread over records and datagrams and arrive in
 * any order or more than once.
 *
 * A direction's stream buffer holds the message in the TLS form the parsers
 * take: a 4-byte header (type, u24 body length) built from the fragment
 * header at offset 0, then fragment bytes at 4 + fragment_offset. The first
 * fragment of the wanted type picks the message (its message_seq and
 * length, kept in the direction's base_seq and walk_off); fragments of any
 * other message are ignored. So a retransmitted ClientHello fills the same
 * bytes, and the second ClientHello sent after a HelloVerifyRequest (a new
 * message_seq, with the cookie) is not fingerprinted, like TLS's second
 * ClientHello after a HelloRetryRequest. The server's HelloVerifyRequest is
 * counted and passed over: the record waits for the ServerHello.
 *
 * Entries only for flows whose first datagram carries a ClientHello
 * fragment; the record is written at the ServerHello (else on timeout or
 * flush), then the entry stays LIGHT to absorb retransmissions.
 */
#include "pipeline/pipeline_internal.h"
#include "pipeline/record_fill.h"

#define HS_HEADER 4 /* handshake type (1) + length (3), TLS form */

/* The direction's chosen message, if whole, to the handshake step. */
static enum tlsfp_pl_outcome
take_if_complete(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, uint64_t ts)
{
	struct tlsfp_flow_dir *ds = &f->dir[d];
	uint32_t need = HS_HEADER + ds->walk_off;

	if (tlsfp_sb_contiguous(&ds->sb) < need)
		return TLSFP_PL_KEEP;
	switch (tlsfp_pl_handshake(p, f, d, ds->sb.data, need, ts)) {
	case TLSFP_PL_HS_DONE:
		return TLSFP_PL_KEEP;
	case TLSFP_PL_HS_RETRY:
		/* A DTLS 1.3 HelloRetryRequest: the ServerHello that follows
		 * is another message; look for it afresh. */
		tlsfp_sb_release(&p->pool, &ds->sb);
		ds->base_valid = 0;
		ds->reasm = 0;
		return TLSFP_PL_KEEP;
	case TLSFP_PL_HS_FAILED:
	default:
		return tlsfp_pl_dir_fail(p, f, d);
	}
}

/* Choose the message fr belongs to as the direction's hello. */
static enum tlsfp_pl_outcome
choose(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d,
       const struct tlsfp_dtls_fragment *fr)
{
	struct tlsfp_flow_dir *ds = &f->dir[d];
	uint8_t hdr[HS_HEADER] = {fr->msg_type, (uint8_t)(fr->msg_len >> 16),
				  (uint8_t)(fr->msg_len >> 8), (uint8_t)fr->msg_len};

	if ((uint64_t)HS_HEADER + fr->msg_len > p->cfg.hello_max_bytes) {
		TLSFP_COUNT(&p->ctr, DTLS_HANDSHAKE_OVERFLOW);
		return tlsfp_pl_dir_fail(p, f, d);
	}
	if (ds->sb.data == NULL && tlsfp_sb_acquire(&p->pool, &ds->sb) != 0) {
		TLSFP_COUNT(&p->ctr, REASM_NO_MEMORY);
		return tlsfp_pl_dir_fail(p, f, d);
	}
	ds->base_seq = fr->message_seq;
	ds->walk_off = fr->msg_len;
	ds->base_valid = 1;
	ds->started = 1;
	/* An empty buffer with cap >= MIN_HELLO_BYTES: always ADDED. */
	(void)tlsfp_sb_insert(&ds->sb, 0, hdr, HS_HEADER);
	return TLSFP_PL_KEEP;
}

/* One handshake fragment of direction d. */
static enum tlsfp_pl_outcome
fragment(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d,
	 const struct tlsfp_dtls_fragment *fr, uint64_t ts)
{
	struct tlsfp_flow_dir *ds = &f->dir[d];
	bool client = d == f->client_dir;

	if (!client && fr->msg_type == TLSFP_HS_HELLO_VERIFY_REQUEST) {
		TLSFP_COUNT(&p->ctr, DTLS_HELLO_VERIFY_REQUEST);
		return TLSFP_PL_KEEP;
	}
	if (fr->msg_type != (client ? TLSFP_HS_CLIENT_HELLO : TLSFP_HS_SERVER_HELLO))
		return TLSFP_PL_KEEP; /* Certificate, ServerHelloDone, ... */
	if (!ds->base_valid) {
		if (choose(p, f, d, fr) == TLSFP_PL_GONE)
			return TLSFP_PL_GONE;
		if (ds->done)
			return TLSFP_PL_KEEP; /* the server's overflow: stopped looking */
	} else if (fr->message_seq != ds->base_seq || fr->msg_len != ds->walk_off) {
		if (client)
			TLSFP_COUNT(&p->ctr, TLS_SECOND_CLIENT_HELLO);
		return TLSFP_PL_KEEP;
	}

	uint32_t before = tlsfp_sb_contiguous(&ds->sb);
	uint64_t off = (uint64_t)HS_HEADER + fr->frag_off;
	switch (tlsfp_sb_insert(&ds->sb, off, fr->data, fr->frag_len)) {
	case TLSFP_SB_ADDED:
		if (off > before)
			TLSFP_COUNT(&p->ctr, REASM_OUT_OF_ORDER);
		break;
	case TLSFP_SB_DUPLICATE:
		if (fr->frag_len != 0)
			TLSFP_COUNT(&p->ctr, REASM_DUPLICATE);
		break;
	case TLSFP_SB_BEYOND_CAP:
		break; /* cannot happen: the message fits the buffer (choose) */
	case TLSFP_SB_TOO_MANY_HOLES:
	default:
		TLSFP_COUNT(&p->ctr, REASM_GAP);
		return tlsfp_pl_dir_fail(p, f, d);
	}
	return take_if_complete(p, f, d, ts);
}

/* Every fragment of the datagram, for direction d. */
static enum tlsfp_pl_outcome
datagram(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, const struct tlsfp_packet *pkt,
	 uint64_t ts)
{
	struct tlsfp_dtls_walk w;
	struct tlsfp_dtls_fragment fr;

	tlsfp_dtls_walk_init(&w, pkt->payload, pkt->payload_len);
	while (!f->dir[d].done) {
		enum tlsfp_dtls_status st = tlsfp_dtls_next_fragment(&w, &fr);
		if (st == TLSFP_DTLS_END)
			break;
		if (st != TLSFP_DTLS_FRAGMENT) {
			TLSFP_COUNT(&p->ctr, DTLS_BAD_RECORD);
			break;
		}
		if (fragment(p, f, d, &fr, ts) == TLSFP_PL_GONE)
			return TLSFP_PL_GONE;
	}
	struct tlsfp_flow_dir *ds = &f->dir[d];
	if (!ds->done && ds->base_valid && !ds->reasm) {
		TLSFP_COUNT(&p->ctr, REASM_STARTED); /* the hello spans datagrams */
		ds->reasm = 1;
	}
	return TLSFP_PL_KEEP;
}

bool
tlsfp_pl_dtls_input(struct tlsfp_pipeline *p, const struct tlsfp_packet *pkt, uint64_t ts)
{
	struct tlsfp_flow_key key;
	uint8_t d;

	if (!tlsfp_dtls_looks_like_hello(pkt->payload, pkt->payload_len))
		return false;
	TLSFP_COUNT(&p->ctr, DTLS_HANDSHAKE_DATAGRAMS);
	tlsfp_flow_key_make(pkt, &key, &d);
	uint64_t hash = tlsfp_flow_hash(&key);
	struct tlsfp_flow *f = tlsfp_flow_lookup(&p->ft, &key, hash);
	if (f == NULL) {
		uint8_t hs = pkt->payload[TLSFP_DTLS_RECORD_HEADER];
		if (hs != TLSFP_HS_CLIENT_HELLO) {
			if (hs == TLSFP_HS_SERVER_HELLO)
				TLSFP_COUNT(&p->ctr, TLS_SERVER_HELLO_ORPHAN);
			return true;
		}
		f = tlsfp_pl_flow_new(p, &key, hash, TLSFP_FLOW_C_HELLO, ts);
		if (f == NULL)
			return true;
		f->dtls = 1;
		f->client_dir = d;
		tlsfp_record_begin(tlsfp_pl_record(p, f), pkt, 'd', f->flow_id, ts);
		if (datagram(p, f, d, pkt, ts) == TLSFP_PL_KEEP && !f->dir[d].started)
			tlsfp_pl_flow_free(p, f); /* no ClientHello fragment after all */
		return true;
	}
	if (!f->dtls || f->finished || f->dir[d].done)
		return true;
	(void)datagram(p, f, d, pkt, ts);
	return true;
}
