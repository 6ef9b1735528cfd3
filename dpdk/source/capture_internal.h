/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal interface between the capture front end (capture.c: format
 * detection, dispatch, error sentences) and its two readers: classic pcap
 * through libpcap (capture_pcap.c) and pcapng blocks (pcapng.c).
 */
#ifndef TLSFP_CAPTURE_INTERNAL_H
#define TLSFP_CAPTURE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tlsfp/capture.h"

/* Set *err = code and write one sentence "PATH: ..." into errbuf. */
void tlsfp_capture_fail(int *err, char *errbuf, size_t errlen, int code, const char *path,
			const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Classic pcap: fd is the open file at `path`, whose magic is a pcap magic;
 * the reader reads the file header from fd and closes it, then lets libpcap
 * open the path. */
struct tlsfp_pcap_reader;
struct tlsfp_pcap_reader *tlsfp_pcap_reader_open(const char *path, int fd, int *err, char *errbuf,
						 size_t errlen);
int tlsfp_pcap_reader_next(struct tlsfp_pcap_reader *r, struct tlsfp_frame *frame, int *err,
			   char *errbuf, size_t errlen);
uint64_t tlsfp_pcap_reader_offset(const struct tlsfp_pcap_reader *r);
void tlsfp_pcap_reader_close(struct tlsfp_pcap_reader *r);

/* pcapng: fd is an open regular file of `size` bytes starting with a
 * Section Header Block; the reader takes ownership of fd in every case. */
struct tlsfp_pcapng_reader;
struct tlsfp_pcapng_reader *tlsfp_pcapng_reader_open(const char *path, int fd, uint64_t size,
						     int *err, char *errbuf, size_t errlen);
int tlsfp_pcapng_reader_next(struct tlsfp_pcapng_reader *r, struct tlsfp_frame *frame, int *err,
			     char *errbuf, size_t errlen);
uint64_t tlsfp_pcapng_reader_offset(const struct tlsfp_pcapng_reader *r);
void tlsfp_pcapng_reader_close(struct tlsfp_pcapng_reader *r);

#endif /* TLSFP_CAPTURE_INTERNAL_H */
