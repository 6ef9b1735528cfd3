/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ClientHello → struct tlsfp_client_hello (RFC 8446 4.1.2, RFC 5246 7.4.1.2).
 *
 * One function per extension the fingerprints read; every other extension
 * only has its type recorded. Lists are copied GREASE-free in wire order.
 * Error mapping: see hello_common.h.
 *
 * Deliberate leniencies (a fingerprint of an odd client is worth more than a
 * parse error, and nothing read depends on them): an empty cipher vector, an
 * empty compression vector, an empty ALPN list and empty ALPN names are
 * accepted (JA4 gives "00" for the last two). Structure is never guessed:
 * every inner length must match its container exactly.
 *
 * Cost: one pass over the message, no allocation; the output struct is not
 * cleared (only counts and scalars are set), which keeps its ~12 KB of
 * arrays out of the cache.
 */
#include "tls/hello_common.h"

/* Copy an even-length vector of u16 into dst, GREASE removed. */
static enum tlsfp_parse_result
copy_u16_list(struct tlsfp_reader *r, uint16_t *dst, uint16_t *n, size_t cap,
	      enum tlsfp_parse_result odd)
{
	if (r->len & 1)
		return odd;
	while (r->len != 0) {
		uint16_t v = tlsfp_read_u16(r);
		if (tlsfp_is_grease(v))
			continue;
		if (*n >= cap)
			return TLSFP_PARSE_TOO_MANY_ITEMS;
		dst[(*n)++] = v;
	}
	return TLSFP_PARSE_OK;
}

/* A body that is exactly one vector with a u16 length: return it. */
static bool
whole_u16_vector(struct tlsfp_reader *body, struct tlsfp_reader *vec)
{
	uint16_t n = tlsfp_read_u16(body);
	if (body->err || n != body->len)
		return false;
	*vec = tlsfp_read_sub(body, n);
	return true;
}

/* server_name (RFC 6066 3): ServerNameList; keep the first host_name. An
 * empty body (the ServerHello form, sent by a few odd clients) carries no
 * name but still is the extension: JA4's SNI flag is about presence. */
static enum tlsfp_parse_result
ext_server_name(struct tlsfp_reader *body, struct tlsfp_client_hello *ch)
{
	struct tlsfp_reader list;
	bool have = false;

	if (body->len == 0)
		return TLSFP_PARSE_OK;
	if (!whole_u16_vector(body, &list))
		return TLSFP_PARSE_BAD_EXTENSION;
	while (list.len != 0) {
		uint8_t name_type = tlsfp_read_u8(&list);
		uint16_t n = tlsfp_read_u16(&list);
		const uint8_t *name = tlsfp_read_bytes(&list, n);
		if (list.err)
			return TLSFP_PARSE_BAD_EXTENSION;
		if (name_type == 0 && !have) {
			ch->sni = name;
			ch->sni_len = n;
			have = true;
		}
	}
	return TLSFP_PARSE_OK;
}

/* supported_groups (RFC 8446 4.2.7): NamedGroup named_group_list<2..2^16-1>. */
static enum tlsfp_parse_result
ext_supported_groups(struct tlsfp_reader *body, struct tlsfp_client_hello *ch)
{
	struct tlsfp_reader list;

	if (!whole_u16_vector(body, &list))
		return TLSFP_PARSE_BAD_EXTENSION;
	return copy_u16_list(&list, ch->groups, &ch->n_groups, TLSFP_CH_MAX_GROUPS,
			     TLSFP_PARSE_BAD_EXTENSION);
}

/* ec_point_formats (RFC 8422 5.1.2): ECPointFormat ec_point_format_list<1..2^8-1>. */
static enum tlsfp_parse_result
ext_ec_point_formats(struct tlsfp_reader *body, struct tlsfp_client_hello *ch)
{
	uint8_t n = tlsfp_read_u8(body);
	if (body->err || n != body->len)
		return TLSFP_PARSE_BAD_EXTENSION;
	/* n <= 255 == TLSFP_CH_MAX_POINT_FORMATS: always fits. */
	for (uint8_t i = 0; i < n; i++)
		ch->point_formats[ch->n_point_formats++] = tlsfp_read_u8(body);
	return TLSFP_PARSE_OK;
}

/* signature_algorithms (RFC 8446 4.2.3), ext 0x000d only. */
static enum tlsfp_parse_result
ext_signature_algorithms(struct tlsfp_reader *body, struct tlsfp_client_hello *ch)
{
	struct tlsfp_reader list;

	if (!whole_u16_vector(body, &list))
		return TLSFP_PARSE_BAD_EXTENSION;
	return copy_u16_list(&list, ch->sigalgs, &ch->n_sigalgs, TLSFP_CH_MAX_SIGALGS,
			     TLSFP_PARSE_BAD_EXTENSION);
}

/* ALPN (RFC 7301 3.1): ProtocolName protocol_name_list<2..2^16-1>, each
 * ProtocolName<1..2^8-1>. The names must tile the list exactly. */
static enum tlsfp_parse_result
ext_alpn(struct tlsfp_reader *body, struct tlsfp_client_hello *ch)
{
	struct tlsfp_reader list;

	if (!whole_u16_vector(body, &list))
		return TLSFP_PARSE_BAD_EXTENSION;
	ch->alpn = list.p;
	ch->alpn_len = (uint16_t)list.len;
	while (list.len != 0) {
		uint8_t n = tlsfp_read_u8(&list);
		tlsfp_read_skip(&list, n);
		if (list.err)
			return TLSFP_PARSE_BAD_EXTENSION;
	}
	return TLSFP_PARSE_OK;
}

/* supported_versions, client form (RFC 8446 4.2.1): ProtocolVersion versions<2..254>. */
static enum tlsfp_parse_result
ext_supported_versions(struct tlsfp_reader *body, struct tlsfp_client_hello *ch)
{
	uint8_t n = tlsfp_read_u8(body);
	if (body->err || n != body->len)
		return TLSFP_PARSE_BAD_EXTENSION;
	/* n/2 <= 127 == TLSFP_CH_MAX_VERSIONS: always fits. */
	enum tlsfp_parse_result res =
		copy_u16_list(body, ch->versions, &ch->n_versions, TLSFP_CH_MAX_VERSIONS,
			      TLSFP_PARSE_BAD_EXTENSION);
	if (res != TLSFP_PARSE_OK)
		return res;
	ch->has_supported_versions = true;
	/* Numeric maximum: right for TLS. DTLS redoes it in its own order
	 * once the message is parsed (dtls_max_version). */
	for (uint16_t i = 0; i < ch->n_versions; i++)
		if (ch->versions[i] > ch->max_supported_version)
			ch->max_supported_version = ch->versions[i];
	return TLSFP_PARSE_OK;
}

/*
 * DTLS version order (RFC 6347 4.1, RFC 9147 5.3): versions are the one's
 * complement of their TLS counterparts, so 0xfefc (1.3) > 0xfefd (1.2) >
 * 0xfeff (1.0) although numerically smaller. Rank 0xfeXX above anything
 * else, newest first; a non-DTLS value keeps its numeric rank below them.
 */
static uint32_t
dtls_version_rank(uint16_t v)
{
	if ((v >> 8) == 0xfe)
		return 0x10000u + (0xffu - (v & 0xffu));
	return v;
}

static uint16_t
dtls_max_version(const struct tlsfp_client_hello *ch)
{
	uint16_t best = 0;
	for (uint16_t i = 0; i < ch->n_versions; i++)
		if (best == 0 || dtls_version_rank(ch->versions[i]) > dtls_version_rank(best))
			best = ch->versions[i];
	return best;
}

/*
 * Dispatch one extension. RFC 8446 4.2 forbids repeats, but a passive
 * fingerprinter sees what clients send: JA3 and JA4 list every type as sent
 * (tshark and the JA4 reference do the same), and for the fields we read the
 * first occurrence wins; `seen` skips the later ones.
 */
static enum tlsfp_parse_result
client_extension(uint16_t type, struct tlsfp_reader *body, struct tlsfp_client_hello *ch,
		 unsigned *seen)
{
	enum tlsfp_parse_result (*fn)(struct tlsfp_reader *, struct tlsfp_client_hello *);
	unsigned bit;

	switch (type) {
	case TLSFP_EXT_SERVER_NAME:
		fn = ext_server_name;
		bit = TLSFP_SEEN_SNI;
		ch->has_sni = true;
		break;
	case TLSFP_EXT_SUPPORTED_GROUPS:
		fn = ext_supported_groups;
		bit = TLSFP_SEEN_GROUPS;
		break;
	case TLSFP_EXT_EC_POINT_FORMATS:
		fn = ext_ec_point_formats;
		bit = TLSFP_SEEN_POINT_FORMATS;
		break;
	case TLSFP_EXT_SIGNATURE_ALGORITHMS:
		fn = ext_signature_algorithms;
		bit = TLSFP_SEEN_SIGALGS;
		break;
	case TLSFP_EXT_ALPN:
		fn = ext_alpn;
		bit = TLSFP_SEEN_ALPN;
		ch->has_alpn = true;
		break;
	case TLSFP_EXT_SUPPORTED_VERSIONS:
		fn = ext_supported_versions;
		bit = TLSFP_SEEN_VERSIONS;
		break;
	default:
		return TLSFP_PARSE_OK;
	}
	if (*seen & bit)
		return TLSFP_PARSE_OK;
	*seen |= bit;
	return fn(body, ch);
}

/* The ClientHello of TLS, or of DTLS (dtls: a cookie<0..255> follows the
 * session id, RFC 6347 4.2.1; versions compare in DTLS order). */
static enum tlsfp_parse_result
parse_client_hello(const uint8_t *msg, size_t len, struct tlsfp_client_hello *out, bool dtls)
{
	struct tlsfp_reader r, vec, exts;
	enum tlsfp_parse_result res;
	unsigned seen = 0;

	out->legacy_version = 0;
	out->max_supported_version = 0;
	out->has_supported_versions = false;
	out->has_sni = false;
	out->has_alpn = false;
	out->n_ciphers = out->n_exts = out->n_groups = 0;
	out->n_point_formats = out->n_sigalgs = out->n_versions = 0;
	out->sni = NULL;
	out->sni_len = 0;
	out->alpn = NULL;
	out->alpn_len = 0;

	res = tlsfp_hello_open(msg, len, TLSFP_HS_CLIENT_HELLO, &r);
	if (res != TLSFP_PARSE_OK)
		return res;

	out->legacy_version = tlsfp_read_u16(&r);
	tlsfp_read_skip(&r, TLSFP_HELLO_RANDOM_LEN);
	if (r.err)
		return TLSFP_PARSE_TRUNCATED;
	res = tlsfp_hello_skip_session_id(&r);
	if (res != TLSFP_PARSE_OK)
		return res;
	if (dtls) {
		/* cookie<0..2^8-1>: empty in a first ClientHello, the
		 * HelloVerifyRequest's value in the second. */
		uint8_t ncookie = tlsfp_read_u8(&r);
		tlsfp_read_skip(&r, ncookie);
		if (r.err)
			return TLSFP_PARSE_TRUNCATED;
	}

	/* cipher_suites<2..2^16-2> */
	uint16_t n = tlsfp_read_u16(&r);
	if (r.err || n > r.len)
		return TLSFP_PARSE_TRUNCATED;
	vec = tlsfp_read_sub(&r, n);
	res = copy_u16_list(&vec, out->ciphers, &out->n_ciphers, TLSFP_CH_MAX_CIPHERS,
			    TLSFP_PARSE_BAD_LENGTH);
	if (res != TLSFP_PARSE_OK)
		return res;

	/* legacy_compression_methods<1..2^8-1> */
	uint8_t ncomp = tlsfp_read_u8(&r);
	tlsfp_read_skip(&r, ncomp);
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
		if (tlsfp_is_grease(type))
			continue;
		if (out->n_exts >= TLSFP_CH_MAX_EXTS)
			return TLSFP_PARSE_TOO_MANY_ITEMS;
		out->exts[out->n_exts++] = type;
		res = client_extension(type, &body, out, &seen);
		if (res != TLSFP_PARSE_OK)
			return res;
	}
	if (dtls)
		out->max_supported_version = dtls_max_version(out);
	return TLSFP_PARSE_OK;
}

enum tlsfp_parse_result
tlsfp_parse_client_hello(const uint8_t *msg, size_t len, struct tlsfp_client_hello *out)
{
	return parse_client_hello(msg, len, out, false);
}

enum tlsfp_parse_result
tlsfp_parse_client_hello_dtls(const uint8_t *msg, size_t len, struct tlsfp_client_hello *out)
{
	return parse_client_hello(msg, len, out, true);
}
