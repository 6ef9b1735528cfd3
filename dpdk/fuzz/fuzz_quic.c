/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlsfp_quic_open_initial() on any UDP datagram, as a client Initial (keys
 * from its own DCID) and as a server Initial (keys from the RFC 9001
 * Appendix A original DCID, so the seeds decrypt), plus the prefix test.
 *
 * Mutated datagrams almost never survive the AEAD, so the same input is
 * also taken as the PLAINTEXT of an Initial: the harness protects it
 * (AES-128-GCM, header protection) with the RFC 9001 Appendix A keys, as a
 * client and as a server packet, and opens that. This reaches the frame
 * parser with any bytes, and a DECRYPT_FAILED there is a bug.
 *
 * On OK, every CRYPTO frame must lie inside the decrypted plaintext.
 */
#include <openssl/evp.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "tlsfp/quic.h"

static const uint8_t rfc9001_odcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
static const uint8_t rfc9001_server_scid[8] = {0xf0, 0x67, 0xa5, 0x50, 0x2a, 0x42, 0x62, 0xb5};

/* RFC 9001 A.1: Initial keys for the DCID above (checked by make-corpus.py's
 * derivation, which reproduces the A.2 packet). */
struct initial_keys {
	uint8_t key[16], iv[12], hp[16];
};
static const struct initial_keys client_keys = {
	{0x1f, 0x36, 0x96, 0x13, 0xdd, 0x76, 0xd5, 0x46, 0x77, 0x30, 0xef, 0xcb, 0xe3, 0xb1, 0xa2,
	 0x2d},
	{0xfa, 0x04, 0x4b, 0x2f, 0x42, 0xa3, 0xfd, 0x3b, 0x46, 0xfb, 0x25, 0x5c},
	{0x9f, 0x50, 0x44, 0x9e, 0x04, 0xa0, 0xe8, 0x10, 0x28, 0x3a, 0x1e, 0x99, 0x33, 0xad, 0xed,
	 0xd2},
};
static const struct initial_keys server_keys = {
	{0xcf, 0x3a, 0x53, 0x31, 0x65, 0x3c, 0x36, 0x4c, 0x88, 0xf0, 0xf3, 0x79, 0xb6, 0x06, 0x7e,
	 0x37},
	{0x0a, 0xc1, 0x49, 0x3c, 0xa1, 0x90, 0x58, 0x53, 0xb0, 0xbb, 0xa0, 0x3e},
	{0xc2, 0x06, 0xb8, 0xd9, 0xb9, 0xf0, 0xf3, 0x76, 0x44, 0x43, 0x0b, 0x49, 0x0e, 0xea, 0xa3,
	 0x14},
};

#define HEADER_MAX 48
#define TAG_LEN 16

/*
 * Build a QUIC v1 Initial (packet number 0 in 4 bytes) carrying `pt` as its
 * plaintext, protected with `k`. Returns the packet length, 0 if it does
 * not fit.
 */
static size_t
protect_initial(const struct initial_keys *k, bool from_server, const uint8_t *pt, size_t pt_len,
		uint8_t *out, size_t cap)
{
	static EVP_CIPHER_CTX *gcm, *ecb;
	size_t h = 0, pn_off, len_field = 4 + pt_len + TAG_LEN, i;
	uint8_t mask[32];
	int n;

	if (HEADER_MAX + pt_len + TAG_LEN > cap || len_field >= 16384)
		return 0;
	if (gcm == NULL) {
		gcm = EVP_CIPHER_CTX_new();
		ecb = EVP_CIPHER_CTX_new();
		FUZZ_CHECK(gcm != NULL && ecb != NULL);
	}
	out[h++] = 0xc3; /* long header, Initial, packet number length 4 */
	memcpy(out + h, "\x00\x00\x00\x01", 4);
	h += 4;
	if (!from_server) {
		out[h++] = sizeof(rfc9001_odcid);
		memcpy(out + h, rfc9001_odcid, sizeof(rfc9001_odcid));
		h += sizeof(rfc9001_odcid);
		out[h++] = 0; /* SCID */
	} else {
		out[h++] = 0; /* DCID: the client's empty SCID */
		out[h++] = sizeof(rfc9001_server_scid);
		memcpy(out + h, rfc9001_server_scid, sizeof(rfc9001_server_scid));
		h += sizeof(rfc9001_server_scid);
	}
	out[h++] = 0; /* token length */
	out[h++] = (uint8_t)(0x40 | (len_field >> 8));
	out[h++] = (uint8_t)len_field;
	pn_off = h;
	memset(out + h, 0, 4); /* packet number 0: the nonce is the IV */
	h += 4;

	FUZZ_CHECK(EVP_EncryptInit_ex(gcm, EVP_aes_128_gcm(), NULL, k->key, k->iv) == 1);
	FUZZ_CHECK(EVP_EncryptUpdate(gcm, NULL, &n, out, (int)h) == 1);
	FUZZ_CHECK(pt_len == 0 || EVP_EncryptUpdate(gcm, out + h, &n, pt, (int)pt_len) == 1);
	FUZZ_CHECK(EVP_EncryptFinal_ex(gcm, out + h + pt_len, &n) == 1);
	FUZZ_CHECK(EVP_CIPHER_CTX_ctrl(gcm, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + h + pt_len) == 1);

	/* Header protection: the sample starts 4 bytes after pn_off. */
	FUZZ_CHECK(EVP_EncryptInit_ex(ecb, EVP_aes_128_ecb(), NULL, k->hp, NULL) == 1);
	EVP_CIPHER_CTX_set_padding(ecb, 0);
	FUZZ_CHECK(EVP_EncryptUpdate(ecb, mask, &n, out + pn_off + 4, 16) == 1);
	out[0] ^= mask[0] & 0x0f;
	for (i = 0; i < 4; i++)
		out[pn_off + i] ^= mask[1 + i];
	return h + pt_len + TAG_LEN;
}

static void
check_initial(const struct tlsfp_quic_initial *in)
{
	uint32_t i, sum = 0, j;

	FUZZ_CHECK(in->version == TLSFP_QUIC_V1 || in->version == TLSFP_QUIC_V2);
	FUZZ_CHECK(in->dcid_len <= TLSFP_QUIC_MAX_CID && in->scid_len <= TLSFP_QUIC_MAX_CID);
	FUZZ_CHECK(in->n_frames <= TLSFP_QUIC_MAX_FRAMES);
	for (i = 0; i < in->n_frames; i++) {
		const struct tlsfp_quic_crypto_frame *f = &in->frames[i];

		FUZZ_CHECK(f->len == 0 ||
			   fuzz_inside(f->data, f->len, in->plaintext, sizeof(in->plaintext)));
		for (j = 0; j < f->len; j++)
			sum += f->data[j];
	}
	(void)sum;
}

/* The input as the plaintext of a client and of a server Initial. */
static void
open_as_plaintext(struct tlsfp_quic_ctx *ctx, const uint8_t *data, size_t size,
		  struct tlsfp_quic_initial *in)
{
	static uint8_t pkt[TLSFP_QUIC_MAX_PACKET];
	enum tlsfp_quic_result r;
	size_t len;

	len = protect_initial(&client_keys, false, data, size, pkt, sizeof(pkt));
	if (len == 0)
		return;
	r = tlsfp_quic_open_initial(ctx, pkt, len, NULL, 0, false, in);
	FUZZ_CHECK(r == TLSFP_QUIC_OK || r == TLSFP_QUIC_BAD_FRAME || r == TLSFP_QUIC_BAD_PACKET);
	if (r == TLSFP_QUIC_OK)
		check_initial(in);

	len = protect_initial(&server_keys, true, data, size, pkt, sizeof(pkt));
	r = tlsfp_quic_open_initial(ctx, pkt, len, rfc9001_odcid, sizeof(rfc9001_odcid), true, in);
	FUZZ_CHECK(r == TLSFP_QUIC_OK || r == TLSFP_QUIC_BAD_FRAME || r == TLSFP_QUIC_BAD_PACKET);
	if (r == TLSFP_QUIC_OK)
		check_initial(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsfp_quic_ctx *ctx;
	static struct tlsfp_quic_initial in; /* 4 KB of plaintext */
	enum tlsfp_quic_result r;

	if (ctx == NULL) {
		ctx = tlsfp_quic_ctx_create(); /* once; lives for the process */
		FUZZ_CHECK(ctx != NULL);
	}
	(void)tlsfp_quic_looks_initial(data, size);

	r = tlsfp_quic_open_initial(ctx, data, size, NULL, 0, false, &in);
	FUZZ_CHECK(r >= TLSFP_QUIC_BAD_FRAME && r <= TLSFP_QUIC_NOT_INITIAL);
	if (r == TLSFP_QUIC_OK)
		check_initial(&in);

	r = tlsfp_quic_open_initial(ctx, data, size, rfc9001_odcid, sizeof(rfc9001_odcid), true,
				    &in);
	FUZZ_CHECK(r >= TLSFP_QUIC_BAD_FRAME && r <= TLSFP_QUIC_NOT_INITIAL);
	if (r == TLSFP_QUIC_OK)
		check_initial(&in);

	open_as_plaintext(ctx, data, size, &in);
	return 0;
}
