/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports (cold path): configure each probed port, create the mbuf pools
 * (one per socket, sized from the configuration), decide how its traffic
 * reaches the workers, and publish the port's description in the region.
 *
 *   RSS port (flow_type_rss_offloads allows IP/TCP/UDP and it has enough
 *   queues): one RX queue per worker, symmetric Toeplitz key (0x6d5a
 *   repeated: both directions of a flow hash alike), worker k polls queue k.
 *   Other ports: one RX queue; with one worker it polls the port itself,
 *   with more the distributor lcore reads it and spreads by a symmetric
 *   5-tuple hash onto per-worker rte_rings (worker/distributor.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "app.h"

#define MBUF_CACHE 256
#define RSS_HF (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)

static int
port_socket(uint16_t port)
{
	int s = rte_eth_dev_socket_id(port);

	return s < 0 ? (int)rte_socket_id() : s; /* vdevs: SOCKET_ID_ANY */
}

static int
port_uses_rss(const struct tlsfp_app *app, const struct rte_eth_dev_info *info)
{
	return app->cfg.n_workers > 1 && (info->flow_type_rss_offloads & RSS_HF) != 0 &&
	       info->max_rx_queues >= app->cfg.n_workers;
}

static int
create_pools(struct tlsfp_app *app)
{
	uint64_t need[RTE_MAX_NUMA_NODES] = {0};
	const struct tlsfp_app_config *cfg = &app->cfg;
	uint32_t lcores = 1 + cfg->n_workers + (cfg->n_workers > 1 ? 1 : 0);
	struct rte_eth_dev_info info;
	uint16_t i;
	int s;

	for (i = 0; i < app->n_ports; i++) {
		uint16_t port = app->port_ids[i];
		uint32_t nq;

		if (rte_eth_dev_info_get(port, &info) != 0)
			return -ENODEV;
		nq = port_uses_rss(app, &info) ? cfg->n_workers : 1;
		s = port_socket(port);
		/* Every RX descriptor holds an mbuf, plus what the lcores
		 * hold: bursts, caches and the distribution rings. */
		need[s] += (uint64_t)nq * (cfg->rx_desc + 512 /* tx */) +
			   (uint64_t)lcores * (cfg->burst + MBUF_CACHE) + 1024;
		if (!port_uses_rss(app, &info) && cfg->n_workers > 1)
			need[s] += (uint64_t)cfg->n_workers * cfg->dist_ring_size;
	}
	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		char name[RTE_MEMPOOL_NAMESIZE];
		uint64_t n = cfg->n_mbufs ? cfg->n_mbufs : need[s];

		if (need[s] == 0)
			continue;
		/* 2^k - 1 is the mempool's most efficient size. */
		uint64_t p2 = 1;
		while (p2 - 1 < n)
			p2 <<= 1;
		snprintf(name, sizeof(name), "tlsfp_mbuf_%d", s);
		app->pools[s] = rte_pktmbuf_pool_create(name, (unsigned int)(p2 - 1), MBUF_CACHE, 0,
							RTE_MBUF_DEFAULT_BUF_SIZE, s);
		if (app->pools[s] == NULL) {
			fprintf(stderr, "tlsfp-dataplane: mbuf pool of %llu on socket %d: %s\n",
				(unsigned long long)(p2 - 1), s, rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	return 0;
}

static int
setup_port(struct tlsfp_app *app, uint16_t idx)
{
	const struct tlsfp_app_config *cfg = &app->cfg;
	uint16_t port = app->port_ids[idx];
	struct tlsfp_shm_port *sp = tlsfp_shm_port(&app->region, idx);
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint8_t key[256];
	uint16_t nb_rxd = (uint16_t)cfg->rx_desc, nb_txd = 512, nq, q;
	int s = port_socket(port), rss, rc;
	uint32_t k;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		return rc;
	rss = port_uses_rss(app, &info);
	nq = rss ? (uint16_t)cfg->n_workers : 1;
	if (rss) {
		uint32_t key_len = info.hash_key_size ? info.hash_key_size : 40;

		if (key_len > sizeof(key))
			return -EINVAL;
		/* 0x6d5a repeated: Toeplitz gives hash(a,b) == hash(b,a). */
		for (k = 0; k < key_len; k++)
			key[k] = (k & 1) ? 0x5a : 0x6d;
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = key;
		conf.rx_adv_conf.rss_conf.rss_key_len = (uint8_t)key_len;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads & RSS_HF;
	}
	/* As many TX queues as RX queues: some PMDs (net_tap) insist. They
	 * are never used: tlsfp only receives. */
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (rc != 0)
		return rc;
	for (q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nb_rxd, (unsigned int)s, NULL, app->pools[s]);
		if (rc != 0)
			return rc;
	}
	for (q = 0; q < nq; q++) {
		rc = rte_eth_tx_queue_setup(port, q, nb_txd, (unsigned int)s, NULL);
		if (rc != 0)
			return rc;
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0)
		return rc;
	app->port_started[idx] = 1;
	rc = rte_eth_promiscuous_enable(port);
	if (rc != 0 && rc != -ENOTSUP)
		fprintf(stderr, "tlsfp-dataplane: WARNING: port %u: promiscuous mode: %s\n", port,
			rte_strerror(-rc));

	/* Who reads it. */
	if (rss) {
		for (k = 0; k < cfg->n_workers; k++) {
			struct tlsfp_worker *w = app->workers[k];

			if (w->n_rxq == TLSFP_WORKER_MAX_RXQ)
				return -E2BIG;
			w->rxq[w->n_rxq].port = port;
			w->rxq[w->n_rxq++].queue = (uint16_t)k;
		}
	} else if (cfg->n_workers == 1) {
		struct tlsfp_worker *w = app->workers[0];

		if (w->n_rxq == TLSFP_WORKER_MAX_RXQ)
			return -E2BIG;
		w->rxq[w->n_rxq].port = port;
		w->rxq[w->n_rxq++].queue = 0;
	} else {
		struct tlsfp_distributor *d = app->dist;

		if (d == NULL) {
			d = rte_zmalloc_socket("tlsfp_dist", sizeof(*d), RTE_CACHE_LINE_SIZE,
					       (int)rte_lcore_to_socket_id(app->dist_lcore));
			if (d == NULL)
				return -ENOMEM;
			app->dist = d;
			d->lcore = app->dist_lcore;
			d->loop = app->workers[0]->loop; /* same burst, backoff, stop */
			for (k = 0; k < cfg->n_workers; k++) {
				char name[RTE_RING_NAMESIZE];
				struct tlsfp_worker *w = app->workers[k];

				snprintf(name, sizeof(name), "tlsfp_dist_%u", k);
				d->rings[k] = rte_ring_create(name, cfg->dist_ring_size, w->socket,
							      RING_F_SP_ENQ | RING_F_SC_DEQ);
				if (d->rings[k] == NULL)
					return -rte_errno;
				w->dist_ring = d->rings[k];
				w->dist_done = &d->done;
			}
			d->n_rings = cfg->n_workers;
		}
		if (d->n_rxq == TLSFP_WORKER_MAX_RXQ)
			return -E2BIG;
		d->rxq[d->n_rxq].port = port;
		d->rxq[d->n_rxq].queue = 0;
		d->port_stats[d->n_rxq++] = sp;
	}

	/* Describe it in the region (before RUNNING). */
	rte_eth_dev_get_name_by_port(port, sp->name);
	sp->port_id = port;
	sp->n_rx_queues = nq;
	sp->rss = (uint8_t)rss;
	sp->distributed = (uint8_t)(!rss && cfg->n_workers > 1);
	sp->socket_id = s;
	printf("tlsfp-dataplane: port %u %s: driver %s, %u rx queue(s), %s\n", port, sp->name,
	       info.driver_name, nq,
	       rss		 ? "symmetric RSS"
	       : sp->distributed ? "software distribution"
				 : "single worker");
	return 0;
}

int
tlsfp_app_ports_init(struct tlsfp_app *app)
{
	uint16_t i;
	int rc;

	rc = create_pools(app);
	if (rc != 0)
		return rc;
	for (i = 0; i < app->n_ports; i++) {
		rc = setup_port(app, i);
		if (rc != 0) {
			fprintf(stderr, "tlsfp-dataplane: port %u: setup failed (%d: %s)\n",
				app->port_ids[i], rc, rte_strerror(rc < 0 ? -rc : rc));
			return rc < 0 ? rc : -rc;
		}
	}
	return 0;
}

/* Main lcore, every ~100 ms: the NIC's own counters into the region. */
void
tlsfp_app_ports_stats(struct tlsfp_app *app)
{
	struct rte_eth_stats st;
	struct timespec ts;
	uint64_t now;
	uint16_t i;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	for (i = 0; i < app->n_ports; i++) {
		struct tlsfp_shm_port *sp = tlsfp_shm_port(&app->region, i);

		if (!app->port_started[i] || rte_eth_stats_get(app->port_ids[i], &st) != 0)
			continue;
		tlsfp_shm_store(&sp->rx_packets, st.ipackets);
		tlsfp_shm_store(&sp->rx_bytes, st.ibytes);
		tlsfp_shm_store(&sp->imissed, st.imissed);
		tlsfp_shm_store(&sp->ierrors, st.ierrors);
		tlsfp_shm_store(&sp->rx_nombuf, st.rx_nombuf);
		tlsfp_shm_store(&sp->stats_ns, now);
	}
}

void
tlsfp_app_ports_close(struct tlsfp_app *app)
{
	uint16_t i;
	uint32_t k;
	int s;

	for (i = 0; i < app->n_ports; i++) {
		if (app->port_started[i])
			rte_eth_dev_stop(app->port_ids[i]);
		rte_eth_dev_close(app->port_ids[i]);
		app->port_started[i] = 0;
	}
	if (app->dist != NULL) {
		for (k = 0; k < app->dist->n_rings; k++)
			rte_ring_free(app->dist->rings[k]);
		rte_free(app->dist);
		app->dist = NULL;
	}
	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		rte_mempool_free(app->pools[s]);
		app->pools[s] = NULL;
	}
}
