/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The handshake record: what the data plane hands the control plane for
 * every TLS or QUIC handshake. Fixed size, no pointers, so it can sit in a
 * shared-memory ring and be read by another process.
 *
 * Hashes (JA3, JA3S, JA4, ja4_o) are computed by the data plane. The clear
 * strings (JA3/JA3S strings, ja4_r, ja4_ro) are rendered by the consumer
 * from the lists below with the same fp/ functions (tlsfp_record_ch_view).
 *
 * Bump TLSFP_RECORD_ABI on any layout change: consumers refuse an ABI they
 * do not know.
 */
#ifndef TLSFP_RECORD_H
#define TLSFP_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "tlsfp/fp.h"

#define TLSFP_RECORD_ABI 2

#define TLSFP_REC_LIST_CAP 1024 /* u16 entries shared by the client lists */
#define TLSFP_REC_SNI_CAP 256
#define TLSFP_REC_ALPN_CAP 2048 /* ALPN ProtocolNameList bytes: real lists are far below */
#define TLSFP_REC_SH_EXTS_CAP 256
#define TLSFP_REC_SH_ALPN_CAP 256

enum tlsfp_record_flag {
	TLSFP_REC_F_CLIENT_HELLO = 1u << 0, /* client side filled (always, today) */
	TLSFP_REC_F_SERVER_HELLO = 1u << 1, /* server side filled */
	TLSFP_REC_F_HRR = 1u << 2,	    /* a HelloRetryRequest was seen */
	TLSFP_REC_F_LISTS_TRUNCATED = 1u
				      << 3, /* a list did not fit: clear strings are incomplete */
	TLSFP_REC_F_ALPN_TRUNCATED = 1u << 4,
	TLSFP_REC_F_SNI_TRUNCATED = 1u << 5,
	TLSFP_REC_F_HAS_SNI = 1u << 6,	/* ext 0x0000 present */
	TLSFP_REC_F_HAS_ALPN = 1u << 7, /* ext 0x0010 present */
	TLSFP_REC_F_HAS_SUPPORTED_VERSIONS = 1u << 8,
};

/* Why the record was written. */
enum tlsfp_record_reason {
	TLSFP_REC_R_SERVER_HELLO = 1, /* paired with its ServerHello */
	TLSFP_REC_R_FLOW_END = 2,     /* FIN or RST before a ServerHello */
	TLSFP_REC_R_TIMEOUT = 3,      /* no ServerHello within the flow timeout */
	TLSFP_REC_R_FLUSH = 4,	      /* end of input (file end, shutdown) */
	TLSFP_REC_R_EVICTED = 5,      /* flow table full, oldest flow pushed out */
	TLSFP_REC_R_CLIENT_ONLY = 6,  /* transport whose server side is not awaited */
};

struct tlsfp_record {
	uint64_t ts_ns;	  /* time of the first packet of the ClientHello, Unix ns */
	uint64_t flow_id; /* symmetric flow hash, < 2^53 so JSON/JS keep it exact */

	/* Flow, oriented client → server. */
	uint8_t src_ip[16]; /* IPv4 in the first 4 bytes */
	uint8_t dst_ip[16];
	uint16_t src_port, dst_port;
	uint8_t ip_version; /* 4 or 6 */
	uint8_t l4proto;    /* 6 or 17 */
	char transport;	    /* 't' TCP, 'q' QUIC, 'd' DTLS */
	uint8_t vlan_count;
	uint16_t vlan[4]; /* outer VLAN IDs, outermost first */
	uint32_t flags;	  /* enum tlsfp_record_flag */
	uint8_t reason;	  /* enum tlsfp_record_reason */
	uint8_t pad0[3];

	/* ClientHello. Lists: wire order, GREASE removed, stored back to back
	 * in `lists` in this order: ciphers, exts, groups, point formats,
	 * sigalgs, versions. The n_* are the stored counts. */
	uint16_t ch_legacy_version;
	uint16_t ch_max_supported_version;
	uint16_t n_ciphers, n_exts, n_groups, n_point_formats, n_sigalgs, n_versions;
	uint16_t lists[TLSFP_REC_LIST_CAP];
	uint16_t sni_len;
	uint16_t alpn_len; /* ALPN ProtocolNameList body, as on the wire */
	char sni[TLSFP_REC_SNI_CAP];
	uint8_t alpn[TLSFP_REC_ALPN_CAP];
	char ja3[TLSFP_MD5_HEX_LEN + 1];
	char ja4[TLSFP_JA4_LEN + 1];
	char ja4_o[TLSFP_JA4_LEN + 1];

	/* ServerHello (valid when TLSFP_REC_F_SERVER_HELLO). */
	uint16_t sh_legacy_version;
	uint16_t sh_selected_version; /* supported_versions, 0 if absent */
	uint16_t sh_cipher;
	uint16_t sh_n_exts;
	uint16_t sh_exts[TLSFP_REC_SH_EXTS_CAP];
	uint16_t sh_alpn_len;
	char sh_alpn[TLSFP_REC_SH_ALPN_CAP];
	char ja3s[TLSFP_MD5_HEX_LEN + 1];
};

/* Views over a record's lists for the fp/ functions. */
void tlsfp_record_ch_view(const struct tlsfp_record *rec, struct tlsfp_ch_view *out);
void tlsfp_record_sh_view(const struct tlsfp_record *rec, struct tlsfp_sh_view *out);

/* Offsets into rec->lists of each client list (ciphers is always 0). */
struct tlsfp_record_lists {
	struct tlsfp_u16s ciphers, exts, groups, point_formats, sigalgs, versions;
};
void tlsfp_record_lists(const struct tlsfp_record *rec, struct tlsfp_record_lists *out);

/*
 * Packed records: the same record without its unused capacity (a typical
 * one packs to ~400 bytes of its 5 KiB), for keeping many of them: the
 * control plane's pending history and its SQLite rows. Byte 0 is 'P', byte 1
 * TLSFP_RECORD_ABI; then the fields in struct order with every array cut to
 * its stored length. Host byte order: a packed record is read back on the
 * machine that wrote it.
 */
#define TLSFP_RECORD_PACKED_MAX (sizeof(struct tlsfp_record) + 16)

/* Pack rec into out (cap bytes, TLSFP_RECORD_PACKED_MAX always suffices).
 * Returns the packed length, or 0 when cap is too small. */
size_t tlsfp_record_pack(const struct tlsfp_record *rec, uint8_t *out, size_t cap);

/* Unpack len bytes into *rec (every byte of it written). 0, or -1 when the
 * bytes are not a whole packed record of this ABI (rec is then zeroed). */
int tlsfp_record_unpack(const uint8_t *in, size_t len, struct tlsfp_record *rec);

/* Only the fields before `lists` (times, flow, addresses, ports, flags...),
 * without touching the rest of *rec: for readers that need no more. 0, or
 * -1 when the bytes do not start a packed record of this ABI. */
int tlsfp_record_unpack_head(const uint8_t *in, size_t len, struct tlsfp_record *rec);

#endif /* TLSFP_RECORD_H */
