/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The software distributor (hot path), for ports that cannot spread
 * traffic over the workers themselves (no RSS: net_pcap, net_af_packet,
 * single-queue vdevs) when there is more than one worker.
 *
 * It reads queue 0 of each such port and hands every packet to worker
 * hash % n by a SYMMETRIC hash of the innermost 5-tuple, so both
 * directions of a flow meet on one worker (JA3S pairs with its
 * ClientHello there). A full worker ring never blocks: the packets are
 * freed and counted in the port's dist_drops.
 *
 * The 5-tuple comes from the same decoder as the pipeline's (VLAN, MPLS,
 * tunnels included); frames that do not decode go to worker 0, whose
 * pipeline counts them.
 */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_jhash.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "tlsfp/decode.h"
#include "worker.h"

#define IDLE_PAUSE_US 1000
#define IDLE_SLEEP_US 100000

uint32_t
tlsfp_symmetric_hash(const uint8_t *data, uint32_t len, struct tlsfp_counters *scratch)
{
	struct tlsfp_packet pkt;
	uint32_t a, b;

	if (tlsfp_decode(data, len, TLSFP_LINKTYPE_ETHERNET, &pkt, scratch) != TLSFP_DECODE_OK)
		return 0;
	/* Hash each endpoint alone and combine with XOR: (A,B) and (B,A)
	 * give the same value. The protocol separates TCP and UDP. */
	a = rte_jhash(pkt.src, 16, ((uint32_t)pkt.sport << 8) | pkt.l4proto);
	b = rte_jhash(pkt.dst, 16, ((uint32_t)pkt.dport << 8) | pkt.l4proto);
	return a ^ b;
}

static inline void
spread(struct tlsfp_distributor *d, uint32_t q, struct rte_mbuf **pkts, uint16_t n,
       struct rte_mbuf *(*out)[TLSFP_MAX_BURST], uint32_t *cnt)
{
	uint32_t k, sent, drops = 0;
	uint16_t i;

	for (k = 0; k < d->n_rings; k++)
		cnt[k] = 0;
	for (i = 0; i < n; i++) {
		uint32_t h = tlsfp_symmetric_hash(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
						  rte_pktmbuf_data_len(pkts[i]), &d->scratch);

		k = (uint32_t)(((uint64_t)h * d->n_rings) >> 32);
		out[k][cnt[k]++] = pkts[i];
	}
	for (k = 0; k < d->n_rings; k++) {
		if (cnt[k] == 0)
			continue;
		sent = rte_ring_sp_enqueue_burst(d->rings[k], (void **)out[k], cnt[k], NULL);
		if (unlikely(sent < cnt[k])) {
			rte_pktmbuf_free_bulk(&out[k][sent], cnt[k] - sent);
			drops += cnt[k] - sent;
		}
	}
	d->dist_packets[q] += n - drops;
	tlsfp_shm_store(&d->port_stats[q]->dist_packets, d->dist_packets[q]);
	if (drops != 0) {
		d->dist_drops[q] += drops;
		tlsfp_shm_store(&d->port_stats[q]->dist_drops, d->dist_drops[q]);
	}
}

int
tlsfp_distributor_main(void *arg)
{
	struct tlsfp_distributor *d = arg;
	struct rte_mbuf *pkts[TLSFP_MAX_BURST];
	static struct rte_mbuf *out[TLSFP_SHM_MAX_WORKERS][TLSFP_MAX_BURST]; /* one distributor */
	uint32_t cnt[TLSFP_SHM_MAX_WORKERS];
	const uint64_t hz = rte_get_tsc_hz();
	const uint64_t pause_cycles = hz / (1000000 / IDLE_PAUSE_US);
	const uint64_t sleep_cycles = hz / (1000000 / IDLE_SLEEP_US);
	uint64_t idle_since = rte_rdtsc();

	while (likely(!__atomic_load_n(d->loop.stop, __ATOMIC_RELAXED))) {
		uint32_t q, total = 0;

		for (q = 0; q < d->n_rxq; q++) {
			uint16_t n = rte_eth_rx_burst(d->rxq[q].port, d->rxq[q].queue, pkts,
						      (uint16_t)d->loop.burst);

			if (n != 0) {
				spread(d, q, pkts, n, out, cnt);
				total += n;
			}
		}
		if (total != 0) {
			idle_since = rte_rdtsc();
		} else if (d->loop.idle_backoff) {
			uint64_t idle = rte_rdtsc() - idle_since;

			if (idle > sleep_cycles)
				rte_delay_us_sleep(100);
			else if (idle > pause_cycles)
				rte_pause();
		}
	}
	/* Workers drain their rings once they see this. */
	__atomic_store_n(&d->done, 1, __ATOMIC_RELEASE);
	return 0;
}
