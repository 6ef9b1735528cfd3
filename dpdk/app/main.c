/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlsfp-dataplane: the DPDK data plane process (cold path).
 *
 *   options → EAL argv (args.c) → rte_eal_init → the shared-memory region
 *   (state STARTING) → ports (ports.c) → one pipeline per worker, in the
 *   worker's socket memory → launch and supervise (lcores.c) → at
 *   SIGINT/SIGTERM or --duration: workers flush, region STOPPED, ports
 *   closed, region unlinked, rte_eal_cleanup, runtime dir removed.
 *
 * stdout: one line "tlsfp-dataplane: region PATH" once the region exists,
 * for the supervisor; then a "running" line.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "app.h"

static void *
pipeline_zalloc(size_t size, void *arg)
{
	return rte_zmalloc_socket("tlsfp_pipeline", size, RTE_CACHE_LINE_SIZE, *(int *)arg);
}

static void
pipeline_free(void *ptr, void *arg)
{
	(void)arg;
	rte_free(ptr);
}

/* Worker k gets the k-th worker lcore; the one after is the distributor's. */
static int
setup_workers(struct tlsfp_app *app)
{
	const struct tlsfp_app_config *cfg = &app->cfg;
	struct tlsfp_pipeline_config pc;
	unsigned int lcore;
	uint32_t k = 0;

	tlsfp_pipeline_config_defaults(&pc);
	pc.max_flows = cfg->max_flows;
	pc.hello_max_bytes = cfg->hello_max_bytes;
	pc.reasm_max_bytes = cfg->reasm_max_bytes;
	pc.zalloc = pipeline_zalloc;
	pc.free = pipeline_free;

	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		struct tlsfp_shm_worker *sw;
		struct tlsfp_worker *w;
		int socket = (int)rte_lcore_to_socket_id(lcore);

		if (k == cfg->n_workers) {
			app->dist_lcore = lcore;
			app->dist_lcore_reserved = 1;
			break;
		}
		w = rte_zmalloc_socket("tlsfp_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
		if (w == NULL)
			return -ENOMEM;
		app->workers[k] = w;
		app->worker_sockets[k] = socket;
		w->index = k;
		w->lcore = lcore;
		w->socket = socket;
		w->loop.burst = cfg->burst;
		w->loop.idle_backoff = cfg->idle_backoff;
		w->loop.stop = tlsfp_app_stop_flag();
		w->loop.clock = &app->clock;
		pc.alloc_arg = &app->worker_sockets[k];
		w->pipeline = tlsfp_pipeline_create(&pc, tlsfp_worker_emit, w);
		if (w->pipeline == NULL) {
			fprintf(stderr,
				"tlsfp-dataplane: worker %u pipeline (%u flows, %llu "
				"reassembly bytes) on socket %d: %s\n",
				k, pc.max_flows, (unsigned long long)pc.reasm_max_bytes, socket,
				strerror(errno));
			return -ENOMEM;
		}
		tlsfp_shm_ring_attach(&app->region, k, &w->ring);
		sw = tlsfp_shm_worker(&app->region, k);
		w->stats = sw;
		sw->lcore_id = lcore;
		sw->socket_id = socket;
		k++;
	}
	if (k != cfg->n_workers) {
		fprintf(stderr, "tlsfp-dataplane: only %u worker lcores for %u workers\n", k,
			cfg->n_workers);
		return -EINVAL;
	}
	return 0;
}

static void
teardown_workers(struct tlsfp_app *app)
{
	uint32_t k;

	for (k = 0; k < app->cfg.n_workers; k++) {
		if (app->workers[k] == NULL)
			continue;
		tlsfp_pipeline_destroy(app->workers[k]->pipeline);
		rte_free(app->workers[k]);
		app->workers[k] = NULL;
	}
}

/* Record in the region what each worker ended up polling. */
static void
describe_workers(struct tlsfp_app *app)
{
	uint32_t k;

	for (k = 0; k < app->cfg.n_workers; k++) {
		struct tlsfp_worker *w = app->workers[k];

		w->stats->n_rx_queues = w->n_rxq;
		w->stats->distributed = w->dist_ring != NULL;
	}
}

/*
 * DPDK 22.11's rte_eal_cleanup() leaves /var/run/dpdk/<prefix>/ (config,
 * fbarray_*) behind. Our prefix is unique to this process (it carries the
 * pid) and no secondary process is ever attached, so once cleanup has run
 * the directory is ours to remove. Only a directory whose last component
 * is exactly our prefix is touched.
 */
static void
remove_runtime_dir(const char *dir, const char *prefix)
{
	const char *base = strrchr(dir, '/');
	char path[512];
	struct dirent *e;
	DIR *d;

	if (base == NULL || strcmp(base + 1, prefix) != 0)
		return;
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' &&
		    (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0')))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path))
			unlink(path);
	}
	closedir(d);
	if (rmdir(dir) != 0)
		fprintf(stderr, "tlsfp-dataplane: WARNING: runtime dir %s: %s\n", dir,
			strerror(errno));
}

int
main(int argc, char **argv)
{
	static struct tlsfp_app app;
	char *eal_argv[128], eal_store[8192], runtime_dir[256];
	int eal_argc, rc, ret = 1;
	uint16_t port;

	rc = tlsfp_app_parse_args(argc, argv, &app.cfg);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	snprintf(app.file_prefix, sizeof(app.file_prefix), "tlsfp-%s-%d", app.cfg.instance,
		 (int)getpid());
	eal_argc = tlsfp_app_eal_argv(&app.cfg, argv[0], app.file_prefix, eal_argv, 128, eal_store,
				      sizeof(eal_store));
	if (eal_argc < 0) {
		fprintf(stderr, "tlsfp-dataplane: EAL arguments too long\n");
		return 2;
	}
	if (tlsfp_app_signals_install() != 0) {
		perror("tlsfp-dataplane: sigaction");
		return 1;
	}
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "tlsfp-dataplane: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	tlsfp_tsc_clock_init(&app.clock);

	RTE_ETH_FOREACH_DEV(port)
	{
		if (app.n_ports == TLSFP_SHM_MAX_PORTS) {
			fprintf(stderr, "tlsfp-dataplane: more than %d ports\n",
				TLSFP_SHM_MAX_PORTS);
			goto out_eal;
		}
		app.port_ids[app.n_ports++] = port;
	}
	if (app.n_ports == 0) {
		fprintf(stderr, "tlsfp-dataplane: no port: check --vdev/--pci\n");
		goto out_eal;
	}

	rc = tlsfp_shm_create(&app.region, app.cfg.shm_dir, app.file_prefix, app.cfg.instance,
			      app.cfg.n_workers, app.n_ports, app.cfg.ring_slots,
			      app.cfg.no_huge ? TLSFP_SHM_F_NO_HUGE : 0);
	if (rc != 0) {
		fprintf(stderr, "tlsfp-dataplane: shared memory region: %s\n", strerror(-rc));
		goto out_eal;
	}
	tlsfp_shm_header(&app.region)->tsc_hz = app.clock.hz;
	printf("tlsfp-dataplane: region %s (%zu bytes%s)\n", app.region.path, app.region.size,
	       tlsfp_shm_header(&app.region)->hugetlb ? ", hugetlbfs" : "");
	fflush(stdout);

	rc = setup_workers(&app);
	if (rc != 0)
		goto out_workers;
	rc = tlsfp_app_ports_init(&app);
	if (rc != 0)
		goto out_ports;
	describe_workers(&app);

	rc = tlsfp_app_run(&app);
	ret = rc == 0 ? 0 : 1;

out_ports:
	tlsfp_app_ports_close(&app);
out_workers:
	teardown_workers(&app);
	if (tlsfp_shm_get_state(&app.region) != TLSFP_SHM_STOPPED)
		tlsfp_shm_set_state(&app.region, TLSFP_SHM_STOPPED);
	tlsfp_shm_close(&app.region); /* unlinks the file */
out_eal:
	rte_eal_cleanup();
	remove_runtime_dir(runtime_dir, app.file_prefix);
	printf("tlsfp-dataplane: stopped\n");
	return ret;
}
