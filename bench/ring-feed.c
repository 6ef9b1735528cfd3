/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ring-feed: a stand-in data plane for benchmarking the control plane's
 * ingest (RegionReader drain + store) on its own core, against a real
 * shared-memory region and real SPSC record rings. A benchmark tool only:
 * the appliance never runs it.
 *
 *   ring-feed [--workers K] [--slots N] [--records N] [--dir DIR] [--name NAME]
 *             [--seed S] [--cpu C] [--full-copy]
 *
 *   --workers K   rings (one per simulated worker), 1..128 (1)
 *   --slots N     records per ring, a power of two (65536)
 *   --records N   records to produce in all (2000000)
 *   --dir DIR     where the region file goes (default: as the data plane,
 *                 a mounted hugetlbfs with free pages, else /dev/shm)
 *   --name NAME   file name without ".shm" (tlsfp-ringfeed-<pid>)
 *   --seed S      generator seed, 32 bits (12345, the seed of bench/ingest.mjs)
 *   --cpu C       pin this process to CPU C (sched_setaffinity)
 *   --full-copy   enqueue with tlsfp_shm_ring_enqueue, the data plane's
 *                 whole-record copy (slower: see "Cost" below)
 *
 * What it does, in order: builds the value tables and record templates (not
 * timed), creates the region with tlsfp_shm_create, fills what the data
 * plane's main lcore fills (one port, worker lcore ids, state RUNNING; pid
 * and start time come from tlsfp_shm_create), prints ONE line on stdout
 *
 *   {"path": "/dev/shm/tlsfp-ringfeed-1234.shm", "records": 2000000}
 *
 * and flushes it: a harness reads that line and opens the path. Then it
 * enqueues the records round-robin over the K rings. Unlike the data plane
 * it never drops: on a full ring it waits (sched_yield, then 20 us sleeps)
 * until the consumer frees a slot, so every record reaches the consumer and
 * the run measures the consumer. The heartbeat and the per-worker "records"
 * statistic are written about every 100 ms. When all records are in, state
 * STOPPED; it waits until the consumer has drained every ring (tail == head,
 * at most 60 s) and closes the region, which unlinks the file.
 *
 * Exit status: 0 done; 1 bad arguments, region error, or the consumer made
 * no progress for 30 s; 128 + signal after SIGINT/SIGTERM, which stop the
 * production at once (state STOPPED, region unlinked; a consumer that has
 * it mapped can still drain what is in the rings). At exit it prints on
 * stderr the records produced, the seconds, the records/s (bounded by the
 * consumer), the producer's own rate (records per second not spent
 * waiting for room) and how many times it found a ring full.
 *
 * The records follow bench/ingest.mjs's makeRecords: the same generator
 * (LCG, seed / 2^32), drawn in the same order, so with the same seed the
 * same clients, JA4/JA3/JA3S values, servers and SNIs come out in the same
 * sequence: 3 000 JA4 and JA3 values, 500 JA3S, SNIs host<i>.example<i%97>.com,
 * 50 000 clients of skewed activity (floor(n * u^3)), each with a main
 * application (90 % of its handshakes) and favourite servers (80 %); one
 * client in 8 over QUIC. 3 records in 4 have a ServerHello (with its
 * JA3S), the others end with FLOW_END. ja4_o values come from a second
 * generator so the first one's sequence stays that of the JS bench. The
 * client lists are a real browser's (16 ciphers, 16 extensions, groups,
 * sigalgs, versions; QUIC's own), so a consumer that renders JA3 / JA4_r
 * strings from them does real work.
 *
 * Cost. A record is its template plus the per-record fields: one of 8
 * working records (ALPN variant x ServerHello or not) keeps the template's
 * bytes, and fill_record overwrites the same fields every time, so it is
 * byte for byte "memcpy the template, set the fields" without that copy.
 * The enqueue is the cost that matters: tlsfp_shm_ring_enqueue (what the
 * data plane calls) copies the whole ~5.3 KB record, most of it unused
 * capacity, and with a 65536-slot ring (350 MB) that is DRAM bandwidth:
 * ~2.0 M records/s here. So by default the slot gets only the parts a
 * record of this tool can use (span_enqueue: ~450 bytes in 6 spans, the
 * rest of every slot stays zero as tlsfp_shm_create left it, which
 * templates_check verifies at start-up against every template), following
 * the producer half of shm.h's SPSC contract itself. A consumer reads the
 * same bytes either way. --full-copy enqueues through the library instead.
 *
 * Measured 2026-11-21 (2-vCPU AMD EPYC KVM guest shared with other jobs,
 * --cpu 0, 4 M records, 1 ring of 65536, a C consumer on the other CPU
 * that peeks and releases): records per second of producer time (not
 * waiting for room) 5.6-17.6 M with span_enqueue (3-5 M while other jobs
 * loaded the machine), 1.9-3.0 M with --full-copy. Against the addon's
 * RegionReader.drain the run is bound by the consumer (~100-300 k/s).
 */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tlsfp/record.h"
#include "tlsfp/shm.h"

#define N_JA4 3000
#define N_JA3S 500
#define N_SNI 5000
#define N_CLIENTS 50000
#define N_SERVERS 2000
#define SNI_FIELD 32 /* longest name is 22 characters: copied as a fixed block */
#define T0_NS 1795247940000000000ull
#define HEARTBEAT_NS 100000000ull
#define STALL_NS 30000000000ull /* consumer without progress: give up */
#define DRAIN_NS 60000000000ull /* after the last record: wait for the drain */
#define CHECK_EVERY 1024	/* records between two clock reads */
#define LISTS_USED 64		/* lists entries a template may use (span_enqueue) */
#define ALPN_USED 16		/* alpn bytes a template may use */
#define SH_EXTS_USED 8
#define SH_ALPN_USED 16

enum {
	ALPN_H2_H1, /* h2, http/1.1 */
	ALPN_H1,    /* http/1.1 */
	ALPN_NONE,
	ALPN_H3, /* QUIC */
	ALPN__COUNT,
};

struct feed_tables {
	char ja4[N_JA4][TLSFP_JA4_LEN + 1];
	char ja4_o[N_JA4][TLSFP_JA4_LEN + 1];
	char ja3[N_JA4][TLSFP_MD5_HEX_LEN + 1];
	char ja3s[N_JA3S][TLSFP_MD5_HEX_LEN + 1];
	char sni[N_SNI][SNI_FIELD]; /* NUL-padded */
	uint16_t sni_len[N_SNI];
};

struct feed_args {
	uint32_t workers;
	uint32_t slots;
	uint64_t records;
	const char *dir;
	const char *name;
	uint32_t seed;
	int cpu;
};

struct feed {
	struct tlsfp_shm_region region;
	struct tlsfp_shm_ring rings[TLSFP_SHM_MAX_WORKERS];
	uint64_t ring_records[TLSFP_SHM_MAX_WORKERS];
	uint32_t n_rings;
	uint64_t last_heartbeat;
	uint64_t ticks;
	uint64_t ring_full; /* enqueues that found the ring full */
	uint64_t wait_ns;   /* spent waiting for room */
};

/* The signal that stopped the run (tlsfp_cli_stop_on_signals), or 0. */
static uint32_t stop_signal;

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- bench/ingest.mjs's generator ---------------------------------------- */

/* seed = (seed * 1103515245 + 12345) mod 2^32; u = seed / 2^32. */
static inline double
lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return (double)*s / 4294967296.0;
}

/* Skewed index in [0, n): low indexes far more often (JS: n * rand() ** 3). */
static inline uint32_t
skew(uint32_t *s, uint32_t n)
{
	double u = lcg(s);

	return (uint32_t)((double)n * (u * u * u));
}

static void
lcg_hex(uint32_t *s, char *out, int n)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < n; i++)
		out[i] = digits[(int)(lcg(s) * 16)];
}

/* The second generator (ja4_o only): splitmix64. */
static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Draws in makeRecords' table order: ja4s (two hex(12) each), ja3s, ja3ss. */
static void
make_tables(struct feed_tables *t, uint32_t *seed)
{
	uint64_t x = 0x6a61346f00000000ull ^ *seed;

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < N_JA4; i++) {
		char *j = t->ja4[i];

		/* `t13d${String(1000 + (i % 9000)).slice(0, 4)}h2_` */
		snprintf(j, 12, "t13d%04dh2_", 1000 + i % 9000);
		lcg_hex(seed, j + 11, 12);
		j[23] = '_';
		lcg_hex(seed, j + 24, 12);
		j[TLSFP_JA4_LEN] = '\0';
		/* ja4_o: same part a, its own b and c. */
		memcpy(t->ja4_o[i], j, 11);
		for (int c = 11; c < TLSFP_JA4_LEN; c++)
			t->ja4_o[i][c] = c == 23 ? '_' : "0123456789abcdef"[splitmix(&x) & 15];
		t->ja4_o[i][TLSFP_JA4_LEN] = '\0';
	}
	for (int i = 0; i < N_JA4; i++)
		lcg_hex(seed, t->ja3[i], TLSFP_MD5_HEX_LEN);
	for (int i = 0; i < N_JA3S; i++)
		lcg_hex(seed, t->ja3s[i], TLSFP_MD5_HEX_LEN);
	for (int i = 0; i < N_SNI; i++)
		t->sni_len[i] =
			(uint16_t)snprintf(t->sni[i], SNI_FIELD, "host%d.example%d.com", i, i % 97);
}

/* ---- record templates ---------------------------------------------------- */

/* A current browser's ClientHello over TCP, GREASE removed (wire order). */
static const uint16_t tcp_ciphers[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c,
				       0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
				       0x009d, 0x002f, 0x0035, 0x000a};
static const uint16_t tcp_exts[] = {0x0000, 0x0017, 0xff01, 0x000a, 0x000b, 0x0023, 0x0010, 0x0005,
				    0x000d, 0x0012, 0x0033, 0x002d, 0x002b, 0x001b, 0x4469, 0x0015};
/* Its QUIC Initial: TLS 1.3 only, quic_transport_parameters, no ALPN-less form. */
static const uint16_t quic_ciphers[] = {0x1301, 0x1302, 0x1303};
static const uint16_t quic_exts[] = {0x0033, 0x002b, 0x0000, 0x0010, 0x001b, 0x000d,
				     0x0039, 0x002d, 0x4469, 0x0005, 0x000a};
static const uint16_t groups[] = {0x11ec, 0x001d, 0x0017, 0x0018};
static const uint16_t point_formats[] = {0x00};
static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
static const uint16_t tcp_versions[] = {0x0304, 0x0303};
static const uint16_t quic_versions[] = {0x0304};
static const uint16_t sh_exts[] = {0x002b, 0x0033};

/* ProtocolNameList bodies, as on the wire; index = ALPN_* */
static const struct {
	uint8_t body[16];
	uint16_t len;
	const char *first; /* the server's choice */
} alpns[ALPN__COUNT] = {
	{{2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'}, 12, "h2"},
	{{8, 'h', 't', 't', 'p', '/', '1', '.', '1'}, 9, "http/1.1"},
	{{0}, 0, NULL},
	{{2, 'h', '3'}, 3, "h3"},
};

static uint16_t
put(struct tlsfp_record *r, uint32_t *used, const uint16_t *v, size_t n)
{
	memcpy(&r->lists[*used], v, n * sizeof(*v));
	*used += (uint32_t)n;
	return (uint16_t)n;
}

#define PUT(r, used, a) put(r, used, a, sizeof(a) / sizeof(a[0]))

/* Everything but the per-record fields (filled by fill_record). */
static void
make_template(struct tlsfp_record *r, int alpn, int server_hello)
{
	const int quic = alpn == ALPN_H3;
	uint32_t used = 0;

	memset(r, 0, sizeof(*r));
	r->ip_version = 4;
	r->l4proto = quic ? 17 : 6;
	r->transport = quic ? 'q' : 't';
	r->dst_port = 443;
	r->ch_legacy_version = 0x0303;
	r->ch_max_supported_version = 0x0304;
	r->flags =
		TLSFP_REC_F_CLIENT_HELLO | TLSFP_REC_F_HAS_SNI | TLSFP_REC_F_HAS_SUPPORTED_VERSIONS;
	if (quic) {
		r->n_ciphers = PUT(r, &used, quic_ciphers);
		r->n_exts = PUT(r, &used, quic_exts);
	} else {
		r->n_ciphers = PUT(r, &used, tcp_ciphers);
		/* Without ALPN the extension (0x0010, index 6) is not sent. */
		if (alpn == ALPN_NONE) {
			r->n_exts = put(r, &used, tcp_exts, 6);
			r->n_exts += put(r, &used, tcp_exts + 7, 9);
		} else {
			r->n_exts = PUT(r, &used, tcp_exts);
		}
	}
	r->n_groups = PUT(r, &used, groups);
	r->n_point_formats = quic ? 0 : PUT(r, &used, point_formats);
	r->n_sigalgs = PUT(r, &used, sigalgs);
	r->n_versions = quic ? PUT(r, &used, quic_versions) : PUT(r, &used, tcp_versions);
	if (alpns[alpn].len > 0) {
		r->flags |= TLSFP_REC_F_HAS_ALPN;
		memcpy(r->alpn, alpns[alpn].body, alpns[alpn].len);
		r->alpn_len = alpns[alpn].len;
	}
	if (!server_hello) {
		r->reason = TLSFP_REC_R_FLOW_END;
		return;
	}
	r->flags |= TLSFP_REC_F_SERVER_HELLO;
	r->reason = TLSFP_REC_R_SERVER_HELLO;
	r->sh_legacy_version = 0x0303;
	r->sh_selected_version = 0x0304;
	r->sh_cipher = 0x1301;
	memcpy(r->sh_exts, sh_exts, sizeof(sh_exts));
	r->sh_n_exts = sizeof(sh_exts) / sizeof(sh_exts[0]);
	if (alpns[alpn].first != NULL) {
		r->sh_alpn_len = (uint16_t)strlen(alpns[alpn].first);
		memcpy(r->sh_alpn, alpns[alpn].first, r->sh_alpn_len);
	}
}

/*
 * Record i, as makeRecords draws it. work[alpn * 2 + sh] start as the
 * templates; every field set here is set on every record of that working
 * record, so each stays "template + this record's fields".
 */
static inline struct tlsfp_record *
fill_record(struct tlsfp_record *work, const struct feed_tables *t, uint32_t *seed, uint64_t i)
{
	uint32_t c = skew(seed, N_CLIENTS);
	uint32_t k = lcg(seed) < 0.9 ? (c * 7919) % N_JA4 : skew(seed, N_JA4);
	uint32_t s = lcg(seed) < 0.8 ? (c * 31 + skew(seed, 8)) % N_SERVERS : skew(seed, N_SERVERS);
	uint32_t sni = (s * 2 + (lcg(seed) < 0.2 ? 1 : 0)) % N_SNI;
	int quic = (c & 7) == 0;
	int alpn = quic ? ALPN_H3 : (int)(i % 3);
	int sh = (i & 3) != 3;
	struct tlsfp_record *r = &work[alpn * 2 + sh];

	r->ts_ns = T0_NS + i * 1000;
	r->flow_id = i;
	r->src_ip[0] = 10;
	r->src_ip[1] = (uint8_t)(c >> 16);
	r->src_ip[2] = (uint8_t)(c >> 8);
	r->src_ip[3] = (uint8_t)c;
	r->dst_ip[0] = 192;
	r->dst_ip[1] = 0;
	r->dst_ip[2] = (uint8_t)(s >> 8);
	r->dst_ip[3] = (uint8_t)s;
	r->src_port = (uint16_t)(30000 + (i & 0x7fff));
	memcpy(r->sni, t->sni[sni], SNI_FIELD);
	r->sni_len = t->sni_len[sni];
	memcpy(r->ja3, t->ja3[k], sizeof(r->ja3));
	memcpy(r->ja4, t->ja4[k], sizeof(r->ja4));
	memcpy(r->ja4_o, t->ja4_o[k], sizeof(r->ja4_o));
	if (sh) {
		r->sh_cipher = (uint16_t)(0x1301 + (k % N_JA3S) % 3); /* follows the JA3S */
		memcpy(r->ja3s, t->ja3s[k % N_JA3S], sizeof(r->ja3s));
	}
	return r;
}

/* ---- the enqueue --------------------------------------------------------- */

#define OFF(f) offsetof(struct tlsfp_record, f)
#define COPY(dst, src, from, to) memcpy((dst) + (from), (src) + (from), (to) - (from))

/* The spans of a record this tool ever writes, in struct order: every byte
 * outside them is zero in every record it makes (templates_check). */
#define SPANS(X)                                                                                   \
	X(0, OFF(lists) + LISTS_USED * sizeof(uint16_t))                                           \
	X(OFF(sni_len), OFF(sni) + SNI_FIELD)                                                      \
	X(OFF(alpn), OFF(alpn) + ALPN_USED)                                                        \
	X(OFF(ja3), OFF(sh_exts) + SH_EXTS_USED * sizeof(uint16_t))                                \
	X(OFF(sh_alpn_len), OFF(sh_alpn) + SH_ALPN_USED)                                           \
	X(OFF(ja3s), sizeof(struct tlsfp_record))

_Static_assert(OFF(sni_len) > OFF(lists) && OFF(alpn) > OFF(sni) && OFF(ja3) > OFF(alpn) &&
		       OFF(sh_alpn_len) > OFF(sh_exts) && OFF(ja3s) > OFF(sh_alpn),
	       "the spans follow struct tlsfp_record's order");

/* 0 when every template is zero outside the spans (so a slot that only
 * ever received spans holds exactly the record), else -1. */
static int
templates_check(const struct tlsfp_record *tmpl, int n)
{
	static struct tlsfp_record z;
	static const struct tlsfp_record zero;

	for (int i = 0; i < n; i++) {
		z = tmpl[i];
#define ZERO_SPAN(from, to) memset((uint8_t *)&z + (from), 0, (to) - (from));
		SPANS(ZERO_SPAN)
#undef ZERO_SPAN
		if (memcmp(&z, &zero, sizeof(z)) != 0)
			return -1;
	}
	return 0;
}

/*
 * The producer half of shm.h's SPSC contract, as tlsfp_shm_ring_enqueue
 * does it, copying the spans only. The slot's other bytes are zero: the
 * region starts zeroed and no enqueue of this process writes them.
 * 0, or -ENOBUFS when the ring is full.
 */
static inline int
span_enqueue(struct tlsfp_shm_ring *ring, const struct tlsfp_record *rec)
{
	uint64_t head = __atomic_load_n(ring->head, __ATOMIC_RELAXED); /* our own */
	const uint8_t *src = (const uint8_t *)rec;
	uint8_t *slot;

	if (head - ring->cache > ring->mask) {
		/* Acquire: the consumer's reads of the slots it released are done. */
		ring->cache = __atomic_load_n(ring->tail, __ATOMIC_ACQUIRE);
		if (head - ring->cache > ring->mask)
			return -ENOBUFS;
	}
	slot = ring->slots + (size_t)(head & ring->mask) * ring->slot_size;
#define COPY_SPAN(from, to) COPY(slot, src, from, to);
	SPANS(COPY_SPAN)
#undef COPY_SPAN
	/* Release: the slot's bytes are visible before the new head. */
	__atomic_store_n(ring->head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

static int full_copy; /* --full-copy: tlsfp_shm_ring_enqueue */

static inline int
enqueue(struct tlsfp_shm_ring *ring, const struct tlsfp_record *rec)
{
	return full_copy ? tlsfp_shm_ring_enqueue(ring, rec) : span_enqueue(ring, rec);
}

/* ---- the region ---------------------------------------------------------- */

/* Heartbeat and per-worker statistics, what the main lcore and the workers
 * publish at their ticks. */
static void
publish(struct feed *f, uint64_t now_ns)
{
	for (uint32_t k = 0; k < f->n_rings; k++) {
		struct tlsfp_shm_worker *w = tlsfp_shm_worker(&f->region, k);

		tlsfp_shm_store(&w->records, f->ring_records[k]);
		tlsfp_shm_store(&w->ctr.v[TLSFP_CTR_HANDSHAKES], f->ring_records[k]);
		tlsfp_shm_store(&w->ticks, f->ticks);
		tlsfp_shm_store(&w->tick_ns, now_ns);
	}
	f->ticks++;
	tlsfp_shm_set_heartbeat(&f->region, now_ns);
	f->last_heartbeat = now_ns;
}

static void
maybe_publish(struct feed *f)
{
	uint64_t now = clock_ns(CLOCK_REALTIME);

	if (now - f->last_heartbeat >= HEARTBEAT_NS)
		publish(f, now);
}

/* Ring full: wait for room, never drop. 0, -EINTR (signal) or -ETIMEDOUT
 * (the consumer did not move for STALL_NS). */
static int
wait_room(struct feed *f, struct tlsfp_shm_ring *ring, const struct tlsfp_record *rec)
{
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC), now = t0, moved = t0;
	uint64_t tail = __atomic_load_n(ring->tail, __ATOMIC_ACQUIRE), t;
	int rc = 0;

	f->ring_full++;
	for (uint32_t spins = 0;; spins++) {
		if (__atomic_load_n(&stop_signal, __ATOMIC_RELAXED)) {
			rc = -EINTR;
			break;
		}
		if (spins < 64) {
			sched_yield();
		} else {
			struct timespec ts = {0, 20000};

			nanosleep(&ts, NULL);
		}
		if (enqueue(ring, rec) == 0)
			break;
		now = clock_ns(CLOCK_MONOTONIC);
		t = __atomic_load_n(ring->tail, __ATOMIC_ACQUIRE);
		if (t != tail) {
			tail = t;
			moved = now;
		} else if (now - moved >= STALL_NS) {
			rc = -ETIMEDOUT;
			break;
		}
		if ((spins & 63) == 63)
			maybe_publish(f);
	}
	f->wait_ns += clock_ns(CLOCK_MONOTONIC) - t0;
	return rc;
}

/* After STOPPED: until every ring is drained. 0 drained, 1 not within
 * DRAIN_NS, -EINTR, -ETIMEDOUT (no progress for STALL_NS). */
static int
wait_drained(struct feed *f)
{
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC), now, moved = t0, consumed = UINT64_MAX;

	for (;;) {
		uint64_t left = 0, sum = 0;

		for (uint32_t k = 0; k < f->n_rings; k++) {
			uint64_t tail = __atomic_load_n(f->rings[k].tail, __ATOMIC_ACQUIRE);

			sum += tail;
			left += __atomic_load_n(f->rings[k].head, __ATOMIC_RELAXED) - tail;
		}
		if (left == 0)
			return 0;
		if (__atomic_load_n(&stop_signal, __ATOMIC_RELAXED))
			return -EINTR;
		now = clock_ns(CLOCK_MONOTONIC);
		if (sum != consumed) {
			consumed = sum;
			moved = now;
		} else if (now - moved >= STALL_NS) {
			return -ETIMEDOUT;
		}
		if (now - t0 >= DRAIN_NS)
			return 1;
		/* Still alive: a consumer judges a silent heartbeat as death. */
		maybe_publish(f);
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
}

/* Touch every page of the rings once, before anyone can read them, so
 * the timed loop takes no page faults. */
static void
prefault(struct feed *f)
{
	const struct tlsfp_shm_header *h = tlsfp_shm_header(&f->region);
	volatile uint8_t *p = f->region.base + h->rings_offset;
	uint64_t len = (uint64_t)h->n_workers * h->ring_stride;

	for (uint64_t off = 0; off < len; off += 4096)
		p[off] = p[off];
}

/* ---- main ---------------------------------------------------------------- */

static void
usage(FILE *out)
{
	fprintf(out, "usage: ring-feed [--workers K] [--slots N] [--records N] [--dir DIR]\n"
		     "                 [--name NAME] [--seed S] [--cpu C] [--full-copy]\n");
}

static int
parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return tlsfp_cli_parse_u64("ring-feed", opt, s, min, max, out);
}

static int
parse_args(int argc, char **argv, struct feed_args *a)
{
	static const struct option opts[] = {
		{"workers", required_argument, NULL, 'w'}, {"slots", required_argument, NULL, 's'},
		{"records", required_argument, NULL, 'n'}, {"dir", required_argument, NULL, 'd'},
		{"name", required_argument, NULL, 'N'},	   {"seed", required_argument, NULL, 'S'},
		{"cpu", required_argument, NULL, 'c'},	   {"full-copy", no_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0},
	};
	uint64_t v;
	int o;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'w':
			if (parse_u64("workers", optarg, 1, TLSFP_SHM_MAX_WORKERS, &v) != 0)
				return -1;
			a->workers = (uint32_t)v;
			break;
		case 's':
			if (parse_u64("slots", optarg, 2, TLSFP_SHM_MAX_RING_SLOTS, &v) != 0)
				return -1;
			if (v & (v - 1)) {
				fprintf(stderr, "ring-feed: --slots: not a power of two\n");
				return -1;
			}
			a->slots = (uint32_t)v;
			break;
		case 'n': /* flow_id = the index: kept below 2^53 (exact in JS) */
			if (parse_u64("records", optarg, 0, (1ull << 53) - 1, &v) != 0)
				return -1;
			a->records = v;
			break;
		case 'd':
			a->dir = optarg;
			break;
		case 'N':
			a->name = optarg;
			break;
		case 'S':
			if (parse_u64("seed", optarg, 0, UINT32_MAX, &v) != 0)
				return -1;
			a->seed = (uint32_t)v;
			break;
		case 'c':
			if (parse_u64("cpu", optarg, 0, CPU_SETSIZE - 1, &v) != 0)
				return -1;
			a->cpu = (int)v;
			break;
		case 'F':
			full_copy = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The one stdout line; the path is JSON-escaped (a --dir may hold anything). */
static void
print_ready(const char *path, uint64_t records)
{
	fputs("{\"path\": \"", stdout);
	for (const char *p = path; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	printf("\", \"records\": %" PRIu64 "}\n", records);
	fflush(stdout);
}

static struct feed_tables tables;
static struct tlsfp_record work[ALPN__COUNT * 2];
static struct feed feed;

int
main(int argc, char **argv)
{
	struct feed_args a = {.workers = 1,
			      .slots = 65536,
			      .records = 2000000,
			      .dir = NULL,
			      .name = NULL,
			      .seed = 12345,
			      .cpu = -1};
	struct feed *f = &feed;
	char name[128];
	uint64_t i, t_start, t_end, now;
	uint32_t seed, k;
	int rc, ret = 0;

	if (parse_args(argc, argv, &a) != 0)
		return 1;
	if (a.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(a.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			fprintf(stderr, "ring-feed: --cpu %d: %s\n", a.cpu, strerror(errno));
			return 1;
		}
	}
	if (a.name == NULL) {
		snprintf(name, sizeof(name), "tlsfp-ringfeed-%d", (int)getpid());
		a.name = name;
	}

	/* Not timed: tables, templates. */
	seed = a.seed;
	make_tables(&tables, &seed);
	for (int v = 0; v < ALPN__COUNT; v++)
		for (int sh = 0; sh < 2; sh++)
			make_template(&work[v * 2 + sh], v, sh);
	if (templates_check(work, ALPN__COUNT * 2) != 0) {
		fprintf(stderr, "ring-feed: a template writes outside the enqueue spans\n");
		return 1;
	}

	rc = tlsfp_cli_stop_on_signals(&stop_signal);
	if (rc != 0) {
		fprintf(stderr, "ring-feed: signals: %s\n", strerror(-rc));
		return 1;
	}
	rc = tlsfp_shm_create(&f->region, a.dir, a.name, "ringfeed", a.workers, 1, a.slots, 0);
	if (rc != 0) {
		fprintf(stderr, "ring-feed: region %s/%s.shm: %s\n",
			a.dir ? a.dir : "(hugetlbfs or /dev/shm)", a.name, strerror(-rc));
		return 1;
	}
	f->n_rings = a.workers;
	for (k = 0; k < a.workers; k++) {
		struct tlsfp_shm_worker *w = tlsfp_shm_worker(&f->region, k);

		tlsfp_shm_ring_attach(&f->region, k, &f->rings[k]);
		w->lcore_id = k + 1;
		w->socket_id = 0;
	}
	/* The port the data plane would describe before RUNNING. */
	struct tlsfp_shm_port *port = tlsfp_shm_port(&f->region, 0);
	snprintf(port->name, sizeof(port->name), "ring-feed");
	port->n_rx_queues = (uint16_t)a.workers;
	port->rss = a.workers > 1;
	prefault(f);
	publish(f, clock_ns(CLOCK_REALTIME));
	tlsfp_shm_set_state(&f->region, TLSFP_SHM_RUNNING);
	print_ready(f->region.path, a.records);

	/* Timed: produce. */
	t_start = clock_ns(CLOCK_MONOTONIC);
	k = 0;
	for (i = 0; i < a.records; i++) {
		const struct tlsfp_record *rec;

		if ((i & (CHECK_EVERY - 1)) == 0) {
			if (__atomic_load_n(&stop_signal, __ATOMIC_RELAXED))
				break; /* i records are in */
			maybe_publish(f);
		}
		rec = fill_record(work, &tables, &seed, i);
		if (enqueue(&f->rings[k], rec) != 0) {
			rc = wait_room(f, &f->rings[k], rec);
			if (rc != 0)
				break;
		}
		f->ring_records[k]++;
		if (++k == f->n_rings)
			k = 0;
	}
	t_end = clock_ns(CLOCK_MONOTONIC);
	if (rc == 0 && i < a.records)
		rc = -EINTR;

	now = clock_ns(CLOCK_REALTIME);
	publish(f, now);
	/* Release: every record enqueued above is visible to whoever sees
	 * STOPPED (as the data plane promises). */
	tlsfp_shm_set_state(&f->region, TLSFP_SHM_STOPPED);

	double secs = (double)(t_end - t_start) / 1e9;
	double busy = (double)(t_end - t_start - f->wait_ns) / 1e9;
	fprintf(stderr,
		"ring-feed: %" PRIu64 " records in %.3f s: %.0f records/s; producer busy %.3f s: "
		"%.0f records/s; ring full %" PRIu64 " times (%.3f s waiting)\n",
		i, secs, secs > 0 ? (double)i / secs : 0.0, busy, busy > 0 ? (double)i / busy : 0.0,
		f->ring_full, (double)f->wait_ns / 1e9);

	if (rc == -ETIMEDOUT) {
		fprintf(stderr, "ring-feed: the consumer made no progress for %llu s: giving up\n",
			STALL_NS / 1000000000ull);
		ret = 1;
	} else if (rc == -EINTR) {
		ret = 128 + (int)__atomic_load_n(&stop_signal, __ATOMIC_RELAXED);
		fprintf(stderr, "ring-feed: stopped by signal %d\n", ret - 128);
	} else {
		uint64_t t_drain = clock_ns(CLOCK_MONOTONIC);

		rc = wait_drained(f);
		if (rc == -ETIMEDOUT) {
			fprintf(stderr,
				"ring-feed: the consumer made no progress for %llu s: giving up\n",
				STALL_NS / 1000000000ull);
			ret = 1;
		} else if (rc == -EINTR) {
			ret = 128 + (int)__atomic_load_n(&stop_signal, __ATOMIC_RELAXED);
			fprintf(stderr, "ring-feed: stopped by signal %d while draining\n",
				ret - 128);
		} else {
			fprintf(stderr, "ring-feed: %s after %.3f s more\n",
				rc == 0 ? "drained" : "NOT drained (timeout)",
				(double)(clock_ns(CLOCK_MONOTONIC) - t_drain) / 1e9);
		}
	}
	tlsfp_shm_close(&f->region); /* unlinks the file */
	return ret;
}
