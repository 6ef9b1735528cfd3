/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIGINT/SIGTERM → the stop flag. The handler only stores the flag: the
 * lcores see it at their next loop (workers finish their burst, drain,
 * flush their pipelines), the main lcore then marks the region stopped,
 * unlinks it and calls rte_eal_cleanup() (see main.c).
 * Installed before rte_eal_init so that a signal during start-up also
 * takes the orderly path instead of leaving DPDK's runtime dir behind.
 */
#include "app.h"
#include "cli/cli.h"

static uint32_t stop_flag;

int
tlsfp_app_signals_install(void)
{
	return tlsfp_cli_stop_on_signals(&stop_flag);
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
