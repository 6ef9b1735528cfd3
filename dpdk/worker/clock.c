/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TSC clock: one CLOCK_REALTIME reading at start, then TSC deltas, so
 * the packet path timestamps without a syscall. Drift against the wall
 * clock over a long run is bounded by the TSC's frequency estimate
 * (rte_get_tsc_hz); records only need ordering and seconds-level accuracy.
 */
#include <time.h>

#include <rte_cycles.h>

#include "worker.h"

void
tlsfp_tsc_clock_init(struct tlsfp_tsc_clock *c)
{
	struct timespec ts;

	c->hz = rte_get_tsc_hz();
	clock_gettime(CLOCK_REALTIME, &ts);
	c->base_tsc = rte_rdtsc();
	c->base_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	c->mult = c->hz ? (uint64_t)(((unsigned __int128)1000000000ull << 32) / c->hz) : 0;
}
