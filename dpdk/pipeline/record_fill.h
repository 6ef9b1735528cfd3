/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Filling a struct tlsfp_record from parsed hellos (internal to the
 * pipeline). The record itself and its views are in tlsfp/record.h.
 *
 * Hashes are computed from the parsed hello, never from the record's lists,
 * so a hello whose lists do not fit in the record still gets its exact
 * fingerprints (only the clear strings a consumer renders are incomplete,
 * and TLSFP_REC_F_LISTS_TRUNCATED says so).
 */
#ifndef TLSFP_PIPELINE_RECORD_FILL_H
#define TLSFP_PIPELINE_RECORD_FILL_H

#include <stddef.h>
#include <stdint.h>

#include "tlsfp/decode.h"
#include "tlsfp/hello.h"
#include "tlsfp/record.h"

/* Longest JA3 string the hello.h capacities allow: every number at most 5
 * digits plus a separator, 4 commas, a 5-digit version, the NUL. */
#define TLSFP_JA3_STR_MAX                                                                          \
	(6 * (TLSFP_CH_MAX_CIPHERS + TLSFP_CH_MAX_EXTS + TLSFP_CH_MAX_GROUPS +                     \
	      TLSFP_CH_MAX_POINT_FORMATS) +                                                        \
	 16)
/* JA3S: version, cipher, extensions. */
#define TLSFP_JA3S_STR_MAX (6 * (TLSFP_SH_MAX_EXTS + 2) + 16)

/* Zero the record and fill the flow part from the client's packet: its
 * source is the client. */
void tlsfp_record_begin(struct tlsfp_record *rec, const struct tlsfp_packet *pkt, char transport,
			uint64_t flow_id, uint64_t ts_ns);

/* Client side: lists, SNI, ALPN, JA3, JA4, ja4_o. `scratch` holds at least
 * TLSFP_JA3_STR_MAX bytes. Leaves the server side untouched. */
void tlsfp_record_fill_ch(struct tlsfp_record *rec, const struct tlsfp_client_hello *ch,
			  char *scratch, size_t scratch_cap);

/* Server side: version, cipher, extensions, ALPN, JA3S. `scratch` holds at
 * least TLSFP_JA3S_STR_MAX bytes. */
void tlsfp_record_fill_sh(struct tlsfp_record *rec, const struct tlsfp_server_hello *sh,
			  char *scratch, size_t scratch_cap);

#endif /* TLSFP_PIPELINE_RECORD_FILL_H */
