/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory region and its SPSC record rings: layout, file mode,
 * single-thread and two-thread producer/consumer with exact counts,
 * ring-full drops, version refusal, unlink on close.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "tlsfp/shm.h"

static char name[64];

static void
mk(struct tlsfp_record *r, uint64_t seq)
{
	r->flow_id = seq;
	r->ts_ns = seq * 3 + 1;
	r->src_port = (uint16_t)seq;
	snprintf(r->ja4, sizeof(r->ja4), "j%llu", (unsigned long long)seq);
}

static void
test_create_layout(void)
{
	struct tlsfp_shm_region r, r2;
	const struct tlsfp_shm_header *h;
	struct stat st;

	CHECK_EQ_INT(tlsfp_shm_create(&r, "/dev/shm", name, "unit", 3, 2, 8, 0), 0);
	h = tlsfp_shm_header(&r);
	CHECK(h->magic == TLSFP_SHM_MAGIC);
	CHECK_EQ_INT(h->layout_version, TLSFP_SHM_LAYOUT_VERSION);
	CHECK_EQ_INT(h->record_abi, TLSFP_RECORD_ABI);
	CHECK_EQ_INT(h->record_size, sizeof(struct tlsfp_record));
	CHECK_EQ_INT(h->slot_size % 64, 0);
	CHECK(h->slot_size >= h->record_size && h->slot_size < h->record_size + 64);
	CHECK_EQ_INT(h->n_workers, 3);
	CHECK_EQ_INT(h->n_ports, 2);
	CHECK_EQ_INT(h->ring_slots, 8);
	CHECK_EQ_INT(h->n_counters, TLSFP_CTR__COUNT);
	CHECK_EQ_INT(h->hugetlb, 0);
	CHECK_EQ_INT(h->page_size, sysconf(_SC_PAGESIZE));
	CHECK_EQ_INT(h->consumer_offset, h->page_size);
	CHECK_EQ_INT(h->workers_offset % h->page_size, 0);
	CHECK_EQ_INT(h->ports_offset % 64, 0);
	CHECK_EQ_INT(h->rings_offset % 64, 0);
	CHECK_EQ_INT(h->ring_stride % 64, 0);
	CHECK_EQ_INT(h->region_size % h->page_size, 0);
	CHECK(h->rings_offset + 3 * h->ring_stride <= h->region_size);
	CHECK_EQ_INT(h->pid, getpid());
	CHECK_EQ_INT(tlsfp_shm_get_state(&r), TLSFP_SHM_STARTING);
	CHECK_EQ_STR(h->instance, "unit");
	CHECK_EQ_INT((uintptr_t)tlsfp_shm_worker(&r, 1) % 64, 0);
	CHECK_EQ_INT((uintptr_t)&tlsfp_shm_worker(&r, 1)->ctr % 64, 0);
	CHECK_EQ_INT((uintptr_t)tlsfp_shm_port(&r, 1) % 64, 0);
	CHECK_EQ_INT((uintptr_t)&tlsfp_shm_port(&r, 1)->rx_packets % 64, 0);
	CHECK_EQ_INT((uintptr_t)&tlsfp_shm_port(&r, 1)->dist_packets % 64, 0);
	CHECK_EQ_INT(stat(r.path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0600);
	CHECK_EQ_INT((uint64_t)st.st_size, h->region_size);
	/* O_EXCL: a second instance cannot take the same file. */
	CHECK_EQ_INT(tlsfp_shm_create(&r2, "/dev/shm", name, "unit", 1, 0, 8, 0), -EEXIST);
	/* Bad arguments. */
	CHECK_EQ_INT(tlsfp_shm_create(&r2, "/dev/shm", "x", "unit", 1, 0, 6, 0), -EINVAL);
	CHECK_EQ_INT(tlsfp_shm_create(&r2, "/dev/shm", "x", "unit", 0, 0, 8, 0), -EINVAL);
	CHECK_EQ_INT(tlsfp_shm_create(&r2, "/dev/shm", "../x", "unit", 1, 0, 8, 0), -EINVAL);
	CHECK_EQ_INT(tlsfp_shm_create(&r2, "/dev/shm", "x", "a/b", 1, 0, 8, 0), -EINVAL);

	tlsfp_shm_set_state(&r, TLSFP_SHM_RUNNING);
	tlsfp_shm_set_heartbeat(&r, 12345);
	CHECK_EQ_INT(tlsfp_shm_open(&r2, r.path), 0);
	CHECK_EQ_INT(tlsfp_shm_get_state(&r2), TLSFP_SHM_RUNNING);
	CHECK_EQ_INT(tlsfp_shm_get_heartbeat(&r2), 12345);
	tlsfp_shm_store(&tlsfp_shm_worker(&r, 2)->ctr.v[TLSFP_CTR_HANDSHAKES], 77);
	CHECK_EQ_INT(tlsfp_shm_load(&tlsfp_shm_worker(&r2, 2)->ctr.v[TLSFP_CTR_HANDSHAKES]), 77);
	tlsfp_shm_close(&r2);
	CHECK_EQ_INT(access(r.path, F_OK), 0); /* a consumer never unlinks */

	char path[256];
	snprintf(path, sizeof(path), "%s", r.path);
	tlsfp_shm_close(&r);
	CHECK(access(path, F_OK) != 0 && errno == ENOENT);
}

/* In a child: store to `p`; returns how the child ended (signal or 0). */
static int
child_store(volatile uint64_t *p)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		*p = 42;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
}

/* A consumer's mapping is read-only except the consumer page (tails). */
static void
test_consumer_protection(void)
{
	struct tlsfp_shm_region r, c;
	const struct tlsfp_shm_header *h;

	CHECK_EQ_INT(tlsfp_shm_create(&r, "/dev/shm", name, "unit", 2, 1, 8, 0), 0);
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), 0);
	h = tlsfp_shm_header(&c);
	CHECK_EQ_INT(child_store(&tlsfp_shm_header(&c)->heartbeat_ns), SIGSEGV);
	CHECK_EQ_INT(child_store(&tlsfp_shm_worker(&c, 1)->loops), SIGSEGV);
	CHECK_EQ_INT(child_store(&tlsfp_shm_port(&c, 0)->rx_packets), SIGSEGV);
	CHECK_EQ_INT(child_store((uint64_t *)(c.base + h->rings_offset)), SIGSEGV);   /* head */
	CHECK_EQ_INT(child_store((uint64_t *)(c.base + h->consumer_offset + 64)), 0); /* tail 1 */
	/* The owner's mapping is writable everywhere. */
	CHECK_EQ_INT(child_store(&tlsfp_shm_worker(&r, 1)->loops), 0);
	tlsfp_shm_close(&c);
	tlsfp_shm_close(&r);
}

static void
test_single_thread(void)
{
	struct tlsfp_shm_region r, c;
	struct tlsfp_shm_ring prod, cons, other;
	struct tlsfp_record rec, out[16];
	uint64_t next_in = 0, next_out = 0;
	uint32_t i, n, round;

	memset(&rec, 0, sizeof(rec));
	CHECK_EQ_INT(tlsfp_shm_create(&r, "/dev/shm", name, "unit", 2, 0, 8, 0), 0);
	/* Consumer through its own (mostly read-only) mapping. */
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), 0);
	CHECK_EQ_INT(tlsfp_shm_ring_attach(&r, 0, &prod), 0);
	CHECK_EQ_INT(tlsfp_shm_ring_attach(&c, 0, &cons), 0);
	CHECK_EQ_INT(tlsfp_shm_ring_attach(&c, 1, &other), 0);
	CHECK_EQ_INT(tlsfp_shm_ring_attach(&c, 2, &other), -EINVAL);
	tlsfp_shm_ring_attach(&c, 1, &other);

	CHECK_EQ_INT(tlsfp_shm_ring_dequeue_burst(&cons, out, 16), 0);
	/* Fill: exactly 8 fit, the 9th and 10th are refused. */
	for (i = 0; i < 8; i++) {
		mk(&rec, next_in++);
		CHECK_EQ_INT(tlsfp_shm_ring_enqueue(&prod, &rec), 0);
	}
	mk(&rec, 999);
	CHECK_EQ_INT(tlsfp_shm_ring_enqueue(&prod, &rec), -ENOBUFS);
	CHECK_EQ_INT(tlsfp_shm_ring_enqueue(&prod, &rec), -ENOBUFS);
	CHECK_EQ_INT(tlsfp_shm_ring_count(&cons), 8);
	CHECK_EQ_INT(tlsfp_shm_ring_count(&other), 0); /* rings are separate */
	CHECK_EQ_INT(tlsfp_shm_ring_dequeue_burst(&other, out, 16), 0);

	/* Zero-copy peek / release. */
	CHECK(tlsfp_shm_ring_peek(&cons, 0) != NULL);
	CHECK_EQ_INT(tlsfp_shm_ring_peek(&cons, 0)->flow_id, 0);
	CHECK_EQ_INT(tlsfp_shm_ring_peek(&cons, 7)->flow_id, 7);
	CHECK(tlsfp_shm_ring_peek(&cons, 8) == NULL);
	tlsfp_shm_ring_release(&cons, 3);
	next_out = 3;
	CHECK_EQ_INT(tlsfp_shm_ring_count(&cons), 5);
	mk(&rec, next_in++);
	CHECK_EQ_INT(tlsfp_shm_ring_enqueue(&prod, &rec), 0); /* room again */

	n = tlsfp_shm_ring_dequeue_burst(&cons, out, 4);
	CHECK_EQ_INT(n, 4);
	for (i = 0; i < n; i++)
		CHECK_EQ_INT(out[i].flow_id, next_out + i);
	next_out += n;

	/* Many wraps with uneven bursts: every record once, in order. */
	for (round = 0; round < 200; round++) {
		uint32_t put = 1 + round % 7, got;

		for (i = 0; i < put; i++) {
			mk(&rec, next_in);
			if (tlsfp_shm_ring_enqueue(&prod, &rec) == 0)
				next_in++;
		}
		got = tlsfp_shm_ring_dequeue_burst(&cons, out, 1 + round % 5);
		for (i = 0; i < got; i++) {
			if (out[i].flow_id != next_out + i ||
			    out[i].ts_ns != (next_out + i) * 3 + 1)
				CHECK_EQ_INT(out[i].flow_id, next_out + i);
		}
		next_out += got;
	}
	while ((n = tlsfp_shm_ring_dequeue_burst(&cons, out, 16)) != 0) {
		for (i = 0; i < n; i++)
			CHECK_EQ_INT(out[i].flow_id, next_out + i);
		next_out += n;
	}
	CHECK_EQ_INT(next_out, next_in);
	CHECK_EQ_INT(*prod.head, next_in);
	CHECK_EQ_INT(*cons.tail, next_in);
	CHECK_EQ_STR(out[n == 0 ? 0 : n - 1].ja4, out[n == 0 ? 0 : n - 1].ja4); /* bytes intact */
	tlsfp_shm_close(&c);
	tlsfp_shm_close(&r);
}

#define N_THREADED 100000u

struct thr {
	struct tlsfp_shm_ring ring;
	int retry; /* 1: spin until there is room; 0: drop like the worker */
	uint64_t dropped;
	uint64_t received;
	uint64_t out_of_order;
	uint64_t last;
};

static void *
producer(void *arg)
{
	struct thr *t = arg;
	struct tlsfp_record rec;
	uint64_t i;

	memset(&rec, 0, sizeof(rec));
	for (i = 1; i <= N_THREADED; i++) {
		mk(&rec, i);
		while (tlsfp_shm_ring_enqueue(&t->ring, &rec) != 0) {
			if (!t->retry) {
				t->dropped++;
				break;
			}
		}
	}
	return NULL;
}

static void
consume(struct thr *t, struct tlsfp_shm_ring *cons, uint64_t expect_total)
{
	struct tlsfp_record out[32];
	uint32_t i, n;
	char want[32];

	while (t->received < expect_total) {
		n = tlsfp_shm_ring_dequeue_burst(cons, out, 32);
		for (i = 0; i < n; i++) {
			snprintf(want, sizeof(want), "j%llu", (unsigned long long)out[i].flow_id);
			if (out[i].flow_id <= t->last || strcmp(out[i].ja4, want) != 0 ||
			    out[i].ts_ns != out[i].flow_id * 3 + 1)
				t->out_of_order++;
			t->last = out[i].flow_id;
		}
		t->received += n;
	}
}

static void
test_two_threads(int retry)
{
	struct tlsfp_shm_region r, c;
	struct tlsfp_shm_ring cons;
	struct thr t;
	pthread_t th;

	memset(&t, 0, sizeof(t));
	t.retry = retry;
	CHECK_EQ_INT(tlsfp_shm_create(&r, "/dev/shm", name, "unit", 1, 0, 64, 0), 0);
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), 0);
	tlsfp_shm_ring_attach(&r, 0, &t.ring);
	tlsfp_shm_ring_attach(&c, 0, &cons);
	CHECK_EQ_INT(pthread_create(&th, NULL, producer, &t), 0);
	if (retry) {
		consume(&t, &cons, N_THREADED);
		pthread_join(th, NULL);
		CHECK_EQ_INT(t.received, N_THREADED);
		CHECK_EQ_INT(t.dropped, 0);
		CHECK_EQ_INT(t.last, N_THREADED);
	} else {
		/* Drop mode: consume slowly at first so the ring fills. */
		usleep(20000);
		pthread_join(th, NULL);
		consume(&t, &cons, N_THREADED - t.dropped);
		CHECK(t.dropped > 0);
		CHECK_EQ_INT(t.received + t.dropped, N_THREADED);
		CHECK_EQ_INT(tlsfp_shm_ring_count(&cons), 0);
	}
	CHECK_EQ_INT(t.out_of_order, 0);
	tlsfp_shm_close(&c);
	tlsfp_shm_close(&r);
}

static void
test_version_refusal(void)
{
	struct tlsfp_shm_region r, c;
	struct tlsfp_shm_header *h;

	CHECK_EQ_INT(tlsfp_shm_create(&r, "/dev/shm", name, "unit", 1, 1, 8, 0), 0);
	h = tlsfp_shm_header(&r);
	CHECK_EQ_INT(tlsfp_shm_check(r.base, r.size), 0);

	h->layout_version = TLSFP_SHM_LAYOUT_VERSION + 1;
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), -EPROTONOSUPPORT);
	h->layout_version = TLSFP_SHM_LAYOUT_VERSION;

	h->record_abi = TLSFP_RECORD_ABI + 1;
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), -EPROTONOSUPPORT);
	h->record_abi = TLSFP_RECORD_ABI;

	h->record_size -= 8;
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), -EPROTONOSUPPORT);
	h->record_size += 8;

	h->n_counters += 1;
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), -EPROTONOSUPPORT);
	h->n_counters -= 1;

	h->magic ^= 1;
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), -EINVAL);
	h->magic = 0; /* creator not done yet */
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), -ENODATA);
	h->magic = TLSFP_SHM_MAGIC;

	h->ring_slots = 12; /* not a power of two */
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), -EINVAL);
	h->ring_slots = 8;
	h->ring_stride = 64; /* rings would overlap */
	CHECK_EQ_INT(tlsfp_shm_open(&c, r.path), -EINVAL);
	h->region_size *= 2; /* larger than the file */
	CHECK_EQ_INT(tlsfp_shm_check(r.base, r.size), -EINVAL);
	CHECK_EQ_INT(tlsfp_shm_check(r.base, 8), -EINVAL);

	CHECK_EQ_INT(tlsfp_shm_open(&c, "/dev/shm/tlsfp-no-such-region.shm"), -ENOENT);
	tlsfp_shm_close(&r);
}

int
main(void)
{
	snprintf(name, sizeof(name), "tlsfp-unit-%d", (int)getpid());
	test_create_layout();
	test_consumer_protection();
	test_single_thread();
	test_two_threads(1);
	test_two_threads(0);
	test_version_refusal();
	return check_exit("test_shm");
}
