/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapng block reader (draft-ietf-opsawg-pcapng), over one read-only mmap of
 * the file so frames are handed out without a copy (files can be several GB;
 * the kernel pages them in and out behind a sequential-access hint).
 *
 * Blocks understood: Section Header (either byte order, several sections per
 * file), Interface Description (link type, snaplen, if_tsresol, if_tsoffset),
 * Enhanced Packet, Simple Packet (interface 0) and the obsolete Packet
 * block. Every other block is skipped by its length.
 *
 * Every block's framing is validated before anything in it is read: total
 * length a multiple of 4, at least 12, inside the file, and equal to the
 * trailing copy. Every field inside a block is read only after the block's
 * body length has been checked to hold it. A failure names the byte offset
 * of the block.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture_internal.h"

#define BT_SHB 0x0a0d0d0au /* the same in both byte orders */
#define BT_IDB 0x00000001u
#define BT_PB 0x00000002u /* obsolete Packet Block */
#define BT_SPB 0x00000003u
#define BT_EPB 0x00000006u

#define BLOCK_MIN 12 /* type, length, trailing length */
#define BOM 0x1a2b3c4du

#define OPT_ENDOFOPT 0
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14

#define NS_PER_S 1000000000u

struct pcapng_iface {
	int linktype;
	uint32_t snaplen; /* 0: no limit */
	bool resol_pow2;  /* if_tsresol: units of 2^-resol s, else 10^-resol s */
	uint8_t resol;	  /* default 6 (microseconds) */
	int64_t offset_s; /* if_tsoffset, seconds added to every timestamp */
};

struct tlsfp_pcapng_reader {
	const uint8_t *map;
	uint64_t size;
	uint64_t pos;		     /* offset of the next block */
	bool big_endian;	     /* byte order of the current section */
	struct pcapng_iface *ifaces; /* interfaces of the current section */
	uint32_t n_ifaces, cap_ifaces;
	uint64_t last_ts_ns; /* for Simple Packet Blocks, which carry no time */
	char path[];	     /* for error sentences */
};

enum step { STEP_FRAME, STEP_OTHER, STEP_END, STEP_ERROR };

static uint16_t
ld16(const struct tlsfp_pcapng_reader *r, const uint8_t *p)
{
	if (r->big_endian)
		return (uint16_t)((p[0] << 8) | p[1]);
	return (uint16_t)((p[1] << 8) | p[0]);
}

static uint32_t
ld32(const struct tlsfp_pcapng_reader *r, const uint8_t *p)
{
	if (r->big_endian)
		return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
		       p[3];
	return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

static uint64_t
ld64(const struct tlsfp_pcapng_reader *r, const uint8_t *p)
{
	if (r->big_endian)
		return ((uint64_t)ld32(r, p) << 32) | ld32(r, p + 4);
	return ((uint64_t)ld32(r, p + 4) << 32) | ld32(r, p);
}

/* Timestamp units of an interface → Unix nanoseconds. Unsigned arithmetic
 * throughout: a hostile file gets a wrapped value, never undefined
 * behaviour. */
static uint64_t
iface_ts_ns(const struct pcapng_iface *ifc, uint64_t units)
{
	static const uint64_t pow10[20] = {
		1ull,
		10ull,
		100ull,
		1000ull,
		10000ull,
		100000ull,
		1000000ull,
		10000000ull,
		100000000ull,
		1000000000ull,
		10000000000ull,
		100000000000ull,
		1000000000000ull,
		10000000000000ull,
		100000000000000ull,
		1000000000000000ull,
		10000000000000000ull,
		100000000000000000ull,
		1000000000000000000ull,
		10000000000000000000ull,
	};
	uint64_t ns;

	if (ifc->resol_pow2)
		ns = (uint64_t)(((unsigned __int128)units * NS_PER_S) >> ifc->resol);
	else if (ifc->resol <= 9)
		ns = units * pow10[9 - ifc->resol];
	else
		ns = units / pow10[ifc->resol - 9];
	return ns + (uint64_t)ifc->offset_s * NS_PER_S;
}

static int
corrupt(struct tlsfp_pcapng_reader *r, int *err, char *errbuf, size_t errlen, uint64_t off,
	const char *what)
{
	tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_CORRUPT, r->path,
			   "block at byte offset %llu: %s", (unsigned long long)off, what);
	return STEP_ERROR;
}

/* Section Header Block body: byte-order magic, version, section length. */
static int
read_shb(struct tlsfp_pcapng_reader *r, uint64_t off, const uint8_t *body, uint32_t body_len,
	 int *err, char *errbuf, size_t errlen)
{
	uint16_t major;

	if (body_len < 16)
		return corrupt(r, err, errbuf, errlen, off, "section header block too short");
	major = ld16(r, body + 4);
	if (major != 1) {
		tlsfp_capture_fail(err, errbuf, errlen,
				   off == 0 ? TLSFP_CAPTURE_E_FORMAT : TLSFP_CAPTURE_E_CORRUPT,
				   r->path,
				   "section at byte offset %llu has pcapng version %u.%u, only 1.x "
				   "is supported",
				   (unsigned long long)off, major, ld16(r, body + 6));
		return STEP_ERROR;
	}
	/* A new section starts a new list of interfaces. */
	r->n_ifaces = 0;
	return STEP_OTHER;
}

/* Interface Description Block: link type, snaplen and the options that
 * change how timestamps read. */
static int
read_idb(struct tlsfp_pcapng_reader *r, uint64_t off, const uint8_t *body, uint32_t body_len,
	 int *err, char *errbuf, size_t errlen)
{
	struct pcapng_iface ifc = {.resol = 6};
	uint32_t pos, code, olen, padded;

	if (body_len < 8)
		return corrupt(r, err, errbuf, errlen, off,
			       "interface description block too short");
	ifc.linktype = ld16(r, body);
	ifc.snaplen = ld32(r, body + 4);

	for (pos = 8; body_len - pos >= 4;) {
		code = ld16(r, body + pos);
		olen = ld16(r, body + pos + 2);
		pos += 4;
		if (code == OPT_ENDOFOPT)
			break;
		padded = (olen + 3u) & ~3u;
		if (padded > body_len - pos)
			return corrupt(r, err, errbuf, errlen, off,
				       "an interface option runs past the end of its block");
		if (code == OPT_IF_TSRESOL && olen >= 1) {
			ifc.resol_pow2 = (body[pos] & 0x80) != 0;
			ifc.resol = body[pos] & 0x7f;
			if ((ifc.resol_pow2 && ifc.resol > 63) ||
			    (!ifc.resol_pow2 && ifc.resol > 19))
				return corrupt(r, err, errbuf, errlen, off,
					       "if_tsresol is finer than this reader supports");
		} else if (code == OPT_IF_TSOFFSET && olen == 8) {
			ifc.offset_s = (int64_t)ld64(r, body + pos);
		}
		pos += padded;
	}

	if (r->n_ifaces == r->cap_ifaces) {
		/* Cold path (file I/O); bounded by the file: each IDB is >= 20 bytes. */
		uint32_t ncap = r->cap_ifaces ? r->cap_ifaces * 2 : 8;
		struct pcapng_iface *n = realloc(r->ifaces, (size_t)ncap * sizeof(*n));

		if (n == NULL) {
			tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_OPEN, r->path, "%s",
					   strerror(errno));
			return STEP_ERROR;
		}
		r->ifaces = n;
		r->cap_ifaces = ncap;
	}
	r->ifaces[r->n_ifaces++] = ifc;
	return STEP_OTHER;
}

/* Enhanced Packet Block (is_epb) or obsolete Packet Block: the same fixed
 * part but for a 16-bit interface id followed by a 16-bit drop count. */
static int
read_packet(struct tlsfp_pcapng_reader *r, uint64_t off, const uint8_t *body, uint32_t body_len,
	    bool is_epb, struct tlsfp_frame *frame, int *err, char *errbuf, size_t errlen)
{
	const struct pcapng_iface *ifc;
	uint32_t ifid, caplen;
	uint64_t units;

	if (body_len < 20)
		return corrupt(r, err, errbuf, errlen, off, "packet block too short");
	ifid = is_epb ? ld32(r, body) : ld16(r, body);
	units = ((uint64_t)ld32(r, body + 4) << 32) | ld32(r, body + 8);
	caplen = ld32(r, body + 12);
	if (caplen > body_len - 20)
		return corrupt(r, err, errbuf, errlen, off,
			       "captured length runs past the end of its block");
	if (ifid >= r->n_ifaces)
		return corrupt(r, err, errbuf, errlen, off,
			       "packet refers to an interface not described in its section");
	ifc = &r->ifaces[ifid];
	frame->data = body + 20;
	frame->caplen = caplen;
	frame->wirelen = ld32(r, body + 16);
	frame->linktype = ifc->linktype;
	frame->ts_ns = iface_ts_ns(ifc, units);
	r->last_ts_ns = frame->ts_ns;
	return STEP_FRAME;
}

/* Simple Packet Block: interface 0, no timestamp (we repeat the previous
 * frame's so time never runs backwards for the pipeline), and a captured
 * length that is min(original length, snaplen, what the block holds). */
static int
read_spb(struct tlsfp_pcapng_reader *r, uint64_t off, const uint8_t *body, uint32_t body_len,
	 struct tlsfp_frame *frame, int *err, char *errbuf, size_t errlen)
{
	uint32_t wirelen, caplen;

	if (body_len < 4)
		return corrupt(r, err, errbuf, errlen, off, "simple packet block too short");
	if (r->n_ifaces == 0)
		return corrupt(r, err, errbuf, errlen, off,
			       "simple packet block before any interface description");
	wirelen = ld32(r, body);
	caplen = body_len - 4;
	if (wirelen < caplen)
		caplen = wirelen;
	if (r->ifaces[0].snaplen != 0 && r->ifaces[0].snaplen < caplen)
		caplen = r->ifaces[0].snaplen;
	frame->data = body + 4;
	frame->caplen = caplen;
	frame->wirelen = wirelen;
	frame->linktype = r->ifaces[0].linktype;
	frame->ts_ns = r->last_ts_ns;
	return STEP_FRAME;
}

/* Validate the framing of the block at r->pos, act on it, and move past it. */
static int
step(struct tlsfp_pcapng_reader *r, struct tlsfp_frame *frame, int *err, char *errbuf,
     size_t errlen)
{
	const uint8_t *b, *body;
	uint64_t off = r->pos, left = r->size - r->pos;
	uint32_t type, len, body_len;
	char msg[160];
	int rc;

	if (left == 0)
		return STEP_END;
	if (left < BLOCK_MIN) {
		snprintf(msg, sizeof(msg), "truncated block header (%llu bytes left)",
			 (unsigned long long)left);
		return corrupt(r, err, errbuf, errlen, off, msg);
	}
	b = r->map + off;
	type = ld32(r, b);
	if (type == BT_SHB) {
		/* The byte-order magic decides how the length itself reads. */
		if (memcmp(b + 8, "\x1a\x2b\x3c\x4d", 4) == 0)
			r->big_endian = true;
		else if (memcmp(b + 8, "\x4d\x3c\x2b\x1a", 4) == 0)
			r->big_endian = false;
		else
			return corrupt(r, err, errbuf, errlen, off,
				       "section header block has no valid byte-order magic");
	}
	len = ld32(r, b + 4);
	if (len % 4 != 0 || len < BLOCK_MIN) {
		snprintf(msg, sizeof(msg), "block length %u is %s", len,
			 len < BLOCK_MIN ? "less than 12" : "not a multiple of 4");
		return corrupt(r, err, errbuf, errlen, off, msg);
	}
	if (len > left) {
		snprintf(msg, sizeof(msg),
			 "truncated block (length %u, only %llu bytes left in the file)", len,
			 (unsigned long long)left);
		return corrupt(r, err, errbuf, errlen, off, msg);
	}
	if (ld32(r, b + len - 4) != len) {
		snprintf(msg, sizeof(msg), "trailing block length %u differs from the leading %u",
			 ld32(r, b + len - 4), len);
		return corrupt(r, err, errbuf, errlen, off, msg);
	}
	body = b + 8;
	body_len = len - BLOCK_MIN;

	switch (type) {
	case BT_SHB:
		rc = read_shb(r, off, body, body_len, err, errbuf, errlen);
		break;
	case BT_IDB:
		rc = read_idb(r, off, body, body_len, err, errbuf, errlen);
		break;
	case BT_EPB:
		rc = read_packet(r, off, body, body_len, true, frame, err, errbuf, errlen);
		break;
	case BT_PB:
		rc = read_packet(r, off, body, body_len, false, frame, err, errbuf, errlen);
		break;
	case BT_SPB:
		rc = read_spb(r, off, body, body_len, frame, err, errbuf, errlen);
		break;
	default:
		rc = STEP_OTHER; /* name resolution, statistics, custom, ... */
		break;
	}
	if (rc != STEP_ERROR)
		r->pos = off + len;
	return rc;
}

struct tlsfp_pcapng_reader *
tlsfp_pcapng_reader_open(const char *path, int fd, uint64_t size, int *err, char *errbuf,
			 size_t errlen)
{
	struct tlsfp_pcapng_reader *r;
	struct tlsfp_frame unused;
	size_t plen = strlen(path);
	void *map;

	if (size > SIZE_MAX) {
		tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_OPEN, path, "%s",
				   strerror(EFBIG));
		close(fd);
		return NULL;
	}
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd); /* the mapping keeps the file */
	if (map == MAP_FAILED) {
		tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_OPEN, path, "%s",
				   strerror(errno));
		return NULL;
	}
	(void)madvise(map, (size_t)size, MADV_SEQUENTIAL);

	r = calloc(1, sizeof(*r) + plen + 1);
	if (r == NULL) {
		tlsfp_capture_fail(err, errbuf, errlen, TLSFP_CAPTURE_E_OPEN, path, "%s",
				   strerror(errno));
		munmap(map, (size_t)size);
		return NULL;
	}
	r->map = map;
	r->size = size;
	memcpy(r->path, path, plen + 1);

	/* Check the first Section Header Block now, so a broken file is
	 * refused at open rather than on the first read. */
	if (step(r, &unused, err, errbuf, errlen) == STEP_ERROR) {
		tlsfp_pcapng_reader_close(r);
		return NULL;
	}
	return r;
}

int
tlsfp_pcapng_reader_next(struct tlsfp_pcapng_reader *r, struct tlsfp_frame *frame, int *err,
			 char *errbuf, size_t errlen)
{
	for (;;) {
		switch (step(r, frame, err, errbuf, errlen)) {
		case STEP_FRAME:
			return 1;
		case STEP_END:
			return 0;
		case STEP_ERROR:
			return -1;
		default:
			break;
		}
	}
}

uint64_t
tlsfp_pcapng_reader_offset(const struct tlsfp_pcapng_reader *r)
{
	return r->pos;
}

void
tlsfp_pcapng_reader_close(struct tlsfp_pcapng_reader *r)
{
	munmap((void *)r->map, (size_t)r->size);
	free(r->ifaces);
	free(r);
}
