/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classic pcap through libpcap, always at nanosecond precision so micro-
 * and nanosecond files both give ns timestamps.
 *
 * The frame's link type is the LINKTYPE_* value of the file header, read by
 * us: libpcap's pcap_datalink() returns the platform DLT_* value instead
 * (LINKTYPE_RAW 101 comes back as DLT_RAW 12 on Linux), and the contract of
 * struct tlsfp_frame is LINKTYPE_*.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_internal.h"
#include "tlsfp/decode.h"

#define PCAP_FILE_HEADER_LEN 24
#define PCAP_LINKTYPE_MASK 0x03ffffffu /* bits 26-31 carry the FCS length */

struct tlsfp_pcap_reader {
	pcap_t *p;
	int linktype; /* LINKTYPE_* of the file header */
	char path[];  /* for error sentences */
};

/* LINKTYPE_* from the 24-byte file header, or -1 if it is short (libpcap
 * then reports the truncation in its own words). */
static int
header_linktype(int fd)
{
	uint8_t h[PCAP_FILE_HEADER_LEN];
	uint32_t v;

	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -1;
	if (h[0] == 0xa1) /* big-endian magic a1 b2 .. */
		v = ((uint32_t)h[20] << 24) | ((uint32_t)h[21] << 16) | ((uint32_t)h[22] << 8) |
		    h[23];
	else
		v = ((uint32_t)h[23] << 24) | ((uint32_t)h[22] << 16) | ((uint32_t)h[21] << 8) |
		    h[20];
	return (int)(v & PCAP_LINKTYPE_MASK);
}

/* A name for an error sentence: libpcap's, or for the private-use link types
 * 147..162, which libpcap does not name, USER0..USER15. */
static void
linktype_name(pcap_t *p, int linktype, char *out, size_t cap)
{
	const char *name = pcap_datalink_val_to_name(pcap_datalink(p));

	if (name != NULL)
		snprintf(out, cap, "%s", name);
	else if (linktype >= 147 && linktype <= 162)
		snprintf(out, cap, "USER%d", linktype - 147);
	else
		snprintf(out, cap, "unknown");
}

struct tlsfp_pcap_reader *
tlsfp_pcap_reader_open(const char *path, int fd, int *err, char *errbuf, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE];
	struct tlsfp_pcap_reader *r;
	char name[32];
	size_t plen;
	int linktype;

	linktype = header_linktype(fd);
	close(fd);

	plen = strlen(path);
	r = calloc(1, sizeof(*r) + plen + 1);
	if (r == NULL) {
		tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_OPEN, path, "%s",
				   strerror(errno));
		return NULL;
	}
	memcpy(r->path, path, plen + 1);

	pcap_err[0] = '\0';
	r->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (r->p == NULL) {
		/* The magic was right, so this is a broken header (truncated,
		 * unknown version, absurd snaplen). */
		tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_FORMAT, path, "%s",
				   pcap_err);
		free(r);
		return NULL;
	}
	if (linktype < 0)
		linktype = pcap_datalink(r->p);
	if (!tlsfp_linktype_supported(linktype)) {
		linktype_name(r->p, linktype, name, sizeof(name));
		tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_LINKTYPE, path,
				   "link type %d (%s) is not supported", linktype, name);
		pcap_close(r->p);
		free(r);
		return NULL;
	}
	r->linktype = linktype;
	return r;
}

int
tlsfp_pcap_reader_next(struct tlsfp_pcap_reader *r, struct tlsfp_frame *frame, int *err,
		       char *errbuf, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	rc = pcap_next_ex(r->p, &h, &data);
	if (rc == 1) {
		frame->data = data;
		frame->caplen = h->caplen;
		frame->wirelen = h->len;
		frame->linktype = r->linktype;
		/* Nanosecond precision: tv_usec holds nanoseconds. */
		frame->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
		return 1;
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0; /* end of file */
	/* A record header is malformed or the file ends inside a record. */
	tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_CORRUPT, r->path, "%s",
			   pcap_geterr(r->p));
	return -1;
}

uint64_t
tlsfp_pcap_reader_offset(const struct tlsfp_pcap_reader *r)
{
	long off = ftell(pcap_file(r->p));

	return off > 0 ? (uint64_t)off : 0;
}

void
tlsfp_pcap_reader_close(struct tlsfp_pcap_reader *r)
{
	pcap_close(r->p);
	free(r);
}
