/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline: one captured frame in, handshake records out.
 *
 *   decode → TLS record / QUIC Initial prefix test → per-flow hello
 *   reassembly (only for flows that need it) → hello parsing → JA3/JA3S/JA4
 *   → record, written when the ServerHello is seen, or the flow ends, times
 *   out, is evicted, or the input ends (tlsfp_pipeline_flush).
 *
 * The same pipeline serves a DPDK worker lcore and the offline pcap reader,
 * so both give identical records for the same packets.
 *
 * Threading: a pipeline has exactly one thread. Everything is allocated in
 * tlsfp_pipeline_create(); tlsfp_pipeline_input() never allocates, locks,
 * logs or makes system calls. Time comes only from the ts_ns of the packets
 * and of tlsfp_pipeline_expire() calls, so a replay is deterministic.
 */
#ifndef TLSFP_PIPELINE_H
#define TLSFP_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "tlsfp/counters.h"
#include "tlsfp/record.h"

struct tlsfp_pipeline_config {
	uint32_t max_flows; /* flows tracked at once (hello in progress / awaiting ServerHello) */
	uint32_t hello_max_bytes;  /* per-direction reassembly bound, default 16 KiB */
	uint64_t reasm_max_bytes;  /* all reassembly buffers together */
	uint64_t hello_timeout_ns; /* give up a hello in progress */
	uint64_t flow_timeout_ns;  /* give up waiting for the ServerHello */
	/* Cold-path allocator (DPDK passes rte_zmalloc_socket); NULL → calloc/free. */
	void *(*zalloc)(size_t size, void *arg);
	void (*free)(void *ptr, void *arg);
	void *alloc_arg;
};

/* Fills the defaults: 16384 flows, 16 KiB, 64 MiB, 10 s, 30 s, calloc. */
void tlsfp_pipeline_config_defaults(struct tlsfp_pipeline_config *cfg);

/* Called for every record, on the pipeline's thread; `rec` is valid only
 * during the call. */
typedef void (*tlsfp_emit_fn)(void *ctx, const struct tlsfp_record *rec);

struct tlsfp_pipeline;

/* NULL on bad config or no memory (errno set). */
struct tlsfp_pipeline *tlsfp_pipeline_create(const struct tlsfp_pipeline_config *cfg,
					     tlsfp_emit_fn emit, void *emit_ctx);
void tlsfp_pipeline_destroy(struct tlsfp_pipeline *p);

/* One captured frame: caplen bytes at data, of link type `linktype`. */
void tlsfp_pipeline_input(struct tlsfp_pipeline *p, const uint8_t *data, uint32_t caplen,
			  uint32_t wirelen, int linktype, uint64_t ts_ns);

/* Housekeeping: time out flows older than their timeout at now_ns. */
void tlsfp_pipeline_expire(struct tlsfp_pipeline *p, uint64_t now_ns);

/* End of input: write every pending record (reason FLUSH), drop all state. */
void tlsfp_pipeline_flush(struct tlsfp_pipeline *p);

const struct tlsfp_counters *tlsfp_pipeline_counters(const struct tlsfp_pipeline *p);

#endif /* TLSFP_PIPELINE_H */
