/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsed hello facts → the views the fp/ functions take. The views point
 * into the facts (and, for ALPN, into the message), so they live as long as
 * both do.
 */
#include "tlsfp/fp.h"
#include "tlsfp/hello.h"

void
tlsfp_client_hello_view(const struct tlsfp_client_hello *ch, char transport,
			struct tlsfp_ch_view *out)
{
	out->transport = transport;
	out->legacy_version = ch->legacy_version;
	out->max_supported_version = ch->max_supported_version;
	out->has_sni = ch->has_sni;
	out->has_alpn = ch->has_alpn;
	out->ciphers = (struct tlsfp_u16s){ch->ciphers, ch->n_ciphers};
	out->exts = (struct tlsfp_u16s){ch->exts, ch->n_exts};
	out->groups = (struct tlsfp_u16s){ch->groups, ch->n_groups};
	out->point_formats = (struct tlsfp_u16s){ch->point_formats, ch->n_point_formats};
	out->sigalgs = (struct tlsfp_u16s){ch->sigalgs, ch->n_sigalgs};
	/* The parser checked that the names tile the list: the first name's
	 * length byte is within alpn_len. */
	out->alpn_first = NULL;
	out->alpn_first_len = 0;
	if (ch->alpn != NULL && ch->alpn_len >= 1 && ch->alpn[0] != 0 &&
	    (uint32_t)ch->alpn[0] + 1 <= ch->alpn_len) {
		out->alpn_first = ch->alpn + 1;
		out->alpn_first_len = ch->alpn[0];
	}
}

void
tlsfp_server_hello_view(const struct tlsfp_server_hello *sh, struct tlsfp_sh_view *out)
{
	out->legacy_version = sh->legacy_version;
	out->cipher = sh->cipher;
	out->exts = (struct tlsfp_u16s){sh->exts, sh->n_exts};
}
