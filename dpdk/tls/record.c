/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLS record layer walk (RFC 8446 5.1, RFC 5246 6.2.1): detect a hello at
 * the start of a TCP payload, and collect the first handshake message of a
 * stream from as many handshake records as it spans.
 *
 * Stateless: the caller hands the contiguous stream bytes it has so far and
 * calls again with more on NEED_MORE. Header bytes are judged as soon as
 * they arrive, so a stream that is not TLS is refused from its first byte
 * and an oversized message from its 4-byte handshake header, without
 * waiting for the rest.
 */
#include <string.h>

#include "tlsfp/hello.h"
#include "tlsfp/reader.h"

#define TLS_CT_CHANGE_CIPHER_SPEC 20
#define TLS_CT_HANDSHAKE 22
#define TLS_HS_HEADER 4

/* Judge the record header bytes present in h[0, avail): 1 when they are
 * a plausible header (complete or not), 0 when not. The type is checked by
 * the caller. Record versions 3.0 .. 3.4 (TLS 1.3 ClientHellos use 3.1). */
static int
header_prefix_ok(const uint8_t *h, size_t avail)
{
	if (avail >= 2 && h[1] != 3)
		return 0;
	if (avail >= 3 && h[2] > 4)
		return 0;
	if (avail >= 4 && h[3] > (TLSFP_TLS_MAX_RECORD >> 8))
		return 0;
	if (avail >= 5) {
		uint16_t n = tlsfp_load_be16(h + 3);
		if (n == 0 || n > TLSFP_TLS_MAX_RECORD)
			return 0;
	}
	return 1;
}

bool
tlsfp_tls_looks_like_hello(const uint8_t *p, size_t len)
{
	if (len == 0 || p[0] != TLS_CT_HANDSHAKE)
		return false;
	if (!header_prefix_ok(p, len < TLSFP_TLS_RECORD_HEADER ? len : TLSFP_TLS_RECORD_HEADER))
		return false;
	if (len > TLSFP_TLS_RECORD_HEADER) {
		uint8_t hs = p[TLSFP_TLS_RECORD_HEADER];
		if (hs != TLSFP_HS_CLIENT_HELLO && hs != TLSFP_HS_SERVER_HELLO)
			return false;
	}
	return true;
}

enum tlsfp_hs_status
tlsfp_tls_first_handshake(const uint8_t *stream, size_t len, uint8_t *msg, size_t cap,
			  size_t *msg_len, size_t *consumed)
{
	size_t pos = 0;	 /* start of the current record in stream */
	size_t got = 0;	 /* message bytes copied into msg */
	size_t need = 0; /* whole message size, 0 until its header is known */

	for (;;) {
		const uint8_t *h = stream + pos;
		size_t avail = len - pos;
		/* The first record must be a handshake record; later ones are
		 * handshake or ChangeCipherSpec (middlebox-compat CCS). */
		enum tlsfp_hs_status bad = pos == 0 ? TLSFP_HS_NOT_TLS : TLSFP_HS_BAD_RECORD;

		if (avail == 0)
			return TLSFP_HS_NEED_MORE;
		if (h[0] != TLS_CT_HANDSHAKE && (pos == 0 || h[0] != TLS_CT_CHANGE_CIPHER_SPEC))
			return bad;
		if (!header_prefix_ok(h, avail < TLSFP_TLS_RECORD_HEADER ? avail
									 : TLSFP_TLS_RECORD_HEADER))
			return bad;
		if (avail < TLSFP_TLS_RECORD_HEADER)
			return TLSFP_HS_NEED_MORE;

		size_t rlen = tlsfp_load_be16(h + 3);
		size_t body = pos + TLSFP_TLS_RECORD_HEADER;
		size_t have = len - body < rlen ? len - body : rlen;

		if (h[0] == TLS_CT_CHANGE_CIPHER_SPEC) {
			if (have < rlen)
				return TLSFP_HS_NEED_MORE;
			pos = body + rlen;
			continue;
		}

		const uint8_t *pl = stream + body;
		size_t i = 0;
		/* The 4-byte handshake header may itself be split over records. */
		while (got < TLS_HS_HEADER && i < have) {
			if (got >= cap)
				return TLSFP_HS_TOO_BIG;
			msg[got++] = pl[i++];
		}
		if (need == 0 && got == TLS_HS_HEADER) {
			need = TLS_HS_HEADER +
			       ((size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3]);
			if (need > cap)
				return TLSFP_HS_TOO_BIG;
		}
		if (need != 0) {
			size_t take = need - got < have - i ? need - got : have - i;
			memcpy(msg + got, pl + i, take);
			got += take;
			if (got == need) {
				/* May exceed len when the record goes on past the
				 * message (a ServerHello packed with Certificate). */
				*msg_len = need;
				*consumed = body + rlen;
				return TLSFP_HS_COMPLETE;
			}
		}
		if (have < rlen)
			return TLSFP_HS_NEED_MORE;
		pos = body + rlen;
	}
}
