/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed records (tlsfp/record.h): a record's fields in struct order, each
 * array cut to the length the record says it holds. Unpacking checks every
 * length against the record's capacities and the bytes given, because packed
 * records come back from a file (the control plane's SQLite history).
 */
#include <stddef.h>
#include <string.h>

#include "tlsfp/record.h"

#define PACK_MAGIC 'P'

/* Fixed fields before the shared list area, copied as one block. */
#define HEAD_LEN offsetof(struct tlsfp_record, lists)
#define SH_HEAD_OFF offsetof(struct tlsfp_record, sh_legacy_version)
#define SH_HEAD_LEN (offsetof(struct tlsfp_record, sh_exts) - SH_HEAD_OFF)
#define CH_HASHES_OFF offsetof(struct tlsfp_record, ja3)
#define CH_HASHES_LEN (offsetof(struct tlsfp_record, sh_legacy_version) - CH_HASHES_OFF)

_Static_assert(offsetof(struct tlsfp_record, ja4) ==
		       offsetof(struct tlsfp_record, ja3) + sizeof(((struct tlsfp_record *)0)->ja3),
	       "ja3, ja4, ja4_o are adjacent");
_Static_assert(offsetof(struct tlsfp_record, sh_n_exts) + sizeof(uint16_t) ==
		       offsetof(struct tlsfp_record, sh_exts),
	       "sh_n_exts ends the ServerHello's fixed fields");

/* Entries used in the shared list area: the sum of the counts, capped as
 * tlsfp_record_lists caps it. */
static uint32_t
list_entries(const struct tlsfp_record *rec)
{
	uint32_t n = (uint32_t)rec->n_ciphers + rec->n_exts + rec->n_groups + rec->n_point_formats +
		     rec->n_sigalgs + rec->n_versions;
	return n < TLSFP_REC_LIST_CAP ? n : TLSFP_REC_LIST_CAP;
}

static uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

struct cursor {
	uint8_t *p;
	const uint8_t *end;
	int short_;
};

static void
put(struct cursor *c, const void *src, size_t n)
{
	if (c->short_ || (size_t)(c->end - c->p) < n) {
		c->short_ = 1;
		return;
	}
	memcpy(c->p, src, n);
	c->p += n;
}

size_t
tlsfp_record_pack(const struct tlsfp_record *rec, uint8_t *out, size_t cap)
{
	struct cursor c = {out, out + cap, 0};
	const uint8_t magic[2] = {PACK_MAGIC, TLSFP_RECORD_ABI};
	uint16_t sni_len = (uint16_t)min_u32(rec->sni_len, TLSFP_REC_SNI_CAP);
	uint16_t alpn_len = (uint16_t)min_u32(rec->alpn_len, TLSFP_REC_ALPN_CAP);
	uint16_t sh_n_exts = (uint16_t)min_u32(rec->sh_n_exts, TLSFP_REC_SH_EXTS_CAP);
	uint16_t sh_alpn_len = (uint16_t)min_u32(rec->sh_alpn_len, TLSFP_REC_SH_ALPN_CAP);

	put(&c, magic, sizeof(magic));
	put(&c, rec, HEAD_LEN);
	put(&c, rec->lists, list_entries(rec) * sizeof(uint16_t));
	put(&c, &sni_len, sizeof(sni_len));
	put(&c, &alpn_len, sizeof(alpn_len));
	put(&c, rec->sni, sni_len);
	put(&c, rec->alpn, alpn_len);
	put(&c, (const uint8_t *)rec + CH_HASHES_OFF, CH_HASHES_LEN);
	put(&c, (const uint8_t *)rec + SH_HEAD_OFF, SH_HEAD_LEN - sizeof(uint16_t));
	put(&c, &sh_n_exts, sizeof(sh_n_exts));
	put(&c, rec->sh_exts, sh_n_exts * sizeof(uint16_t));
	put(&c, &sh_alpn_len, sizeof(sh_alpn_len));
	put(&c, rec->sh_alpn, sh_alpn_len);
	put(&c, rec->ja3s, sizeof(rec->ja3s));
	return c.short_ ? 0 : (size_t)(c.p - out);
}

struct reader {
	const uint8_t *p;
	const uint8_t *end;
	int bad;
};

static void
take(struct reader *r, void *dst, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return;
	}
	memcpy(dst, r->p, n);
	r->p += n;
}

/* A length field, refused above cap. */
static uint16_t
take_len(struct reader *r, uint32_t cap)
{
	uint16_t v = 0;
	take(r, &v, sizeof(v));
	if (v > cap)
		r->bad = 1;
	return r->bad ? 0 : v;
}

int
tlsfp_record_unpack(const uint8_t *in, size_t len, struct tlsfp_record *rec)
{
	struct reader r = {in, in + len, 0};
	uint8_t magic[2] = {0, 0};

	memset(rec, 0, sizeof(*rec));
	take(&r, magic, sizeof(magic));
	if (r.bad || magic[0] != PACK_MAGIC || magic[1] != TLSFP_RECORD_ABI)
		goto bad;
	take(&r, rec, HEAD_LEN);
	if (r.bad)
		goto bad;
	take(&r, rec->lists, list_entries(rec) * sizeof(uint16_t));
	rec->sni_len = take_len(&r, TLSFP_REC_SNI_CAP);
	rec->alpn_len = take_len(&r, TLSFP_REC_ALPN_CAP);
	take(&r, rec->sni, rec->sni_len);
	take(&r, rec->alpn, rec->alpn_len);
	take(&r, (uint8_t *)rec + CH_HASHES_OFF, CH_HASHES_LEN);
	take(&r, (uint8_t *)rec + SH_HEAD_OFF, SH_HEAD_LEN - sizeof(uint16_t));
	rec->sh_n_exts = take_len(&r, TLSFP_REC_SH_EXTS_CAP);
	take(&r, rec->sh_exts, rec->sh_n_exts * sizeof(uint16_t));
	rec->sh_alpn_len = take_len(&r, TLSFP_REC_SH_ALPN_CAP);
	take(&r, rec->sh_alpn, rec->sh_alpn_len);
	take(&r, rec->ja3s, sizeof(rec->ja3s));
	if (r.bad || r.p != r.end)
		goto bad;
	/* The C strings stay terminated whatever the bytes said. */
	rec->ja3[sizeof(rec->ja3) - 1] = '\0';
	rec->ja4[sizeof(rec->ja4) - 1] = '\0';
	rec->ja4_o[sizeof(rec->ja4_o) - 1] = '\0';
	rec->ja3s[sizeof(rec->ja3s) - 1] = '\0';
	return 0;
bad:
	memset(rec, 0, sizeof(*rec));
	return -1;
}

int
tlsfp_record_unpack_head(const uint8_t *in, size_t len, struct tlsfp_record *rec)
{
	if (len < 2 + HEAD_LEN || in[0] != PACK_MAGIC || in[1] != TLSFP_RECORD_ABI)
		return -1;
	memcpy(rec, in + 2, HEAD_LEN);
	return 0;
}
