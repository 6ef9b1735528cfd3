/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JA3, JA3S and JA4 (+ ja4_r, ja4_o, ja4_ro): pure functions of a hello's
 * facts, exactly as shared/FINGERPRINTS.md defines them.
 *
 * They take views, not the parser's structs, so that the same code renders
 * fingerprints from a freshly parsed hello (data plane) and from a record
 * read out of a ring (addon). Lists in a view are host-order, wire order,
 * GREASE already removed.
 *
 * String functions follow snprintf: they write at most `cap` bytes including
 * the NUL and return the length the full string needs (excluding the NUL).
 */
#ifndef TLSFP_FP_H
#define TLSFP_FP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tlsfp_u16s {
	const uint16_t *v;
	uint32_t n;
};

struct tlsfp_ch_view {
	char transport; /* 't' TCP, 'q' QUIC, 'd' DTLS */
	uint16_t legacy_version;
	uint16_t max_supported_version; /* 0 if no supported_versions ext */
	bool has_sni;
	bool has_alpn;
	struct tlsfp_u16s ciphers, exts, groups, point_formats, sigalgs;
	const uint8_t *alpn_first; /* first ProtocolName, NULL/0 if none or empty */
	uint32_t alpn_first_len;
};

struct tlsfp_sh_view {
	uint16_t legacy_version;
	uint16_t cipher;
	struct tlsfp_u16s exts;
};

#define TLSFP_MD5_HEX_LEN 32
#define TLSFP_JA4_LEN 36

/* "771,4865-4866,0-23,29-23,0" */
size_t tlsfp_ja3_string(const struct tlsfp_ch_view *ch, char *out, size_t cap);
/* "771,4865,43-51" */
size_t tlsfp_ja3s_string(const struct tlsfp_sh_view *sh, char *out, size_t cap);
/* MD5 of s as 32 lower-case hex characters + NUL. */
void tlsfp_md5_hex(const char *s, size_t len, char out[TLSFP_MD5_HEX_LEN + 1]);

/* JA4 and ja4_o: always 36 characters + NUL. */
void tlsfp_ja4(const struct tlsfp_ch_view *ch, char out[TLSFP_JA4_LEN + 1]);
void tlsfp_ja4_o(const struct tlsfp_ch_view *ch, char out[TLSFP_JA4_LEN + 1]);
/* The raw (clear) forms: a_<ciphers>_<exts>[_<sigalgs>]. */
size_t tlsfp_ja4_r(const struct tlsfp_ch_view *ch, char *out, size_t cap);
size_t tlsfp_ja4_ro(const struct tlsfp_ch_view *ch, char *out, size_t cap);

/* Part a alone (10 characters + NUL), exposed for tests and rules. */
void tlsfp_ja4_a(const struct tlsfp_ch_view *ch, char out[11]);

/* "TLS 1.3", "TLS 1.2", ..., "SSLv3", "DTLS 1.2", or "UNDETERMINED". */
const char *tlsfp_version_name(uint16_t version);

#endif /* TLSFP_FP_H */
