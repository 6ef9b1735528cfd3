/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link layers other than Ethernet: BSD loopback (NULL, LOOP), Linux cooked
 * capture v1 and v2, raw IP. Each strips its header and hands over to the
 * ethertype or IP-version dispatch.
 */
#include "decode_int.h"

/* AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD)
 * or 30 (Darwin). LINKTYPE_NULL is in the capturing host's byte order and
 * LOOP in network order, but writers get this wrong, so both accept both. */
static enum dec_layer
dec_loopback(struct dec_state *s)
{
	if (s->r.len < 4)
		return dec_fail(s, TLSFP_CTR_DEC_TRUNCATED, DL_ERROR);
	uint32_t af = tlsfp_load_be32(s->r.p);
	if (af > 0xffff)
		af = __builtin_bswap32(af);
	dec_consume(s, 4);
	switch (af) {
	case 2:
		return DL_IPV4;
	case 24:
	case 28:
	case 30:
		return DL_IPV6;
	default:
		return dec_fail(s, TLSFP_CTR_DEC_NOT_IP, DL_SKIP);
	}
}

/* Linux cooked v1: packet type, ARPHRD, address length, 8 address bytes,
 * protocol (an ethertype) at offset 14. */
static enum dec_layer
dec_sll(struct dec_state *s)
{
	if (s->r.len < 16)
		return dec_fail(s, TLSFP_CTR_DEC_TRUNCATED, DL_ERROR);
	uint16_t type = tlsfp_load_be16(s->r.p + 14);
	dec_consume(s, 16);
	return dec_ethertype(s, type);
}

/* Linux cooked v2: protocol first, then reserved, ifindex, ARPHRD,
 * packet type, address length, 8 address bytes: 20 bytes. */
static enum dec_layer
dec_sll2(struct dec_state *s)
{
	if (s->r.len < 20)
		return dec_fail(s, TLSFP_CTR_DEC_TRUNCATED, DL_ERROR);
	uint16_t type = tlsfp_load_be16(s->r.p);
	dec_consume(s, 20);
	return dec_ethertype(s, type);
}

/* Raw IP with no link header: the version nibble says which. Also used
 * after an MPLS bottom-of-stack label, which carries no protocol field. */
static enum dec_layer
dec_ip_by_nibble(struct dec_state *s)
{
	if (s->r.len < 1)
		return dec_short(s, TLSFP_CTR_DEC_NOT_IP);
	switch (s->r.p[0] >> 4) {
	case 4:
		return DL_IPV4;
	case 6:
		return DL_IPV6;
	default:
		return dec_fail(s, TLSFP_CTR_DEC_NOT_IP, DL_SKIP);
	}
}

/* The first layer of a frame whose link type is not Ethernet. */
static enum dec_layer
dec_linktype(struct dec_state *s, int linktype)
{
	switch (linktype) {
	case TLSFP_LINKTYPE_ETHERNET:
		return DL_ETH;
	case TLSFP_LINKTYPE_NULL:
	case TLSFP_LINKTYPE_LOOP:
		return dec_loopback(s);
	case TLSFP_LINKTYPE_LINUX_SLL:
		dec_l2_start(s);
		return dec_sll(s);
	case TLSFP_LINKTYPE_LINUX_SLL2:
		dec_l2_start(s);
		return dec_sll2(s);
	case TLSFP_LINKTYPE_RAW:
	case TLSFP_LINKTYPE_RAW_ALT1:
	case TLSFP_LINKTYPE_RAW_ALT2:
		return dec_ip_by_nibble(s);
	case TLSFP_LINKTYPE_IPV4:
		return DL_IPV4;
	case TLSFP_LINKTYPE_IPV6:
		return DL_IPV6;
	default:
		return dec_fail(s, TLSFP_CTR_DEC_UNKNOWN_LINKTYPE, DL_SKIP);
	}
}

int
tlsfp_linktype_supported(int linktype)
{
	switch (linktype) {
	case TLSFP_LINKTYPE_ETHERNET:
	case TLSFP_LINKTYPE_NULL:
	case TLSFP_LINKTYPE_LOOP:
	case TLSFP_LINKTYPE_LINUX_SLL:
	case TLSFP_LINKTYPE_LINUX_SLL2:
	case TLSFP_LINKTYPE_RAW:
	case TLSFP_LINKTYPE_RAW_ALT1:
	case TLSFP_LINKTYPE_RAW_ALT2:
	case TLSFP_LINKTYPE_IPV4:
	case TLSFP_LINKTYPE_IPV6:
		return 1;
	default:
		return 0;
	}
}
