/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal assertion kit for the C unit tests: each test file is one
 * executable registered with ctest; CHECK* record a failure and go on, so
 * one run shows every broken assertion; main returns check_exit().
 */
#ifndef TLSFP_TEST_CHECK_H
#define TLSFP_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		check_count++;                                                                     \
		if (!(cond)) {                                                                     \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
	do {                                                                                       \
		long long va_ = (long long)(a), vb_ = (long long)(b);                              \
		check_count++;                                                                     \
		if (va_ != vb_) {                                                                  \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,      \
				__LINE__, #a, va_, #b, vb_);                                       \
		}                                                                                  \
	} while (0)

#define CHECK_EQ_STR(a, b)                                                                         \
	do {                                                                                       \
		const char *sa_ = (a), *sb_ = (b);                                                 \
		check_count++;                                                                     \
		if (strcmp(sa_, sb_) != 0) {                                                       \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,        \
				__LINE__, #a, sa_, sb_);                                           \
		}                                                                                  \
	} while (0)

static inline int
check_exit(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif /* TLSFP_TEST_CHECK_H */
