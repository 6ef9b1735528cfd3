/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hot path of the data plane: the worker lcore loop and the software
 * distributor (receive lcore for ports without RSS).
 *
 * Everything in these structs is set up by the main lcore before launch
 * (cold path); after launch a worker touches only its own struct, its
 * pipeline, its shm ring and its shm stats, plus reads of the stop flag.
 */
#ifndef TLSFP_WORKER_H
#define TLSFP_WORKER_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ring.h>

#include "tlsfp/pipeline.h"
#include "tlsfp/shm.h"

#define TLSFP_MAX_BURST 256
#define TLSFP_WORKER_MAX_RXQ 64

/* TSC → Unix ns, from a base taken once at start (no syscall per packet). */
struct tlsfp_tsc_clock {
	uint64_t base_tsc;
	uint64_t base_ns;
	uint64_t mult; /* ns per cycle, 32.32 fixed point */
	uint64_t hz;
};

void tlsfp_tsc_clock_init(struct tlsfp_tsc_clock *c);

static inline uint64_t
tlsfp_tsc_to_ns(const struct tlsfp_tsc_clock *c, uint64_t tsc)
{
	return c->base_ns + (uint64_t)(((unsigned __int128)(tsc - c->base_tsc) * c->mult) >> 32);
}

struct tlsfp_rxq {
	uint16_t port;
	uint16_t queue;
};

/* Knobs shared by the hot loops. */
struct tlsfp_loop_conf {
	uint32_t burst;	      /* <= TLSFP_MAX_BURST */
	int idle_backoff;     /* 1: pause after ~1 ms idle, sleep 100 us after ~100 ms */
	const uint32_t *stop; /* set (relaxed) by the signal handler or main lcore */
	const struct tlsfp_tsc_clock *clock;
};

struct tlsfp_worker {
	/* Set up by the main lcore before launch. */
	uint32_t index;
	unsigned int lcore;
	int socket;
	struct tlsfp_loop_conf loop;
	struct tlsfp_rxq rxq[TLSFP_WORKER_MAX_RXQ]; /* polled directly (RSS or sole worker) */
	uint32_t n_rxq;
	struct rte_ring *dist_ring; /* filled by the distributor, NULL if none */
	const uint32_t *dist_done;  /* distributor finished (release), when dist_ring */
	struct tlsfp_pipeline *pipeline;
	struct tlsfp_shm_ring ring; /* producer side of our record ring */
	struct tlsfp_shm_worker *stats;

	/* Worker-local, written only on the worker's lcore. */
	uint64_t records;
	uint64_t ring_drops;
	uint64_t loops, busy_loops, cycles, busy_cycles, rx_bursts, idle_sleeps, ticks;
} __rte_cache_aligned;

/* Emit callback given to tlsfp_pipeline_create (ctx: the worker). */
void tlsfp_worker_emit(void *ctx, const struct tlsfp_record *rec);

/* lcore entry (rte_eal_remote_launch), arg: struct tlsfp_worker. Returns
 * when *stop is set, after draining its distribution ring (once the
 * distributor is done), flushing its pipeline and publishing its stats. */
int tlsfp_worker_main(void *arg);

/* Publish the worker's counters to shm (worker lcore, or main lcore once
 * the worker has returned). */
void tlsfp_worker_publish(struct tlsfp_worker *w, uint64_t now_ns);

struct tlsfp_distributor {
	unsigned int lcore;
	struct tlsfp_loop_conf loop;
	struct tlsfp_rxq rxq[TLSFP_WORKER_MAX_RXQ];
	struct tlsfp_shm_port *port_stats[TLSFP_WORKER_MAX_RXQ]; /* per rxq */
	uint32_t n_rxq;
	struct rte_ring *rings[TLSFP_SHM_MAX_WORKERS];
	uint32_t n_rings;
	uint32_t done; /* set (release) when the loop has returned */
	/* Distributor-local totals per rxq, mirrored into port_stats. */
	uint64_t dist_packets[TLSFP_WORKER_MAX_RXQ];
	uint64_t dist_drops[TLSFP_WORKER_MAX_RXQ];
	/* Decode outcomes of the hash: not published, the worker's pipeline
	 * counts every packet once. */
	struct tlsfp_counters scratch;
} __rte_cache_aligned;

/* lcore entry, arg: struct tlsfp_distributor. */
int tlsfp_distributor_main(void *arg);

/* Symmetric hash of a frame's innermost 5-tuple (both directions give the
 * same value); 0 for frames that do not decode as TCP/UDP. */
uint32_t tlsfp_symmetric_hash(const uint8_t *data, uint32_t len, struct tlsfp_counters *scratch);

#endif /* TLSFP_WORKER_H */
