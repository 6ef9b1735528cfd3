/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table: symmetric keys, the deterministic flow hash (pinned: a
 * replay must give the same flow_ids forever), insert/lookup/remove, the
 * full table, and the per-class age lists.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flow/flow_table.h"

static struct tlsfp_packet
pkt4(const char a[4], uint16_t sp, const char b[4], uint16_t dp, uint8_t proto)
{
	struct tlsfp_packet p;
	memset(&p, 0, sizeof(p));
	p.ip_version = 4;
	p.l4proto = proto;
	memcpy(p.src, a, 4);
	memcpy(p.dst, b, 4);
	p.sport = sp;
	p.dport = dp;
	return p;
}

static void
test_key(void)
{
	struct tlsfp_packet c2s = pkt4("\x0a\x00\x00\x01", 50000, "\x0a\x00\x00\x02", 443, 6);
	struct tlsfp_packet s2c = pkt4("\x0a\x00\x00\x02", 443, "\x0a\x00\x00\x01", 50000, 6);
	struct tlsfp_flow_key k1, k2;
	uint8_t d1, d2;

	tlsfp_flow_key_make(&c2s, &k1, &d1);
	tlsfp_flow_key_make(&s2c, &k2, &d2);
	CHECK(memcmp(&k1, &k2, sizeof(k1)) == 0);
	CHECK_EQ_INT(d1, 0); /* 10.0.0.1 sorts first */
	CHECK_EQ_INT(d2, 1);
	CHECK_EQ_INT(k1.port_lo, 50000);
	CHECK_EQ_INT(k1.port_hi, 443);
	CHECK_EQ_INT(tlsfp_flow_hash(&k1), tlsfp_flow_hash(&k2));

	/* Same addresses: the ports decide the order. */
	struct tlsfp_packet a = pkt4("\x7f\x00\x00\x01", 443, "\x7f\x00\x00\x01", 40000, 6);
	struct tlsfp_packet b = pkt4("\x7f\x00\x00\x01", 40000, "\x7f\x00\x00\x01", 443, 6);
	tlsfp_flow_key_make(&a, &k1, &d1);
	tlsfp_flow_key_make(&b, &k2, &d2);
	CHECK(memcmp(&k1, &k2, sizeof(k1)) == 0);
	CHECK_EQ_INT(d1, 0);
	CHECK_EQ_INT(d2, 1);

	/* Pinned values (checked with an independent Python model of the hash):
	 * changing the hash changes every flow_id users see. */
	tlsfp_flow_key_make(&c2s, &k1, &d1);
	CHECK_EQ_INT(tlsfp_flow_hash(&k1), (long long)UINT64_C(0xa8f3e27fb3c7ebbb));
	CHECK_EQ_INT(tlsfp_flow_id(tlsfp_flow_hash(&k1)),
		     (long long)(UINT64_C(0xa8f3e27fb3c7ebbb) & ((UINT64_C(1) << 53) - 1)));
	CHECK(tlsfp_flow_id(UINT64_MAX) == (UINT64_C(1) << 53) - 1);

	/* Protocol and port are part of the key. */
	struct tlsfp_packet u = pkt4("\x0a\x00\x00\x01", 50000, "\x0a\x00\x00\x02", 443, 17);
	tlsfp_flow_key_make(&u, &k2, &d2);
	CHECK(tlsfp_flow_hash(&k1) != tlsfp_flow_hash(&k2));
	struct tlsfp_packet o = pkt4("\x0a\x00\x00\x01", 50001, "\x0a\x00\x00\x02", 443, 6);
	tlsfp_flow_key_make(&o, &k2, &d2);
	CHECK(tlsfp_flow_hash(&k1) != tlsfp_flow_hash(&k2));

	/* VLANs are not: both tags give the same key. */
	c2s.vlan_count = 1;
	c2s.vlan[0] = 100;
	tlsfp_flow_key_make(&c2s, &k2, &d2);
	CHECK(memcmp(&k1, &k2, sizeof(k1)) == 0);
}

static struct tlsfp_flow_key
key_n(uint16_t port)
{
	struct tlsfp_packet p = pkt4("\x0a\x00\x00\x01", port, "\x0a\x00\x00\x02", 443, 6);
	struct tlsfp_flow_key k;
	uint8_t d;
	tlsfp_flow_key_make(&p, &k, &d);
	return k;
}

static void
test_table(void)
{
	enum { N = 5 };
	struct tlsfp_flow_table t;
	struct tlsfp_flow *flows = calloc(1, tlsfp_flow_table_entries_size(N));
	uint32_t *buckets = calloc(1, tlsfp_flow_table_buckets_size(N));
	CHECK_EQ_INT(tlsfp_flow_table_buckets_size(N), 8 * sizeof(uint32_t));
	tlsfp_flow_table_init(&t, N, flows, buckets);

	struct tlsfp_flow *f[N];
	for (int i = 0; i < N; i++) {
		struct tlsfp_flow_key k = key_n((uint16_t)(1000 + i));
		f[i] = tlsfp_flow_insert(&t, &k, tlsfp_flow_hash(&k),
					 i % 2 ? TLSFP_FLOW_C_LIGHT : TLSFP_FLOW_C_HELLO,
					 (uint64_t)(100 + i));
		CHECK(f[i] != NULL);
	}
	CHECK_EQ_INT(t.n_used, N);
	struct tlsfp_flow_key extra = key_n(2000);
	CHECK(tlsfp_flow_insert(&t, &extra, tlsfp_flow_hash(&extra), TLSFP_FLOW_C_HELLO, 1) ==
	      NULL);

	for (int i = 0; i < N; i++) {
		struct tlsfp_flow_key k = key_n((uint16_t)(1000 + i));
		CHECK(tlsfp_flow_lookup(&t, &k, tlsfp_flow_hash(&k)) == f[i]);
		CHECK_EQ_INT(f[i]->flow_id, tlsfp_flow_id(tlsfp_flow_hash(&k)));
		CHECK_EQ_INT(f[i]->dir[0].sb.buf_idx, TLSFP_SB_NO_BUF);
	}
	CHECK(tlsfp_flow_lookup(&t, &extra, tlsfp_flow_hash(&extra)) == NULL);

	/* Age lists: HELLO holds 0, 2, 4; LIGHT holds 1, 3. */
	CHECK_EQ_INT(t.lists[TLSFP_FLOW_C_HELLO].n, 3);
	CHECK_EQ_INT(t.lists[TLSFP_FLOW_C_LIGHT].n, 2);
	CHECK(tlsfp_flow_oldest(&t, TLSFP_FLOW_C_HELLO) == f[0]);
	CHECK(tlsfp_flow_oldest(&t, TLSFP_FLOW_C_LIGHT) == f[1]);
	CHECK(tlsfp_flow_oldest(&t, TLSFP_FLOW_C_AWAIT) == NULL);
	tlsfp_flow_set_class(&t, f[0], TLSFP_FLOW_C_AWAIT, 500);
	CHECK(tlsfp_flow_oldest(&t, TLSFP_FLOW_C_HELLO) == f[2]);
	CHECK(tlsfp_flow_oldest(&t, TLSFP_FLOW_C_AWAIT) == f[0]);
	CHECK_EQ_INT(f[0]->class_ts, 500);
	tlsfp_flow_set_class(&t, f[2], TLSFP_FLOW_C_HELLO, 600); /* to the tail */
	CHECK(tlsfp_flow_oldest(&t, TLSFP_FLOW_C_HELLO) == f[4]);

	/* Remove from the middle of a list and a chain; insert reuses it. */
	tlsfp_flow_remove(&t, f[3]);
	CHECK_EQ_INT(t.n_used, N - 1);
	struct tlsfp_flow_key k3 = key_n(1003);
	CHECK(tlsfp_flow_lookup(&t, &k3, tlsfp_flow_hash(&k3)) == NULL);
	CHECK(tlsfp_flow_oldest(&t, TLSFP_FLOW_C_LIGHT) == f[1]);
	CHECK_EQ_INT(t.lists[TLSFP_FLOW_C_LIGHT].n, 1);
	struct tlsfp_flow *g =
		tlsfp_flow_insert(&t, &extra, tlsfp_flow_hash(&extra), TLSFP_FLOW_C_LIGHT, 700);
	CHECK(g == f[3]);
	CHECK(tlsfp_flow_lookup(&t, &extra, tlsfp_flow_hash(&extra)) == g);
	for (int i = 0; i < N; i++) {
		if (i == 3)
			continue;
		struct tlsfp_flow_key k = key_n((uint16_t)(1000 + i));
		CHECK(tlsfp_flow_lookup(&t, &k, tlsfp_flow_hash(&k)) == f[i]);
	}
	/* Empty it through the lists. */
	int removed = 0;
	for (int c = 0; c < TLSFP_FLOW_C__COUNT; c++) {
		struct tlsfp_flow *x;
		while ((x = tlsfp_flow_oldest(&t, (enum tlsfp_flow_class)c)) != NULL) {
			tlsfp_flow_remove(&t, x);
			removed++;
		}
	}
	CHECK_EQ_INT(removed, N);
	CHECK_EQ_INT(t.n_used, 0);
	for (uint32_t i = 0; i <= t.mask; i++)
		CHECK_EQ_INT(buckets[i], TLSFP_FLOW_NONE);
	free(flows);
	free(buckets);
}

/* Many keys into a small bucket array: chains work. */
static void
test_collisions(void)
{
	enum { N = 300 };
	struct tlsfp_flow_table t;
	struct tlsfp_flow *flows = calloc(1, tlsfp_flow_table_entries_size(N));
	uint32_t *buckets = calloc(1, tlsfp_flow_table_buckets_size(N));
	tlsfp_flow_table_init(&t, N, flows, buckets);
	t.mask = 3; /* force long chains */
	for (int i = 0; i < N; i++) {
		struct tlsfp_flow_key k = key_n((uint16_t)i);
		CHECK(tlsfp_flow_insert(&t, &k, tlsfp_flow_hash(&k), TLSFP_FLOW_C_HELLO, 0));
	}
	int found = 0;
	for (int i = 0; i < N; i += 2) {
		struct tlsfp_flow_key k = key_n((uint16_t)i);
		struct tlsfp_flow *f = tlsfp_flow_lookup(&t, &k, tlsfp_flow_hash(&k));
		if (f != NULL && f->key.port_lo == i)
			found++;
		if (f != NULL)
			tlsfp_flow_remove(&t, f);
	}
	CHECK_EQ_INT(found, N / 2);
	found = 0;
	for (int i = 0; i < N; i++) {
		struct tlsfp_flow_key k = key_n((uint16_t)i);
		if (tlsfp_flow_lookup(&t, &k, tlsfp_flow_hash(&k)) != NULL)
			found++;
	}
	CHECK_EQ_INT(found, N / 2);
	free(flows);
	free(buckets);
}

int
main(void)
{
	test_key();
	test_table();
	test_collisions();
	return check_exit("test_flow");
}
