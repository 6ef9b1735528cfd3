/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Handshake record → one Suricata-compatible EVE JSON line, byte for byte
 * what the TypeScript writer (src/export/eve.ts toEveLine over the addon's
 * record object, native/record_to_js.cc) produces for the same record: same
 * keys in the same order, same omitted fields, same escaping.
 *
 * Pure and reentrant: no allocation, no locks, no locale, no stdio. Numbers,
 * addresses and the timestamp are formatted by hand.
 *
 * Corrupt records too: a byte >= 0x80 in a hash field (ja3, ja3s, ja4,
 * ja4_o, which the data plane writes as ASCII) is decoded as UTF-8, each
 * ill-formed sequence becoming U+FFFD, as the addon decodes it.
 */
#ifndef TLSFP_EVE_H
#define TLSFP_EVE_H

#include <stddef.h>

#include "tlsfp/record.h"

/*
 * An upper bound, NUL included, on the line of any record:
 *   - 2048 for keys, punctuation, numbers, addresses, timestamp, flags;
 *   - names (SNI, client and server ALPN): a byte becomes at most 5 JSON
 *     characters ("\x01" escaped again by JSON: \\x01), and an ALPN name's
 *     length byte pays for its quotes and comma;
 *   - the client lists appear in at most four places (JA3 string,
 *     client_handshake, ja4_r, ja4_ro), at most 6 characters a value;
 *   - the server extensions once (JA3S string), 6 characters a value;
 *   - hash fields (32 + 32 + 36 + 36 bytes), 6 characters a byte at worst.
 */
#define TLSFP_EVE_LINE_MAX                                                                         \
	(2048 + 5 * (TLSFP_REC_SNI_CAP + TLSFP_REC_ALPN_CAP + TLSFP_REC_SH_ALPN_CAP) +             \
	 4 * 6 * TLSFP_REC_LIST_CAP + 6 * TLSFP_REC_SH_EXTS_CAP +                                  \
	 6 * (2 * TLSFP_MD5_HEX_LEN + 2 * TLSFP_JA4_LEN))

/*
 * Writes the EVE line of rec, '\n' included, then a NUL, into buf; snprintf
 * semantics: returns the line's length (without the NUL); the line is
 * complete only when that is < cap, otherwise buf holds nothing useful.
 * cap >= TLSFP_EVE_LINE_MAX always suffices. buf may be NULL when cap is 0.
 */
size_t tlsfp_eve_format(const struct tlsfp_record *rec, char *buf, size_t cap);

#endif /* TLSFP_EVE_H */
