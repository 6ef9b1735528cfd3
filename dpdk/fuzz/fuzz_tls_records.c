/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TLS record layer: tlsfp_tls_looks_like_hello() and
 * tlsfp_tls_first_handshake() on any stream, with a roomy and a tight
 * message buffer (each exactly sized on the heap, so ASan sees a write
 * past cap). A complete message is handed to both hello parsers, as the
 * pipeline would.
 */
#include "fuzz.h"
#include "tlsfp/hello.h"

#define BIG_CAP 65536
#define SMALL_CAP 300

static void
first_handshake(const uint8_t *data, size_t size, size_t cap)
{
	static struct tlsfp_client_hello ch;
	struct tlsfp_server_hello sh;
	size_t msg_len = 0, consumed = 0;
	enum tlsfp_hs_status st;
	uint8_t *msg = malloc(cap);

	if (msg == NULL)
		return;
	st = tlsfp_tls_first_handshake(data, size, msg, cap, &msg_len, &consumed);
	FUZZ_CHECK(st >= TLSFP_HS_BAD_RECORD && st <= TLSFP_HS_COMPLETE);
	if (st == TLSFP_HS_COMPLETE) {
		FUZZ_CHECK(msg_len >= 4 && msg_len <= cap);
		/* The handshake header's length is the body's. */
		FUZZ_CHECK(msg_len ==
			   4 + (((size_t)msg[1] << 16) | ((size_t)msg[2] << 8) | msg[3]));
		/* A message spans at least its bytes of stream, plus headers;
		 * the last record may run on past len (hello.h). */
		FUZZ_CHECK(consumed >= msg_len + TLSFP_TLS_RECORD_HEADER);
		if (msg[0] == TLSFP_HS_CLIENT_HELLO)
			(void)tlsfp_parse_client_hello(msg, msg_len, &ch);
		else if (msg[0] == TLSFP_HS_SERVER_HELLO)
			(void)tlsfp_parse_server_hello(msg, msg_len, &sh);
	}
	free(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;

	/* The prefix test must judge any prefix without reading past it. */
	for (n = 0; n <= size && n <= 8; n++)
		(void)tlsfp_tls_looks_like_hello(data, n);
	(void)tlsfp_tls_looks_like_hello(data, size);

	first_handshake(data, size, BIG_CAP);
	first_handshake(data, size, SMALL_CAP);
	return 0;
}
