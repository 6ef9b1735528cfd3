/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frames of a decrypted Initial packet (RFC 9000 §12.4, §19).
 *
 * An Initial may carry only PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE.
 * We keep the CRYPTO frames (the TLS handshake bytes, in any order, offsets
 * as sent) and walk over the others; any other frame type, a frame type in
 * a non-minimal varint encoding, a truncated frame, a CRYPTO range beyond
 * 2^62 - 1, an empty payload or more than TLSFP_QUIC_MAX_FRAMES non-empty
 * CRYPTO frames is TLSFP_QUIC_BAD_FRAME. Zero-length CRYPTO frames carry
 * nothing and are not listed.
 *
 * Lenient on purpose: a CONNECTION_CLOSE of type 0x1d (application close)
 * is not allowed in an Initial, but skipping it costs nothing and keeps the
 * CRYPTO frames of a packet an endpoint would reject anyway.
 */
#include "quic_internal.h"

enum {
	FRAME_PADDING = 0x00,
	FRAME_PING = 0x01,
	FRAME_ACK = 0x02,
	FRAME_ACK_ECN = 0x03,
	FRAME_CRYPTO = 0x06,
	FRAME_CLOSE_QUIC = 0x1c,
	FRAME_CLOSE_APP = 0x1d,
};

/* ACK (RFC 9000 §19.3): parsed only to be skipped. */
static void
skip_ack(struct tlsfp_reader *r, bool ecn)
{
	uint64_t n_ranges;

	(void)tlsfp_quic_read_varint(r); /* Largest Acknowledged */
	(void)tlsfp_quic_read_varint(r); /* ACK Delay */
	n_ranges = tlsfp_quic_read_varint(r);
	(void)tlsfp_quic_read_varint(r); /* First ACK Range */
	/* Each range takes at least 2 bytes, so a huge count ends on err. */
	for (uint64_t i = 0; i < n_ranges && !r->err; i++) {
		(void)tlsfp_quic_read_varint(r); /* Gap */
		(void)tlsfp_quic_read_varint(r); /* ACK Range Length */
	}
	if (ecn) {
		(void)tlsfp_quic_read_varint(r); /* ECT0 */
		(void)tlsfp_quic_read_varint(r); /* ECT1 */
		(void)tlsfp_quic_read_varint(r); /* ECN-CE */
	}
}

/* CONNECTION_CLOSE (RFC 9000 §19.19): parsed only to be skipped. */
static void
skip_close(struct tlsfp_reader *r, bool quic_layer)
{
	uint64_t reason_len;

	(void)tlsfp_quic_read_varint(r); /* Error Code */
	if (quic_layer)
		(void)tlsfp_quic_read_varint(r); /* Frame Type */
	reason_len = tlsfp_quic_read_varint(r);
	if (reason_len > r->len)
		r->err = true;
	else
		tlsfp_read_skip(r, (size_t)reason_len);
}

static enum tlsfp_quic_result
read_crypto(struct tlsfp_reader *r, struct tlsfp_quic_initial *out)
{
	uint64_t offset = tlsfp_quic_read_varint(r);
	uint64_t len = tlsfp_quic_read_varint(r);
	const uint8_t *data;

	if (r->err || len > r->len || offset > TLSFP_QUIC_VARINT_MAX - len)
		return TLSFP_QUIC_BAD_FRAME;
	data = tlsfp_read_bytes(r, (size_t)len);
	if (data == NULL)
		return TLSFP_QUIC_BAD_FRAME;
	if (len == 0)
		return TLSFP_QUIC_OK;
	if (out->n_frames >= TLSFP_QUIC_MAX_FRAMES)
		return TLSFP_QUIC_BAD_FRAME;
	out->frames[out->n_frames].offset = offset;
	out->frames[out->n_frames].data = data;
	out->frames[out->n_frames].len = (uint32_t)len; /* <= TLSFP_QUIC_MAX_PACKET */
	out->n_frames++;
	return TLSFP_QUIC_OK;
}

enum tlsfp_quic_result
tlsfp_quic_parse_frames(const uint8_t *p, size_t len, struct tlsfp_quic_initial *out)
{
	struct tlsfp_reader r = tlsfp_reader_init(p, len);

	out->n_frames = 0;
	if (len == 0) /* a packet with no frames is a protocol violation */
		return TLSFP_QUIC_BAD_FRAME;

	while (r.len > 0) {
		/*
		 * Frame types are varints that must be minimally encoded
		 * (RFC 9000 §12.4), and every type allowed here is < 0x40:
		 * one byte, and a first byte >= 0x40 is already an error.
		 */
		uint8_t type = tlsfp_read_u8(&r);

		switch (type) {
		case FRAME_PADDING:
			/* Client Initials are mostly padding: skip the run at once. */
			while (r.len > 0 && r.p[0] == 0) {
				r.p++;
				r.len--;
			}
			break;
		case FRAME_PING:
			break;
		case FRAME_ACK:
		case FRAME_ACK_ECN:
			skip_ack(&r, type == FRAME_ACK_ECN);
			break;
		case FRAME_CRYPTO:
			if (read_crypto(&r, out) != TLSFP_QUIC_OK)
				return TLSFP_QUIC_BAD_FRAME;
			break;
		case FRAME_CLOSE_QUIC:
		case FRAME_CLOSE_APP:
			skip_close(&r, type == FRAME_CLOSE_QUIC);
			break;
		default:
			return TLSFP_QUIC_BAD_FRAME;
		}
		if (r.err)
			return TLSFP_QUIC_BAD_FRAME;
	}
	return TLSFP_QUIC_OK;
}
