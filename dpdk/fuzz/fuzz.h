/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the libFuzzer harnesses: the entry point's prototype (the build
 * warns on functions without one) and FUZZ_CHECK, which turns a broken
 * contract promise into a crash the fuzzer reports, like a sanitizer would.
 */
#ifndef TLSFP_FUZZ_H
#define TLSFP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__,        \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* [p, p + n) lies inside [base, base + len). */
static inline int
fuzz_inside(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
	return p >= base && (size_t)(p - base) <= len && n <= len - (size_t)(p - base);
}

#endif /* TLSFP_FUZZ_H */
