/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet decoding: link layer → (VLAN/QinQ, MPLS) → IPv4/IPv6 → TCP/UDP,
 * through the encapsulations mirror ports deliver (GRE, ERSPAN II/III,
 * VXLAN on UDP 4789) to the innermost TCP or UDP payload.
 *
 * Contract: tlsfp_decode() reads only [data, data + caplen), never writes
 * it, never allocates, and fills `out` only on success. Every packet it
 * does not return as TCP/UDP is counted once with the reason.
 */
#ifndef TLSFP_DECODE_H
#define TLSFP_DECODE_H

#include <stdint.h>

#include "tlsfp/counters.h"

/* Link types, numbered as libpcap's LINKTYPE_* (what pcap files carry). */
enum tlsfp_linktype {
	TLSFP_LINKTYPE_NULL = 0, /* BSD loopback, host-order AF_ */
	TLSFP_LINKTYPE_ETHERNET = 1,
	TLSFP_LINKTYPE_RAW = 101,	/* raw IPv4/IPv6 */
	TLSFP_LINKTYPE_LOOP = 108,	/* OpenBSD loopback, network-order AF_ */
	TLSFP_LINKTYPE_LINUX_SLL = 113, /* Linux cooked capture v1 */
	TLSFP_LINKTYPE_IPV4 = 228,
	TLSFP_LINKTYPE_IPV6 = 229,
	TLSFP_LINKTYPE_LINUX_SLL2 = 276, /* Linux cooked capture v2 */
};

/* Also accepted as raw IP: DLT_RAW's platform values 12 and 14. */
#define TLSFP_LINKTYPE_RAW_ALT1 12
#define TLSFP_LINKTYPE_RAW_ALT2 14

#define TLSFP_MAX_VLANS 4	 /* 802.1Q/802.1ad tags kept and decoded */
#define TLSFP_MAX_MPLS 8	 /* MPLS labels decoded */
#define TLSFP_MAX_TUNNEL_DEPTH 3 /* nested GRE/ERSPAN/VXLAN */
#define TLSFP_MAX_IPV6_EXT 8	 /* IPv6 extension headers walked */

#define TLSFP_TCP_FIN 0x01
#define TLSFP_TCP_SYN 0x02
#define TLSFP_TCP_RST 0x04
#define TLSFP_TCP_PSH 0x08
#define TLSFP_TCP_ACK 0x10

/* What the pipeline needs of one packet: the innermost flow and payload. */
struct tlsfp_packet {
	uint8_t ip_version; /* 4 or 6 (of the innermost IP header) */
	uint8_t l4proto;    /* 6 TCP or 17 UDP */
	uint8_t tunnel_depth;
	uint8_t vlan_count;		/* tags of the OUTERMOST Ethernet header, outer first */
	uint16_t vlan[TLSFP_MAX_VLANS]; /* 12-bit VLAN IDs */
	uint8_t src[16];		/* IPv4 in the first 4 bytes, rest zero */
	uint8_t dst[16];
	uint16_t sport, dport;
	/* TCP only */
	uint32_t seq, ack;
	uint8_t tcp_flags;
	/* L4 payload, inside the captured bytes (len may be < the IP length
	 * says when the capture was truncated; see payload_truncated). */
	const uint8_t *payload;
	uint32_t payload_len;
	uint8_t payload_truncated;
};

enum tlsfp_decode_result {
	TLSFP_DECODE_OK = 0,   /* out holds a TCP or UDP packet */
	TLSFP_DECODE_SKIP = 1, /* not for us (counted): not IP, fragment, other L4 */
	TLSFP_DECODE_ERROR = 2 /* malformed (counted) */
};

/* Decode one captured frame. Counts DEC_* outcomes into ctr. */
enum tlsfp_decode_result tlsfp_decode(const uint8_t *data, uint32_t caplen, int linktype,
				      struct tlsfp_packet *out, struct tlsfp_counters *ctr);

/* 1 if the link type is one tlsfp_decode() understands. */
int tlsfp_linktype_supported(int linktype);

#endif /* TLSFP_DECODE_H */
