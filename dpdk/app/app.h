/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane process, cold path: options, EAL arguments, ports, lcore
 * launch, signals. Shared by the app/ files only.
 */
#ifndef TLSFP_APP_H
#define TLSFP_APP_H

#include <stdint.h>

#include <rte_mempool.h>

#include "tlsfp/shm.h"
#include "worker/worker.h"

#define TLSFP_APP_MAX_DEVS 16
#define TLSFP_APP_MAX_CPUS 256
#define TLSFP_APP_INSTANCE_LEN 32

struct tlsfp_app_config {
	char instance[TLSFP_APP_INSTANCE_LEN + 1];
	uint32_t n_workers;
	const char *vdevs[TLSFP_APP_MAX_DEVS];
	uint32_t n_vdevs;
	const char *pcis[TLSFP_APP_MAX_DEVS];
	uint32_t n_pcis;
	int no_huge;	     /* asked for, or forced: no free hugepages */
	uint32_t mem_mb;     /* EAL memory without hugepages (-m), MB */
	uint32_t ring_slots; /* shm record ring, power of two */
	uint32_t burst;
	uint32_t rx_desc;
	uint32_t dist_ring_size; /* per-worker distribution ring, power of two */
	uint32_t n_mbufs;	 /* per socket; 0 = computed */
	double duration_s;	 /* 0 = until SIGINT/SIGTERM */
	int idle_backoff;
	uint32_t max_flows;
	uint32_t hello_max_bytes;
	uint64_t reasm_max_bytes;
	const char *shm_dir; /* NULL = hugetlbfs if any, else /dev/shm */
	int cpus[TLSFP_APP_MAX_CPUS];
	uint32_t n_cpus;
};

struct tlsfp_app {
	struct tlsfp_app_config cfg;
	char file_prefix[64];
	struct tlsfp_shm_region region;
	struct tlsfp_tsc_clock clock;
	uint16_t n_ports;
	uint16_t port_ids[TLSFP_SHM_MAX_PORTS];
	uint8_t port_started[TLSFP_SHM_MAX_PORTS];
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];
	struct tlsfp_worker *workers[TLSFP_SHM_MAX_WORKERS];
	int worker_sockets[TLSFP_SHM_MAX_WORKERS];
	struct tlsfp_distributor *dist; /* NULL when no port needs it */
	unsigned int dist_lcore;	/* reserved lcore (n_workers > 1) */
	int dist_lcore_reserved;
};

/* args.c: 0, 1 for --help (printed), or -1 (message printed). */
int tlsfp_app_parse_args(int argc, char **argv, struct tlsfp_app_config *cfg);
/* args.c: the EAL argv this process needs; returns argc (<= max). The
 * strings live in `store` (store_len bytes). */
int tlsfp_app_eal_argv(struct tlsfp_app_config *cfg, const char *prog, const char *file_prefix,
		       char **argv, int max, char *store, size_t store_len);

/* ports.c: configure and start every port, set up the distribution
 * rings and assign the rx queues to workers / the distributor. */
int tlsfp_app_ports_init(struct tlsfp_app *app);
void tlsfp_app_ports_stats(struct tlsfp_app *app);
void tlsfp_app_ports_close(struct tlsfp_app *app);

/* signals.c */
int tlsfp_app_signals_install(void);
uint32_t *tlsfp_app_stop_flag(void);
void tlsfp_app_request_stop(void);

/* lcores.c: launch, supervise (heartbeat + port stats every 100 ms),
 * stop and join. Returns 0 when every lcore returned 0. */
int tlsfp_app_run(struct tlsfp_app *app);

#endif /* TLSFP_APP_H */
