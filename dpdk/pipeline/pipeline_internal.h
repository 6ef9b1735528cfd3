/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline's state and the steps its files share (internal).
 *
 *   pipeline.c   lifecycle, per-packet entry, flow entries, records out,
 *                expiry and flush
 *   handshake.c  a complete ClientHello/ServerHello message → the record
 *   tcp_path.c   TLS over TCP: per-direction reassembly and the record walk
 *   quic_path.c  QUIC Initials: decrypt, CRYPTO frames, the same record
 *   dtls_path.c  DTLS over UDP: handshake fragments, the same record
 *   record.c     filling and viewing records
 *
 * Single thread. Nothing here allocates after tlsfp_pipeline_create().
 */
#ifndef TLSFP_PIPELINE_INTERNAL_H
#define TLSFP_PIPELINE_INTERNAL_H

#include "flow/flow_table.h"
#include "flow/stream_buf.h"
#include "tlsfp/counters.h"
#include "tlsfp/decode.h"
#include "tlsfp/hello.h"
#include "tlsfp/pipeline.h"
#include "tlsfp/quic.h"
#include "tlsfp/record.h"

struct tlsfp_pipeline {
	struct tlsfp_pipeline_config cfg;
	tlsfp_emit_fn emit;
	void *emit_ctx;
	struct tlsfp_counters ctr;

	struct tlsfp_flow_table ft;
	struct tlsfp_sb_pool pool;
	struct tlsfp_record *records; /* the pending record of flow entry i is records[i] */

	/* Per-pipeline scratch, reused by every packet. */
	uint8_t *msg; /* one handshake message, hello_max_bytes */
	struct tlsfp_client_hello *ch;
	struct tlsfp_server_hello *sh;
	char *fp_scratch; /* JA3/JA3S strings */
	size_t fp_scratch_cap;
	struct tlsfp_quic_ctx *quic;
	struct tlsfp_quic_initial *qi;

	/* Automatic expiry from packet time. */
	uint64_t last_expire_ns;
	uint32_t pkts_since_expire;

	/* Cold-path memory, released by destroy. */
	void *mem_flows, *mem_buckets, *mem_records, *mem_pool, *mem_free_stack;
	void *mem_msg, *mem_ch, *mem_sh, *mem_scratch, *mem_qi;
};

/* What a step left of the flow it was given. */
enum tlsfp_pl_outcome {
	TLSFP_PL_KEEP = 0, /* the entry still exists */
	TLSFP_PL_GONE = 1, /* the entry was removed: do not touch it again */
};

/* pipeline.c: flow entries and records. */
struct tlsfp_flow *tlsfp_pl_flow_new(struct tlsfp_pipeline *p, const struct tlsfp_flow_key *key,
				     uint64_t hash, enum tlsfp_flow_class cls, uint64_t ts);
void tlsfp_pl_flow_free(struct tlsfp_pipeline *p, struct tlsfp_flow *f);
struct tlsfp_record *tlsfp_pl_record(struct tlsfp_pipeline *p, const struct tlsfp_flow *f);
void tlsfp_pl_emit(struct tlsfp_pipeline *p, struct tlsfp_flow *f, enum tlsfp_record_reason why);
/* Record out (reason SERVER_HELLO) once both hellos are in. The entry is
 * kept LIGHT and `finished` for a while, so the handshake's retransmissions
 * (a ServerHello again, QUIC Initials carrying ACKs) are recognised and
 * skipped instead of looking like new or orphan hellos. */
void tlsfp_pl_complete(struct tlsfp_pipeline *p, struct tlsfp_flow *f, uint64_t ts);
/* A direction's hello cannot be had: the client's ends the flow (the
 * failure was counted by the caller), the server's only stops looking. */
enum tlsfp_pl_outcome tlsfp_pl_dir_fail(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d);

/* handshake.c: one complete message of direction d. */
enum tlsfp_pl_hs_result {
	TLSFP_PL_HS_DONE = 0,	/* hello taken (and the record written if both are in) */
	TLSFP_PL_HS_FAILED = 1, /* parse error (counted) */
	TLSFP_PL_HS_RETRY = 2,	/* HelloRetryRequest: look for the next message */
};
enum tlsfp_pl_hs_result tlsfp_pl_handshake(struct tlsfp_pipeline *p, struct tlsfp_flow *f,
					   unsigned d, const uint8_t *msg, size_t len, uint64_t ts);

/* tcp_path.c / quic_path.c: one decoded packet. */
void tlsfp_pl_tcp_input(struct tlsfp_pipeline *p, const struct tlsfp_packet *pkt, uint64_t ts);
void tlsfp_pl_udp_input(struct tlsfp_pipeline *p, const struct tlsfp_packet *pkt, uint64_t ts);
/* dtls_path.c: a UDP packet that looks like a DTLS handshake record; false
 * (nothing done) when it does not. */
bool tlsfp_pl_dtls_input(struct tlsfp_pipeline *p, const struct tlsfp_packet *pkt, uint64_t ts);

#endif /* TLSFP_PIPELINE_INTERNAL_H */
