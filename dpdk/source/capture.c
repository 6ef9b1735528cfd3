/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture front end: open the file, tell classic pcap from pcapng by the
 * magic number, and hand every call to the matching reader.
 *
 * Detection is ours rather than libpcap's because libpcap refuses pcapng
 * files whose interfaces have different link types, which is common for
 * "any"-interface captures; those go to our own block reader (pcapng.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_internal.h"

#define MAGIC_PCAP_USEC 0xa1b2c3d4u
#define MAGIC_PCAP_NSEC 0xa1b23c4du
#define MAGIC_PCAPNG_SHB 0x0a0d0d0au

struct tlsfp_capture {
	struct tlsfp_pcap_reader *pcap; /* exactly one of these is set */
	struct tlsfp_pcapng_reader *pcapng;
	uint64_t size;
};

void
tlsfp_capture_fail(int *err, char *errbuf, size_t errlen, int code, const char *path,
		   const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err != NULL)
		*err = code;
	if (errbuf == NULL || errlen == 0)
		return;
	n = snprintf(errbuf, errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static uint32_t
swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

static int
is_pcap_magic(uint32_t m)
{
	return m == MAGIC_PCAP_USEC || m == swap32(MAGIC_PCAP_USEC) || m == MAGIC_PCAP_NSEC ||
	       m == swap32(MAGIC_PCAP_NSEC);
}

struct tlsfp_capture *
tlsfp_capture_open(const char *path, int *err, char *errbuf, size_t errlen)
{
	struct tlsfp_capture *cap;
	struct stat st;
	uint8_t m[4];
	uint32_t magic;
	ssize_t n;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_OPEN, path, "%s",
				   strerror(saved));
		errno = saved;
		return NULL;
	}
	if (fstat(fd, &st) != 0)
		goto open_error;
	n = pread(fd, m, sizeof(m), 0);
	if (n < 0)
		goto open_error; /* a directory fails here with EISDIR */
	if (n < (ssize_t)sizeof(m)) {
		tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_FORMAT, path,
				   "not a pcap or pcapng capture (only %zd bytes long)", n);
		close(fd);
		return NULL;
	}
	/* As the bytes appear in the file: "GET " reads 0x47455420. */
	magic = ((uint32_t)m[0] << 24) | ((uint32_t)m[1] << 16) | ((uint32_t)m[2] << 8) | m[3];

	cap = calloc(1, sizeof(*cap));
	if (cap == NULL) {
		saved = errno;
		close(fd);
		tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_OPEN, path, "%s",
				   strerror(saved));
		errno = saved;
		return NULL;
	}
	cap->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;

	if (is_pcap_magic(magic)) {
		cap->pcap = tlsfp_pcap_reader_open(path, fd, err, errbuf, errlen);
		if (cap->pcap == NULL)
			goto fail;
		return cap;
	}
	if (magic == MAGIC_PCAPNG_SHB) {
		if (!S_ISREG(st.st_mode)) {
			tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_OPEN, path,
					   "pcapng input must be a regular file");
			close(fd);
			goto fail;
		}
		cap->pcapng = tlsfp_pcapng_reader_open(path, fd, cap->size, err, errbuf, errlen);
		if (cap->pcapng == NULL)
			goto fail;
		return cap;
	}
	tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_FORMAT, path,
			   "not a pcap or pcapng capture (magic 0x%08x)", magic);
	close(fd);
fail:
	free(cap);
	return NULL;

open_error:
	saved = errno;
	close(fd);
	tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_OPEN, path, "%s", strerror(saved));
	errno = saved;
	return NULL;
}

int
tlsfp_capture_next(struct tlsfp_capture *cap, struct tlsfp_frame *frame, int *err, char *errbuf,
		   size_t errlen)
{
	if (cap->pcap != NULL)
		return tlsfp_pcap_reader_next(cap->pcap, frame, err, errbuf, errlen);
	return tlsfp_pcapng_reader_next(cap->pcapng, frame, err, errbuf, errlen);
}

uint64_t
tlsfp_capture_offset(const struct tlsfp_capture *cap)
{
	if (cap->pcap != NULL)
		return tlsfp_pcap_reader_offset(cap->pcap);
	return tlsfp_pcapng_reader_offset(cap->pcapng);
}

uint64_t
tlsfp_capture_size(const struct tlsfp_capture *cap)
{
	return cap->size;
}

void
tlsfp_capture_close(struct tlsfp_capture *cap)
{
	if (cap == NULL)
		return;
	if (cap->pcap != NULL)
		tlsfp_pcap_reader_close(cap->pcap);
	if (cap->pcapng != NULL)
		tlsfp_pcapng_reader_close(cap->pcapng);
	free(cap);
}
