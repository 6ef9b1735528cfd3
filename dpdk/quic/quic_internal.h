/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the quic module (and its unit test): the per-thread crypto
 * state, the Initial key schedule and the plaintext frame parser.
 *
 * Split of the module:
 *   crypto.c   per-thread context, Initial key derivation (RFC 9001 §5.2,
 *              RFC 9369 §3.3), the cached keyed cipher contexts, the header
 *              protection mask and the AEAD open.
 *   frames.c   the frames allowed in an Initial packet → CRYPTO frame list.
 *   initial.c  long header parsing and the steps of opening one packet.
 */
#ifndef TLSFP_QUIC_INTERNAL_H
#define TLSFP_QUIC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The SHA256_* calls are deprecated in OpenSSL 3 but are the only
 * allocation-free SHA-256 in libcrypto 3.0: every EVP digest (re)init
 * allocates its provider context (measured), and the key schedule must
 * not allocate. Ask for the 1.1.1 API level so they stay declared
 * without deprecation warnings.
 */
#ifndef OPENSSL_API_COMPAT
#define OPENSSL_API_COMPAT 10101
#endif
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <tlsfp/quic.h>
#include <tlsfp/reader.h>

#define TLSFP_QUIC_KEY_LEN 16 /* AEAD_AES_128_GCM key and AES-128 hp key */
#define TLSFP_QUIC_IV_LEN 12
#define TLSFP_QUIC_TAG_LEN 16
#define TLSFP_QUIC_SAMPLE_LEN 16
#define TLSFP_QUIC_SECRET_LEN 32 /* SHA-256 */

/* Largest value a QUIC variable-length integer can carry (RFC 9000 §16). */
#define TLSFP_QUIC_VARINT_MAX ((UINT64_C(1) << 62) - 1)

/*
 * Read a QUIC variable-length integer (RFC 9000 §16): the two top bits of
 * the first byte give the length 1, 2, 4 or 8. On a short read the reader's
 * err is set and the value is meaningless.
 */
static inline uint64_t
tlsfp_quic_read_varint(struct tlsfp_reader *r)
{
	uint8_t b = tlsfp_read_u8(r);
	unsigned int n = 1u << (b >> 6);
	uint64_t v = b & 0x3f;

	for (unsigned int i = 1; i < n; i++)
		v = (v << 8) | tlsfp_read_u8(r);
	return v;
}

#define TLSFP_QUIC_N_VERSIONS 2 /* v1, v2 */

/* What differs between the versions we can open. */
struct tlsfp_quic_version {
	uint32_t version;
	uint8_t initial_type; /* long header type bits of an Initial */
	uint8_t salt[20];
	const char *key_label, *iv_label, *hp_label;
};

/* The version's parameters, or NULL when we cannot open it. */
const struct tlsfp_quic_version *tlsfp_quic_version_find(uint32_t version);

/* One direction's Initial keys (exposed for the RFC test vectors). */
struct tlsfp_quic_keys {
	uint8_t secret[TLSFP_QUIC_SECRET_LEN]; /* client_/server_initial_secret */
	uint8_t key[TLSFP_QUIC_KEY_LEN];
	uint8_t iv[TLSFP_QUIC_IV_LEN];
	uint8_t hp[TLSFP_QUIC_KEY_LEN];
};

/*
 * Keyed cipher contexts for the last connection ID seen in one direction.
 * Initials of one connection repeat the DCID, so a hit skips the key
 * schedule and the re-keying entirely.
 */
struct tlsfp_quic_keyslot {
	bool valid;
	uint8_t cid_len;
	uint32_t version;
	uint8_t cid[TLSFP_QUIC_MAX_CID];
	uint8_t iv[TLSFP_QUIC_IV_LEN];
	EVP_CIPHER_CTX *hp;   /* AES-128-ECB, padding off, keyed with hp */
	EVP_CIPHER_CTX *aead; /* AES-128-GCM decrypt, keyed with key */
};

/* HMAC-SHA256 with the key absorbed: hash states after ipad / opad blocks. */
struct tlsfp_quic_hmac_key {
	SHA256_CTX inner, outer;
};

/* Per-thread state: every algorithm fetched once, every context made once. */
struct tlsfp_quic_ctx {
	struct tlsfp_quic_hmac_key salt_key[TLSFP_QUIC_N_VERSIONS]; /* HKDF-Extract keys */
	EVP_CIPHER *ecb;
	EVP_CIPHER *gcm;
	struct tlsfp_quic_keyslot slot[2]; /* [from_server] */
};

/*
 * Derive one direction's Initial keys from a connection ID. Returns 0, or
 * -EINVAL for an unknown version / CID over 20 bytes, -EIO when libcrypto
 * fails.
 */
int tlsfp_quic_derive_keys(struct tlsfp_quic_ctx *ctx, uint32_t version, const uint8_t *cid,
			   uint8_t cid_len, bool from_server, struct tlsfp_quic_keys *out);

/* The keyed slot for (version, cid, direction), derived on a miss; NULL on failure. */
struct tlsfp_quic_keyslot *tlsfp_quic_keyslot_get(struct tlsfp_quic_ctx *ctx, uint32_t version,
						  const uint8_t *cid, uint8_t cid_len,
						  bool from_server);

/* mask = AES-ECB(hp, sample)[0..4] (RFC 9001 §5.4.3). Returns 0 or -EIO. */
int tlsfp_quic_hp_mask(struct tlsfp_quic_keyslot *ks, const uint8_t sample[TLSFP_QUIC_SAMPLE_LEN],
		       uint8_t mask[5]);

/*
 * The additional data of a packet without copying it: the unprotected first
 * byte, the header bytes up to the packet number as received, and the
 * unprotected packet number (RFC 9001 §5.3: AAD = the unprotected header).
 */
struct tlsfp_quic_aad {
	const uint8_t *seg[3];
	size_t len[3];
};

/*
 * AEAD_AES_128_GCM open with nonce = iv XOR packet number (RFC 9001 §5.3).
 * Writes ct_len bytes to out. Returns true only when the tag verifies.
 */
bool tlsfp_quic_aead_open(struct tlsfp_quic_keyslot *ks, uint64_t pn,
			  const struct tlsfp_quic_aad *aad, const uint8_t *ct, size_t ct_len,
			  const uint8_t tag[TLSFP_QUIC_TAG_LEN], uint8_t *out);

/*
 * Walk the frames of an Initial's plaintext and list its CRYPTO frames in
 * out->frames / out->n_frames (pointing into [p, p + len)).
 * Returns TLSFP_QUIC_OK or TLSFP_QUIC_BAD_FRAME.
 */
enum tlsfp_quic_result tlsfp_quic_parse_frames(const uint8_t *p, size_t len,
					       struct tlsfp_quic_initial *out);

#endif /* TLSFP_QUIC_INTERNAL_H */
