/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcore loop (hot path):
 *
 *   rx burst from each of its (port, queue) pairs, or dequeue from its
 *   distribution ring → prefetch → tlsfp_pipeline_input per mbuf →
 *   records go through tlsfp_worker_emit into the worker's SPSC shm ring
 *   (dropped and counted when full) → rte_pktmbuf_free_bulk.
 *
 * Every ~10 ms of TSC a housekeeping tick expires old flows and publishes
 * the counters to shm (the worker is their only writer).
 *
 * No allocation, lock, log or system call on this path. The one syscall,
 * rte_delay_us_sleep(100), is taken only after ~100 ms without a packet,
 * and only with idle backoff on (the default); performance mode spins.
 *
 * Timestamps: one TSC reading per burst, converted to Unix ns (all packets
 * of a burst share it; a burst is received within microseconds).
 */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "tlsfp/decode.h"
#include "worker.h"

#define PREFETCH_AHEAD 4
#define TICK_US 10000	     /* housekeeping period */
#define IDLE_PAUSE_US 1000   /* idle this long: rte_pause() each loop */
#define IDLE_SLEEP_US 100000 /* idle this long: sleep 100 us each loop */

void
tlsfp_worker_emit(void *ctx, const struct tlsfp_record *rec)
{
	struct tlsfp_worker *w = ctx;

	if (likely(tlsfp_shm_ring_enqueue(&w->ring, rec) == 0))
		w->records++;
	else
		w->ring_drops++; /* published as RECORD_DROPPED */
}

void
tlsfp_worker_publish(struct tlsfp_worker *w, uint64_t now_ns)
{
	const struct tlsfp_counters *c = tlsfp_pipeline_counters(w->pipeline);
	struct tlsfp_shm_worker *s = w->stats;
	int i;

	for (i = 0; i < TLSFP_CTR__COUNT; i++) {
		uint64_t v = c->v[i];

		if (i == TLSFP_CTR_RECORD_DROPPED)
			v += w->ring_drops;
		tlsfp_shm_store(&s->ctr.v[i], v);
	}
	tlsfp_shm_store(&s->loops, w->loops);
	tlsfp_shm_store(&s->busy_loops, w->busy_loops);
	tlsfp_shm_store(&s->cycles, w->cycles);
	tlsfp_shm_store(&s->busy_cycles, w->busy_cycles);
	tlsfp_shm_store(&s->rx_bursts, w->rx_bursts);
	tlsfp_shm_store(&s->records, w->records);
	tlsfp_shm_store(&s->idle_sleeps, w->idle_sleeps);
	tlsfp_shm_store(&s->ticks, w->ticks);
	tlsfp_shm_store(&s->tick_ns, now_ns);
}

static inline void
process_burst(struct tlsfp_worker *w, struct rte_mbuf **pkts, uint16_t n, uint64_t ts_ns)
{
	uint16_t i;

	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		/* Only the first segment is looked at: a chained frame is
		 * seen as a truncated capture (counted by the pipeline). */
		tlsfp_pipeline_input(w->pipeline, rte_pktmbuf_mtod(m, const uint8_t *),
				     rte_pktmbuf_data_len(m), rte_pktmbuf_pkt_len(m),
				     TLSFP_LINKTYPE_ETHERNET, ts_ns);
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

static inline uint32_t
poll_dist(struct tlsfp_worker *w, struct rte_mbuf **pkts)
{
	uint16_t n = (uint16_t)rte_ring_sc_dequeue_burst(w->dist_ring, (void **)pkts, w->loop.burst,
							 NULL);

	if (n != 0) {
		process_burst(w, pkts, n, tlsfp_tsc_to_ns(w->loop.clock, rte_rdtsc()));
		w->rx_bursts++;
	}
	return n;
}

/* One pass over every input; returns the packets handled. */
static inline uint32_t
poll_once(struct tlsfp_worker *w, struct rte_mbuf **pkts)
{
	uint32_t total = 0, q;
	uint16_t n;

	for (q = 0; q < w->n_rxq; q++) {
		n = rte_eth_rx_burst(w->rxq[q].port, w->rxq[q].queue, pkts,
				     (uint16_t)w->loop.burst);
		if (n != 0) {
			process_burst(w, pkts, n, tlsfp_tsc_to_ns(w->loop.clock, rte_rdtsc()));
			w->rx_bursts++;
			total += n;
		}
	}
	if (w->dist_ring != NULL)
		total += poll_dist(w, pkts);
	return total;
}

int
tlsfp_worker_main(void *arg)
{
	struct tlsfp_worker *w = arg;
	struct rte_mbuf *pkts[TLSFP_MAX_BURST];
	const uint64_t hz = rte_get_tsc_hz();
	const uint64_t tick_cycles = hz / (1000000 / TICK_US);
	const uint64_t pause_cycles = hz / (1000000 / IDLE_PAUSE_US);
	const uint64_t sleep_cycles = hz / (1000000 / IDLE_SLEEP_US);
	uint64_t prev = rte_rdtsc(), idle_since = prev, next_tick = prev + tick_cycles;

	while (likely(!__atomic_load_n(w->loop.stop, __ATOMIC_RELAXED))) {
		uint32_t n = poll_once(w, pkts);
		uint64_t now = rte_rdtsc();

		if (n != 0) {
			idle_since = now;
			w->busy_loops++;
			w->busy_cycles += now - prev;
		} else if (w->loop.idle_backoff) {
			if (now - idle_since > sleep_cycles) {
				rte_delay_us_sleep(100);
				w->idle_sleeps++;
				now = rte_rdtsc();
			} else if (now - idle_since > pause_cycles) {
				rte_pause();
			}
		}
		w->cycles += now - prev;
		w->loops++;
		prev = now;
		if (unlikely(now >= next_tick)) {
			uint64_t ns = tlsfp_tsc_to_ns(w->loop.clock, now);

			w->ticks++;
			tlsfp_pipeline_expire(w->pipeline, ns);
			tlsfp_worker_publish(w, ns);
			next_tick = now + tick_cycles;
		}
	}

	/* Stop: what the distributor already handed us is processed too. */
	if (w->dist_ring != NULL) {
		for (;;) {
			int done = __atomic_load_n(w->dist_done, __ATOMIC_ACQUIRE);

			if (poll_dist(w, pkts) == 0 && done && rte_ring_empty(w->dist_ring))
				break;
		}
	}
	tlsfp_pipeline_flush(w->pipeline);
	tlsfp_worker_publish(w, tlsfp_tsc_to_ns(w->loop.clock, rte_rdtsc()));
	return 0;
}
