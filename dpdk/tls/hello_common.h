/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Framing shared by the ClientHello and ServerHello parsers (internal to
 * tls/): the handshake header and the optional extensions block.
 *
 * Error mapping, the same in both parsers:
 *   TRUNCATED     a length (handshake, vector, extension) points past the
 *                 bytes that hold it;
 *   BAD_LENGTH    top-level lengths that cannot be right: a handshake length
 *                 shorter than the message, a session id over 32 bytes, an
 *                 odd cipher vector, bytes after the extensions block;
 *   BAD_EXTENSION anything wrong inside one extension body we parse (its
 *                 inner lengths, odd lists, trailing bytes), and a repeated
 *                 extension of a type we parse;
 *   UNSUPPORTED   a message of another handshake type, an SSLv2 hello.
 */
#ifndef TLSFP_TLS_HELLO_COMMON_H
#define TLSFP_TLS_HELLO_COMMON_H

#include "tlsfp/hello.h"
#include "tlsfp/reader.h"

#define TLSFP_HELLO_RANDOM_LEN 32
#define TLSFP_HELLO_MAX_SESSION_ID 32

/*
 * Check the 4-byte handshake header of msg and return a reader over the
 * body. The message must be exactly one handshake message: its length field
 * must cover [4, len) exactly.
 */
static inline enum tlsfp_parse_result
tlsfp_hello_open(const uint8_t *msg, size_t len, uint8_t want_type, struct tlsfp_reader *body)
{
	struct tlsfp_reader r = tlsfp_reader_init(msg, len);
	uint8_t type = tlsfp_read_u8(&r);
	if (r.err)
		return TLSFP_PARSE_TRUNCATED;
	/* An SSLv2-format hello starts with a 2-byte record length whose high
	 * bit is set; it can never be mistaken for type 1 or 2. */
	if (type != want_type)
		return TLSFP_PARSE_UNSUPPORTED;
	uint32_t body_len = tlsfp_read_u24(&r);
	if (r.err || body_len > r.len)
		return TLSFP_PARSE_TRUNCATED;
	if (body_len < r.len)
		return TLSFP_PARSE_BAD_LENGTH;
	*body = r;
	return TLSFP_PARSE_OK;
}

/* legacy_session_id<0..32>: skip it. */
static inline enum tlsfp_parse_result
tlsfp_hello_skip_session_id(struct tlsfp_reader *r)
{
	uint8_t n = tlsfp_read_u8(r);
	if (r->err)
		return TLSFP_PARSE_TRUNCATED;
	if (n > TLSFP_HELLO_MAX_SESSION_ID)
		return TLSFP_PARSE_BAD_LENGTH;
	tlsfp_read_skip(r, n);
	return r->err ? TLSFP_PARSE_TRUNCATED : TLSFP_PARSE_OK;
}

/*
 * The extensions block is optional (a hello may end after the compression
 * methods). When present, its u16 length must cover the rest of the body
 * exactly. *exts is empty when the block is absent.
 */
static inline enum tlsfp_parse_result
tlsfp_hello_open_extensions(struct tlsfp_reader *r, struct tlsfp_reader *exts)
{
	if (r->len == 0) {
		*exts = tlsfp_reader_init(r->p, 0);
		return TLSFP_PARSE_OK;
	}
	uint16_t n = tlsfp_read_u16(r);
	if (r->err || n > r->len)
		return TLSFP_PARSE_TRUNCATED;
	if (n < r->len)
		return TLSFP_PARSE_BAD_LENGTH;
	*exts = tlsfp_read_sub(r, n);
	return TLSFP_PARSE_OK;
}

/* Next extension of the block: its type and a reader over its body. */
static inline enum tlsfp_parse_result
tlsfp_hello_next_extension(struct tlsfp_reader *exts, uint16_t *type, struct tlsfp_reader *body)
{
	*type = tlsfp_read_u16(exts);
	uint16_t n = tlsfp_read_u16(exts);
	if (exts->err || n > exts->len)
		return TLSFP_PARSE_TRUNCATED;
	*body = tlsfp_read_sub(exts, n);
	return TLSFP_PARSE_OK;
}

/* Bit of a parsed extension type in a "seen" mask, to refuse repeats. */
enum tlsfp_hello_seen {
	TLSFP_SEEN_SNI = 1u << 0,
	TLSFP_SEEN_GROUPS = 1u << 1,
	TLSFP_SEEN_POINT_FORMATS = 1u << 2,
	TLSFP_SEEN_SIGALGS = 1u << 3,
	TLSFP_SEEN_ALPN = 1u << 4,
	TLSFP_SEEN_VERSIONS = 1u << 5,
};

#endif /* TLSFP_TLS_HELLO_COMMON_H */
