/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC Initials: open (decrypt) each Initial, place its CRYPTO frames in the
 * direction's stream buffer by offset, and take the handshake message once
 * its 4-byte header and body are contiguous. Chrome splits its ClientHello
 * over two Initials, which may arrive in either order.
 *
 * The client's first Destination Connection ID keys both directions'
 * Initials (RFC 9001 5.2), so it is kept in the flow entry. The record is
 * written when the ServerHello is seen (else on timeout or flush); the
 * entry then stays LIGHT for a while so the handshake's remaining Initials
 * (ACKs, retransmissions) are recognised and skipped without decrypting.
 */
#include <string.h>

#include "pipeline/pipeline_internal.h"
#include "pipeline/record_fill.h"
#include "tlsfp/reader.h"

#define HS_HEADER 4 /* handshake type (1) + length (3) */

/* Count an open's outcome; 1 when the packet was opened. */
static int
count_open(struct tlsfp_pipeline *p, enum tlsfp_quic_result r)
{
	switch (r) {
	case TLSFP_QUIC_OK:
		TLSFP_COUNT(&p->ctr, QUIC_INITIAL);
		return 1;
	case TLSFP_QUIC_NOT_INITIAL:
		return 0; /* not an Initial: ignored by design */
	case TLSFP_QUIC_UNSUPPORTED_VERSION:
		TLSFP_COUNT(&p->ctr, QUIC_UNSUPPORTED_VERSION);
		return 0;
	case TLSFP_QUIC_DECRYPT_FAILED:
		TLSFP_COUNT(&p->ctr, QUIC_DECRYPT_FAILED);
		return 0;
	case TLSFP_QUIC_BAD_FRAME:
		TLSFP_COUNT(&p->ctr, QUIC_BAD_FRAME);
		return 0;
	case TLSFP_QUIC_BAD_PACKET:
	default:
		TLSFP_COUNT(&p->ctr, QUIC_BAD_PACKET);
		return 0;
	}
}

static enum tlsfp_pl_outcome
more(struct tlsfp_pipeline *p, struct tlsfp_flow_dir *ds)
{
	if (!ds->reasm) {
		TLSFP_COUNT(&p->ctr, REASM_STARTED); /* the hello spans Initials */
		ds->reasm = 1;
	}
	return TLSFP_PL_KEEP;
}

/* Take every complete message at the walk offset. */
static enum tlsfp_pl_outcome
crypto_walk(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, uint64_t ts)
{
	struct tlsfp_flow_dir *ds = &f->dir[d];

	for (;;) {
		uint32_t c = tlsfp_sb_contiguous(&ds->sb);
		uint32_t off = ds->walk_off;
		if (c < off || c - off < HS_HEADER)
			return more(p, ds);
		const uint8_t *m = ds->sb.data + off;
		uint64_t msg_len = HS_HEADER + (uint64_t)((m[1] << 16) | (m[2] << 8) | m[3]);
		if (off + msg_len > p->cfg.hello_max_bytes) {
			TLSFP_COUNT(&p->ctr, QUIC_CRYPTO_OVERFLOW);
			return tlsfp_pl_dir_fail(p, f, d);
		}
		if (c - off < msg_len)
			return more(p, ds);
		ds->walk_off = off + (uint32_t)msg_len;
		switch (tlsfp_pl_handshake(p, f, d, m, (size_t)msg_len, ts)) {
		case TLSFP_PL_HS_DONE:
			return TLSFP_PL_KEEP;
		case TLSFP_PL_HS_RETRY:
			continue;
		case TLSFP_PL_HS_FAILED:
		default:
			return tlsfp_pl_dir_fail(p, f, d);
		}
	}
}

/* The CRYPTO frames of the Initial just opened (p->qi), for direction d. */
static enum tlsfp_pl_outcome
crypto_feed(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, uint64_t ts)
{
	struct tlsfp_flow_dir *ds = &f->dir[d];
	const struct tlsfp_quic_initial *qi = p->qi;
	int added = 0;

	if (qi->n_frames == 0)
		return TLSFP_PL_KEEP; /* ACK/PADDING only */
	if (ds->sb.data == NULL && tlsfp_sb_acquire(&p->pool, &ds->sb) != 0) {
		TLSFP_COUNT(&p->ctr, REASM_NO_MEMORY);
		return tlsfp_pl_dir_fail(p, f, d);
	}
	ds->started = 1;
	for (unsigned i = 0; i < qi->n_frames && i < TLSFP_QUIC_MAX_FRAMES; i++) {
		const struct tlsfp_quic_crypto_frame *fr = &qi->frames[i];
		uint32_t before = tlsfp_sb_contiguous(&ds->sb);
		switch (tlsfp_sb_insert(&ds->sb, fr->offset, fr->data, fr->len)) {
		case TLSFP_SB_ADDED:
			added = 1;
			if (fr->offset > before)
				TLSFP_COUNT(&p->ctr, REASM_OUT_OF_ORDER);
			break;
		case TLSFP_SB_DUPLICATE:
			TLSFP_COUNT(&p->ctr, REASM_DUPLICATE);
			break;
		case TLSFP_SB_BEYOND_CAP:
			break; /* the walk reports the overflow if these bytes matter */
		case TLSFP_SB_TOO_MANY_HOLES:
		default:
			TLSFP_COUNT(&p->ctr, REASM_GAP);
			return tlsfp_pl_dir_fail(p, f, d);
		}
	}
	if (!added)
		return TLSFP_PL_KEEP;
	return crypto_walk(p, f, d, ts);
}

/* The first Initial of a flow we do not track: a client's, if it opens. */
static void
quic_start(struct tlsfp_pipeline *p, const struct tlsfp_packet *pkt,
	   const struct tlsfp_flow_key *key, uint64_t hash, uint8_t d, uint64_t ts)
{
	enum tlsfp_quic_result r = tlsfp_quic_open_initial(p->quic, pkt->payload, pkt->payload_len,
							   NULL, 0, false, p->qi);
	if (!count_open(p, r) || p->qi->n_frames == 0)
		return;
	struct tlsfp_flow *f = tlsfp_pl_flow_new(p, key, hash, TLSFP_FLOW_C_HELLO, ts);
	if (f == NULL)
		return;
	f->quic = 1;
	f->client_dir = d;
	f->odcid_len = p->qi->dcid_len <= TLSFP_QUIC_MAX_CID ? p->qi->dcid_len : TLSFP_QUIC_MAX_CID;
	memcpy(f->odcid, p->qi->dcid, f->odcid_len);
	tlsfp_record_begin(tlsfp_pl_record(p, f), pkt, 'q', f->flow_id, ts);
	(void)crypto_feed(p, f, d, ts);
}

void
tlsfp_pl_udp_input(struct tlsfp_pipeline *p, const struct tlsfp_packet *pkt, uint64_t ts)
{
	struct tlsfp_flow_key key;
	uint8_t d;

	/* DTLS first: its records start with a content type (20..26), a
	 * QUIC long header with a byte >= 0xc0, so the tests never collide. */
	if (tlsfp_pl_dtls_input(p, pkt, ts))
		return;
	if (!tlsfp_quic_looks_initial(pkt->payload, pkt->payload_len))
		return;
	tlsfp_flow_key_make(pkt, &key, &d);
	uint64_t hash = tlsfp_flow_hash(&key);
	struct tlsfp_flow *f = tlsfp_flow_lookup(&p->ft, &key, hash);
	if (f == NULL) {
		quic_start(p, pkt, &key, hash, d, ts);
		return;
	}
	if (!f->quic || f->dir[d].done)
		return; /* this side's hello is in: later Initials are not needed */
	bool from_server = (d != f->client_dir);
	enum tlsfp_quic_result r =
		tlsfp_quic_open_initial(p->quic, pkt->payload, pkt->payload_len, f->odcid,
					f->odcid_len, from_server, p->qi);
	if (!count_open(p, r))
		return;
	(void)crypto_feed(p, f, d, ts);
}
