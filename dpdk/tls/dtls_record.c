/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS record layer walk (RFC 6347 4.1 and 4.2.2, RFC 9147 4): detect a
 * plaintext handshake record at the start of a UDP payload, and list the
 * handshake fragments of one datagram.
 *
 * Stateless over one datagram: reassembly of a message from its fragments
 * (by fragment offset, across records and datagrams) is the caller's.
 * Every header field is bounds-checked against the datagram and, for a
 * fragment, against its record and its message length.
 */
#include "tlsfp/hello.h"
#include "tlsfp/reader.h"

#define DTLS_CT_HANDSHAKE 22
#define DTLS_CT_MIN 20 /* change_cipher_spec */
#define DTLS_CT_MAX 26 /* ack (RFC 9147 7) */

/* A DTLS version byte pair: 0xfeff (1.0), 0xfefd (1.2), 0xfefc (1.3
 * ciphersuites only; its records say 0xfefd). Other 0xfeXX values are not
 * assigned; refusing them keeps the prefix test tight. */
static int
dtls_version_ok(const uint8_t *v)
{
	return v[0] == 0xfe && (v[1] == 0xff || v[1] == 0xfd || v[1] == 0xfc);
}

bool
tlsfp_dtls_looks_like_hello(const uint8_t *p, size_t len)
{
	if (len < TLSFP_DTLS_RECORD_HEADER + 1 || p[0] != DTLS_CT_HANDSHAKE ||
	    !dtls_version_ok(p + 1))
		return false;
	if (p[3] != 0 || p[4] != 0) /* epoch 0: hellos are never encrypted */
		return false;
	uint16_t n = tlsfp_load_be16(p + 11);
	if (n < TLSFP_DTLS_HS_HEADER + 1 || n > TLSFP_TLS_MAX_RECORD ||
	    n > len - TLSFP_DTLS_RECORD_HEADER)
		return false;
	uint8_t hs = p[TLSFP_DTLS_RECORD_HEADER];
	return hs == TLSFP_HS_CLIENT_HELLO || hs == TLSFP_HS_SERVER_HELLO ||
	       hs == TLSFP_HS_HELLO_VERIFY_REQUEST;
}

void
tlsfp_dtls_walk_init(struct tlsfp_dtls_walk *w, const uint8_t *dgram, size_t len)
{
	w->p = dgram;
	w->len = len;
	w->pos = 0;
	w->rec_end = 0;
}

/* The next fragment of the handshake record [w->pos, w->rec_end). */
static enum tlsfp_dtls_status
next_in_record(struct tlsfp_dtls_walk *w, struct tlsfp_dtls_fragment *out)
{
	struct tlsfp_reader r = tlsfp_reader_init(w->p + w->pos, w->rec_end - w->pos);

	out->msg_type = tlsfp_read_u8(&r);
	out->msg_len = tlsfp_read_u24(&r);
	out->message_seq = tlsfp_read_u16(&r);
	out->frag_off = tlsfp_read_u24(&r);
	out->frag_len = tlsfp_read_u24(&r);
	out->data = tlsfp_read_bytes(&r, out->frag_len);
	if (r.err || out->frag_off > out->msg_len || out->frag_len > out->msg_len - out->frag_off)
		return TLSFP_DTLS_BAD;
	w->pos = w->rec_end - r.len;
	if (w->pos == w->rec_end)
		w->rec_end = 0;
	return TLSFP_DTLS_FRAGMENT;
}

enum tlsfp_dtls_status
tlsfp_dtls_next_fragment(struct tlsfp_dtls_walk *w, struct tlsfp_dtls_fragment *out)
{
	for (;;) {
		if (w->rec_end != 0)
			return next_in_record(w, out);
		size_t avail = w->len - w->pos;
		if (avail == 0)
			return TLSFP_DTLS_END;
		const uint8_t *h = w->p + w->pos;
		/* RFC 9147 4: a first byte 001xxxxx is a ciphertext record with
		 * the unified header; its length is optional, and nothing after
		 * the handshake keys is readable anyway. */
		if ((h[0] & 0xe0) == 0x20)
			return TLSFP_DTLS_END;
		if (avail < TLSFP_DTLS_RECORD_HEADER || h[0] < DTLS_CT_MIN || h[0] > DTLS_CT_MAX ||
		    !dtls_version_ok(h + 1))
			return TLSFP_DTLS_BAD;
		size_t rlen = tlsfp_load_be16(h + 11);
		if (rlen > avail - TLSFP_DTLS_RECORD_HEADER)
			return TLSFP_DTLS_BAD;
		size_t body = w->pos + TLSFP_DTLS_RECORD_HEADER;
		w->pos = body + rlen;
		/* Plaintext handshake records only; an empty one holds nothing. */
		if (h[0] == DTLS_CT_HANDSHAKE && h[3] == 0 && h[4] == 0 && rlen != 0) {
			w->rec_end = body + rlen;
			w->pos = body;
		}
	}
}
