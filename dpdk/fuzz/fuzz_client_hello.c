/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlsfp_parse_client_hello() on any handshake message, and on OK every
 * client fingerprint of fp.h rendered from the facts' view.
 */
#include "fuzz.h"
#include "fuzz_hello_common.h"
#include "tlsfp/fp.h"
#include "tlsfp/hello.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsfp_client_hello ch; /* ~11 KB: not on the stack */
	static const char transports[] = {'t', 'q', 'd'};
	struct tlsfp_ch_view v;
	enum tlsfp_parse_result r;
	uint32_t i;

	r = tlsfp_parse_client_hello(data, size, &ch);
	FUZZ_CHECK(r <= TLSFP_PARSE_OK && r >= TLSFP_PARSE_UNSUPPORTED);
	if (r != TLSFP_PARSE_OK)
		return 0;

	FUZZ_CHECK(ch.n_ciphers <= TLSFP_CH_MAX_CIPHERS && ch.n_exts <= TLSFP_CH_MAX_EXTS &&
		   ch.n_groups <= TLSFP_CH_MAX_GROUPS &&
		   ch.n_point_formats <= TLSFP_CH_MAX_POINT_FORMATS &&
		   ch.n_sigalgs <= TLSFP_CH_MAX_SIGALGS && ch.n_versions <= TLSFP_CH_MAX_VERSIONS);
	for (i = 0; i < ch.n_ciphers; i++)
		FUZZ_CHECK(!tlsfp_is_grease(ch.ciphers[i]));
	for (i = 0; i < ch.n_exts; i++)
		FUZZ_CHECK(!tlsfp_is_grease(ch.exts[i]));
	FUZZ_CHECK(!tlsfp_is_grease(ch.max_supported_version));
	if (ch.sni != NULL)
		FUZZ_CHECK(fuzz_inside(ch.sni, ch.sni_len, data, size));
	if (ch.alpn != NULL)
		FUZZ_CHECK(fuzz_inside(ch.alpn, ch.alpn_len, data, size));

	tlsfp_client_hello_view(&ch, transports[size % 3], &v);
	if (v.alpn_first != NULL)
		FUZZ_CHECK(fuzz_inside(v.alpn_first, v.alpn_first_len, data, size));
	fuzz_render_ch(&v, size % 97);
	return 0;
}
