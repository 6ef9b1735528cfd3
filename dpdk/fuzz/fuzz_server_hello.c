/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tlsfp_parse_server_hello() on any handshake message, and on OK the JA3S
 * string and hash rendered from the facts' view.
 */
#include "fuzz.h"
#include "fuzz_hello_common.h"
#include "tlsfp/fp.h"
#include "tlsfp/hello.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsfp_server_hello sh;
	struct tlsfp_sh_view v;
	enum tlsfp_parse_result r;

	r = tlsfp_parse_server_hello(data, size, &sh);
	FUZZ_CHECK(r <= TLSFP_PARSE_OK && r >= TLSFP_PARSE_UNSUPPORTED);
	if (r != TLSFP_PARSE_OK)
		return 0;

	FUZZ_CHECK(sh.n_exts <= TLSFP_SH_MAX_EXTS);
	if (sh.alpn != NULL)
		FUZZ_CHECK(fuzz_inside(sh.alpn, sh.alpn_len, data, size));
	FUZZ_CHECK(tlsfp_version_name(sh.selected_version) != NULL);

	tlsfp_server_hello_view(&sh, &v);
	fuzz_render_sh(&v, size % 97);
	return 0;
}
