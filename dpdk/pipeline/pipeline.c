/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline's frame: lifecycle, the per-packet entry, flow entries and
 * records going out, expiry and flush. The protocol paths are in
 * tcp_path.c and quic_path.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pipeline_internal.h"
#include "pipeline/record_fill.h"

#define NS_PER_S UINT64_C(1000000000)
/* Expiry from packet time: every this many packets, or once a second. */
#define EXPIRE_EVERY_PKTS 1024
#define EXPIRE_EVERY_NS NS_PER_S
/* Sanity bounds of a configuration. */
#define MIN_HELLO_BYTES 64
#define MAX_HELLO_BYTES (1u << 24)
#define MAX_FLOWS (1u << 26)

void
tlsfp_pipeline_config_defaults(struct tlsfp_pipeline_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_flows = 16384;
	cfg->hello_max_bytes = 16384;
	cfg->reasm_max_bytes = UINT64_C(64) << 20;
	cfg->hello_timeout_ns = 10 * NS_PER_S;
	cfg->flow_timeout_ns = 30 * NS_PER_S;
}

static void *
default_zalloc(size_t size, void *arg)
{
	(void)arg;
	return calloc(1, size);
}

static void
default_free(void *ptr, void *arg)
{
	(void)arg;
	free(ptr);
}

static void *
cfg_zalloc(const struct tlsfp_pipeline *p, size_t size)
{
	/* Never ask an allocator for 0 bytes: some return NULL for it. */
	return p->cfg.zalloc(size ? size : 1, p->cfg.alloc_arg);
}

static int
config_valid(const struct tlsfp_pipeline_config *cfg)
{
	if (cfg->max_flows == 0 || cfg->max_flows > MAX_FLOWS)
		return 0;
	if (cfg->hello_max_bytes < MIN_HELLO_BYTES || cfg->hello_max_bytes > MAX_HELLO_BYTES)
		return 0;
	if (cfg->hello_timeout_ns == 0 || cfg->flow_timeout_ns == 0)
		return 0;
	if ((cfg->zalloc == NULL) != (cfg->free == NULL))
		return 0;
	/* The buffer count must fit the pool's u32 indices. */
	if (cfg->reasm_max_bytes / cfg->hello_max_bytes >= UINT32_MAX)
		return 0;
	return 1;
}

struct tlsfp_pipeline *
tlsfp_pipeline_create(const struct tlsfp_pipeline_config *cfg, tlsfp_emit_fn emit, void *emit_ctx)
{
	struct tlsfp_pipeline *p;
	struct tlsfp_pipeline_config c;
	uint32_t n_bufs;

	if (cfg == NULL || emit == NULL || !config_valid(cfg)) {
		errno = EINVAL;
		return NULL;
	}
	c = *cfg;
	if (c.zalloc == NULL) {
		c.zalloc = default_zalloc;
		c.free = default_free;
	}
	p = c.zalloc(sizeof(*p), c.alloc_arg);
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	p->cfg = c;
	p->emit = emit;
	p->emit_ctx = emit_ctx;

	n_bufs = (uint32_t)(c.reasm_max_bytes / c.hello_max_bytes);
	p->fp_scratch_cap =
		TLSFP_JA3_STR_MAX > TLSFP_JA3S_STR_MAX ? TLSFP_JA3_STR_MAX : TLSFP_JA3S_STR_MAX;
	p->mem_flows = cfg_zalloc(p, tlsfp_flow_table_entries_size(c.max_flows));
	p->mem_buckets = cfg_zalloc(p, tlsfp_flow_table_buckets_size(c.max_flows));
	p->mem_records = cfg_zalloc(p, (size_t)c.max_flows * sizeof(struct tlsfp_record));
	p->mem_pool = cfg_zalloc(p, (size_t)n_bufs * c.hello_max_bytes);
	p->mem_free_stack = cfg_zalloc(p, (size_t)n_bufs * sizeof(uint32_t));
	p->mem_msg = cfg_zalloc(p, c.hello_max_bytes);
	p->mem_ch = cfg_zalloc(p, sizeof(struct tlsfp_client_hello));
	p->mem_sh = cfg_zalloc(p, sizeof(struct tlsfp_server_hello));
	p->mem_scratch = cfg_zalloc(p, p->fp_scratch_cap);
	p->mem_qi = cfg_zalloc(p, sizeof(struct tlsfp_quic_initial));
	p->quic = tlsfp_quic_ctx_create();
	if (!p->mem_flows || !p->mem_buckets || !p->mem_records || !p->mem_pool ||
	    !p->mem_free_stack || !p->mem_msg || !p->mem_ch || !p->mem_sh || !p->mem_scratch ||
	    !p->mem_qi || !p->quic) {
		tlsfp_pipeline_destroy(p);
		errno = ENOMEM;
		return NULL;
	}

	tlsfp_flow_table_init(&p->ft, c.max_flows, p->mem_flows, p->mem_buckets);
	tlsfp_sb_pool_init(&p->pool, p->mem_pool, p->mem_free_stack, n_bufs, c.hello_max_bytes);
	p->records = p->mem_records;
	p->msg = p->mem_msg;
	p->ch = p->mem_ch;
	p->sh = p->mem_sh;
	p->fp_scratch = p->mem_scratch;
	p->qi = p->mem_qi;
	return p;
}

void
tlsfp_pipeline_destroy(struct tlsfp_pipeline *p)
{
	if (p == NULL)
		return;
	void (*fr)(void *, void *) = p->cfg.free;
	void *arg = p->cfg.alloc_arg;
	void *mem[] = {p->mem_flows,	  p->mem_buckets, p->mem_records, p->mem_pool,
		       p->mem_free_stack, p->mem_msg,	  p->mem_ch,	  p->mem_sh,
		       p->mem_scratch,	  p->mem_qi};

	if (p->quic != NULL)
		tlsfp_quic_ctx_destroy(p->quic);
	for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++)
		if (mem[i] != NULL)
			fr(mem[i], arg);
	fr(p, arg);
}

const struct tlsfp_counters *
tlsfp_pipeline_counters(const struct tlsfp_pipeline *p)
{
	return &p->ctr;
}

/* ---- flow entries and records ---------------------------------------- */

struct tlsfp_record *
tlsfp_pl_record(struct tlsfp_pipeline *p, const struct tlsfp_flow *f)
{
	return &p->records[tlsfp_flow_index(&p->ft, f)];
}

void
tlsfp_pl_flow_free(struct tlsfp_pipeline *p, struct tlsfp_flow *f)
{
	tlsfp_sb_release(&p->pool, &f->dir[0].sb);
	tlsfp_sb_release(&p->pool, &f->dir[1].sb);
	tlsfp_flow_remove(&p->ft, f);
}

void
tlsfp_pl_emit(struct tlsfp_pipeline *p, struct tlsfp_flow *f, enum tlsfp_record_reason why)
{
	struct tlsfp_record *rec = tlsfp_pl_record(p, f);

	rec->reason = (uint8_t)why;
	TLSFP_COUNT(&p->ctr, HANDSHAKES);
	if (rec->flags & TLSFP_REC_F_LISTS_TRUNCATED)
		TLSFP_COUNT(&p->ctr, RECORD_LISTS_TRUNCATED);
	p->emit(p->emit_ctx, rec);
}

void
tlsfp_pl_complete(struct tlsfp_pipeline *p, struct tlsfp_flow *f, uint64_t ts)
{
	tlsfp_pl_emit(p, f, TLSFP_REC_R_SERVER_HELLO);
	for (unsigned d = 0; d < 2; d++) {
		tlsfp_sb_release(&p->pool, &f->dir[d].sb);
		f->dir[d].done = 1;
	}
	f->finished = 1;
	tlsfp_flow_set_class(&p->ft, f, TLSFP_FLOW_C_LIGHT, ts);
}

enum tlsfp_pl_outcome
tlsfp_pl_dir_fail(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d)
{
	if (d == f->client_dir) {
		tlsfp_pl_flow_free(p, f);
		return TLSFP_PL_GONE;
	}
	tlsfp_sb_release(&p->pool, &f->dir[d].sb);
	f->dir[d].done = 1;
	return TLSFP_PL_KEEP;
}

/*
 * Make room by pushing out one entry: a LIGHT one (SYN only, or record
 * already written) when there is one, as they cost nothing to lose; else the
 * oldest of the hello and awaiting classes, writing its record when its
 * ClientHello is complete.
 */
static void
evict_one(struct tlsfp_pipeline *p)
{
	struct tlsfp_flow *f = tlsfp_flow_oldest(&p->ft, TLSFP_FLOW_C_LIGHT);

	if (f != NULL) {
		tlsfp_pl_flow_free(p, f);
		return;
	}
	struct tlsfp_flow *h = tlsfp_flow_oldest(&p->ft, TLSFP_FLOW_C_HELLO);
	struct tlsfp_flow *a = tlsfp_flow_oldest(&p->ft, TLSFP_FLOW_C_AWAIT);
	f = h;
	if (f == NULL || (a != NULL && a->class_ts < h->class_ts))
		f = a;
	if (f == NULL)
		return;
	TLSFP_COUNT(&p->ctr, FLOW_EVICTED);
	if (f->ch_done)
		tlsfp_pl_emit(p, f, TLSFP_REC_R_EVICTED);
	tlsfp_pl_flow_free(p, f);
}

struct tlsfp_flow *
tlsfp_pl_flow_new(struct tlsfp_pipeline *p, const struct tlsfp_flow_key *key, uint64_t hash,
		  enum tlsfp_flow_class cls, uint64_t ts)
{
	struct tlsfp_flow *f = tlsfp_flow_insert(&p->ft, key, hash, cls, ts);

	if (f == NULL) {
		TLSFP_COUNT(&p->ctr, FLOW_TABLE_FULL);
		evict_one(p);
		f = tlsfp_flow_insert(&p->ft, key, hash, cls, ts);
		if (f == NULL)
			return NULL; /* max_flows >= 1: cannot happen */
	}
	TLSFP_COUNT(&p->ctr, FLOW_CREATED);
	return f;
}

/* ---- expiry and flush ----------------------------------------------- */

static int
expired(const struct tlsfp_flow *f, uint64_t now, uint64_t timeout)
{
	return now >= f->class_ts && now - f->class_ts >= timeout;
}

/* A hello was in progress and will never complete. */
static void
drop_unfinished(struct tlsfp_pipeline *p, struct tlsfp_flow *f, enum tlsfp_counter why)
{
	p->ctr.v[why]++;
	tlsfp_pl_flow_free(p, f);
}

void
tlsfp_pipeline_expire(struct tlsfp_pipeline *p, uint64_t now_ns)
{
	struct tlsfp_flow *f;

	p->last_expire_ns = now_ns;
	p->pkts_since_expire = 0;
	/* Each list is in class-entry order: stop at the first live entry.
	 * LIGHT entries (SYN only, record already written) go quietly. */
	while ((f = tlsfp_flow_oldest(&p->ft, TLSFP_FLOW_C_LIGHT)) != NULL &&
	       expired(f, now_ns, p->cfg.hello_timeout_ns))
		tlsfp_pl_flow_free(p, f);
	while ((f = tlsfp_flow_oldest(&p->ft, TLSFP_FLOW_C_HELLO)) != NULL &&
	       expired(f, now_ns, p->cfg.hello_timeout_ns)) {
		TLSFP_COUNT(&p->ctr, FLOW_TIMEOUT);
		drop_unfinished(p, f, TLSFP_CTR_REASM_TIMEOUT);
	}
	while ((f = tlsfp_flow_oldest(&p->ft, TLSFP_FLOW_C_AWAIT)) != NULL &&
	       expired(f, now_ns, p->cfg.flow_timeout_ns)) {
		TLSFP_COUNT(&p->ctr, FLOW_TIMEOUT);
		tlsfp_pl_emit(p, f, TLSFP_REC_R_TIMEOUT);
		tlsfp_pl_flow_free(p, f);
	}
}

void
tlsfp_pipeline_flush(struct tlsfp_pipeline *p)
{
	struct tlsfp_flow *f;

	while ((f = tlsfp_flow_oldest(&p->ft, TLSFP_FLOW_C_LIGHT)) != NULL)
		tlsfp_pl_flow_free(p, f);
	/* The input ended with these hellos incomplete: bytes are missing. */
	while ((f = tlsfp_flow_oldest(&p->ft, TLSFP_FLOW_C_HELLO)) != NULL)
		drop_unfinished(p, f, TLSFP_CTR_REASM_GAP);
	while ((f = tlsfp_flow_oldest(&p->ft, TLSFP_FLOW_C_AWAIT)) != NULL) {
		tlsfp_pl_emit(p, f, TLSFP_REC_R_FLUSH);
		tlsfp_pl_flow_free(p, f);
	}
}

static void
maybe_expire(struct tlsfp_pipeline *p, uint64_t ts)
{
	if (++p->pkts_since_expire >= EXPIRE_EVERY_PKTS ||
	    (ts > p->last_expire_ns && ts - p->last_expire_ns >= EXPIRE_EVERY_NS))
		tlsfp_pipeline_expire(p, ts);
}

/* ---- the packet path ------------------------------------------------ */

void
tlsfp_pipeline_input(struct tlsfp_pipeline *p, const uint8_t *data, uint32_t caplen,
		     uint32_t wirelen, int linktype, uint64_t ts_ns)
{
	struct tlsfp_packet pkt;

	TLSFP_COUNT(&p->ctr, PKT_IN);
	TLSFP_COUNT_N(&p->ctr, BYTES_IN, wirelen);
	if (caplen < wirelen)
		TLSFP_COUNT(&p->ctr, PKT_TRUNCATED_CAPTURE);
	maybe_expire(p, ts_ns);

	if (tlsfp_decode(data, caplen, linktype, &pkt, &p->ctr) != TLSFP_DECODE_OK)
		return;
	if (pkt.l4proto == 6)
		tlsfp_pl_tcp_input(p, &pkt, ts_ns);
	else if (pkt.l4proto == 17)
		tlsfp_pl_udp_input(p, &pkt, ts_ns);
}
