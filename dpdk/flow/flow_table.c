/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow table: fixed entries, chained buckets, per-class age lists
 * (see flow_table.h for the contract).
 */
#include <string.h>

#include "flow/flow_table.h"

_Static_assert(sizeof(struct tlsfp_flow_key) == 40, "flow key must have no hidden padding");

static uint32_t
bucket_count(uint32_t max_flows)
{
	/* Next power of two >= max_flows: chains of about one entry. */
	uint32_t n = 1;
	while (n < max_flows && n < (1u << 31))
		n <<= 1;
	return n;
}

size_t
tlsfp_flow_table_entries_size(uint32_t max_flows)
{
	return (size_t)max_flows * sizeof(struct tlsfp_flow);
}

size_t
tlsfp_flow_table_buckets_size(uint32_t max_flows)
{
	return (size_t)bucket_count(max_flows) * sizeof(uint32_t);
}

void
tlsfp_flow_table_init(struct tlsfp_flow_table *t, uint32_t max_flows, struct tlsfp_flow *flows,
		      uint32_t *buckets)
{
	uint32_t nb = bucket_count(max_flows);

	memset(t, 0, sizeof(*t));
	t->flows = flows;
	t->buckets = buckets;
	t->max_flows = max_flows;
	t->mask = nb - 1;
	for (uint32_t i = 0; i < nb; i++)
		buckets[i] = TLSFP_FLOW_NONE;
	for (uint32_t i = 0; i < max_flows; i++) {
		memset(&flows[i], 0, sizeof(flows[i]));
		flows[i].hnext = (i + 1 < max_flows) ? i + 1 : TLSFP_FLOW_NONE;
	}
	t->free_head = max_flows ? 0 : TLSFP_FLOW_NONE;
	for (int c = 0; c < TLSFP_FLOW_C__COUNT; c++)
		t->lists[c].head = t->lists[c].tail = TLSFP_FLOW_NONE;
}

/* Order two endpoints: <0 when (a, pa) sorts before (b, pb). */
static int
endpoint_cmp(const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
	int c = memcmp(a, b, 16);
	if (c != 0)
		return c;
	return (int)pa - (int)pb;
}

void
tlsfp_flow_key_make(const struct tlsfp_packet *pkt, struct tlsfp_flow_key *key, uint8_t *dir)
{
	memset(key, 0, sizeof(*key));
	key->ip_version = pkt->ip_version;
	key->l4proto = pkt->l4proto;
	if (endpoint_cmp(pkt->src, pkt->sport, pkt->dst, pkt->dport) <= 0) {
		memcpy(key->addr_lo, pkt->src, 16);
		memcpy(key->addr_hi, pkt->dst, 16);
		key->port_lo = pkt->sport;
		key->port_hi = pkt->dport;
		*dir = 0;
	} else {
		memcpy(key->addr_lo, pkt->dst, 16);
		memcpy(key->addr_hi, pkt->src, 16);
		key->port_lo = pkt->dport;
		key->port_hi = pkt->sport;
		*dir = 1;
	}
}

static inline uint64_t
rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* Final avalanche: every input bit affects every output bit. */
static inline uint64_t
fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64_C(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return k;
}

/* Little-endian load, so the hash (and the flow_id users see) is the same
 * on every host. */
static inline uint64_t
load_le64(const uint8_t *p)
{
	/* One unaligned load (gcc does not merge a byte loop into one): this
	 * runs five times for every TCP/UDP packet. */
	uint64_t v;
	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

uint64_t
tlsfp_flow_hash(const struct tlsfp_flow_key *key)
{
	/* Fields are serialized explicitly (ports little-endian) so the value
	 * does not depend on the host's byte order. */
	uint8_t b[40];
	memcpy(b, key->addr_lo, 16);
	memcpy(b + 16, key->addr_hi, 16);
	b[32] = (uint8_t)key->port_lo;
	b[33] = (uint8_t)(key->port_lo >> 8);
	b[34] = (uint8_t)key->port_hi;
	b[35] = (uint8_t)(key->port_hi >> 8);
	b[36] = key->ip_version;
	b[37] = key->l4proto;
	b[38] = 0;
	b[39] = 0;

	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ sizeof(b);
	for (size_t i = 0; i < sizeof(b); i += 8) {
		uint64_t k = load_le64(b + i);
		k *= UINT64_C(0x87c37b91114253d5);
		k = rotl64(k, 31);
		k *= UINT64_C(0x4cf5ad432745937f);
		h ^= k;
		h = rotl64(h, 27) * 5 + UINT64_C(0x52dce729);
	}
	return fmix64(h);
}

struct tlsfp_flow *
tlsfp_flow_lookup(struct tlsfp_flow_table *t, const struct tlsfp_flow_key *key, uint64_t hash)
{
	uint32_t i = t->buckets[hash & t->mask];
	while (i != TLSFP_FLOW_NONE) {
		struct tlsfp_flow *f = &t->flows[i];
		if (f->hash == hash && memcmp(&f->key, key, sizeof(*key)) == 0)
			return f;
		i = f->hnext;
	}
	return NULL;
}

static void
list_append(struct tlsfp_flow_table *t, struct tlsfp_flow *f, enum tlsfp_flow_class cls)
{
	struct tlsfp_flow_list *l = &t->lists[cls];
	uint32_t idx = tlsfp_flow_index(t, f);

	f->cls = (uint8_t)cls;
	f->prev = l->tail;
	f->next = TLSFP_FLOW_NONE;
	if (l->tail != TLSFP_FLOW_NONE)
		t->flows[l->tail].next = idx;
	else
		l->head = idx;
	l->tail = idx;
	l->n++;
}

static void
list_unlink(struct tlsfp_flow_table *t, struct tlsfp_flow *f)
{
	struct tlsfp_flow_list *l = &t->lists[f->cls];

	if (f->prev != TLSFP_FLOW_NONE)
		t->flows[f->prev].next = f->next;
	else
		l->head = f->next;
	if (f->next != TLSFP_FLOW_NONE)
		t->flows[f->next].prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = TLSFP_FLOW_NONE;
	l->n--;
}

struct tlsfp_flow *
tlsfp_flow_insert(struct tlsfp_flow_table *t, const struct tlsfp_flow_key *key, uint64_t hash,
		  enum tlsfp_flow_class cls, uint64_t ts)
{
	if (t->free_head == TLSFP_FLOW_NONE)
		return NULL;
	uint32_t idx = t->free_head;
	struct tlsfp_flow *f = &t->flows[idx];
	t->free_head = f->hnext;

	memset(f, 0, sizeof(*f));
	f->key = *key;
	f->hash = hash;
	f->flow_id = tlsfp_flow_id(hash);
	f->in_use = 1;
	for (int d = 0; d < 2; d++)
		tlsfp_sb_init(&f->dir[d].sb);
	f->hnext = t->buckets[hash & t->mask];
	t->buckets[hash & t->mask] = idx;
	f->class_ts = ts;
	list_append(t, f, cls);
	t->n_used++;
	return f;
}

void
tlsfp_flow_remove(struct tlsfp_flow_table *t, struct tlsfp_flow *f)
{
	uint32_t idx = tlsfp_flow_index(t, f);
	uint32_t *link = &t->buckets[f->hash & t->mask];

	while (*link != TLSFP_FLOW_NONE && *link != idx)
		link = &t->flows[*link].hnext;
	if (*link == idx)
		*link = f->hnext;
	list_unlink(t, f);
	f->in_use = 0;
	f->hnext = t->free_head;
	t->free_head = idx;
	t->n_used--;
}

void
tlsfp_flow_set_class(struct tlsfp_flow_table *t, struct tlsfp_flow *f, enum tlsfp_flow_class cls,
		     uint64_t ts)
{
	list_unlink(t, f);
	f->class_ts = ts;
	list_append(t, f, cls);
}

struct tlsfp_flow *
tlsfp_flow_oldest(struct tlsfp_flow_table *t, enum tlsfp_flow_class cls)
{
	uint32_t i = t->lists[cls].head;
	return i == TLSFP_FLOW_NONE ? NULL : &t->flows[i];
}
