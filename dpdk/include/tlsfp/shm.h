/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory region between the data plane (one writer per part)
 * and its consumers (the Node addon, tlsfp-shm-dump). This header is the
 * ONE description of the region; both sides are built from it.
 *
 * Layout (every offset is in the header, a reader never computes its own):
 *
 *   0                 struct tlsfp_shm_header       page 0
 *   consumer_offset   struct tlsfp_shm_consumer[n_workers]  own page(s):
 *                     the only part a consumer writes (ring tails), so a
 *                     consumer maps everything else read-only
 *   workers_offset    struct tlsfp_shm_worker[n_workers]   per-worker stats
 *   ports_offset      struct tlsfp_shm_port[n_ports]       per-port stats
 *   rings_offset      n_workers rings, ring_stride apart; each ring is one
 *                     struct tlsfp_shm_producer line, then ring_slots slots
 *                     of slot_size bytes, each holding a struct tlsfp_record
 *
 * The backing file is created by the data plane (hugetlbfs when one is
 * mounted and has free pages, else /dev/shm), mode 0600, named
 * <dir>/<file-prefix>.shm where file-prefix is the DPDK file prefix
 * "tlsfp-<instance>-<pid>"; it is unlinked when the data plane exits (open
 * mappings stay valid, so a consumer can drain what is left).
 *
 * Versioning: `magic` and `layout_version` sit at offsets 0 and 8 in every
 * version. A reader refuses a region whose layout version, record ABI,
 * record size or counter count it does not know (tlsfp_shm_check). The
 * creator fills the whole header and stores `magic` last with release
 * order: a reader that sees the magic (acquire) sees a complete header.
 *
 * Writers (one per field, never two):
 *   header identity/layout ... creator, once, before magic
 *   header live line ......... main lcore (pid, state, heartbeat every ~100 ms)
 *   consumer[k].tail ......... the consumer of ring k
 *   worker[k], producer[k] ... worker lcore k
 *   port[i] info ............. main lcore, before state RUNNING
 *   port[i] eth stats ........ main lcore, every ~100 ms (rte_eth_stats_get)
 *   port[i] dist stats ....... the software-distribution lcore
 * Every shared field is a naturally aligned integer written with an
 * __atomic store; readers use __atomic loads and tolerate a counter that
 * moves between two loads (no multi-field snapshot is promised).
 *
 * This library does not depend on DPDK: the addon links it to read.
 */
#ifndef TLSFP_SHM_H
#define TLSFP_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "tlsfp/counters.h"
#include "tlsfp/record.h"

#define TLSFP_SHM_MAGIC 0x314d48535046534cull /* "LSFPSHM1" little-endian */
#define TLSFP_SHM_LAYOUT_VERSION 1
#define TLSFP_SHM_LINE 64 /* cache line; every writer's part starts on one */
#define TLSFP_SHM_MAX_WORKERS 128
#define TLSFP_SHM_MAX_PORTS 64
#define TLSFP_SHM_MAX_RING_SLOTS (1u << 20)
#define TLSFP_SHM_NAME_LEN 64

enum tlsfp_shm_state {
	TLSFP_SHM_STARTING = 1, /* region made, ports being configured */
	TLSFP_SHM_RUNNING = 2,	/* workers polling */
	TLSFP_SHM_STOPPING = 3, /* stop asked: workers finish and flush */
	TLSFP_SHM_STOPPED = 4,	/* every record is in the rings; no writer left */
};

struct tlsfp_shm_header {
	/* Identity and layout: written once by the creator, magic last. */
	uint64_t magic;		 /* offset 0 in every layout version */
	uint32_t layout_version; /* offset 8 in every layout version */
	uint32_t header_size;	 /* sizeof(struct tlsfp_shm_header) */
	uint64_t region_size;	 /* bytes of the file (a multiple of page_size) */
	uint32_t page_size;	 /* of the backing (2 MiB on hugetlbfs) */
	uint32_t record_abi;	 /* TLSFP_RECORD_ABI */
	uint32_t record_size;	 /* sizeof(struct tlsfp_record) */
	uint32_t slot_size;	 /* record_size rounded up to TLSFP_SHM_LINE */
	uint32_t n_workers;
	uint32_t n_ports;
	uint32_t ring_slots; /* power of two */
	uint32_t n_counters; /* TLSFP_CTR__COUNT (struct tlsfp_counters) */
	uint32_t hugetlb;    /* 1 when backed by hugetlbfs */
	uint32_t pad0;

	_Alignas(TLSFP_SHM_LINE) uint64_t consumer_offset;
	uint64_t workers_offset;
	uint64_t worker_size; /* sizeof(struct tlsfp_shm_worker) */
	uint64_t ports_offset;
	uint64_t port_size; /* sizeof(struct tlsfp_shm_port) */
	uint64_t rings_offset;
	uint64_t ring_stride;  /* bytes from one ring to the next */
	uint64_t slots_offset; /* from a ring's start to its slot 0 */

	_Alignas(TLSFP_SHM_LINE) char instance[TLSFP_SHM_NAME_LEN]; /* NUL-terminated */

	/* Live line: main lcore only. */
	_Alignas(TLSFP_SHM_LINE) int32_t pid;
	uint32_t state;	       /* enum tlsfp_shm_state */
	uint64_t heartbeat_ns; /* CLOCK_REALTIME ns, every ~100 ms while running */
	uint64_t start_ns;     /* CLOCK_REALTIME ns when the region was made */
	uint64_t tsc_hz;       /* worker cycle counters' frequency, 0 unknown */
};

/* Ring k's tail: written only by the consumer (release), read by worker k
 * (acquire). Alone on its cache line, on the consumer's writable page. */
struct tlsfp_shm_consumer {
	_Alignas(TLSFP_SHM_LINE) uint64_t tail; /* records consumed, free-running */
	uint64_t pad[7];
};

/* Ring k's head: written only by worker k (release), read by the consumer
 * (acquire). Alone on its cache line, right before the slots.
 *
 * SPSC contract (head and tail count records since start, never wrap in
 * practice: 2^64 records):
 *   producer: t = load_acquire(tail); if head - t == ring_slots the ring is
 *             full: the record is DROPPED and counted (RECORD_DROPPED), the
 *             producer never waits. Else copy into slot[head & (slots-1)],
 *             then store_release(head, head + 1).
 *   consumer: h = load_acquire(head); slots [tail, h) are complete; read
 *             them, then store_release(tail, tail + n). A slot is not
 *             rewritten before the consumer's tail store releases it.
 */
struct tlsfp_shm_producer {
	_Alignas(TLSFP_SHM_LINE) uint64_t head; /* records produced, free-running */
	uint64_t pad[7];
};

/* Worker k's statistics: written only by worker k, at its housekeeping
 * tick (~every 10 ms) and once more after its final flush. */
struct tlsfp_shm_worker {
	_Alignas(TLSFP_SHM_LINE) uint32_t lcore_id;
	int32_t socket_id;
	uint32_t n_rx_queues; /* (port, queue) pairs polled directly */
	uint32_t distributed; /* 1 if it also reads a software-distribution ring */
	uint64_t loops;	      /* poll loop iterations */
	uint64_t busy_loops;  /* iterations that received at least one packet */
	uint64_t cycles;      /* TSC cycles spent in the loop */
	uint64_t busy_cycles; /* ... in iterations that received packets */
	uint64_t rx_bursts;   /* non-empty bursts */
	uint64_t records;     /* records enqueued into the ring */
	uint64_t idle_sleeps; /* rte_delay_us_sleep calls (idle backoff) */
	uint64_t ticks;	      /* housekeeping ticks */
	uint64_t tick_ns;     /* Unix ns of the last tick */
	/* The worker's pipeline counters; RECORD_DROPPED includes ring-full
	 * drops. */
	_Alignas(TLSFP_SHM_LINE) struct tlsfp_counters ctr;
};

struct tlsfp_shm_port {
	/* Written once by the main lcore before RUNNING. */
	_Alignas(TLSFP_SHM_LINE) char name[TLSFP_SHM_NAME_LEN];
	uint16_t port_id;
	uint16_t n_rx_queues;
	uint8_t rss;	     /* symmetric RSS spreads it over the workers */
	uint8_t distributed; /* software-distributed by the receive lcore */
	uint8_t pad0[2];
	int32_t socket_id;
	/* Main lcore, every ~100 ms, from rte_eth_stats_get. */
	_Alignas(TLSFP_SHM_LINE) uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t imissed; /* dropped by the NIC: RX queues full */
	uint64_t ierrors;
	uint64_t rx_nombuf; /* RX mbuf allocation failures */
	uint64_t stats_ns;  /* Unix ns of the last update */
	/* Distribution lcore only. */
	_Alignas(TLSFP_SHM_LINE) uint64_t dist_packets; /* handed to a worker ring */
	uint64_t dist_drops; /* freed: the worker's distribution ring was full */
};

_Static_assert(offsetof(struct tlsfp_shm_header, magic) == 0, "magic at 0 forever");
_Static_assert(offsetof(struct tlsfp_shm_header, layout_version) == 8, "version at 8 forever");
_Static_assert(sizeof(struct tlsfp_shm_consumer) == TLSFP_SHM_LINE, "one line");
_Static_assert(sizeof(struct tlsfp_shm_producer) == TLSFP_SHM_LINE, "one line");

/* ---- the region ---------------------------------------------------------- */

struct tlsfp_shm_region {
	uint8_t *base;
	size_t size;
	int fd;
	int owner; /* created it: closing unlinks the file */
	char path[256];
};

#define TLSFP_SHM_F_NO_HUGE 0x1u /* do not try hugetlbfs */

/*
 * Data plane: create <dir>/<name>.shm (dir NULL: the first mounted
 * hugetlbfs, falling back to /dev/shm when there is none or it has no free
 * pages) with mode 0600 and O_EXCL, size it, fill the header; state is
 * STARTING, pid is getpid(). ring_slots must be a power of two.
 * 0 or -errno (-EINVAL bad arguments, -EEXIST, ...).
 */
int tlsfp_shm_create(struct tlsfp_shm_region *r, const char *dir, const char *name,
		     const char *instance, uint32_t n_workers, uint32_t n_ports,
		     uint32_t ring_slots, unsigned int flags);

/*
 * Consumer: map an existing region, everything read-only except the
 * consumer page (ring tails). Checks the header (tlsfp_shm_check).
 * 0 or -errno: -ENODATA no magic yet (creator not done: retry), -EINVAL
 * not a region / truncated, -EPROTONOSUPPORT a layout version, record ABI
 * or size or counter count this build does not know.
 */
int tlsfp_shm_open(struct tlsfp_shm_region *r, const char *path);

/* Validate a mapped header against this build; returns as tlsfp_shm_open. */
int tlsfp_shm_check(const void *base, size_t size);

/* Unmap; the owner also unlinks the file. Safe on a zeroed region. */
void tlsfp_shm_close(struct tlsfp_shm_region *r);

static inline struct tlsfp_shm_header *
tlsfp_shm_header(const struct tlsfp_shm_region *r)
{
	return (struct tlsfp_shm_header *)r->base;
}

static inline struct tlsfp_shm_worker *
tlsfp_shm_worker(const struct tlsfp_shm_region *r, uint32_t k)
{
	const struct tlsfp_shm_header *h = tlsfp_shm_header(r);
	return (struct tlsfp_shm_worker *)(r->base + h->workers_offset + k * h->worker_size);
}

static inline struct tlsfp_shm_port *
tlsfp_shm_port(const struct tlsfp_shm_region *r, uint32_t i)
{
	const struct tlsfp_shm_header *h = tlsfp_shm_header(r);
	return (struct tlsfp_shm_port *)(r->base + h->ports_offset + i * h->port_size);
}

/* Live line (main lcore writes, anyone reads). */
void tlsfp_shm_set_state(struct tlsfp_shm_region *r, enum tlsfp_shm_state s);
void tlsfp_shm_set_heartbeat(struct tlsfp_shm_region *r, uint64_t ns);
enum tlsfp_shm_state tlsfp_shm_get_state(const struct tlsfp_shm_region *r);
uint64_t tlsfp_shm_get_heartbeat(const struct tlsfp_shm_region *r);

/* Publish a 64-bit statistic / read one (single writer, torn-free). */
static inline void
tlsfp_shm_store(uint64_t *field, uint64_t v)
{
	__atomic_store_n(field, v, __ATOMIC_RELAXED);
}

static inline uint64_t
tlsfp_shm_load(const uint64_t *field)
{
	return __atomic_load_n(field, __ATOMIC_RELAXED);
}

/* ---- the per-worker record rings ------------------------------------------ */

/* A process-local handle on ring k. One handle per side; `cache` is the
 * last value seen of the other side's index (producer: tail, consumer:
 * head), so the other side's cache line is read only when needed. */
struct tlsfp_shm_ring {
	uint64_t *head;
	uint64_t *tail;
	uint8_t *slots;
	uint32_t mask;
	uint32_t slot_size;
	uint64_t cache;
};

/* 0, or -EINVAL if k is not a worker of the region. */
int tlsfp_shm_ring_attach(const struct tlsfp_shm_region *r, uint32_t k,
			  struct tlsfp_shm_ring *ring);

/* Producer: copy rec into the ring. 0, or -ENOBUFS when the ring is full
 * (nothing written; the caller counts RECORD_DROPPED). Never blocks. */
int tlsfp_shm_ring_enqueue(struct tlsfp_shm_ring *ring, const struct tlsfp_record *rec);

/* Consumer: copy up to n records out, oldest first, and release their
 * slots. Returns how many. */
uint32_t tlsfp_shm_ring_dequeue_burst(struct tlsfp_shm_ring *ring, struct tlsfp_record *out,
				      uint32_t n);

/* Consumer, zero-copy: the i-th available record (0 = oldest), or NULL
 * when fewer than i + 1 are available; valid until released. */
const struct tlsfp_record *tlsfp_shm_ring_peek(struct tlsfp_shm_ring *ring, uint32_t i);

/* Consumer: release the n oldest records (n <= what peek could see). */
void tlsfp_shm_ring_release(struct tlsfp_shm_ring *ring, uint32_t n);

/* Records waiting (either side; a snapshot). */
uint32_t tlsfp_shm_ring_count(const struct tlsfp_shm_ring *ring);

#endif /* TLSFP_SHM_H */
