/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC Initial packets (RFC 9000/9001 for v1, RFC 9369 for v2): remove
 * header protection, decrypt with the Initial keys derived from the client's
 * original Destination Connection ID, and list the CRYPTO frames inside.
 *
 * This module only opens one packet; putting CRYPTO frames from several
 * Initials (in any order) back together is the flow module's job, with the
 * same bounded stream buffer TCP uses.
 *
 * Contract: reads only [dgram, dgram + len); decrypts into out->plaintext;
 * never allocates on the heap (OpenSSL's EVP contexts are cached per thread
 * by the caller-provided tlsfp_quic_ctx).
 */
#ifndef TLSFP_QUIC_H
#define TLSFP_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLSFP_QUIC_V1 0x00000001u
#define TLSFP_QUIC_V2 0x6b3343cfu
#define TLSFP_QUIC_MAX_CID 20
#define TLSFP_QUIC_MAX_FRAMES 64
#define TLSFP_QUIC_MAX_PACKET 4096 /* larger Initials are refused (counted) */

enum tlsfp_quic_result {
	TLSFP_QUIC_OK = 0,
	TLSFP_QUIC_NOT_INITIAL = 1,	     /* not a long-header Initial: not ours, not an error */
	TLSFP_QUIC_UNSUPPORTED_VERSION = -1, /* long header Initial of a version we cannot open */
	TLSFP_QUIC_BAD_PACKET = -2,	     /* header fields inconsistent or truncated */
	TLSFP_QUIC_DECRYPT_FAILED = -3,	     /* AEAD tag mismatch (wrong keys, corrupted) */
	TLSFP_QUIC_BAD_FRAME = -4,	     /* plaintext frames do not parse */
};

struct tlsfp_quic_crypto_frame {
	uint64_t offset;     /* offset in the Initial CRYPTO stream */
	const uint8_t *data; /* points into the owning tlsfp_quic_initial */
	uint32_t len;
};

struct tlsfp_quic_initial {
	uint32_t version;
	uint8_t dcid_len, scid_len;
	uint8_t dcid[TLSFP_QUIC_MAX_CID];
	uint8_t scid[TLSFP_QUIC_MAX_CID];
	uint16_t n_frames;
	struct tlsfp_quic_crypto_frame frames[TLSFP_QUIC_MAX_FRAMES];
	uint8_t plaintext[TLSFP_QUIC_MAX_PACKET];
};

/* Per-thread crypto state (EVP contexts), created once on the cold path. */
struct tlsfp_quic_ctx;
struct tlsfp_quic_ctx *tlsfp_quic_ctx_create(void);
void tlsfp_quic_ctx_destroy(struct tlsfp_quic_ctx *ctx);

/* Cheap prefix test: could this UDP payload be a QUIC v1/v2 Initial? */
bool tlsfp_quic_looks_initial(const uint8_t *dgram, size_t len);

/*
 * Open the first Initial packet of a UDP datagram.
 * Client Initials: pass odcid = NULL; keys come from the packet's own DCID.
 * Server Initials: pass the client's original DCID (the server's packet
 * carries the client's SCID as its DCID) and from_server = true.
 */
enum tlsfp_quic_result tlsfp_quic_open_initial(struct tlsfp_quic_ctx *ctx, const uint8_t *dgram,
					       size_t len, const uint8_t *odcid, uint8_t odcid_len,
					       bool from_server, struct tlsfp_quic_initial *out);

#endif /* TLSFP_QUIC_H */
