/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ServerHello → struct tlsfp_server_hello (RFC 8446 4.1.3, RFC 5246 7.4.1.3).
 *
 * Extension types are kept as sent (JA3S does not filter GREASE). Parsed
 * bodies: supported_versions (the selected version) and ALPN (the selected
 * protocol). A HelloRetryRequest is a ServerHello whose random is the fixed
 * RFC 8446 value; it parses like any ServerHello and is flagged.
 * Error mapping: see hello_common.h.
 */
#include <string.h>

#include "tls/hello_common.h"

/* SHA-256("HelloRetryRequest"), RFC 8446 4.1.3. */
static const uint8_t hrr_random[TLSFP_HELLO_RANDOM_LEN] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* supported_versions, server form: ProtocolVersion selected_version. */
static enum tlsfp_parse_result
ext_supported_versions(struct tlsfp_reader *body, struct tlsfp_server_hello *sh)
{
	uint16_t v = tlsfp_read_u16(body);
	if (body->err || body->len != 0)
		return TLSFP_PARSE_BAD_EXTENSION;
	sh->selected_version = v;
	return TLSFP_PARSE_OK;
}

/* ALPN, server form (RFC 7301 3.1): a list of exactly one non-empty name. */
static enum tlsfp_parse_result
ext_alpn(struct tlsfp_reader *body, struct tlsfp_server_hello *sh)
{
	uint16_t list_len = tlsfp_read_u16(body);
	uint8_t n = tlsfp_read_u8(body);
	const uint8_t *name = tlsfp_read_bytes(body, n);
	if (body->err || body->len != 0 || list_len != (uint16_t)n + 1 || n == 0)
		return TLSFP_PARSE_BAD_EXTENSION;
	sh->alpn = name;
	sh->alpn_len = n;
	return TLSFP_PARSE_OK;
}

enum tlsfp_parse_result
tlsfp_parse_server_hello(const uint8_t *msg, size_t len, struct tlsfp_server_hello *out)
{
	struct tlsfp_reader r, exts;
	enum tlsfp_parse_result res;
	unsigned seen = 0;

	out->legacy_version = 0;
	out->selected_version = 0;
	out->cipher = 0;
	out->is_hello_retry_request = false;
	out->n_exts = 0;
	out->alpn = NULL;
	out->alpn_len = 0;

	res = tlsfp_hello_open(msg, len, TLSFP_HS_SERVER_HELLO, &r);
	if (res != TLSFP_PARSE_OK)
		return res;

	out->legacy_version = tlsfp_read_u16(&r);
	const uint8_t *random = tlsfp_read_bytes(&r, TLSFP_HELLO_RANDOM_LEN);
	if (r.err)
		return TLSFP_PARSE_TRUNCATED;
	out->is_hello_retry_request = memcmp(random, hrr_random, sizeof(hrr_random)) == 0;
	res = tlsfp_hello_skip_session_id(&r);
	if (res != TLSFP_PARSE_OK)
		return res;
	out->cipher = tlsfp_read_u16(&r);
	(void)tlsfp_read_u8(&r); /* legacy_compression_method */
	if (r.err)
		return TLSFP_PARSE_TRUNCATED;

	res = tlsfp_hello_open_extensions(&r, &exts);
	if (res != TLSFP_PARSE_OK)
		return res;
	while (exts.len != 0) {
		uint16_t type;
		struct tlsfp_reader body;

		res = tlsfp_hello_next_extension(&exts, &type, &body);
		if (res != TLSFP_PARSE_OK)
			return res;
		if (out->n_exts >= TLSFP_SH_MAX_EXTS)
			return TLSFP_PARSE_TOO_MANY_ITEMS;
		out->exts[out->n_exts++] = type;

		unsigned bit;
		if (type == TLSFP_EXT_SUPPORTED_VERSIONS)
			bit = TLSFP_SEEN_VERSIONS;
		else if (type == TLSFP_EXT_ALPN)
			bit = TLSFP_SEEN_ALPN;
		else
			continue;
		if (seen & bit)
			continue; /* a repeat: JA3S lists it, the first one's body wins */
		seen |= bit;
		res = bit == TLSFP_SEEN_VERSIONS ? ext_supported_versions(&body, out)
						 : ext_alpn(&body, out);
		if (res != TLSFP_PARSE_OK)
			return res;
	}
	return TLSFP_PARSE_OK;
}
