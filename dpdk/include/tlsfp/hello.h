/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ClientHello / ServerHello parsing into a facts struct.
 *
 * Input is ONE complete handshake message (the 4-byte handshake header
 * followed by its body), already reassembled from TLS records, TCP segments
 * or QUIC CRYPTO frames. The parser copies every list the fingerprints need,
 * with GREASE values (RFC 8701) removed, into fixed arrays; SNI and ALPN are
 * pointers into the message, valid as long as the message buffer is.
 *
 * Contract: reads only [msg, msg + len); never allocates; on any error the
 * facts are unusable and the return value names the failure.
 */
#ifndef TLSFP_HELLO_H
#define TLSFP_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLSFP_HS_CLIENT_HELLO 1
#define TLSFP_HS_SERVER_HELLO 2

#define TLSFP_EXT_SERVER_NAME 0x0000
#define TLSFP_EXT_SUPPORTED_GROUPS 0x000a
#define TLSFP_EXT_EC_POINT_FORMATS 0x000b
#define TLSFP_EXT_SIGNATURE_ALGORITHMS 0x000d
#define TLSFP_EXT_ALPN 0x0010
#define TLSFP_EXT_SUPPORTED_VERSIONS 0x002b

/* Capacities: the wire format's own maxima, so no hello that parses is ever
 * refused or cut, however hostile. A u16-length vector of u16 holds at most
 * 32767 entries, an extension takes at least 4 of the 65535 bytes of the
 * extensions block, point formats and versions have u8 lengths. The facts
 * struct is therefore ~230 KB: keep it off the stack (pipelines allocate
 * one at start-up). TLSFP_PARSE_TOO_MANY_ITEMS stays as a defensive check. */
#define TLSFP_CH_MAX_CIPHERS 32767
#define TLSFP_CH_MAX_EXTS 16383
#define TLSFP_CH_MAX_GROUPS 32767
#define TLSFP_CH_MAX_POINT_FORMATS 255
#define TLSFP_CH_MAX_SIGALGS 32767
#define TLSFP_CH_MAX_VERSIONS 127
#define TLSFP_SH_MAX_EXTS 16383

/* Named parse outcomes; each maps to a PARSE_ERR_* counter. */
enum tlsfp_parse_result {
	TLSFP_PARSE_OK = 0,
	TLSFP_PARSE_TRUNCATED = -1,	/* a length points past the message */
	TLSFP_PARSE_BAD_LENGTH = -2,	/* inconsistent lengths (odd list, trailing bytes) */
	TLSFP_PARSE_BAD_EXTENSION = -3, /* an extension's body does not parse */
	TLSFP_PARSE_TOO_MANY_ITEMS =
		-4, /* a list over the capacities above (cannot happen on the wire) */
	TLSFP_PARSE_UNSUPPORTED = -5, /* not a Client/ServerHello, SSLv2 hello */
};

/* 1 for the 16 GREASE values 0x0a0a, 0x1a1a, ... 0xfafa. */
static inline int
tlsfp_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

struct tlsfp_client_hello {
	uint16_t legacy_version;
	uint16_t max_supported_version; /* highest non-GREASE in ext 0x002b, 0 if none */
	bool has_supported_versions;
	bool has_sni;  /* ext 0x0000 present at all */
	bool has_alpn; /* ext 0x0010 present at all */

	/* Wire order, GREASE removed. */
	uint16_t n_ciphers, n_exts, n_groups, n_point_formats, n_sigalgs, n_versions;
	uint16_t ciphers[TLSFP_CH_MAX_CIPHERS];
	uint16_t exts[TLSFP_CH_MAX_EXTS];
	uint16_t groups[TLSFP_CH_MAX_GROUPS];
	uint16_t point_formats[TLSFP_CH_MAX_POINT_FORMATS];
	uint16_t sigalgs[TLSFP_CH_MAX_SIGALGS]; /* ext 0x000d only */
	uint16_t versions[TLSFP_CH_MAX_VERSIONS];

	/* The first host_name of ext 0x0000 (pointer into the message). */
	const uint8_t *sni;
	uint16_t sni_len;
	/* ALPN ProtocolNameList body: sequence of (u8 len, bytes). */
	const uint8_t *alpn;
	uint16_t alpn_len;
};

struct tlsfp_server_hello {
	uint16_t legacy_version;
	uint16_t selected_version; /* ext 0x002b, 0 if none */
	uint16_t cipher;
	bool is_hello_retry_request; /* random is the RFC 8446 HRR value */
	uint16_t n_exts;
	uint16_t exts[TLSFP_SH_MAX_EXTS]; /* wire order, as sent */
	const uint8_t *alpn;		  /* the selected protocol name, or NULL */
	uint8_t alpn_len;
};

enum tlsfp_parse_result tlsfp_parse_client_hello(const uint8_t *msg, size_t len,
						 struct tlsfp_client_hello *out);
enum tlsfp_parse_result tlsfp_parse_server_hello(const uint8_t *msg, size_t len,
						 struct tlsfp_server_hello *out);
/* DTLS ClientHello (RFC 6347 4.2.1), the message reassembled into the same
 * 4-byte header form (type, u24 length, body): the body has a
 * cookie<0..255> after the session id, which is skipped, and
 * max_supported_version is the highest in DTLS order (0xfefc > 0xfefd >
 * 0xfeff), not numerically. A DTLS ServerHello has no cookie: use
 * tlsfp_parse_server_hello. */
enum tlsfp_parse_result tlsfp_parse_client_hello_dtls(const uint8_t *msg, size_t len,
						      struct tlsfp_client_hello *out);

/*
 * TLS record layer (TCP). A hello travels in handshake records (content
 * type 22); one handshake message may span several records, and several
 * TCP segments. These walk contiguous stream bytes that start at a record
 * boundary.
 */
#define TLSFP_TLS_RECORD_HEADER 5
#define TLSFP_TLS_MAX_RECORD (16384 + 2048)

/* Cheap prefix test on the first bytes of a TCP payload: a handshake record
 * (type 22, version 0x0300..0x0304, length 1..TLSFP_TLS_MAX_RECORD) whose
 * first handshake byte, when present, is a ClientHello (1) or ServerHello
 * (2). Needs only the bytes it has: with < 6 bytes it judges what it sees. */
bool tlsfp_tls_looks_like_hello(const uint8_t *p, size_t len);

enum tlsfp_hs_status {
	TLSFP_HS_COMPLETE = 1,	  /* *msg_len bytes of msg hold one whole message */
	TLSFP_HS_NEED_MORE = 0,	  /* valid so far; more stream bytes needed */
	TLSFP_HS_NOT_TLS = -1,	  /* the stream does not start with a handshake record */
	TLSFP_HS_TOO_BIG = -2,	  /* the message is larger than cap */
	TLSFP_HS_BAD_RECORD = -3, /* a record header is malformed mid-message */
};

/*
 * Collect the first handshake message of `stream` (len contiguous bytes
 * from a record boundary): concatenate the payloads of consecutive handshake
 * records (ChangeCipherSpec records in between are skipped) until the
 * message's 4-byte header and body are complete, copying them into msg.
 * On COMPLETE, *consumed is the number of stream bytes up to the end of the
 * record holding the message's last byte, so a caller can look for the next
 * message (e.g. the ServerHello after a HelloRetryRequest) from there.
 * COMPLETE is returned as soon as the message is whole, so *consumed may be
 * larger than len when that record goes on (a ServerHello packed with its
 * Certificate in one record): the caller must not read past len.
 */
enum tlsfp_hs_status tlsfp_tls_first_handshake(const uint8_t *stream, size_t len, uint8_t *msg,
					       size_t cap, size_t *msg_len, size_t *consumed);

/*
 * DTLS record layer (UDP; RFC 6347 4.1 and 4.2.2, RFC 9147 4). A datagram
 * holds one or more records (13-byte header: type, version 0xfeXX, epoch,
 * u48 sequence, u16 length); a handshake record holds one or more message
 * fragments (12-byte header: type, u24 message length, u16 message_seq,
 * u24 fragment_offset, u24 fragment_length). One message may be split
 * over records and datagrams, which may arrive in any order: the caller
 * reassembles by fragment offset.
 */
#define TLSFP_DTLS_RECORD_HEADER 13
#define TLSFP_DTLS_HS_HEADER 12
#define TLSFP_HS_HELLO_VERIFY_REQUEST 3

/* Cheap prefix test on a UDP payload: a plaintext (epoch 0) handshake
 * record of a DTLS version whose length is 13..TLSFP_TLS_MAX_RECORD and fits
 * the datagram, and whose first fragment is a ClientHello, ServerHello or
 * HelloVerifyRequest. Needs the first 14 bytes. */
bool tlsfp_dtls_looks_like_hello(const uint8_t *p, size_t len);

struct tlsfp_dtls_fragment {
	uint8_t msg_type;
	uint16_t message_seq;
	uint32_t msg_len;  /* body length of the whole message */
	uint32_t frag_off; /* frag_off + frag_len <= msg_len (checked) */
	uint32_t frag_len;
	const uint8_t *data; /* frag_len bytes, inside the datagram */
};

/* Iterator over the handshake fragments of one datagram. */
struct tlsfp_dtls_walk {
	const uint8_t *p;
	size_t len;
	size_t pos;	/* next record header, or next fragment when in a record */
	size_t rec_end; /* end of the handshake record being walked, 0 if none */
};

enum tlsfp_dtls_status {
	TLSFP_DTLS_FRAGMENT = 1, /* *out is the next fragment */
	TLSFP_DTLS_END = 0,	 /* no more plaintext handshake fragments */
	TLSFP_DTLS_BAD = -1,	 /* malformed or cut record or fragment: stop */
};

void tlsfp_dtls_walk_init(struct tlsfp_dtls_walk *w, const uint8_t *dgram, size_t len);
/* Records of other types and encrypted (epoch != 0) records are skipped;
 * a DTLS 1.3 unified-header record ends the walk (it is encrypted). */
enum tlsfp_dtls_status tlsfp_dtls_next_fragment(struct tlsfp_dtls_walk *w,
						struct tlsfp_dtls_fragment *out);

/*
 * Facts -> the views the fp/ functions take (tlsfp/fp.h). The view points
 * into `ch`/`sh` (and, for ALPN, into the message). alpn_first is the first
 * ProtocolName, NULL/0 when there is no ALPN list or the first name is empty.
 */
struct tlsfp_ch_view;
struct tlsfp_sh_view;
void tlsfp_client_hello_view(const struct tlsfp_client_hello *ch, char transport,
			     struct tlsfp_ch_view *out);
void tlsfp_server_hello_view(const struct tlsfp_server_hello *sh, struct tlsfp_sh_view *out);

/* Count a parse failure into its PARSE_ERR_* counter. */
struct tlsfp_counters;
void tlsfp_count_parse_result(struct tlsfp_counters *ctr, enum tlsfp_parse_result r);

#endif /* TLSFP_HELLO_H */
