/* SPDX-License-Identifier: BSD-3-Clause */
/* Cold-path helpers shared by the programs (cli.h). */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
tlsfp_cli_parse_u64(const char *prog, const char *opt, const char *s, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "%s: --%s: expected an integer in [%llu, %llu], got \"%s\"\n", prog,
			opt, (unsigned long long)min, (unsigned long long)max, s);
		return -1;
	}
	*out = v;
	return 0;
}

static uint32_t *stop_flag;

static void
on_signal(int sig)
{
	__atomic_store_n(stop_flag, (uint32_t)sig, __ATOMIC_RELAXED);
}

int
tlsfp_cli_stop_on_signals(uint32_t *flag)
{
	struct sigaction sa;

	stop_flag = flag;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
		return -errno;
	return 0;
}
