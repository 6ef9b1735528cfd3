/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lcores (cold path): launch the distributor and the workers on their
 * lcores, then the main lcore supervises: every ~100 ms it writes the
 * heartbeat and the ports' NIC statistics into the region, and stops the
 * run at SIGINT/SIGTERM or after --duration. Stopping: state STOPPING,
 * the stop flag is already set, the distributor returns first (workers
 * drain what it handed them), then the workers (each flushes its
 * pipeline), then state STOPPED: every record is in the rings.
 */
#include <stdio.h>
#include <time.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "app.h"

#define SUPERVISE_MS 100

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
tlsfp_app_run(struct tlsfp_app *app)
{
	const struct tlsfp_app_config *cfg = &app->cfg;
	uint32_t *stop = tlsfp_app_stop_flag();
	uint64_t start = realtime_ns(), now;
	int rc = 0, lrc;
	uint32_t k;

	if (app->dist != NULL) {
		lrc = rte_eal_remote_launch(tlsfp_distributor_main, app->dist, app->dist->lcore);
		if (lrc != 0) {
			fprintf(stderr, "tlsfp-dataplane: launch distributor: %d\n", lrc);
			tlsfp_app_request_stop();
			return lrc;
		}
	}
	for (k = 0; k < cfg->n_workers; k++) {
		lrc = rte_eal_remote_launch(tlsfp_worker_main, app->workers[k],
					    app->workers[k]->lcore);
		if (lrc != 0) {
			fprintf(stderr, "tlsfp-dataplane: launch worker %u: %d\n", k, lrc);
			tlsfp_app_request_stop();
			rc = lrc;
			break;
		}
	}
	if (rc == 0) {
		tlsfp_shm_set_state(&app->region, TLSFP_SHM_RUNNING);
		printf("tlsfp-dataplane: running: %u worker(s)%s, %u port(s)\n", cfg->n_workers,
		       app->dist ? " + distributor" : "", app->n_ports);
		fflush(stdout);
	}

	while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
		struct timespec ts = {0, SUPERVISE_MS * 1000000L};

		nanosleep(&ts, NULL); /* a signal cuts it short */
		now = realtime_ns();
		tlsfp_shm_set_heartbeat(&app->region, now);
		tlsfp_app_ports_stats(app);
		if (cfg->duration_s > 0 && (double)(now - start) >= cfg->duration_s * 1e9)
			tlsfp_app_request_stop();
	}

	tlsfp_shm_set_state(&app->region, TLSFP_SHM_STOPPING);
	if (app->dist != NULL)
		rte_eal_wait_lcore(app->dist->lcore);
	RTE_LCORE_FOREACH_WORKER(k)
	{
		lrc = rte_eal_wait_lcore(k);
		if (lrc != 0)
			rc = lrc;
	}
	tlsfp_app_ports_stats(app);
	tlsfp_shm_set_heartbeat(&app->region, realtime_ns());
	/* Release: every record and counter stored before is visible to a
	 * consumer that sees STOPPED. */
	tlsfp_shm_set_state(&app->region, TLSFP_SHM_STOPPED);
	return rc;
}
