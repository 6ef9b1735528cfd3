/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlsfp-shm-dump: a small consumer of a data plane's region, for operators
 * and tests. Drains every worker ring and prints one JSON line per record
 * (addresses, SNI, JA3, JA3S, JA4, JA4_o) on stdout; with --stats prints
 * the header, worker and port statistics on stderr at the end.
 *
 *   tlsfp-shm-dump [--follow] [--wait S] [--stats] (PATH | --instance NAME)
 *
 * --instance finds /dev/hugepages/tlsfp-NAME-*.shm or /dev/shm/tlsfp-NAME-*.shm.
 * --follow keeps draining until the data plane's state is STOPPED and the
 * rings are empty (or its heartbeat is 3 s old: it died).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tlsfp/shm.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
json_str(const char *s, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
addr(const struct tlsfp_record *r, const uint8_t *ip, char *buf, size_t len)
{
	inet_ntop(r->ip_version == 6 ? AF_INET6 : AF_INET, ip, buf, (socklen_t)len);
}

static void
print_record(uint32_t worker, const struct tlsfp_record *r)
{
	char s[64], d[64];

	addr(r, r->src_ip, s, sizeof(s));
	addr(r, r->dst_ip, d, sizeof(d));
	printf("{\"worker\":%u,\"src_ip\":\"%s\",\"src_port\":%u,\"dst_ip\":\"%s\",\"dst_port\":%u,"
	       "\"transport\":\"%c\",\"reason\":%u,\"sni\":",
	       worker, s, r->src_port, d, r->dst_port, r->transport, r->reason);
	json_str(r->sni, r->sni_len < sizeof(r->sni) ? r->sni_len : sizeof(r->sni));
	printf(",\"ja3\":\"%s\",\"ja3s\":\"%s\",\"ja4\":\"%s\",\"ja4_o\":\"%s\"}\n", r->ja3,
	       (r->flags & TLSFP_REC_F_SERVER_HELLO) ? r->ja3s : "", r->ja4, r->ja4_o);
}

static const char *
state_name(enum tlsfp_shm_state s)
{
	switch (s) {
	case TLSFP_SHM_STARTING:
		return "starting";
	case TLSFP_SHM_RUNNING:
		return "running";
	case TLSFP_SHM_STOPPING:
		return "stopping";
	case TLSFP_SHM_STOPPED:
		return "stopped";
	}
	return "?";
}

static void
print_stats(const struct tlsfp_shm_region *r)
{
	const struct tlsfp_shm_header *h = tlsfp_shm_header(r);
	uint32_t k, i;
	int c;

	fprintf(stderr,
		"region %s: instance %s pid %d state %s layout %u record abi %u size %u "
		"workers %u ports %u slots %u hugetlb %u size %" PRIu64 "\n",
		r->path, h->instance, h->pid, state_name(tlsfp_shm_get_state(r)), h->layout_version,
		h->record_abi, h->record_size, h->n_workers, h->n_ports, h->ring_slots, h->hugetlb,
		h->region_size);
	for (i = 0; i < h->n_ports; i++) {
		const struct tlsfp_shm_port *p = tlsfp_shm_port(r, i);

		fprintf(stderr,
			"port %u %s: rss %u distributed %u queues %u rx %" PRIu64 " bytes %" PRIu64
			" imissed %" PRIu64 " ierrors %" PRIu64 " rx_nombuf %" PRIu64
			" dist %" PRIu64 " dist_drops %" PRIu64 "\n",
			p->port_id, p->name, p->rss, p->distributed, p->n_rx_queues,
			tlsfp_shm_load(&p->rx_packets), tlsfp_shm_load(&p->rx_bytes),
			tlsfp_shm_load(&p->imissed), tlsfp_shm_load(&p->ierrors),
			tlsfp_shm_load(&p->rx_nombuf), tlsfp_shm_load(&p->dist_packets),
			tlsfp_shm_load(&p->dist_drops));
	}
	for (k = 0; k < h->n_workers; k++) {
		const struct tlsfp_shm_worker *w = tlsfp_shm_worker(r, k);

		fprintf(stderr,
			"worker %u lcore %u: loops %" PRIu64 " busy %" PRIu64 " cycles %" PRIu64
			" busy_cycles %" PRIu64 " records %" PRIu64 " idle_sleeps %" PRIu64
			" ticks %" PRIu64 "\n",
			k, w->lcore_id, tlsfp_shm_load(&w->loops), tlsfp_shm_load(&w->busy_loops),
			tlsfp_shm_load(&w->cycles), tlsfp_shm_load(&w->busy_cycles),
			tlsfp_shm_load(&w->records), tlsfp_shm_load(&w->idle_sleeps),
			tlsfp_shm_load(&w->ticks));
		for (c = 0; c < TLSFP_CTR__COUNT; c++) {
			uint64_t v = tlsfp_shm_load(&w->ctr.v[c]);

			if (v != 0)
				fprintf(stderr, "  %s %" PRIu64 "\n",
					tlsfp_counter_name((enum tlsfp_counter)c), v);
		}
	}
}

static int
find_instance(const char *inst, char *path, size_t len)
{
	static const char *const dirs[] = {"/dev/hugepages", "/dev/shm"};
	char pat[300];
	glob_t g;
	size_t d;

	for (d = 0; d < 2; d++) {
		snprintf(pat, sizeof(pat), "%s/tlsfp-%s-*.shm", dirs[d], inst);
		if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			snprintf(path, len, "%s", g.gl_pathv[g.gl_pathc - 1]);
			globfree(&g);
			return 0;
		}
		globfree(&g);
	}
	return -ENOENT;
}

int
main(int argc, char **argv)
{
	const char *path_arg = NULL, *instance = NULL;
	struct tlsfp_shm_ring rings[TLSFP_SHM_MAX_WORKERS];
	struct tlsfp_shm_region region;
	int follow = 0, stats = 0, rc, i;
	double wait_s = 0;
	char path[256];
	uint64_t deadline, total = 0;
	uint32_t k, n_workers;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--follow") == 0)
			follow = 1;
		else if (strcmp(argv[i], "--stats") == 0)
			stats = 1;
		else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc)
			wait_s = atof(argv[++i]);
		else if (strcmp(argv[i], "--instance") == 0 && i + 1 < argc)
			instance = argv[++i];
		else if (argv[i][0] != '-' && path_arg == NULL)
			path_arg = argv[i];
		else {
			fprintf(stderr,
				"usage: %s [--follow] [--wait S] [--stats] "
				"(PATH | --instance NAME)\n",
				argv[0]);
			return 2;
		}
	}
	if ((path_arg == NULL) == (instance == NULL)) {
		fprintf(stderr, "%s: give a region path or --instance\n", argv[0]);
		return 2;
	}

	/* Wait (up to --wait seconds) for the region to appear and be complete. */
	deadline = now_ns() + (uint64_t)(wait_s * 1e9);
	for (;;) {
		rc = -ENOENT;
		if (path_arg != NULL)
			snprintf(path, sizeof(path), "%s", path_arg);
		if (path_arg != NULL || find_instance(instance, path, sizeof(path)) == 0)
			rc = tlsfp_shm_open(&region, path);
		if (rc == 0 || (rc != -ENOENT && rc != -ENODATA) || now_ns() >= deadline)
			break;
		usleep(10000);
	}
	if (rc != 0) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], path_arg ? path_arg : instance,
			rc == -EPROTONOSUPPORT ? "layout version or record ABI not supported"
					       : strerror(-rc));
		return 1;
	}
	n_workers = tlsfp_shm_header(&region)->n_workers;
	for (k = 0; k < n_workers; k++)
		tlsfp_shm_ring_attach(&region, k, &rings[k]);

	for (;;) {
		enum tlsfp_shm_state st = tlsfp_shm_get_state(&region);
		uint32_t got = 0;

		for (k = 0; k < n_workers; k++) {
			const struct tlsfp_record *rec;
			uint32_t n = 0;

			while ((rec = tlsfp_shm_ring_peek(&rings[k], n)) != NULL && n < 64) {
				print_record(k, rec);
				n++;
			}
			tlsfp_shm_ring_release(&rings[k], n);
			got += n;
		}
		total += got;
		if (got != 0)
			continue;
		if (!follow)
			break;
		/* STOPPED is stored after the workers' last records: one
		 * more empty pass after seeing it means we have them all. */
		if (st == TLSFP_SHM_STOPPED)
			break;
		if (now_ns() - tlsfp_shm_get_heartbeat(&region) > 3000000000ull &&
		    st != TLSFP_SHM_STARTING) {
			fprintf(stderr, "%s: heartbeat stale, data plane gone\n", argv[0]);
			break;
		}
		fflush(stdout);
		usleep(1000);
	}
	fflush(stdout);
	if (stats)
		print_stats(&region);
	fprintf(stderr, "%s: %" PRIu64 " records\n", argv[0], total);
	tlsfp_shm_close(&region);
	return 0;
}
