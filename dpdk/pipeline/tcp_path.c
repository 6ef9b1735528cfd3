/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLS over TCP: which packets start or feed a flow's hello reassembly, and
 * the walk from stream bytes to handshake messages.
 *
 * Per direction, stream offset 0 is the first byte after the SYN when the
 * SYN was seen, else the first byte of the first segment that looks like a
 * hello. The direction that sends the ClientHello is the client. Only its
 * first ClientHello is fingerprinted; on the server side a HelloRetryRequest
 * is noted and the walk continues to the real ServerHello.
 *
 * Fast path: a hello wholly inside one in-order segment is parsed straight
 * from the payload; a stream buffer is taken only when a hello spans
 * segments or a segment arrives ahead of its predecessors.
 */
#include <string.h>

#include "pipeline/pipeline_internal.h"
#include "pipeline/record_fill.h"
#include "tlsfp/reader.h"

#define TLS_CT_CHANGE_CIPHER_SPEC 20
#define SEQ_BEFORE 0x80000000u /* a distance >= this is "before base" */

enum walk_result {
	W_MORE = 0, /* the next message is not complete yet */
	W_KEEP = 1, /* this direction is finished (done or given up), the flow stays */
	W_GONE = 2, /* the flow entry was removed */
};

static int
looks_like_hello_type(const uint8_t *pl, uint32_t len, uint8_t type)
{
	return len > TLSFP_TLS_RECORD_HEADER && tlsfp_tls_looks_like_hello(pl, len) &&
	       pl[TLSFP_TLS_RECORD_HEADER] == type;
}

/* A ClientHello record at the start of pl, or right after the one-byte
 * ChangeCipherSpec record a TLS 1.3 client sends before its second hello. */
static int
starts_client_hello(const uint8_t *pl, uint32_t len)
{
	static const uint8_t ccs[6] = {TLS_CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};
	if (len > sizeof(ccs) && memcmp(pl, ccs, sizeof(ccs)) == 0) {
		pl += sizeof(ccs);
		len -= (uint32_t)sizeof(ccs);
	}
	return looks_like_hello_type(pl, len, TLSFP_HS_CLIENT_HELLO);
}

static enum walk_result
fail(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d)
{
	return tlsfp_pl_dir_fail(p, f, d) == TLSFP_PL_GONE ? W_GONE : W_KEEP;
}

/*
 * Skip whole ChangeCipherSpec records at off (TLS 1.3 middlebox
 * compatibility puts one after a HelloRetryRequest). Returns the offset of
 * the next other record, or -1 when a CCS record is not complete yet.
 */
static int64_t
skip_ccs(const uint8_t *s, uint32_t len, uint32_t off)
{
	while (len - off >= TLSFP_TLS_RECORD_HEADER && s[off] == TLS_CT_CHANGE_CIPHER_SPEC) {
		uint32_t rl = tlsfp_load_be16(s + off + 3);
		if (len - off - TLSFP_TLS_RECORD_HEADER < rl)
			return -1;
		off += TLSFP_TLS_RECORD_HEADER + rl;
	}
	return off;
}

static enum walk_result
need_more(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, uint32_t len)
{
	/* Everything the bound allows is here and the message is still
	 * incomplete: it can never be had. */
	if (len >= p->cfg.hello_max_bytes) {
		TLSFP_COUNT(&p->ctr, REASM_OVERFLOW);
		return fail(p, f, d);
	}
	return W_MORE;
}

/* Walk len contiguous bytes of direction d from its walk offset. */
static enum walk_result
walk(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, const uint8_t *s, uint32_t len,
     uint64_t ts)
{
	struct tlsfp_flow_dir *ds = &f->dir[d];

	for (;;) {
		if (ds->walk_off >= len)
			return need_more(p, f, d, len);
		int64_t off = skip_ccs(s, len, ds->walk_off);
		if (off < 0)
			return need_more(p, f, d, len);
		ds->walk_off = (uint32_t)off;
		if (ds->walk_off >= len)
			return need_more(p, f, d, len);

		size_t msg_len = 0, consumed = 0;
		enum tlsfp_hs_status st =
			tlsfp_tls_first_handshake(s + ds->walk_off, len - ds->walk_off, p->msg,
						  p->cfg.hello_max_bytes, &msg_len, &consumed);
		switch (st) {
		case TLSFP_HS_COMPLETE:
			break;
		case TLSFP_HS_NEED_MORE:
			return need_more(p, f, d, len);
		case TLSFP_HS_TOO_BIG:
			TLSFP_COUNT(&p->ctr, REASM_OVERFLOW);
			return fail(p, f, d);
		case TLSFP_HS_BAD_RECORD:
			TLSFP_COUNT(&p->ctr, PARSE_ERR_BAD_RECORD);
			return fail(p, f, d);
		case TLSFP_HS_NOT_TLS:
		default:
			TLSFP_COUNT(&p->ctr, REASM_NOT_TLS);
			return fail(p, f, d);
		}
		ds->walk_off += (uint32_t)consumed;
		switch (tlsfp_pl_handshake(p, f, d, p->msg, msg_len, ts)) {
		case TLSFP_PL_HS_DONE:
			return W_KEEP;
		case TLSFP_PL_HS_RETRY:
			continue; /* HelloRetryRequest: the ServerHello follows */
		case TLSFP_PL_HS_FAILED:
		default:
			return fail(p, f, d);
		}
	}
}

/* Place a segment in the direction's stream buffer and walk what is new. */
static enum walk_result
buffered(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, const struct tlsfp_packet *pkt,
	 uint32_t dseq, uint64_t ts)
{
	struct tlsfp_flow_dir *ds = &f->dir[d];

	if (ds->sb.data == NULL) {
		if (tlsfp_sb_acquire(&p->pool, &ds->sb) != 0) {
			TLSFP_COUNT(&p->ctr, REASM_NO_MEMORY);
			return fail(p, f, d);
		}
		TLSFP_COUNT(&p->ctr, REASM_STARTED);
		ds->reasm = 1;
	}
	uint32_t before = tlsfp_sb_contiguous(&ds->sb);
	uint32_t rel = dseq - ds->base_seq;
	switch (tlsfp_sb_insert_tcp(&ds->sb, ds->base_seq, dseq, pkt->payload, pkt->payload_len)) {
	case TLSFP_SB_ADDED:
		if (rel < SEQ_BEFORE && rel > before)
			TLSFP_COUNT(&p->ctr, REASM_OUT_OF_ORDER);
		break;
	case TLSFP_SB_DUPLICATE:
		TLSFP_COUNT(&p->ctr, REASM_DUPLICATE);
		return W_MORE;
	case TLSFP_SB_BEYOND_CAP:
		return W_MORE; /* past the bound: the walk reports an overflow if it matters */
	case TLSFP_SB_TOO_MANY_HOLES:
	default:
		TLSFP_COUNT(&p->ctr, REASM_GAP);
		return fail(p, f, d);
	}
	uint32_t c = tlsfp_sb_contiguous(&ds->sb);
	if (c == before)
		return W_MORE; /* a hole is still in front */
	return walk(p, f, d, ds->sb.data, c, ts);
}

/* The client's first hello bytes: the record is oriented by this packet. */
static void
client_start(struct tlsfp_pipeline *p, struct tlsfp_flow *f, const struct tlsfp_packet *pkt,
	     uint64_t ts)
{
	tlsfp_record_begin(tlsfp_pl_record(p, f), pkt, 't', f->flow_id, ts);
	if (f->cls == TLSFP_FLOW_C_LIGHT)
		tlsfp_flow_set_class(&p->ft, f, TLSFP_FLOW_C_HELLO, ts);
}

/* Payload of direction d of a tracked flow. dseq: sequence number of its
 * first byte. */
static enum tlsfp_pl_outcome
dir_data(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, const struct tlsfp_packet *pkt,
	 uint32_t dseq, uint64_t ts)
{
	struct tlsfp_flow_dir *ds = &f->dir[d];
	const uint8_t *pl = pkt->payload;
	uint32_t len = pkt->payload_len;
	int is_client = (d == f->client_dir);

	if (ds->done) {
		/* After the first ClientHello the client is not looked at; a
		 * second one (after a HelloRetryRequest) is only counted, and
		 * told apart from a retransmission of the first. */
		if (is_client && f->ch_done && starts_client_hello(pl, len)) {
			if (dseq == ds->base_seq)
				TLSFP_COUNT(&p->ctr, REASM_DUPLICATE);
			else
				TLSFP_COUNT(&p->ctr, TLS_SECOND_CLIENT_HELLO);
		}
		return TLSFP_PL_KEEP;
	}
	if (!is_client && !f->dir[f->client_dir].started) {
		/* The server speaks before any ClientHello: not ours to pair. */
		if (looks_like_hello_type(pl, len, TLSFP_HS_SERVER_HELLO))
			TLSFP_COUNT(&p->ctr, TLS_SERVER_HELLO_ORPHAN);
		tlsfp_pl_flow_free(p, f);
		return TLSFP_PL_GONE;
	}
	if (!ds->base_valid) {
		/* No SYN seen for this side: its stream starts at a hello. */
		if (!tlsfp_tls_looks_like_hello(pl, len))
			return TLSFP_PL_KEEP;
		ds->base_seq = dseq;
		ds->base_valid = 1;
	}
	uint32_t rel = dseq - ds->base_seq;
	if (!ds->started) {
		if (rel >= SEQ_BEFORE || rel >= p->cfg.hello_max_bytes)
			return TLSFP_PL_KEEP; /* cannot be part of a hello */
		if (rel == 0 && !tlsfp_tls_looks_like_hello(pl, len)) {
			/* Not TLS (ignored by design), or a server that answers
			 * with something else than a ServerHello. */
			if (is_client) {
				tlsfp_pl_flow_free(p, f);
				return TLSFP_PL_GONE;
			}
			ds->done = 1;
			return TLSFP_PL_KEEP;
		}
		if (is_client)
			client_start(p, f, pkt, ts);
		ds->started = 1;
	}

	enum walk_result w = W_MORE;
	if (ds->sb.data == NULL && rel == 0)
		w = walk(p, f, d, pl, len, ts); /* fast path: the hello in one segment */
	if (w == W_MORE)
		w = buffered(p, f, d, pkt, dseq, ts);
	return w == W_GONE ? TLSFP_PL_GONE : TLSFP_PL_KEEP;
}

/* FIN or RST (or a new SYN on the same tuple): the record goes out if the
 * ClientHello is complete and it has not gone out yet. */
static void
flow_end(struct tlsfp_pipeline *p, struct tlsfp_flow *f)
{
	if (!f->finished) {
		if (f->ch_done)
			tlsfp_pl_emit(p, f, TLSFP_REC_R_FLOW_END);
		else if (f->dir[f->client_dir].started)
			TLSFP_COUNT(&p->ctr, REASM_GAP); /* the rest of the hello never came */
	}
	tlsfp_pl_flow_free(p, f);
}

static void
flow_packet(struct tlsfp_pipeline *p, struct tlsfp_flow *f, const struct tlsfp_packet *pkt,
	    unsigned d, uint64_t ts)
{
	uint8_t fl = pkt->tcp_flags;
	/* A SYN takes one sequence number: data on it (TCP Fast Open)
	 * starts one after. */
	uint32_t dseq = pkt->seq + ((fl & TLSFP_TCP_SYN) ? 1 : 0);

	if ((fl & TLSFP_TCP_SYN) && !f->dir[d].started) {
		f->dir[d].base_seq = dseq;
		f->dir[d].base_valid = 1;
	}
	if (pkt->payload_len > 0 && dir_data(p, f, d, pkt, dseq, ts) == TLSFP_PL_GONE)
		return;
	if (fl & (TLSFP_TCP_FIN | TLSFP_TCP_RST))
		flow_end(p, f);
}

/* A packet of a flow without an entry: does it need one? */
static void
no_flow(struct tlsfp_pipeline *p, const struct tlsfp_packet *pkt, const struct tlsfp_flow_key *key,
	uint64_t hash, uint8_t d, uint64_t ts)
{
	uint8_t fl = pkt->tcp_flags;
	struct tlsfp_flow *f;
	enum tlsfp_flow_class cls;

	if (fl & TLSFP_TCP_RST)
		return;
	if (pkt->payload_len > 0 && tlsfp_tls_looks_like_hello(pkt->payload, pkt->payload_len)) {
		if (looks_like_hello_type(pkt->payload, pkt->payload_len, TLSFP_HS_SERVER_HELLO)) {
			TLSFP_COUNT(&p->ctr, TLS_SERVER_HELLO_ORPHAN);
			return;
		}
		cls = TLSFP_FLOW_C_HELLO;
	} else if ((fl & (TLSFP_TCP_SYN | TLSFP_TCP_ACK)) == TLSFP_TCP_SYN) {
		/* Remember the ISN: a segment overtaking the first data
		 * segment can then be placed. Tiny, no buffer. */
		cls = TLSFP_FLOW_C_LIGHT;
	} else {
		return; /* mid-stream, not a hello: not ours */
	}
	f = tlsfp_pl_flow_new(p, key, hash, cls, ts);
	if (f == NULL)
		return;
	f->client_dir = d;
	flow_packet(p, f, pkt, d, ts);
}

void
tlsfp_pl_tcp_input(struct tlsfp_pipeline *p, const struct tlsfp_packet *pkt, uint64_t ts)
{
	struct tlsfp_flow_key key;
	uint8_t d;

	tlsfp_flow_key_make(pkt, &key, &d);
	uint64_t hash = tlsfp_flow_hash(&key);
	struct tlsfp_flow *f = tlsfp_flow_lookup(&p->ft, &key, hash);

	if (f != NULL && (pkt->tcp_flags & (TLSFP_TCP_SYN | TLSFP_TCP_ACK)) == TLSFP_TCP_SYN &&
	    (f->cls != TLSFP_FLOW_C_LIGHT || f->finished || d != f->client_dir)) {
		/* A new connection on the same addresses and ports: the
		 * previous one is over. */
		flow_end(p, f);
		f = NULL;
	}
	if (f == NULL)
		no_flow(p, pkt, &key, hash, d, ts);
	else
		flow_packet(p, f, pkt, d, ts);
}
