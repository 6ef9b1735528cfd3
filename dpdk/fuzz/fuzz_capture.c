/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The offline capture reader (source/) on any file: the input is written to
 * an in-memory file (memfd) and opened by its /proc path, then every frame
 * is read until the end or the first error. Mostly exercises our own pcapng
 * block reader; inputs with a pcap magic go through libpcap.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "tlsfp/capture.h"

#define MAX_FRAMES 100000

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	struct tlsfp_capture *cap;
	struct tlsfp_frame f;
	uint64_t off, last_off = 0;
	uint32_t i, sum = 0;
	char msg[512];
	int err = 0, rc = 0, n;

	if (fd < 0) {
		fd = memfd_create("tlsfp-fuzz-capture", MFD_CLOEXEC);
		FUZZ_CHECK(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	FUZZ_CHECK(size == 0 || pwrite(fd, data, size, 0) == (ssize_t)size);

	msg[0] = '\0';
	cap = tlsfp_capture_open(path, &err, msg, sizeof(msg));
	if (cap == NULL) {
		FUZZ_CHECK(err >= TLSFP_CAPTURE_E_OPEN && err <= TLSFP_CAPTURE_E_CORRUPT);
		FUZZ_CHECK(msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(tlsfp_capture_size(cap) == size);
	for (n = 0; n < MAX_FRAMES; n++) {
		rc = tlsfp_capture_next(cap, &f, &err, msg, sizeof(msg));
		if (rc != 1)
			break;
		FUZZ_CHECK(f.caplen <= size);
		for (i = 0; i < f.caplen; i++)
			sum += f.data[i];
		off = tlsfp_capture_offset(cap);
		FUZZ_CHECK(off <= size && off >= last_off);
		last_off = off;
	}
	(void)sum;
	FUZZ_CHECK(rc == 1 || rc == 0 || (rc == -1 && err == TLSFP_CAPTURE_E_CORRUPT && msg[0]));
	tlsfp_capture_close(cap);
	return 0;
}
