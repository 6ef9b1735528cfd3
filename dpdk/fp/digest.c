/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MD5 / SHA-256 on the caller's stack (see digest.h for why not EVP).
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* MD5_*, SHA256_*: see digest.h */

#include <stdint.h>
#include <string.h>

#include "fp/digest.h"
#include "fp/sink.h"
#include "tlsfp/fp.h"

void
tlsfp_fp_digest_begin(struct tlsfp_fp_digest *d, enum tlsfp_fp_alg alg)
{
	d->alg = alg;
	if (alg == TLSFP_FP_MD5)
		MD5_Init(&d->u.md5);
	else
		SHA256_Init(&d->u.sha256);
}

void
tlsfp_fp_digest_update(struct tlsfp_fp_digest *d, const void *p, size_t n)
{
	if (d->alg == TLSFP_FP_MD5)
		MD5_Update(&d->u.md5, p, n);
	else
		SHA256_Update(&d->u.sha256, p, n);
}

void
tlsfp_fp_digest_end_hex(struct tlsfp_fp_digest *d, char *out, size_t nhex)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t mdlen;

	if (d->alg == TLSFP_FP_MD5) {
		MD5_Final(md, &d->u.md5);
		mdlen = MD5_DIGEST_LENGTH;
	} else {
		SHA256_Final(md, &d->u.sha256);
		mdlen = SHA256_DIGEST_LENGTH;
	}
	if (nhex > 2 * mdlen)
		nhex = 2 * mdlen;
	for (size_t i = 0; i < nhex; i++) {
		uint8_t b = md[i / 2];
		out[i] = tlsfp_hex_digit(i & 1 ? b & 0x0f : b >> 4);
	}
}

void
tlsfp_md5_hex(const char *s, size_t len, char out[TLSFP_MD5_HEX_LEN + 1])
{
	struct tlsfp_fp_digest d;

	tlsfp_fp_digest_begin(&d, TLSFP_FP_MD5);
	tlsfp_fp_digest_update(&d, s, len);
	tlsfp_fp_digest_end_hex(&d, out, TLSFP_MD5_HEX_LEN);
	out[TLSFP_MD5_HEX_LEN] = '\0';
}
