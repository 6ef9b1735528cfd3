/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Offline capture input: classic pcap (libpcap, micro- and nanosecond) and
 * pcapng, including pcapng files whose interfaces have different link types
 * (which libpcap refuses), feeding frames one at a time.
 *
 * Cold path: this is file I/O, used by `tlsfp pcap` and the tests; the
 * packet path sees only (data, caplen, wirelen, linktype, ts_ns).
 */
#ifndef TLSFP_CAPTURE_H
#define TLSFP_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct tlsfp_capture;

struct tlsfp_frame {
	const uint8_t *data; /* valid until the next tlsfp_capture_next() */
	uint32_t caplen;
	uint32_t wirelen;
	int linktype;	/* LINKTYPE_* of the frame's interface */
	uint64_t ts_ns; /* Unix time in nanoseconds */
};

enum tlsfp_capture_error {
	TLSFP_CAPTURE_E_OPEN = 1,     /* missing or unreadable file (errno kept) */
	TLSFP_CAPTURE_E_FORMAT = 2,   /* not a pcap or pcapng file */
	TLSFP_CAPTURE_E_LINKTYPE = 3, /* an interface's link type is not supported */
	TLSFP_CAPTURE_E_CORRUPT = 4,  /* a block or record header is malformed mid-file */
};

/*
 * Open a capture. On failure returns NULL, sets *err (enum above) and writes
 * one human sentence into errbuf naming the file and the problem.
 */
struct tlsfp_capture *tlsfp_capture_open(const char *path, int *err, char *errbuf, size_t errlen);

/*
 * Next frame: 1 and *frame filled; 0 at the end of the file; -1 on a
 * malformed file (err and errbuf as for open; frames before it were good).
 * A frame of an unsupported link type in a pcapng file is returned as is;
 * the pipeline counts it.
 */
int tlsfp_capture_next(struct tlsfp_capture *cap, struct tlsfp_frame *frame, int *err, char *errbuf,
		       size_t errlen);

/* For progress: bytes consumed so far and the file's size (0 if unknown). */
uint64_t tlsfp_capture_offset(const struct tlsfp_capture *cap);
uint64_t tlsfp_capture_size(const struct tlsfp_capture *cap);

void tlsfp_capture_close(struct tlsfp_capture *cap);

#endif /* TLSFP_CAPTURE_H */
