/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlsfp_decode() on any frame. Byte 0 picks the link type from the ones the
 * decoder supports; the rest is the frame, in its own exactly sized heap
 * copy so ASan sees a read one byte past caplen.
 */
#include <string.h>

#include "fuzz.h"
#include "tlsfp/counters.h"
#include "tlsfp/decode.h"

static const int linktypes[] = {
	TLSFP_LINKTYPE_NULL,	   TLSFP_LINKTYPE_ETHERNET, TLSFP_LINKTYPE_RAW,
	TLSFP_LINKTYPE_RAW_ALT1,   TLSFP_LINKTYPE_RAW_ALT2, TLSFP_LINKTYPE_LOOP,
	TLSFP_LINKTYPE_LINUX_SLL,  TLSFP_LINKTYPE_IPV4,	    TLSFP_LINKTYPE_IPV6,
	TLSFP_LINKTYPE_LINUX_SLL2,
};
#define N_LINKTYPES (sizeof(linktypes) / sizeof(linktypes[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsfp_counters ctr;
	struct tlsfp_packet pkt;
	enum tlsfp_decode_result r;
	uint32_t caplen, sum = 0, i;
	uint8_t *frame;
	int linktype;

	if (size < 1 || size - 1 > UINT32_MAX)
		return 0;
	linktype = linktypes[data[0] % N_LINKTYPES];
	caplen = (uint32_t)(size - 1);
	frame = malloc(caplen ? caplen : 1);
	if (frame == NULL)
		return 0;
	memcpy(frame, data + 1, caplen);

	FUZZ_CHECK(tlsfp_linktype_supported(linktype));
	memset(&pkt, 0xa5, sizeof(pkt));
	r = tlsfp_decode(frame, caplen, linktype, &pkt, &ctr);
	FUZZ_CHECK(r == TLSFP_DECODE_OK || r == TLSFP_DECODE_SKIP || r == TLSFP_DECODE_ERROR);
	if (r == TLSFP_DECODE_OK) {
		FUZZ_CHECK(pkt.ip_version == 4 || pkt.ip_version == 6);
		FUZZ_CHECK(pkt.l4proto == 6 || pkt.l4proto == 17);
		FUZZ_CHECK(pkt.vlan_count <= TLSFP_MAX_VLANS);
		FUZZ_CHECK(pkt.tunnel_depth <= TLSFP_MAX_TUNNEL_DEPTH);
		FUZZ_CHECK(pkt.payload_len == 0 ||
			   fuzz_inside(pkt.payload, pkt.payload_len, frame, caplen));
		/* Touch every payload byte: ASan checks each one. */
		for (i = 0; i < pkt.payload_len; i++)
			sum += pkt.payload[i];
		(void)sum;
	}
	free(frame);
	return 0;
}
