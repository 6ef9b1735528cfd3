/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command line → configuration, and configuration → the EAL's argv.
 *
 * The EAL argv is built here, never passed through from the user, so that
 * the safety rules hold for every instance:
 *   --no-pci unless PCI devices are allow-listed (-a BDF each): DPDK never
 *            probes, let alone takes, a NIC it was not given;
 *   --file-prefix tlsfp-<instance>-<pid>: instances and tests never share
 *            DPDK runtime files (and never --in-memory: the region must be
 *            visible to the consumer, and so is the instance's runtime dir);
 *   --no-huge -m MB (--mem, default 512) when no hugepages are free (with a warning).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <mntent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli/cli.h"

static const char usage[] =
	"usage: tlsfp-dataplane [options]\n"
	"  --instance NAME        instance name (region tlsfp-NAME-PID), default \"default\"\n"
	"  --workers N            worker lcores (default 1)\n"
	"  --vdev SPEC            a DPDK virtual device, repeatable\n"
	"                         (net_pcap0,rx_pcap=F  net_af_packet0,iface=IF ...)\n"
	"  --pci BDF              allow-list a PCI device, repeatable; without it\n"
	"                         PCI is never probed (--no-pci)\n"
	"  --no-huge              do not use hugepages (EAL memory: --mem)\n"
	"  --mem MB               EAL memory without hugepages (512)\n"
	"  --cpus LIST            CPUs to pin lcores to (default: our affinity)\n"
	"  --ring-slots N         records per worker shm ring, power of two (2048)\n"
	"  --burst N              rx burst size (32, max 256)\n"
	"  --rx-desc N            rx descriptors per queue (1024)\n"
	"  --dist-ring N          per-worker software distribution ring (4096)\n"
	"  --mbufs N              mbufs per socket (default: computed)\n"
	"  --duration S           stop after S seconds (default: at SIGINT/SIGTERM)\n"
	"  --idle-backoff on|off  sleep when idle (on) or spin (off: performance mode)\n"
	"  --max-flows N          flows per worker (16384)\n"
	"  --hello-max-bytes N    per-direction hello reassembly bound (16384)\n"
	"  --reasm-max-bytes N    reassembly memory per worker (67108864)\n"
	"  --shm-dir DIR          where to create the region (default: hugetlbfs, /dev/shm)\n";

enum {
	OPT_INSTANCE = 256,
	OPT_WORKERS,
	OPT_VDEV,
	OPT_PCI,
	OPT_NO_HUGE,
	OPT_MEM,
	OPT_CPUS,
	OPT_RING_SLOTS,
	OPT_BURST,
	OPT_RX_DESC,
	OPT_DIST_RING,
	OPT_MBUFS,
	OPT_DURATION,
	OPT_IDLE_BACKOFF,
	OPT_MAX_FLOWS,
	OPT_HELLO_MAX,
	OPT_REASM_MAX,
	OPT_SHM_DIR,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{"instance", required_argument, NULL, OPT_INSTANCE},
	{"workers", required_argument, NULL, OPT_WORKERS},
	{"vdev", required_argument, NULL, OPT_VDEV},
	{"pci", required_argument, NULL, OPT_PCI},
	{"no-huge", no_argument, NULL, OPT_NO_HUGE},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"ring-slots", required_argument, NULL, OPT_RING_SLOTS},
	{"burst", required_argument, NULL, OPT_BURST},
	{"rx-desc", required_argument, NULL, OPT_RX_DESC},
	{"dist-ring", required_argument, NULL, OPT_DIST_RING},
	{"mbufs", required_argument, NULL, OPT_MBUFS},
	{"mem", required_argument, NULL, OPT_MEM},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"idle-backoff", required_argument, NULL, OPT_IDLE_BACKOFF},
	{"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
	{"hello-max-bytes", required_argument, NULL, OPT_HELLO_MAX},
	{"reasm-max-bytes", required_argument, NULL, OPT_REASM_MAX},
	{"shm-dir", required_argument, NULL, OPT_SHM_DIR},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

static int
parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return tlsfp_cli_parse_u64("tlsfp-dataplane", opt, s, min, max, out);
}

static int
parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(opt, s, min, max, &v) != 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* [dddd:]bb:dd.f, hex. */
static int
bdf_ok(const char *s)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	if (strlen(s) > 16)
		return 0;
	if (sscanf(s, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) == 4)
		return dom <= 0xffff && bus <= 0xff && dev <= 0x1f && fn <= 7;
	if (sscanf(s, "%x:%x.%x%c", &bus, &dev, &fn, &tail) == 3)
		return bus <= 0xff && dev <= 0x1f && fn <= 7;
	return 0;
}

static int
instance_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > TLSFP_APP_INSTANCE_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0; /* no '-': the prefix tlsfp-NAME-PID stays parseable */
	return 1;
}

static int
parse_cpus(const char *s, struct tlsfp_app_config *cfg)
{
	char buf[512], *tok, *save;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	cfg->n_cpus = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned int lo, hi, c;
		char tail;

		if (sscanf(tok, "%u-%u%c", &lo, &hi, &tail) == 2) {
		} else if (sscanf(tok, "%u%c", &lo, &tail) == 1) {
			hi = lo;
		} else {
			return -1;
		}
		if (lo > hi || hi >= CPU_SETSIZE)
			return -1;
		for (c = lo; c <= hi; c++) {
			if (cfg->n_cpus == TLSFP_APP_MAX_CPUS)
				return -1;
			cfg->cpus[cfg->n_cpus++] = (int)c;
		}
	}
	return cfg->n_cpus ? 0 : -1;
}

static void
defaults(struct tlsfp_app_config *cfg)
{
	cpu_set_t set;
	int c;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->instance, sizeof(cfg->instance), "default");
	cfg->n_workers = 1;
	cfg->ring_slots = 2048;
	cfg->mem_mb = 512;
	cfg->burst = 32;
	cfg->rx_desc = 1024;
	cfg->dist_ring_size = 4096;
	cfg->idle_backoff = 1;
	cfg->max_flows = 16384;
	cfg->hello_max_bytes = 16384;
	cfg->reasm_max_bytes = 64ull << 20;
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (c = 0; c < CPU_SETSIZE && cfg->n_cpus < TLSFP_APP_MAX_CPUS; c++)
			if (CPU_ISSET(c, &set))
				cfg->cpus[cfg->n_cpus++] = c;
	}
	if (cfg->n_cpus == 0)
		cfg->cpus[cfg->n_cpus++] = 0;
}

int
tlsfp_app_parse_args(int argc, char **argv, struct tlsfp_app_config *cfg)
{
	int opt;

	defaults(cfg);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_INSTANCE:
			if (!instance_ok(optarg)) {
				fprintf(stderr,
					"tlsfp-dataplane: --instance: 1-%d of [A-Za-z0-9_]\n",
					TLSFP_APP_INSTANCE_LEN);
				return -1;
			}
			snprintf(cfg->instance, sizeof(cfg->instance), "%s", optarg);
			break;
		case OPT_WORKERS:
			if (parse_u32("workers", optarg, 1, TLSFP_SHM_MAX_WORKERS, &cfg->n_workers))
				return -1;
			break;
		case OPT_VDEV:
			if (cfg->n_vdevs == TLSFP_APP_MAX_DEVS || optarg[0] == '\0' ||
			    optarg[0] == '-') {
				fprintf(stderr, "tlsfp-dataplane: --vdev: bad or too many\n");
				return -1;
			}
			cfg->vdevs[cfg->n_vdevs++] = optarg;
			break;
		case OPT_PCI:
			if (cfg->n_pcis == TLSFP_APP_MAX_DEVS || !bdf_ok(optarg)) {
				fprintf(stderr,
					"tlsfp-dataplane: --pci: expected [dddd:]bb:dd.f, got "
					"\"%s\"\n",
					optarg);
				return -1;
			}
			cfg->pcis[cfg->n_pcis++] = optarg;
			break;
		case OPT_NO_HUGE:
			cfg->no_huge = 1;
			break;
		case OPT_CPUS:
			if (parse_cpus(optarg, cfg) != 0) {
				fprintf(stderr,
					"tlsfp-dataplane: --cpus: expected a list like 0,2-3\n");
				return -1;
			}
			break;
		case OPT_RING_SLOTS:
			if (parse_u32("ring-slots", optarg, 2, TLSFP_SHM_MAX_RING_SLOTS,
				      &cfg->ring_slots))
				return -1;
			if (!pow2(cfg->ring_slots)) {
				fprintf(stderr, "tlsfp-dataplane: --ring-slots: a power of two\n");
				return -1;
			}
			break;
		case OPT_BURST:
			if (parse_u32("burst", optarg, 1, TLSFP_MAX_BURST, &cfg->burst))
				return -1;
			break;
		case OPT_RX_DESC:
			if (parse_u32("rx-desc", optarg, 64, 32768, &cfg->rx_desc))
				return -1;
			break;
		case OPT_DIST_RING:
			if (parse_u32("dist-ring", optarg, 64, 1u << 20, &cfg->dist_ring_size))
				return -1;
			if (!pow2(cfg->dist_ring_size)) {
				fprintf(stderr, "tlsfp-dataplane: --dist-ring: a power of two\n");
				return -1;
			}
			break;
		case OPT_MEM:
			if (parse_u32("mem", optarg, 64, 1u << 20, &cfg->mem_mb))
				return -1;
			break;
		case OPT_MBUFS:
			if (parse_u32("mbufs", optarg, 1023, 1u << 26, &cfg->n_mbufs))
				return -1;
			break;
		case OPT_DURATION: {
			char *end;

			cfg->duration_s = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(cfg->duration_s > 0) ||
			    cfg->duration_s > 1e9) {
				fprintf(stderr, "tlsfp-dataplane: --duration: seconds > 0\n");
				return -1;
			}
			break;
		}
		case OPT_IDLE_BACKOFF:
			if (strcmp(optarg, "on") == 0) {
				cfg->idle_backoff = 1;
			} else if (strcmp(optarg, "off") == 0) {
				cfg->idle_backoff = 0;
			} else {
				fprintf(stderr, "tlsfp-dataplane: --idle-backoff: on or off\n");
				return -1;
			}
			break;
		case OPT_MAX_FLOWS:
			if (parse_u32("max-flows", optarg, 1, 1u << 24, &cfg->max_flows))
				return -1;
			break;
		case OPT_HELLO_MAX:
			if (parse_u32("hello-max-bytes", optarg, 512, 1u << 20,
				      &cfg->hello_max_bytes))
				return -1;
			break;
		case OPT_REASM_MAX:
			if (parse_u64("reasm-max-bytes", optarg, 4096, 1ull << 36,
				      &cfg->reasm_max_bytes))
				return -1;
			break;
		case OPT_SHM_DIR:
			cfg->shm_dir = optarg;
			break;
		case OPT_HELP:
			fputs(usage, stdout);
			return 1;
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tlsfp-dataplane: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	if (cfg->n_vdevs == 0 && cfg->n_pcis == 0) {
		fprintf(stderr, "tlsfp-dataplane: no input: give --vdev or --pci\n");
		return -1;
	}
	return 0;
}

/* Enough free hugepage memory (any page size) and a mounted hugetlbfs to
 * put it in. The bound is a floor for DPDK's own memory, the mbuf pool
 * and the region; the pipelines' memory is checked when allocated. */
#define HUGE_MIN_BYTES (64ull << 20)

static int
hugepages_available(void)
{
	unsigned long long free_bytes = 0;
	struct mntent *m;
	int mounted = 0;
	glob_t g;
	size_t i;
	FILE *f;

	if (glob("/sys/kernel/mm/hugepages/hugepages-*kB/free_hugepages", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			const char *sz = strstr(g.gl_pathv[i], "hugepages-") + strlen("hugepages-");
			unsigned long long kb = strtoull(sz, NULL, 10), v = 0;
			FILE *p = fopen(g.gl_pathv[i], "r");

			if (p != NULL) {
				if (fscanf(p, "%llu", &v) == 1)
					free_bytes += v * kb * 1024;
				fclose(p);
			}
		}
		globfree(&g);
	}
	f = setmntent("/proc/mounts", "r");
	if (f != NULL) {
		while ((m = getmntent(f)) != NULL)
			if (strcmp(m->mnt_type, "hugetlbfs") == 0)
				mounted = 1;
		endmntent(f);
	}
	return free_bytes >= HUGE_MIN_BYTES && mounted;
}

static char *
put(char **store, size_t *left, const char *fmt, const char *a, const char *b)
{
	char *s = *store;
	int n = snprintf(s, *left, fmt, a, b);

	if (n < 0 || (size_t)n >= *left)
		return NULL;
	*store += n + 1;
	*left -= (size_t)n + 1;
	return s;
}

int
tlsfp_app_eal_argv(struct tlsfp_app_config *cfg, const char *prog, const char *file_prefix,
		   char **argv, int max, char *store, size_t store_len)
{
	uint32_t n_lcores = 1 + cfg->n_workers + (cfg->n_workers > 1 ? 1 : 0), l, i;
	char lcores[2048], *p = lcores;
	size_t left = sizeof(lcores);
	int argc = 0;

#define ARG(s)                                                                                     \
	do {                                                                                       \
		if (argc + 1 >= max || (s) == NULL)                                                \
			return -1;                                                                 \
		argv[argc++] = (s);                                                                \
	} while (0)

	/* lcore l runs on cpus[l % n]: main on the first CPU, workers on
	 * the next ones; with fewer CPUs than lcores they share (only
	 * sensible with idle backoff on, e.g. for tests). */
	for (l = 0; l < n_lcores; l++) {
		int n = snprintf(p, left, "%s%u@%d", l ? "," : "", l, cfg->cpus[l % cfg->n_cpus]);

		if (n < 0 || (size_t)n >= left)
			return -1;
		p += n;
		left -= (size_t)n;
	}
	if (!cfg->no_huge && !hugepages_available()) {
		fprintf(stderr,
			"tlsfp-dataplane: WARNING: under 64 MB of free hugepages (or no "
			"hugetlbfs mounted): running with --no-huge -m %u, expect lower "
			"performance\n",
			cfg->mem_mb);
		cfg->no_huge = 1;
	}

	ARG((char *)prog);
	ARG(put(&store, &store_len, "--lcores=%s%s", lcores, ""));
	ARG(put(&store, &store_len, "--file-prefix=%s%s", file_prefix, ""));
	if (cfg->n_pcis == 0) {
		ARG(put(&store, &store_len, "--no-pci%s%s", "", ""));
	} else {
		for (i = 0; i < cfg->n_pcis; i++)
			ARG(put(&store, &store_len, "--allow=%s%s", cfg->pcis[i], ""));
	}
	for (i = 0; i < cfg->n_vdevs; i++)
		ARG(put(&store, &store_len, "--vdev=%s%s", cfg->vdevs[i], ""));
	if (cfg->no_huge) {
		ARG(put(&store, &store_len, "--no-huge%s%s", "", ""));
		char mem[16];

		snprintf(mem, sizeof(mem), "%u", cfg->mem_mb);
		ARG(put(&store, &store_len, "-m%s%s", mem, ""));
	} else {
		/* Hugepage files are unlinked once mapped: nothing is left in
		 * hugetlbfs even after a crash. */
		ARG(put(&store, &store_len, "--huge-unlink%s%s", "", ""));
	}
	ARG(put(&store, &store_len, "--log-level=%s%s", "warning", ""));
	/* No telemetry socket: the control plane reads the region. */
	ARG(put(&store, &store_len, "--no-telemetry%s%s", "", ""));
	argv[argc] = NULL;
	return argc;
#undef ARG
}
