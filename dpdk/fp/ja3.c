/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JA3 and JA3S strings (Salesforce JA3 README; shared/FINGERPRINTS.md):
 * decimal numbers, items joined by '-', fields by ','; an empty list leaves
 * an empty field with its commas. The hash is tlsfp_md5_hex of the string.
 */
#include "fp/sink.h"

/* Items of a client list in decimal, '-'-joined. GREASE is dropped again
 * here so a view from any source renders per the spec. */
static void
put_dec_list(struct tlsfp_sink *s, const struct tlsfp_u16s *l, bool drop_grease)
{
	char sep = '\0';
	for (uint32_t i = 0; i < l->n; i++) {
		if (drop_grease && tlsfp_is_grease(l->v[i]))
			continue;
		tlsfp_sink_dec(s, sep, l->v[i]);
		sep = '-';
	}
}

size_t
tlsfp_ja3_string(const struct tlsfp_ch_view *ch, char *out, size_t cap)
{
	struct tlsfp_sink s;

	tlsfp_sink_string(&s, out, cap);
	tlsfp_sink_dec(&s, '\0', ch->legacy_version);
	tlsfp_sink_char(&s, ',');
	put_dec_list(&s, &ch->ciphers, true);
	tlsfp_sink_char(&s, ',');
	put_dec_list(&s, &ch->exts, true);
	tlsfp_sink_char(&s, ',');
	put_dec_list(&s, &ch->groups, true);
	tlsfp_sink_char(&s, ',');
	put_dec_list(&s, &ch->point_formats, false);
	return tlsfp_sink_finish(&s);
}

size_t
tlsfp_ja3s_string(const struct tlsfp_sh_view *sh, char *out, size_t cap)
{
	struct tlsfp_sink s;

	tlsfp_sink_string(&s, out, cap);
	tlsfp_sink_dec(&s, '\0', sh->legacy_version);
	tlsfp_sink_char(&s, ',');
	tlsfp_sink_dec(&s, '\0', sh->cipher);
	tlsfp_sink_char(&s, ',');
	/* Server extensions as sent: the reference does not filter GREASE. */
	put_dec_list(&s, &sh->exts, false);
	return tlsfp_sink_finish(&s);
}
