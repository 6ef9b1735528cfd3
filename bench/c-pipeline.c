/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-core throughput of the fingerprint core.
 *
 *   c-pipeline [--repeat N] [--max-flows N] [--counters] CAPTURE
 *
 * Reads every frame of CAPTURE (pcap or pcapng, through tlsfp_capture) into
 * one memory arena first, so disk I/O and the capture reader are excluded,
 * then feeds the frames to tlsfp_pipeline_input() N times on this one
 * thread. Each pass gets a fresh pipeline (created outside the timed
 * region) and ends with tlsfp_pipeline_flush() inside it, so every pass
 * does the same work and writes the same records.
 *
 * Printed per pass and for the best and median pass: packets/s, Gbit/s
 * (captured bytes; the wire bytes are in the summary), ns/packet,
 * handshakes/s and TSC ticks per packet. The TSC runs at a constant rate
 * (its nominal frequency is estimated against CLOCK_MONOTONIC and printed),
 * so on a machine whose cores turbo or throttle a "cycle" here is a
 * reference tick, not a core clock.
 *
 * bench_pass() is the timed region; callgrind.sh collects only inside it
 * (--toggle-collect=bench_pass).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, getrusage under -std=c11 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define BENCH_HAVE_TSC 1
static inline uint64_t
bench_tsc(void)
{
	return __rdtsc();
}
#else
#define BENCH_HAVE_TSC 0
static inline uint64_t
bench_tsc(void)
{
	return 0;
}
#endif

#include "tlsfp/capture.h"
#include "tlsfp/counters.h"
#include "tlsfp/pipeline.h"
#include "tlsfp/record.h"

struct bench_frame {
	uint64_t off; /* into the arena */
	uint64_t ts_ns;
	uint32_t caplen;
	uint32_t wirelen;
	int linktype;
};

struct bench_capture {
	uint8_t *arena;
	size_t arena_len, arena_cap;
	struct bench_frame *frames;
	size_t n, cap;
	uint64_t cap_bytes, wire_bytes;
};

struct bench_sink {
	uint64_t records;
	uint64_t with_server_hello;
	uint64_t by_reason[7]; /* enum tlsfp_record_reason; [0]: out of range */
	uint64_t checksum;     /* keeps the emit work observable */
};

struct bench_result {
	double sec;
	uint64_t tsc;
	long minflt; /* page faults taken inside the pass (first touch of pipeline memory) */
	uint64_t records;
	uint64_t handshakes_ctr;
};

static long
minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 1024;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (np == NULL)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static int
load_capture(const char *path, struct bench_capture *bc)
{
	char errbuf[256];
	struct tlsfp_capture *cap;
	struct tlsfp_frame fr;
	int err = 0, rc;
	uint64_t size;

	memset(bc, 0, sizeof(*bc));
	cap = tlsfp_capture_open(path, &err, errbuf, sizeof(errbuf));
	if (cap == NULL) {
		fprintf(stderr, "c-pipeline: %s\n", errbuf);
		return -1;
	}
	/* The arena holds the frames without pcap record headers: size the
	 * first allocation from the file so a 1 GB capture is not copied by
	 * repeated doubling. */
	size = tlsfp_capture_size(cap);
	if (size && grow((void **)&bc->arena, &bc->arena_cap, size, 1) < 0)
		goto nomem;
	while ((rc = tlsfp_capture_next(cap, &fr, &err, errbuf, sizeof(errbuf))) == 1) {
		if (grow((void **)&bc->arena, &bc->arena_cap, bc->arena_len + fr.caplen, 1) < 0 ||
		    grow((void **)&bc->frames, &bc->cap, bc->n + 1, sizeof(*bc->frames)) < 0)
			goto nomem;
		memcpy(bc->arena + bc->arena_len, fr.data, fr.caplen);
		bc->frames[bc->n] = (struct bench_frame){
			.off = bc->arena_len,
			.ts_ns = fr.ts_ns,
			.caplen = fr.caplen,
			.wirelen = fr.wirelen,
			.linktype = fr.linktype,
		};
		bc->arena_len += fr.caplen;
		bc->cap_bytes += fr.caplen;
		bc->wire_bytes += fr.wirelen;
		bc->n++;
	}
	tlsfp_capture_close(cap);
	if (rc < 0) {
		fprintf(stderr, "c-pipeline: %s\n", errbuf);
		return -1;
	}
	return 0;
nomem:
	tlsfp_capture_close(cap);
	fprintf(stderr, "c-pipeline: out of memory loading %s\n", path);
	return -1;
}

static void
bench_emit(void *ctx, const struct tlsfp_record *rec)
{
	struct bench_sink *s = ctx;

	s->records++;
	if (rec->flags & TLSFP_REC_F_SERVER_HELLO)
		s->with_server_hello++;
	s->by_reason[rec->reason <= 6 ? rec->reason : 0]++;
	s->checksum += (uint8_t)rec->ja4[0] + rec->src_port;
}

/* The timed region: one pass over the arena, then the end-of-input flush.
 * noinline so callgrind can toggle collection on it by name. */
__attribute__((noinline)) void bench_pass(struct tlsfp_pipeline *p, const struct bench_capture *bc);
__attribute__((noinline)) void
bench_pass(struct tlsfp_pipeline *p, const struct bench_capture *bc)
{
	const struct bench_frame *f = bc->frames;
	const struct bench_frame *end = f + bc->n;

	for (; f < end; f++)
		tlsfp_pipeline_input(p, bc->arena + f->off, f->caplen, f->wirelen, f->linktype,
				     f->ts_ns);
	tlsfp_pipeline_flush(p);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
print_line(const char *label, const struct bench_capture *bc, double sec, uint64_t tsc,
	   uint64_t records, long minflt)
{
	double pps = (double)bc->n / sec;

	printf("%-7s %8.3f s  %10.0f pkt/s  %7.3f Gbit/s  %7.1f ns/pkt  %9.0f handshakes/s", label,
	       sec, pps, (double)bc->cap_bytes * 8 / sec / 1e9, sec * 1e9 / (double)bc->n,
	       (double)records / sec);
	if (BENCH_HAVE_TSC)
		printf("  %7.1f tsc/pkt", (double)tsc / (double)bc->n);
	if (minflt >= 0)
		printf("  %6ld page faults", minflt);
	printf("\n");
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: c-pipeline [--repeat N] [--max-flows N] [--counters] CAPTURE\n"
		     "  --repeat N     timed passes over the capture (default 5)\n"
		     "  --max-flows N  pipeline flow table size (default: pipeline default)\n"
		     "  --counters     print the non-zero pipeline counters of the last pass\n");
}

int
main(int argc, char **argv)
{
	struct tlsfp_pipeline_config cfg;
	struct bench_capture bc;
	struct bench_result *res;
	const char *path = NULL;
	int repeat = 5, counters = 0;
	double load_t, *secs, tsc_ghz = 0;
	int i;

	tlsfp_pipeline_config_defaults(&cfg);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
			repeat = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--max-flows") == 0 && i + 1 < argc) {
			cfg.max_flows = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--counters") == 0) {
			counters = 1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || path != NULL) {
			usage(stderr);
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (path == NULL || repeat < 1) {
		usage(stderr);
		return 2;
	}

	load_t = now_sec();
	if (load_capture(path, &bc) < 0)
		return 1;
	load_t = now_sec() - load_t;
	if (bc.n == 0) {
		fprintf(stderr, "c-pipeline: %s has no frames\n", path);
		return 1;
	}
	printf("capture %s: %zu frames, %.1f MiB captured (%.1f MiB on the wire), "
	       "loaded in %.2f s\n",
	       path, bc.n, (double)bc.cap_bytes / (1 << 20), (double)bc.wire_bytes / (1 << 20),
	       load_t);

	res = calloc((size_t)repeat, sizeof(*res));
	secs = calloc((size_t)repeat, sizeof(*secs));
	if (res == NULL || secs == NULL)
		return 1;

	for (i = 0; i < repeat; i++) {
		struct bench_sink sink = {0};
		struct tlsfp_pipeline *p = tlsfp_pipeline_create(&cfg, bench_emit, &sink);
		const struct tlsfp_counters *ctr;
		uint64_t t0, t1;
		double s0, s1;
		long f0;
		char label[16];

		if (p == NULL) {
			fprintf(stderr, "c-pipeline: tlsfp_pipeline_create: %s\n", strerror(errno));
			return 1;
		}
		f0 = minor_faults();
		s0 = now_sec();
		t0 = bench_tsc();
		bench_pass(p, &bc);
		t1 = bench_tsc();
		s1 = now_sec();
		f0 = minor_faults() - f0;
		ctr = tlsfp_pipeline_counters(p);
		res[i] = (struct bench_result){
			.sec = s1 - s0,
			.tsc = t1 - t0,
			.minflt = f0,
			.records = sink.records,
			.handshakes_ctr = ctr->v[TLSFP_CTR_HANDSHAKES],
		};
		secs[i] = res[i].sec;
		if (BENCH_HAVE_TSC && res[i].sec > 0)
			tsc_ghz = (double)res[i].tsc / res[i].sec / 1e9;
		snprintf(label, sizeof(label), "pass %d", i + 1);
		print_line(label, &bc, res[i].sec, res[i].tsc, res[i].records, res[i].minflt);
		if (i == repeat - 1) {
			printf("records %" PRIu64 " (%" PRIu64 " with ServerHello), "
			       "handshakes counter %" PRIu64 ", checksum %" PRIu64 "\n",
			       sink.records, sink.with_server_hello, res[i].handshakes_ctr,
			       sink.checksum);
			if (counters) {
				static const char *const reason[7] = {
					"unknown", "server_hello", "flow_end",	  "timeout",
					"flush",   "evicted",	   "client_only",
				};
				int c;

				for (c = 0; c < 7; c++)
					if (sink.by_reason[c])
						printf("  records_reason_%-29s %" PRIu64 "\n",
						       reason[c], sink.by_reason[c]);
				for (c = 0; c < TLSFP_CTR__COUNT; c++)
					if (ctr->v[c])
						printf("  %-44s %" PRIu64 "\n",
						       tlsfp_counter_name((enum tlsfp_counter)c),
						       ctr->v[c]);
			}
		}
		tlsfp_pipeline_destroy(p);
	}

	{
		int best = 0;
		double med;

		for (i = 1; i < repeat; i++)
			if (res[i].sec < res[best].sec)
				best = i;
		qsort(secs, (size_t)repeat, sizeof(*secs), cmp_double);
		med = secs[repeat / 2];
		print_line("best", &bc, res[best].sec, res[best].tsc, res[best].records, -1);
		/* The median pass's TSC is scaled from its time. */
		print_line("median", &bc, med,
			   (uint64_t)((double)res[best].tsc * med / res[best].sec),
			   res[best].records, -1);
		if (BENCH_HAVE_TSC)
			printf("tsc %.3f GHz (nominal; tsc/pkt = ns/pkt x this)\n", tsc_ghz);
	}
	free(res);
	free(secs);
	free(bc.frames);
	free(bc.arena);
	return 0;
}
