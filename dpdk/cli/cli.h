/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cold-path helpers the programs share (tlsfp-dataplane, bench/ring-feed):
 * a checked integer option, and SIGINT/SIGTERM as a stop flag. No DPDK.
 */
#ifndef TLSFP_CLI_H
#define TLSFP_CLI_H

#include <stdint.h>

/*
 * The integer in s (decimal, 0x hex or 0 octal, as strtoull) when it is
 * all digits and within [min, max]: 0 and *out set. Else -1, with
 * "PROG: --OPT: expected an integer in [MIN, MAX], got "S"" on stderr.
 */
int tlsfp_cli_parse_u64(const char *prog, const char *opt, const char *s, uint64_t min,
			uint64_t max, uint64_t *out);

/*
 * SIGINT and SIGTERM store their signal number in *flag (relaxed atomic),
 * nothing else: loops poll it (non-zero: stop). No SA_RESTART, so a sleep
 * returns at once. 0, or -errno from sigaction.
 */
int tlsfp_cli_stop_on_signals(uint32_t *flag);

#endif
