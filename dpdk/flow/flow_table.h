/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-pipeline flow table (internal to the fingerprint core).
 *
 * A fixed array of entries allocated once, a power-of-two bucket array with
 * chains through the entries, and one age list per entry class. A flow has
 * an entry only while it needs one: a SYN was seen (its ISN lets a segment
 * that overtakes the first data segment be placed), a hello is being
 * reassembled, the ClientHello is done and the ServerHello awaited, or the
 * record was just written (kept briefly so retransmitted hellos are
 * recognised as such).
 *
 * Age lists, not LRU lists: an entry is appended to the tail of its class's
 * list when it enters the class (with the packet time), and never moved on
 * later packets. The head of each list is therefore the entry that entered
 * its class first, which is what both the timeouts ("hello in progress for
 * longer than hello_timeout") and eviction (oldest first) want, in O(1).
 *
 * The table only keeps entries; what happens to a flow (records, counters)
 * is the pipeline's business.
 */
#ifndef TLSFP_FLOW_FLOW_TABLE_H
#define TLSFP_FLOW_FLOW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "flow/stream_buf.h"
#include "tlsfp/decode.h"
#include "tlsfp/quic.h"

#define TLSFP_FLOW_NONE UINT32_MAX

/*
 * The symmetric flow key: both directions of a connection build the same
 * key, the (address, port) endpoint that compares lower first.
 *
 * VLAN IDs are deliberately not part of it: a mirror port often delivers
 * the two directions of one connection with different tags (asymmetric
 * routing, a SPAN of both sides of a router or firewall, a TAP aggregator
 * adding its own tag), and the ServerHello must meet its ClientHello. The
 * price, two hosts with the same addresses on two VLANs talking with the
 * same ports at the same time, is far rarer than split flows would be; a
 * packet seen twice on two VLANs lands on one flow as a duplicate.
 *
 * Packed with explicit padding so it can be hashed and compared as bytes.
 */
struct tlsfp_flow_key {
	uint8_t addr_lo[16];
	uint8_t addr_hi[16];
	uint16_t port_lo, port_hi;
	uint8_t ip_version;
	uint8_t l4proto;
	uint8_t pad[2];
};

/* Entry classes, each with its own age list and timeout. */
enum tlsfp_flow_class {
	TLSFP_FLOW_C_LIGHT = 0, /* SYN seen only, or record written: dropped silently */
	TLSFP_FLOW_C_HELLO = 1, /* a hello in progress, ClientHello not complete */
	TLSFP_FLOW_C_AWAIT = 2, /* ClientHello complete, ServerHello awaited */
	TLSFP_FLOW_C__COUNT
};

/* One direction of a flow. */
struct tlsfp_flow_dir {
	struct tlsfp_stream_buf sb; /* data only while reassembling */
	uint32_t base_seq;	    /* TCP: sequence number of stream offset 0 */
	uint32_t walk_off;	    /* stream offset of the next handshake message */
	uint8_t base_valid;	    /* base_seq known (SYN seen or first hello segment) */
	uint8_t started;	    /* bytes of a hello seen in this direction */
	uint8_t done;		    /* hello parsed or given up: bytes no longer looked at */
	uint8_t reasm;		    /* REASM_STARTED counted: the hello did not fit in one packet */
};

struct tlsfp_flow {
	struct tlsfp_flow_key key;
	uint64_t hash;
	uint64_t flow_id;
	uint64_t class_ts;   /* packet time the entry entered its class */
	uint32_t hnext;	     /* bucket chain */
	uint32_t prev, next; /* age list of its class */
	uint8_t cls;	     /* enum tlsfp_flow_class */
	uint8_t in_use;
	uint8_t client_dir; /* 0: lo → hi is the client; 1: hi → lo; see tlsfp_flow_key_make */
	uint8_t ch_done;    /* ClientHello parsed into the pending record */
	uint8_t sh_done;    /* ServerHello parsed into the pending record */
	uint8_t quic;
	/* DTLS over UDP. Its directions reuse two TCP fields: base_seq is the
	 * message_seq of the hello being reassembled (chosen when base_valid),
	 * walk_off that message's body length (see pipeline/dtls_path.c). */
	uint8_t dtls;
	uint8_t finished;  /* record written: kept LIGHT only to absorb the rest quietly */
	uint8_t odcid_len; /* QUIC: the client's first Destination Connection ID */
	uint8_t odcid[TLSFP_QUIC_MAX_CID];
	struct tlsfp_flow_dir dir[2];
};

struct tlsfp_flow_list {
	uint32_t head, tail; /* head: oldest */
	uint32_t n;
};

struct tlsfp_flow_table {
	struct tlsfp_flow *flows; /* max_flows entries */
	uint32_t *buckets;	  /* mask + 1 chain heads */
	uint32_t max_flows;
	uint32_t mask;
	uint32_t free_head; /* free entries chained through hnext */
	uint32_t n_used;
	struct tlsfp_flow_list lists[TLSFP_FLOW_C__COUNT];
};

/* Bytes the table needs for max_flows entries (entries, buckets). */
size_t tlsfp_flow_table_entries_size(uint32_t max_flows);
size_t tlsfp_flow_table_buckets_size(uint32_t max_flows);
/* Cold path: flows and buckets are caller memory of the sizes above. */
void tlsfp_flow_table_init(struct tlsfp_flow_table *t, uint32_t max_flows, struct tlsfp_flow *flows,
			   uint32_t *buckets);

/*
 * Build the symmetric key of a packet. *dir is 0 when the packet travels
 * from the key's lo endpoint to its hi endpoint, 1 otherwise.
 */
void tlsfp_flow_key_make(const struct tlsfp_packet *pkt, struct tlsfp_flow_key *key, uint8_t *dir);

/* 64-bit hash of a key; deterministic across runs and hosts. */
uint64_t tlsfp_flow_hash(const struct tlsfp_flow_key *key);

/* The record's flow_id (EVE "flow_id"): the key's hash cut below 2^53, so JSON
 * and JavaScript numbers keep it exact. Same packets, same ids. */
static inline uint64_t
tlsfp_flow_id(uint64_t hash)
{
	return hash & ((UINT64_C(1) << 53) - 1);
}

struct tlsfp_flow *tlsfp_flow_lookup(struct tlsfp_flow_table *t, const struct tlsfp_flow_key *key,
				     uint64_t hash);

/* New zeroed entry for key (not present), appended to class cls at ts;
 * NULL when the table is full (the caller evicts and retries). */
struct tlsfp_flow *tlsfp_flow_insert(struct tlsfp_flow_table *t, const struct tlsfp_flow_key *key,
				     uint64_t hash, enum tlsfp_flow_class cls, uint64_t ts);

/* Unlink an entry from its chain and list and free it. The caller has
 * released its stream buffers. */
void tlsfp_flow_remove(struct tlsfp_flow_table *t, struct tlsfp_flow *f);

/* Move an entry to the tail of class cls, entered at ts. */
void tlsfp_flow_set_class(struct tlsfp_flow_table *t, struct tlsfp_flow *f,
			  enum tlsfp_flow_class cls, uint64_t ts);

/* The oldest entry of a class, NULL when the class is empty. */
struct tlsfp_flow *tlsfp_flow_oldest(struct tlsfp_flow_table *t, enum tlsfp_flow_class cls);

static inline uint32_t
tlsfp_flow_index(const struct tlsfp_flow_table *t, const struct tlsfp_flow *f)
{
	return (uint32_t)(f - t->flows);
}

#endif /* TLSFP_FLOW_FLOW_TABLE_H */
