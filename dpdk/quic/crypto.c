/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC Initial packet protection: the per-thread crypto context, the key
 * schedule of RFC 9001 §5.2 (v1) and RFC 9369 §3.3 (v2), and the two
 * primitives the packet path needs (header protection mask, AEAD open).
 *
 * Cost model. tlsfp_quic_ctx_create() fetches every algorithm, makes every
 * cipher context and absorbs the version salts, once, on the cold path. A
 * packet whose connection ID and direction match the cached slot costs one
 * AES block for the mask and one GCM open: no fetch, no re-keying. A new
 * connection ID costs the key schedule (14 SHA-256 blocks) plus re-keying
 * two cipher contexts (a few microseconds, measured on a loaded 2-core VM).
 * Neither path allocates: test_quic counts libcrypto's allocations.
 *
 * HKDF (RFC 5869) is written directly over HMAC-SHA256 (RFC 2104): every
 * output here is at most 32 bytes, one HMAC block, so Extract is
 * HMAC(salt, cid) and Expand-Label is HMAC(secret, HkdfLabel || 0x01)
 * truncated. HMAC keys are kept as absorbed hash states, so the salt is
 * hashed once per thread and each secret once per derivation. SHA-256 is
 * libcrypto's low-level SHA256_* on a stack context, deprecated in OpenSSL 3
 * but the only allocation-free SHA-256 there: every EVP digest init and
 * every EVP_MAC HMAC init allocates (measured with OpenSSL 3.0.22: ~25 heap
 * allocations per derivation with EVP_MAC). A zero-length connection ID is
 * valid input keying material.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "quic_internal.h" /* first OpenSSL include: sets OPENSSL_API_COMPAT */

static const struct tlsfp_quic_version quic_versions[TLSFP_QUIC_N_VERSIONS] = {
	{
		/* RFC 9001 §5.2 */
		.version = TLSFP_QUIC_V1,
		.initial_type = 0,
		.salt = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
			 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a},
		.key_label = "quic key",
		.iv_label = "quic iv",
		.hp_label = "quic hp",
	},
	{
		/* RFC 9369 §3.2, §3.3.1, §3.3.2 */
		.version = TLSFP_QUIC_V2,
		.initial_type = 1,
		.salt = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
			 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9},
		.key_label = "quicv2 key",
		.iv_label = "quicv2 iv",
		.hp_label = "quicv2 hp",
	},
};

const struct tlsfp_quic_version *
tlsfp_quic_version_find(uint32_t version)
{
	for (size_t i = 0; i < TLSFP_QUIC_N_VERSIONS; i++)
		if (quic_versions[i].version == version)
			return &quic_versions[i];
	return NULL;
}

/*
 * HMAC-SHA256 (RFC 2104) with its key already absorbed: the inner and outer
 * hash states after the key block. Keys here are at most 32 bytes, so
 * K is the key zero-padded to the 64-byte block.
 */
static void
hmac_key_init(struct tlsfp_quic_hmac_key *hk, const uint8_t *key, size_t key_len)
{
	uint8_t ipad[64], opad[64];

	memset(ipad, 0x36, sizeof(ipad));
	memset(opad, 0x5c, sizeof(opad));
	for (size_t i = 0; i < key_len && i < sizeof(ipad); i++) {
		ipad[i] ^= key[i];
		opad[i] ^= key[i];
	}
	SHA256_Init(&hk->inner);
	SHA256_Update(&hk->inner, ipad, sizeof(ipad));
	SHA256_Init(&hk->outer);
	SHA256_Update(&hk->outer, opad, sizeof(opad));
}

/* out = HMAC-SHA256(key, msg); the hash states are copied, the key stays. */
static void
hmac_sha256(const struct tlsfp_quic_hmac_key *hk, const uint8_t *msg, size_t msg_len,
	    uint8_t out[TLSFP_QUIC_SECRET_LEN])
{
	SHA256_CTX c = hk->inner;
	uint8_t inner[SHA256_DIGEST_LENGTH];

	SHA256_Update(&c, msg, msg_len);
	SHA256_Final(inner, &c);
	c = hk->outer;
	SHA256_Update(&c, inner, sizeof(inner));
	SHA256_Final(out, &c);
}

/*
 * HKDF-Expand-Label(secret, label, "", out_len) of TLS 1.3 (RFC 8446 §7.1):
 * info = uint16 out_len || uint8 len("tls13 " label) || "tls13 " label ||
 * uint8 0 (empty context); with out_len <= 32 the output is T(1) =
 * HMAC(secret, info || 0x01) truncated.
 */
static int
expand_label(const struct tlsfp_quic_hmac_key *secret, const char *label, uint8_t *out,
	     size_t out_len)
{
	static const char prefix[] = "tls13 ";
	uint8_t info[2 + 1 + 255 + 1 + 1];
	uint8_t t[TLSFP_QUIC_SECRET_LEN];
	size_t plen = sizeof(prefix) - 1, llen = strlen(label), n = 0;

	if (out_len > TLSFP_QUIC_SECRET_LEN || plen + llen > 255)
		return -EINVAL;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(plen + llen);
	memcpy(info + n, prefix, plen);
	n += plen;
	memcpy(info + n, label, llen);
	n += llen;
	info[n++] = 0;	  /* empty context */
	info[n++] = 0x01; /* HKDF-Expand block counter */
	hmac_sha256(secret, info, n, t);
	memcpy(out, t, out_len);
	return 0;
}

int
tlsfp_quic_derive_keys(struct tlsfp_quic_ctx *ctx, uint32_t version, const uint8_t *cid,
		       uint8_t cid_len, bool from_server, struct tlsfp_quic_keys *out)
{
	const struct tlsfp_quic_version *v = tlsfp_quic_version_find(version);
	uint8_t initial_secret[TLSFP_QUIC_SECRET_LEN];
	struct tlsfp_quic_hmac_key hk;

	if (v == NULL || cid_len > TLSFP_QUIC_MAX_CID)
		return -EINVAL;
	/* initial_secret = HKDF-Extract(initial_salt, cid) = HMAC(salt, cid) */
	hmac_sha256(&ctx->salt_key[v - quic_versions], cid, cid_len, initial_secret);
	hmac_key_init(&hk, initial_secret, sizeof(initial_secret));
	if (expand_label(&hk, from_server ? "server in" : "client in", out->secret,
			 sizeof(out->secret)) != 0)
		return -EIO;
	hmac_key_init(&hk, out->secret, sizeof(out->secret));
	if (expand_label(&hk, v->key_label, out->key, sizeof(out->key)) != 0 ||
	    expand_label(&hk, v->iv_label, out->iv, sizeof(out->iv)) != 0 ||
	    expand_label(&hk, v->hp_label, out->hp, sizeof(out->hp)) != 0)
		return -EIO;
	return 0;
}

struct tlsfp_quic_keyslot *
tlsfp_quic_keyslot_get(struct tlsfp_quic_ctx *ctx, uint32_t version, const uint8_t *cid,
		       uint8_t cid_len, bool from_server)
{
	struct tlsfp_quic_keyslot *ks = &ctx->slot[from_server ? 1 : 0];
	struct tlsfp_quic_keys keys;

	if (ks->valid && ks->version == version && ks->cid_len == cid_len &&
	    memcmp(ks->cid, cid, cid_len) == 0)
		return ks;

	/* Miss: derive and re-key; the slot stays invalid unless all of it works. */
	ks->valid = false;
	if (tlsfp_quic_derive_keys(ctx, version, cid, cid_len, from_server, &keys) != 0)
		return NULL;
	if (EVP_DecryptInit_ex(ks->aead, NULL, NULL, keys.key, NULL) != 1 ||
	    EVP_EncryptInit_ex(ks->hp, NULL, NULL, keys.hp, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ks->hp, 0) != 1)
		return NULL;
	memcpy(ks->iv, keys.iv, sizeof(ks->iv));
	memcpy(ks->cid, cid, cid_len);
	ks->cid_len = cid_len;
	ks->version = version;
	ks->valid = true;
	return ks;
}

int
tlsfp_quic_hp_mask(struct tlsfp_quic_keyslot *ks, const uint8_t sample[TLSFP_QUIC_SAMPLE_LEN],
		   uint8_t mask[5])
{
	uint8_t block[TLSFP_QUIC_SAMPLE_LEN];
	int outl = 0;

	/* One whole block with padding off: Update emits it, no Final needed. */
	if (EVP_EncryptUpdate(ks->hp, block, &outl, sample, TLSFP_QUIC_SAMPLE_LEN) != 1 ||
	    outl != TLSFP_QUIC_SAMPLE_LEN)
		return -EIO;
	memcpy(mask, block, 5);
	return 0;
}

bool
tlsfp_quic_aead_open(struct tlsfp_quic_keyslot *ks, uint64_t pn, const struct tlsfp_quic_aad *aad,
		     const uint8_t *ct, size_t ct_len, const uint8_t tag[TLSFP_QUIC_TAG_LEN],
		     uint8_t *out)
{
	uint8_t nonce[TLSFP_QUIC_IV_LEN];
	uint8_t tag_copy[TLSFP_QUIC_TAG_LEN]; /* the ctrl takes a non-const pointer */
	int outl = 0, finl = 0;

	if (ct_len > INT32_MAX)
		return false;
	/* The 62-bit packet number, big-endian, XORed into the low bytes of the iv. */
	memcpy(nonce, ks->iv, sizeof(nonce));
	for (int i = 0; i < 8; i++)
		nonce[TLSFP_QUIC_IV_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));
	memcpy(tag_copy, tag, sizeof(tag_copy));

	/* Key stays from the slot; only the nonce changes per packet. */
	if (EVP_DecryptInit_ex(ks->aead, NULL, NULL, NULL, nonce) != 1)
		return false;
	/* GCM takes the additional data in several calls before the ciphertext. */
	for (int i = 0; i < 3; i++) {
		if (aad->len[i] == 0)
			continue;
		if (aad->len[i] > INT32_MAX ||
		    EVP_DecryptUpdate(ks->aead, NULL, &outl, aad->seg[i], (int)aad->len[i]) != 1)
			return false;
	}
	outl = 0;
	if (ct_len > 0 && EVP_DecryptUpdate(ks->aead, out, &outl, ct, (int)ct_len) != 1)
		return false;
	if (EVP_CIPHER_CTX_ctrl(ks->aead, EVP_CTRL_AEAD_SET_TAG, TLSFP_QUIC_TAG_LEN, tag_copy) != 1)
		return false;
	if (EVP_DecryptFinal_ex(ks->aead, out + outl, &finl) != 1)
		return false;
	return (size_t)outl + (size_t)finl == ct_len;
}

static void
keyslot_free(struct tlsfp_quic_keyslot *ks)
{
	EVP_CIPHER_CTX_free(ks->hp);
	EVP_CIPHER_CTX_free(ks->aead);
	ks->hp = NULL;
	ks->aead = NULL;
	ks->valid = false;
}

struct tlsfp_quic_ctx *
tlsfp_quic_ctx_create(void)
{
	struct tlsfp_quic_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL)
		return NULL;
	for (size_t i = 0; i < TLSFP_QUIC_N_VERSIONS; i++)
		hmac_key_init(&ctx->salt_key[i], quic_versions[i].salt,
			      sizeof(quic_versions[i].salt));
	ctx->ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	ctx->gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	if (ctx->ecb == NULL || ctx->gcm == NULL)
		goto fail;

	for (int i = 0; i < 2; i++) {
		struct tlsfp_quic_keyslot *ks = &ctx->slot[i];

		ks->hp = EVP_CIPHER_CTX_new();
		ks->aead = EVP_CIPHER_CTX_new();
		if (ks->hp == NULL || ks->aead == NULL)
			goto fail;
		/* Bind the algorithms now; keys come on the first use of the slot. */
		if (EVP_EncryptInit_ex(ks->hp, ctx->ecb, NULL, NULL, NULL) != 1 ||
		    EVP_CIPHER_CTX_set_padding(ks->hp, 0) != 1 ||
		    EVP_DecryptInit_ex(ks->aead, ctx->gcm, NULL, NULL, NULL) != 1)
			goto fail;
	}
	return ctx;

fail:
	tlsfp_quic_ctx_destroy(ctx);
	return NULL;
}

void
tlsfp_quic_ctx_destroy(struct tlsfp_quic_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (int i = 0; i < 2; i++)
		keyslot_free(&ctx->slot[i]);
	EVP_CIPHER_free(ctx->ecb);
	EVP_CIPHER_free(ctx->gcm);
	free(ctx);
}
