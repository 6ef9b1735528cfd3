/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MD5 and SHA-256 for the fingerprints (internal to fp/).
 *
 * libcrypto's one-shot low-level digests on a context that lives on the
 * caller's stack. Not EVP: on OpenSSL 3.0 every EVP_DigestInit_ex frees and
 * re-creates the provider's state (one malloc/free per hash, measured with
 * valgrind), and the packet path must not allocate. The low-level calls are
 * deprecated in 3.0 but supported for the 3.x series; digest.c is the only
 * file that uses them, so moving to a future allocation-free EVP path is a
 * change of this one file.
 */
#ifndef TLSFP_FP_DIGEST_H
#define TLSFP_FP_DIGEST_H

#include <stddef.h>

#include <openssl/md5.h>
#include <openssl/sha.h>

enum tlsfp_fp_alg {
	TLSFP_FP_MD5 = 0,
	TLSFP_FP_SHA256 = 1,
};

struct tlsfp_fp_digest {
	enum tlsfp_fp_alg alg;
	union {
		MD5_CTX md5;
		SHA256_CTX sha256;
	} u;
};

void tlsfp_fp_digest_begin(struct tlsfp_fp_digest *d, enum tlsfp_fp_alg alg);
void tlsfp_fp_digest_update(struct tlsfp_fp_digest *d, const void *p, size_t n);
/* Finish and write the first nhex lower-case hex digits (no NUL). */
void tlsfp_fp_digest_end_hex(struct tlsfp_fp_digest *d, char *out, size_t nhex);

#endif /* TLSFP_FP_DIGEST_H */
