/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Handshake records: filled from parsed hellos on the packet path, viewed by
 * consumers (the addon renders the clear strings through the views).
 */
#include <string.h>

#include "pipeline/record_fill.h"
#include "tlsfp/fp.h"

/* The first ProtocolName of an ALPN ProtocolNameList body, bounds-checked:
 * NULL/0 when the list is empty, its first name is empty or overruns. */
static void
alpn_first(const uint8_t *list, uint32_t len, const uint8_t **name, uint32_t *name_len)
{
	*name = NULL;
	*name_len = 0;
	if (list == NULL || len < 1)
		return;
	uint32_t n = list[0];
	if (n == 0 || 1 + n > len)
		return;
	*name = list + 1;
	*name_len = n;
}

/* Copy n u16 into the record's shared list area at *used; returns the count
 * stored and sets *truncated when they did not all fit. */
static uint16_t
put_list(struct tlsfp_record *rec, uint32_t *used, const uint16_t *v, uint32_t n, int *truncated)
{
	uint32_t room = TLSFP_REC_LIST_CAP - *used;
	if (n > room) {
		n = room;
		*truncated = 1;
	}
	memcpy(&rec->lists[*used], v, n * sizeof(uint16_t));
	*used += n;
	return (uint16_t)n;
}

/* Keep whole ProtocolNames only, so a truncated list still parses. */
static uint16_t
alpn_prefix_len(const uint8_t *list, uint32_t len, uint32_t cap)
{
	uint32_t pos = 0;
	while (pos < len) {
		uint32_t next = pos + 1 + list[pos];
		if (next > len || next > cap)
			break;
		pos = next;
	}
	return (uint16_t)pos;
}

void
tlsfp_record_begin(struct tlsfp_record *rec, const struct tlsfp_packet *pkt, char transport,
		   uint64_t flow_id, uint64_t ts_ns)
{
	memset(rec, 0, sizeof(*rec));
	rec->ts_ns = ts_ns;
	rec->flow_id = flow_id;
	memcpy(rec->src_ip, pkt->src, 16);
	memcpy(rec->dst_ip, pkt->dst, 16);
	rec->src_port = pkt->sport;
	rec->dst_port = pkt->dport;
	rec->ip_version = pkt->ip_version;
	rec->l4proto = pkt->l4proto;
	rec->transport = transport;
	rec->vlan_count = pkt->vlan_count <= 4 ? pkt->vlan_count : 4;
	for (unsigned i = 0; i < rec->vlan_count; i++)
		rec->vlan[i] = pkt->vlan[i];
}

static void
ch_view_of_hello(const struct tlsfp_client_hello *ch, char transport, struct tlsfp_ch_view *v)
{
	memset(v, 0, sizeof(*v));
	v->transport = transport;
	v->legacy_version = ch->legacy_version;
	v->max_supported_version = ch->has_supported_versions ? ch->max_supported_version : 0;
	v->has_sni = ch->has_sni;
	v->has_alpn = ch->has_alpn;
	v->ciphers.v = ch->ciphers;
	v->ciphers.n = ch->n_ciphers;
	v->exts.v = ch->exts;
	v->exts.n = ch->n_exts;
	v->groups.v = ch->groups;
	v->groups.n = ch->n_groups;
	v->point_formats.v = ch->point_formats;
	v->point_formats.n = ch->n_point_formats;
	v->sigalgs.v = ch->sigalgs;
	v->sigalgs.n = ch->n_sigalgs;
	alpn_first(ch->alpn, ch->alpn_len, &v->alpn_first, &v->alpn_first_len);
}

void
tlsfp_record_fill_ch(struct tlsfp_record *rec, const struct tlsfp_client_hello *ch, char *scratch,
		     size_t scratch_cap)
{
	struct tlsfp_ch_view v;
	uint32_t used = 0;
	int truncated = 0;

	rec->flags |= TLSFP_REC_F_CLIENT_HELLO;
	if (ch->has_sni)
		rec->flags |= TLSFP_REC_F_HAS_SNI;
	if (ch->has_alpn)
		rec->flags |= TLSFP_REC_F_HAS_ALPN;
	if (ch->has_supported_versions)
		rec->flags |= TLSFP_REC_F_HAS_SUPPORTED_VERSIONS;
	rec->ch_legacy_version = ch->legacy_version;
	rec->ch_max_supported_version = ch->has_supported_versions ? ch->max_supported_version : 0;

	rec->n_ciphers = put_list(rec, &used, ch->ciphers, ch->n_ciphers, &truncated);
	rec->n_exts = put_list(rec, &used, ch->exts, ch->n_exts, &truncated);
	rec->n_groups = put_list(rec, &used, ch->groups, ch->n_groups, &truncated);
	rec->n_point_formats =
		put_list(rec, &used, ch->point_formats, ch->n_point_formats, &truncated);
	rec->n_sigalgs = put_list(rec, &used, ch->sigalgs, ch->n_sigalgs, &truncated);
	rec->n_versions = put_list(rec, &used, ch->versions, ch->n_versions, &truncated);
	if (truncated)
		rec->flags |= TLSFP_REC_F_LISTS_TRUNCATED;

	/* SNI: NUL-terminated for C consumers, so at most CAP - 1 bytes. */
	uint32_t sni_len = ch->sni != NULL ? ch->sni_len : 0;
	if (sni_len > TLSFP_REC_SNI_CAP - 1) {
		sni_len = TLSFP_REC_SNI_CAP - 1;
		rec->flags |= TLSFP_REC_F_SNI_TRUNCATED;
	}
	if (sni_len > 0)
		memcpy(rec->sni, ch->sni, sni_len);
	rec->sni[sni_len] = '\0';
	rec->sni_len = (uint16_t)sni_len;

	uint32_t alpn_len = ch->alpn != NULL ? ch->alpn_len : 0;
	if (alpn_len > TLSFP_REC_ALPN_CAP) {
		alpn_len = alpn_prefix_len(ch->alpn, alpn_len, TLSFP_REC_ALPN_CAP);
		rec->flags |= TLSFP_REC_F_ALPN_TRUNCATED;
	}
	if (alpn_len > 0)
		memcpy(rec->alpn, ch->alpn, alpn_len);
	rec->alpn_len = (uint16_t)alpn_len;

	/* Fingerprints over the complete parsed lists. */
	ch_view_of_hello(ch, rec->transport, &v);
	size_t n = tlsfp_ja3_string(&v, scratch, scratch_cap);
	if (n >= scratch_cap)
		n = scratch_cap - 1; /* cannot happen with TLSFP_JA3_STR_MAX */
	tlsfp_md5_hex(scratch, n, rec->ja3);
	tlsfp_ja4(&v, rec->ja4);
	tlsfp_ja4_o(&v, rec->ja4_o);
}

void
tlsfp_record_fill_sh(struct tlsfp_record *rec, const struct tlsfp_server_hello *sh, char *scratch,
		     size_t scratch_cap)
{
	struct tlsfp_sh_view v;
	uint32_t n_exts = sh->n_exts;

	rec->flags |= TLSFP_REC_F_SERVER_HELLO;
	rec->sh_legacy_version = sh->legacy_version;
	rec->sh_selected_version = sh->selected_version;
	rec->sh_cipher = sh->cipher;
	if (n_exts > TLSFP_REC_SH_EXTS_CAP) {
		n_exts = TLSFP_REC_SH_EXTS_CAP;
		rec->flags |= TLSFP_REC_F_LISTS_TRUNCATED;
	}
	memcpy(rec->sh_exts, sh->exts, n_exts * sizeof(uint16_t));
	rec->sh_n_exts = (uint16_t)n_exts;
	/* alpn_len is a u8: it always fits the 256-byte field with its NUL. */
	rec->sh_alpn_len = sh->alpn != NULL ? sh->alpn_len : 0;
	if (rec->sh_alpn_len > 0)
		memcpy(rec->sh_alpn, sh->alpn, rec->sh_alpn_len);
	rec->sh_alpn[rec->sh_alpn_len] = '\0';

	v.legacy_version = sh->legacy_version;
	v.cipher = sh->cipher;
	v.exts.v = sh->exts;
	v.exts.n = sh->n_exts;
	size_t n = tlsfp_ja3s_string(&v, scratch, scratch_cap);
	if (n >= scratch_cap)
		n = scratch_cap - 1;
	tlsfp_md5_hex(scratch, n, rec->ja3s);
}

/*
 * Views. A record may come from another process through shared memory, so
 * its counts are clamped to what the arrays hold rather than trusted.
 */
void
tlsfp_record_lists(const struct tlsfp_record *rec, struct tlsfp_record_lists *out)
{
	const uint16_t n[6] = {rec->n_ciphers,	     rec->n_exts,    rec->n_groups,
			       rec->n_point_formats, rec->n_sigalgs, rec->n_versions};
	struct tlsfp_u16s *dst[6] = {&out->ciphers,	  &out->exts,	 &out->groups,
				     &out->point_formats, &out->sigalgs, &out->versions};
	uint32_t used = 0;

	for (int i = 0; i < 6; i++) {
		uint32_t k = n[i];
		if (k > TLSFP_REC_LIST_CAP - used)
			k = TLSFP_REC_LIST_CAP - used;
		dst[i]->v = &rec->lists[used];
		dst[i]->n = k;
		used += k;
	}
}

void
tlsfp_record_ch_view(const struct tlsfp_record *rec, struct tlsfp_ch_view *out)
{
	struct tlsfp_record_lists l;
	uint32_t alpn_len =
		rec->alpn_len <= TLSFP_REC_ALPN_CAP ? rec->alpn_len : TLSFP_REC_ALPN_CAP;

	tlsfp_record_lists(rec, &l);
	memset(out, 0, sizeof(*out));
	out->transport = rec->transport;
	out->legacy_version = rec->ch_legacy_version;
	out->max_supported_version = rec->ch_max_supported_version;
	out->has_sni = (rec->flags & TLSFP_REC_F_HAS_SNI) != 0;
	out->has_alpn = (rec->flags & TLSFP_REC_F_HAS_ALPN) != 0;
	out->ciphers = l.ciphers;
	out->exts = l.exts;
	out->groups = l.groups;
	out->point_formats = l.point_formats;
	out->sigalgs = l.sigalgs;
	alpn_first(rec->alpn, alpn_len, &out->alpn_first, &out->alpn_first_len);
}

void
tlsfp_record_sh_view(const struct tlsfp_record *rec, struct tlsfp_sh_view *out)
{
	memset(out, 0, sizeof(*out));
	out->legacy_version = rec->sh_legacy_version;
	out->cipher = rec->sh_cipher;
	out->exts.v = rec->sh_exts;
	out->exts.n =
		rec->sh_n_exts <= TLSFP_REC_SH_EXTS_CAP ? rec->sh_n_exts : TLSFP_REC_SH_EXTS_CAP;
}
