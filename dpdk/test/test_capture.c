/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Offline capture input: classic pcap (µs, ns, both byte orders) and pcapng
 * (several sections, both byte orders, per-interface link types and
 * timestamp resolutions, EPB/SPB/PB), and the error of every refusal.
 *
 * The files live in test/data/ and are made by make-capture-data.py; the
 * values asserted here are the ones chosen there. ctest runs this from the
 * test folder.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "tlsfp/capture.h"

#define DATA "data/"

struct expect {
	uint32_t caplen, wirelen;
	int linktype;
	uint64_t ts_ns;
};

/* Read the whole file; check every frame and that it then ends cleanly. */
static void
check_frames(const char *path, const struct expect *want, int n_want)
{
	struct tlsfp_capture *cap;
	struct tlsfp_frame f;
	char msg[256];
	int err = 0, rc, n = 0;

	cap = tlsfp_capture_open(path, &err, msg, sizeof(msg));
	CHECK(cap != NULL);
	if (cap == NULL) {
		fprintf(stderr, "  open %s: %s\n", path, msg);
		return;
	}
	CHECK(tlsfp_capture_size(cap) > 0);
	while ((rc = tlsfp_capture_next(cap, &f, &err, msg, sizeof(msg))) == 1) {
		if (n < n_want) {
			CHECK_EQ_INT(f.caplen, want[n].caplen);
			CHECK_EQ_INT(f.wirelen, want[n].wirelen);
			CHECK_EQ_INT(f.linktype, want[n].linktype);
			CHECK_EQ_INT(f.ts_ns, want[n].ts_ns);
			CHECK(f.data != NULL);
		}
		n++;
	}
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(n, n_want);
	CHECK_EQ_INT(tlsfp_capture_offset(cap), tlsfp_capture_size(cap));
	tlsfp_capture_close(cap);
}

static void
test_pcap_usec(void)
{
	static const struct expect want[] = {
		{59, 59, 1, 1700000000123456000ull},
		{40, 74, 1, 1700000001999999000ull},
	};
	check_frames(DATA "tiny-usec.pcap", want, 2);
}

static void
test_pcap_nsec_big_endian_raw(void)
{
	/* LINKTYPE_RAW stays 101 (libpcap's DLT would be 12). */
	static const struct expect want[] = {
		{44, 44, 101, 1700000000123456789ull},
		{44, 44, 101, 1700000000999999999ull},
	};
	check_frames(DATA "tiny-nsec.pcap", want, 2);
}

static void
test_pcap_first_bytes(void)
{
	struct tlsfp_capture *cap;
	struct tlsfp_frame f;
	char msg[256];
	int err = 0;

	cap = tlsfp_capture_open(DATA "tiny-usec.pcap", &err, msg, sizeof(msg));
	CHECK(cap != NULL);
	if (cap == NULL)
		return;
	CHECK_EQ_INT(tlsfp_capture_offset(cap), 24);
	CHECK_EQ_INT(tlsfp_capture_size(cap), 155);
	CHECK_EQ_INT(tlsfp_capture_next(cap, &f, &err, msg, sizeof(msg)), 1);
	/* Ethernet: destination 02:00:00:00:00:02, EtherType IPv4. */
	CHECK_EQ_INT(f.data[0], 0x02);
	CHECK_EQ_INT(f.data[5], 0x02);
	CHECK_EQ_INT(f.data[12], 0x08);
	CHECK_EQ_INT(f.data[13], 0x00);
	CHECK_EQ_INT(memcmp(f.data + 54, "hello", 5), 0);
	CHECK_EQ_INT(tlsfp_capture_offset(cap), 24 + 16 + 59);
	tlsfp_capture_close(cap);
}

static void
test_pcapng_two_interfaces_big_endian(void)
{
	/* Interface 0: Ethernet, default µs; 1: SLL2, if_tsresol 9. The Name
	 * Resolution Block between the frames is skipped. */
	static const struct expect want[] = {
		{59, 59, 1, 1700000001000001000ull},
		{64, 64, 276, 1700000002123456789ull},
		{40, 74, 1, 1700000003000000000ull},
	};
	struct tlsfp_capture *cap;
	struct tlsfp_frame f;
	char msg[256];
	int err = 0;

	check_frames(DATA "two-ifaces-be.pcapng", want, 3);

	/* Bytes come straight from the file: the SLL2 frame's protocol field. */
	cap = tlsfp_capture_open(DATA "two-ifaces-be.pcapng", &err, msg, sizeof(msg));
	CHECK(cap != NULL);
	if (cap == NULL)
		return;
	CHECK_EQ_INT(tlsfp_capture_offset(cap), 28); /* past the SHB */
	CHECK_EQ_INT(tlsfp_capture_next(cap, &f, &err, msg, sizeof(msg)), 1);
	CHECK_EQ_INT(tlsfp_capture_next(cap, &f, &err, msg, sizeof(msg)), 1);
	CHECK_EQ_INT(f.linktype, 276);
	CHECK_EQ_INT(f.data[0], 0x08);
	CHECK_EQ_INT(f.data[1], 0x00);
	CHECK_EQ_INT(memcmp(f.data + 60, "sll2", 4), 0);
	tlsfp_capture_close(cap);
}

static void
test_pcapng_sections(void)
{
	static const struct expect want[] = {
		/* EPB, 2^-20 s units: 5.5 s, + if_tsoffset 1000 s; snaplen 16 */
		{16, 44, 101, 1005500000000ull},
		/* SPB: interface 0, cut to the snaplen, previous frame's time */
		{16, 44, 101, 1005500000000ull},
		/* obsolete PB on interface 1: USER0 is returned, not refused */
		{8, 8, 147, 42000ull},
		/* second, big-endian section: its own interface 0 */
		{44, 44, 228, 7000ull},
	};
	check_frames(DATA "sections.pcapng", want, 4);
}

/* Open must fail with `code` and a message that starts with `prefix`. */
static void
check_open_fails(const char *path, int code, const char *msg_want)
{
	struct tlsfp_capture *cap;
	char msg[256] = "";
	int err = 0;

	errno = 0;
	cap = tlsfp_capture_open(path, &err, msg, sizeof(msg));
	CHECK(cap == NULL);
	tlsfp_capture_close(cap);
	CHECK_EQ_INT(err, code);
	CHECK_EQ_STR(msg, msg_want);
}

/* The first frame reads, the second fails with E_CORRUPT and `msg_want`. */
static void
check_corrupt_after_one(const char *path, const char *msg_want)
{
	struct tlsfp_capture *cap;
	struct tlsfp_frame f;
	char msg[256] = "";
	int err = 0;

	cap = tlsfp_capture_open(path, &err, msg, sizeof(msg));
	CHECK(cap != NULL);
	if (cap == NULL)
		return;
	CHECK_EQ_INT(tlsfp_capture_next(cap, &f, &err, msg, sizeof(msg)), 1);
	CHECK_EQ_INT(f.caplen, 59);
	CHECK_EQ_INT(tlsfp_capture_next(cap, &f, &err, msg, sizeof(msg)), -1);
	CHECK_EQ_INT(err, TLSFP_CAPTURE_E_CORRUPT);
	CHECK_EQ_STR(msg, msg_want);
	/* It stays failed. */
	err = 0;
	CHECK_EQ_INT(tlsfp_capture_next(cap, &f, &err, msg, sizeof(msg)), -1);
	CHECK_EQ_INT(err, TLSFP_CAPTURE_E_CORRUPT);
	tlsfp_capture_close(cap);
}

static void
test_errors(void)
{
	char msg[64];
	int err = 0;

	check_open_fails(DATA "missing.pcap", TLSFP_CAPTURE_E_OPEN,
			 DATA "missing.pcap: No such file or directory");
	errno = 0;
	CHECK(tlsfp_capture_open(DATA "missing.pcap", &err, msg, sizeof(msg)) == NULL);
	CHECK_EQ_INT(errno, ENOENT);
	check_open_fails(DATA, TLSFP_CAPTURE_E_OPEN, DATA ": Is a directory");
	check_open_fails(DATA "not-a-capture.txt", TLSFP_CAPTURE_E_FORMAT,
			 DATA "not-a-capture.txt: not a pcap or pcapng capture (magic 0x47455420)");
	check_open_fails(DATA "user0.pcap", TLSFP_CAPTURE_E_LINKTYPE,
			 DATA "user0.pcap: link type 147 (USER0) is not supported");

	check_corrupt_after_one(DATA "truncated.pcapng",
				DATA "truncated.pcapng: block at byte offset 140: truncated block "
				     "(length 100, only 48 bytes left in the file)");
	check_corrupt_after_one(DATA "bad-trailer.pcapng",
				DATA "bad-trailer.pcapng: block at byte offset 140: trailing block "
				     "length 96 differs from the leading 92");
	check_corrupt_after_one(DATA "bad-length.pcapng",
				DATA "bad-length.pcapng: block at byte offset 140: block length 30 "
				     "is not a multiple of 4");

	/* Classic pcap cut inside a record: libpcap's words after the path. */
	{
		struct tlsfp_capture *cap;
		struct tlsfp_frame f;
		char m[256] = "";

		cap = tlsfp_capture_open(DATA "truncated.pcap", &err, m, sizeof(m));
		CHECK(cap != NULL);
		if (cap != NULL) {
			CHECK_EQ_INT(tlsfp_capture_next(cap, &f, &err, m, sizeof(m)), -1);
			CHECK_EQ_INT(err, TLSFP_CAPTURE_E_CORRUPT);
			CHECK(strncmp(m, DATA "truncated.pcap: truncated", 25) == 0);
			tlsfp_capture_close(cap);
		}
	}

	/* A message longer than errbuf is cut, still NUL-terminated. */
	err = 0;
	CHECK(tlsfp_capture_open(DATA "not-a-capture.txt", &err, msg, 12) == NULL);
	CHECK_EQ_INT(err, TLSFP_CAPTURE_E_FORMAT);
	CHECK_EQ_STR(msg, DATA "not-a-");
}

/* A pcapng file built in memory, written to a temporary file: the corrupt
 * shapes not worth a committed file each. */
static void
check_bytes_fail(const uint8_t *bytes, size_t n, int code, const char *tail)
{
	char path[] = "/tmp/tlsfp-capture-XXXXXX";
	char msg[256] = "", want[300];
	struct tlsfp_capture *cap;
	struct tlsfp_frame f;
	int fd, err = 0;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ_INT(write(fd, bytes, n), (long long)n);
	close(fd);
	snprintf(want, sizeof(want), "%s: %s", path, tail);
	cap = tlsfp_capture_open(path, &err, msg, sizeof(msg));
	if (cap != NULL) {
		CHECK_EQ_INT(tlsfp_capture_next(cap, &f, &err, msg, sizeof(msg)), -1);
		tlsfp_capture_close(cap);
	}
	CHECK_EQ_INT(err, code);
	CHECK_EQ_STR(msg, want);
	unlink(path);
}

static void
test_pcapng_corrupt_shapes(void)
{
	/* Little-endian SHB (28 bytes), as the generator writes it. */
	static const uint8_t shb[28] = {
		0x0a, 0x0d, 0x0d, 0x0a, 28,   0,    0,	  0,	0x4d, 0x3c, 0x2b, 0x1a, 1, 0,
		0,    0,    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28,	  0,	0, 0,
	};
	uint8_t b[128];

	/* Bad byte-order magic. */
	memcpy(b, shb, sizeof(shb));
	b[8] = 0;
	check_bytes_fail(
		b, sizeof(shb), TLSFP_CAPTURE_E_CORRUPT,
		"block at byte offset 0: section header block has no valid byte-order magic");
	/* Unknown major version. */
	memcpy(b, shb, sizeof(shb));
	b[12] = 2;
	check_bytes_fail(b, sizeof(shb), TLSFP_CAPTURE_E_FORMAT,
			 "section at byte offset 0 has pcapng version 2.0, only 1.x is supported");
	/* Only the block type: too short for a header. */
	check_bytes_fail(shb, 8, TLSFP_CAPTURE_E_CORRUPT,
			 "block at byte offset 0: truncated block header (8 bytes left)");
	/* Block length 8 (< 12) after the SHB. */
	memcpy(b, shb, sizeof(shb));
	memcpy(b + 28, "\x06\0\0\0\x08\0\0\0\x08\0\0\0", 12);
	check_bytes_fail(b, 40, TLSFP_CAPTURE_E_CORRUPT,
			 "block at byte offset 28: block length 8 is less than 12");
	/* An EPB on interface 0 with no interface described. */
	memcpy(b, shb, sizeof(shb));
	memset(b + 28, 0, 32);
	memcpy(b + 28, "\x06\0\0\0\x20\0\0\0", 8);
	memcpy(b + 56, "\x20\0\0\0", 4);
	check_bytes_fail(b, 60, TLSFP_CAPTURE_E_CORRUPT,
			 "block at byte offset 28: packet refers to an interface not described in "
			 "its section");
	/* An EPB whose captured length runs past its block. */
	memcpy(b, shb, sizeof(shb));
	memcpy(b + 28, "\x01\0\0\0\x14\0\0\0\x01\0\0\0\0\0\0\0\x14\0\0\0", 20); /* IDB */
	memset(b + 48, 0, 32);
	memcpy(b + 48, "\x06\0\0\0\x20\0\0\0", 8);
	b[48 + 20] = 1; /* caplen 1, room 0 */
	memcpy(b + 76, "\x20\0\0\0", 4);
	check_bytes_fail(b, 80, TLSFP_CAPTURE_E_CORRUPT,
			 "block at byte offset 48: captured length runs past the end of its block");
}

int
main(void)
{
	test_pcap_usec();
	test_pcap_nsec_big_endian_raw();
	test_pcap_first_bytes();
	test_pcapng_two_interfaces_big_endian();
	test_pcapng_sections();
	test_errors();
	test_pcapng_corrupt_shapes();
	return check_exit("test_capture");
}
