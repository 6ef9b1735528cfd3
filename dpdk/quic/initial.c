/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening a QUIC Initial packet (RFC 9000 §17.2.2, RFC 9001 §5, RFC 9369).
 *
 * How one packet is opened:
 *  1. Long header (RFC 9000 §17.2), every field through the bounded reader:
 *     first byte (form bit, type bits), Version, DCID length (<= 20) and
 *     DCID, SCID length (<= 20) and SCID, Token Length (varint) and Token,
 *     Length (varint, covers packet number + payload + tag). The packet
 *     number is still masked; its offset pn_off is where the reader stands.
 *  2. Keys: the version's salt and labels, the client's original DCID
 *     (odcid if the caller gives one, else the packet's own DCID), and the
 *     direction ("client in"/"server in") select a cached key slot; a miss
 *     runs the key schedule (crypto.c).
 *  3. Header protection (RFC 9001 §5.4): sample = the 16 bytes at pn_off + 4
 *     (as if the packet number were 4 bytes long); mask = AES-ECB(hp,
 *     sample). Unmask the low 4 bits of the first byte, read the packet
 *     number length from its low 2 bits, unmask that many packet number
 *     bytes.
 *  4. Payload (RFC 9001 §5.3): AES-128-GCM with nonce = iv XOR packet
 *     number, AAD = the unprotected header, tag = the last 16 bytes of the
 *     packet; the plaintext lands in out->plaintext.
 *  5. Frames (frames.c): list the CRYPTO frames, refuse anything an Initial
 *     may not carry.
 *
 * Decisions:
 *  - Only the first packet of a datagram is opened. A client coalescing two
 *    Initials in one datagram is rare (the usual coalescing is Initial +
 *    0-RTT/Handshake, which we do not need); the flow module sees the next
 *    client Initial in its own datagram.
 *  - Version 0 is Version Negotiation: TLSFP_QUIC_NOT_INITIAL (it is a
 *    well-formed non-Initial packet, not an error). Any other version than
 *    v1/v2 is TLSFP_QUIC_UNSUPPORTED_VERSION whatever its type bits (their
 *    meaning is version-specific), with out->version set so it can be
 *    counted per version (drafts, GREASE versions).
 *  - The fixed bit is not checked: RFC 9287 (grease_quic_bit) lets endpoints
 *    clear it, even in Initials; the AEAD authenticates the first byte.
 *  - The reserved bits are not checked after unmasking: an endpoint would
 *    close the connection, but the ClientHello inside is still real.
 *  - The full packet number is taken to be the truncated one (no largest
 *    acknowledged is known to a passive observer; Initial packet numbers
 *    start at 0 and stay small, RFC 9000 §A.3 with expected = 0).
 *  - Packets (header + Length) over TLSFP_QUIC_MAX_PACKET are refused as
 *    TLSFP_QUIC_BAD_PACKET; Initials are at most a path MTU in practice.
 *
 * On any result but OK, out->n_frames is 0. out->version is set once the
 * Version field was read; dcid/scid are set once the whole header parsed
 * (so also with DECRYPT_FAILED and BAD_FRAME), else their lengths are 0.
 */
#include <string.h>

#include "quic_internal.h"

#define LONG_HEADER_FORM 0x80
#define MIN_LONG_HEADER 7 /* first byte, version, two CID length bytes */

bool
tlsfp_quic_looks_initial(const uint8_t *dgram, size_t len)
{
	uint32_t version;
	unsigned int type;

	if (dgram == NULL || len < MIN_LONG_HEADER || !(dgram[0] & LONG_HEADER_FORM))
		return false;
	version = tlsfp_load_be32(dgram + 1);
	type = (dgram[0] >> 4) & 0x3;
	return (version == TLSFP_QUIC_V1 && type == 0) || (version == TLSFP_QUIC_V2 && type == 1);
}

enum tlsfp_quic_result
tlsfp_quic_open_initial(struct tlsfp_quic_ctx *ctx, const uint8_t *dgram, size_t len,
			const uint8_t *odcid, uint8_t odcid_len, bool from_server,
			struct tlsfp_quic_initial *out)
{
	struct tlsfp_reader r = tlsfp_reader_init(dgram, dgram != NULL ? len : 0);
	const struct tlsfp_quic_version *v;
	struct tlsfp_quic_keyslot *ks;
	const uint8_t *dcid, *scid, *key_cid;
	uint64_t token_len, length, pn = 0;
	size_t pn_off, ct_len;
	uint8_t b0, mask[5], pn_bytes[4], key_cid_len;
	unsigned int pn_len;
	enum tlsfp_quic_result rc;

	out->version = 0;
	out->dcid_len = 0;
	out->scid_len = 0;
	out->n_frames = 0;

	/* 1. Long header. */
	b0 = tlsfp_read_u8(&r);
	if (r.err || !(b0 & LONG_HEADER_FORM))
		return TLSFP_QUIC_NOT_INITIAL;
	out->version = tlsfp_read_u32(&r);
	if (r.err)
		return TLSFP_QUIC_BAD_PACKET;
	if (out->version == 0)
		return TLSFP_QUIC_NOT_INITIAL; /* Version Negotiation */
	v = tlsfp_quic_version_find(out->version);
	if (v == NULL)
		return TLSFP_QUIC_UNSUPPORTED_VERSION;
	if (((b0 >> 4) & 0x3) != v->initial_type)
		return TLSFP_QUIC_NOT_INITIAL; /* 0-RTT, Handshake, Retry */

	out->dcid_len = tlsfp_read_u8(&r);
	if (out->dcid_len > TLSFP_QUIC_MAX_CID)
		goto bad_packet;
	dcid = tlsfp_read_bytes(&r, out->dcid_len);
	out->scid_len = tlsfp_read_u8(&r);
	if (out->scid_len > TLSFP_QUIC_MAX_CID)
		goto bad_packet;
	scid = tlsfp_read_bytes(&r, out->scid_len);
	token_len = tlsfp_quic_read_varint(&r);
	if (r.err || token_len > r.len)
		goto bad_packet;
	tlsfp_read_skip(&r, (size_t)token_len);
	length = tlsfp_quic_read_varint(&r);
	if (r.err)
		goto bad_packet;
	pn_off = len - r.len;
	/*
	 * Length must fit the datagram and leave room for the sample
	 * (RFC 9001 §5.4.2: 4 bytes after pn_off, then 16 bytes).
	 */
	if (length > r.len || length < 4 + TLSFP_QUIC_SAMPLE_LEN ||
	    pn_off + length > TLSFP_QUIC_MAX_PACKET)
		goto bad_packet;
	memcpy(out->dcid, dcid, out->dcid_len);
	memcpy(out->scid, scid, out->scid_len);

	/* 2. Keys. */
	if (odcid != NULL) {
		if (odcid_len > TLSFP_QUIC_MAX_CID)
			goto bad_packet;
		key_cid = odcid;
		key_cid_len = odcid_len;
	} else {
		key_cid = out->dcid;
		key_cid_len = out->dcid_len;
	}
	ks = tlsfp_quic_keyslot_get(ctx, out->version, key_cid, key_cid_len, from_server);
	if (ks == NULL)
		return TLSFP_QUIC_DECRYPT_FAILED;

	/* 3. Header protection; sample in bounds since length >= 20. */
	if (tlsfp_quic_hp_mask(ks, dgram + pn_off + 4, mask) != 0)
		return TLSFP_QUIC_DECRYPT_FAILED;
	b0 ^= mask[0] & 0x0f; /* long header: low 4 bits protected */
	pn_len = (b0 & 0x3) + 1;
	for (unsigned int i = 0; i < pn_len; i++) {
		pn_bytes[i] = dgram[pn_off + i] ^ mask[1 + i];
		pn = (pn << 8) | pn_bytes[i];
	}

	/* 4. Payload: ciphertext between the packet number and the tag. */
	ct_len = (size_t)length - pn_len - TLSFP_QUIC_TAG_LEN;
	{
		struct tlsfp_quic_aad aad = {
			.seg = {&b0, dgram + 1, pn_bytes},
			.len = {1, pn_off - 1, pn_len},
		};

		if (!tlsfp_quic_aead_open(ks, pn, &aad, dgram + pn_off + pn_len, ct_len,
					  dgram + pn_off + length - TLSFP_QUIC_TAG_LEN,
					  out->plaintext))
			return TLSFP_QUIC_DECRYPT_FAILED;
	}

	/* 5. Frames. */
	rc = tlsfp_quic_parse_frames(out->plaintext, ct_len, out);
	if (rc != TLSFP_QUIC_OK)
		out->n_frames = 0;
	return rc;

bad_packet:
	out->dcid_len = 0;
	out->scid_len = 0;
	return TLSFP_QUIC_BAD_PACKET;
}
