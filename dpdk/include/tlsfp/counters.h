/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every outcome the packet path can have, named once.
 *
 * The X-macro list generates the counter enum, the counter names (used as
 * metric names and in the `tlsfp pcap` summary) and nothing else may invent a
 * counter. A packet that is not turned into a handshake record is counted
 * here with the reason: silent loss is a bug.
 *
 * Counters are per pipeline (one per worker lcore) and have a single writer,
 * the worker. Readers (the addon, the control plane) tolerate torn reads of
 * a counter that is being incremented: each is a naturally aligned uint64_t.
 *
 * Each module owns its section. Add a counter to your own section only.
 */
#ifndef TLSFP_COUNTERS_H
#define TLSFP_COUNTERS_H

#include <stdint.h>

/* One counter a line, the X-macro aligned by hand. */
/* clang-format off */
#define TLSFP_COUNTER_LIST(X)                                                  \
	/* input */                                                            \
	X(PKT_IN, "packets")                                                   \
	X(BYTES_IN, "bytes")                                                   \
	X(PKT_TRUNCATED_CAPTURE, "packets_truncated_capture")                  \
	/* decode: what each packet turned out to be */                        \
	X(DEC_UNKNOWN_LINKTYPE, "decode_unknown_linktype")                     \
	X(DEC_TRUNCATED, "decode_truncated")                                   \
	X(DEC_NOT_IP, "decode_not_ip")                                         \
	X(DEC_IPV4_BAD_HEADER, "decode_ipv4_bad_header")                       \
	X(DEC_IPV4_FRAGMENT, "decode_ipv4_fragment")                           \
	X(DEC_IPV6_BAD_HEADER, "decode_ipv6_bad_header")                       \
	X(DEC_IPV6_FRAGMENT, "decode_ipv6_fragment")                           \
	X(DEC_IPV6_EXT_LIMIT, "decode_ipv6_ext_limit")                         \
	X(DEC_TCP_BAD_HEADER, "decode_tcp_bad_header")                         \
	X(DEC_UDP_BAD_HEADER, "decode_udp_bad_header")                         \
	X(DEC_OTHER_L4, "decode_other_l4")                                     \
	X(DEC_VLAN_LIMIT, "decode_vlan_limit")                                 \
	X(DEC_MPLS_LIMIT, "decode_mpls_limit")                                 \
	X(DEC_TUNNEL_LIMIT, "decode_tunnel_limit")                             \
	X(DEC_GRE_UNSUPPORTED, "decode_gre_unsupported")                       \
	X(DEC_ERSPAN_UNSUPPORTED, "decode_erspan_unsupported")                 \
	X(DEC_TUNNEL_BAD_HEADER, "decode_tunnel_bad_header")                   \
	X(DEC_IPV4, "decode_ipv4")                                             \
	X(DEC_IPV6, "decode_ipv6")                                             \
	X(DEC_TCP, "decode_tcp")                                               \
	X(DEC_UDP, "decode_udp")                                               \
	X(DEC_VLAN, "decode_vlan")                                             \
	X(DEC_MPLS, "decode_mpls")                                             \
	X(DEC_GRE, "decode_gre")                                               \
	X(DEC_ERSPAN, "decode_erspan")                                         \
	X(DEC_VXLAN, "decode_vxlan")                                           \
	/* TLS over TCP: detection and hello reassembly */                     \
	X(TLS_CLIENT_HELLO, "tls_client_hello")                                \
	X(TLS_SERVER_HELLO, "tls_server_hello")                                \
	X(TLS_HELLO_RETRY_REQUEST, "tls_hello_retry_request")                  \
	X(TLS_SERVER_HELLO_ORPHAN, "tls_server_hello_without_client_hello")   \
	X(TLS_SECOND_CLIENT_HELLO, "tls_second_client_hello_ignored")          \
	X(REASM_STARTED, "reassembly_started")                                 \
	X(REASM_COMPLETED, "reassembly_completed")                             \
	X(REASM_OUT_OF_ORDER, "reassembly_out_of_order_segments")              \
	X(REASM_DUPLICATE, "reassembly_duplicate_segments")                    \
	X(REASM_TIMEOUT, "reassembly_timeout")                                 \
	X(REASM_OVERFLOW, "reassembly_overflow")                               \
	X(REASM_GAP, "reassembly_gap")                                         \
	X(REASM_NO_MEMORY, "reassembly_no_memory")                             \
	X(REASM_NOT_TLS, "reassembly_not_tls")                                 \
	/* flow table */                                                       \
	X(FLOW_CREATED, "flows_created")                                       \
	X(FLOW_TABLE_FULL, "flow_table_full")                                  \
	X(FLOW_EVICTED, "flows_evicted")                                       \
	X(FLOW_TIMEOUT, "flows_timed_out")                                     \
	/* hello parsing: one counter per named parse error */                 \
	X(PARSE_ERR_TRUNCATED, "parse_error_truncated")                        \
	X(PARSE_ERR_BAD_LENGTH, "parse_error_bad_length")                      \
	X(PARSE_ERR_BAD_EXTENSION, "parse_error_bad_extension")                \
	X(PARSE_ERR_TOO_MANY_ITEMS, "parse_error_too_many_items")              \
	X(PARSE_ERR_BAD_RECORD, "parse_error_bad_record")                      \
	X(PARSE_ERR_UNSUPPORTED, "parse_error_unsupported")                    \
	/* QUIC Initials */                                                    \
	X(QUIC_INITIAL, "quic_initial_packets")                                \
	X(QUIC_DECRYPT_FAILED, "quic_decrypt_failed")                          \
	X(QUIC_UNSUPPORTED_VERSION, "quic_unsupported_version")                \
	X(QUIC_BAD_PACKET, "quic_bad_packet")                                  \
	X(QUIC_BAD_FRAME, "quic_bad_frame")                                    \
	X(QUIC_CRYPTO_OVERFLOW, "quic_crypto_overflow")                        \
	X(QUIC_CLIENT_HELLO, "quic_client_hello")                              \
	X(QUIC_SERVER_HELLO, "quic_server_hello")                              \
	/* DTLS (UDP) */                                                       \
	X(DTLS_HANDSHAKE_DATAGRAMS, "dtls_handshake_datagrams")                \
	X(DTLS_BAD_RECORD, "dtls_bad_record")                                  \
	X(DTLS_HELLO_VERIFY_REQUEST, "dtls_hello_verify_request")              \
	X(DTLS_HANDSHAKE_OVERFLOW, "dtls_handshake_overflow")                  \
	X(DTLS_CLIENT_HELLO, "dtls_client_hello")                              \
	X(DTLS_SERVER_HELLO, "dtls_server_hello")                              \
	/* output */                                                           \
	X(HANDSHAKES, "handshakes")                                            \
	X(RECORD_LISTS_TRUNCATED, "records_lists_truncated")                   \
	X(RECORD_DROPPED, "records_dropped")

enum tlsfp_counter {
#define TLSFP_X_ENUM(id, name) TLSFP_CTR_##id,
	TLSFP_COUNTER_LIST(TLSFP_X_ENUM)
#undef TLSFP_X_ENUM
	TLSFP_CTR__COUNT
};
/* clang-format on */

/* One pipeline's counters. Single writer: the pipeline's own thread. */
struct tlsfp_counters {
	uint64_t v[TLSFP_CTR__COUNT];
};

#define TLSFP_COUNT(ctr, id) ((ctr)->v[TLSFP_CTR_##id]++)
#define TLSFP_COUNT_N(ctr, id, n) ((ctr)->v[TLSFP_CTR_##id] += (n))

/* Stable snake_case name of a counter, e.g. "reassembly_timeout". */
const char *tlsfp_counter_name(enum tlsfp_counter id);

#endif /* TLSFP_COUNTERS_H */
