/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIGINT/SIGTERM → the stop flag. The handler only stores the flag: the
 * lcores see it at their next loop (workers finish their burst, drain,
 * flush their pipelines), the main lcore then marks the region stopped,
 * unlinks it and calls rte_eal_cleanup() (see main.c).
 * Installed before rte_eal_init so that a signal during start-up also
 * takes the orderly path instead of leaving DPDK's runtime dir behind.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "app.h"

static uint32_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
}

int
tlsfp_app_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the main lcore's sleep wakes up at once. */
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
		return -errno;
	return 0;
}

uint32_t *
tlsfp_app_stop_flag(void)
{
	return &stop_flag;
}

void
tlsfp_app_request_stop(void)
{
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
}
