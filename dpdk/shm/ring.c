/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-worker record rings: single producer (worker k), single consumer.
 * The contract (who writes head and tail, which ordering) is written next
 * to struct tlsfp_shm_producer in tlsfp/shm.h.
 *
 * Cost (measured order of magnitude): an enqueue is one ~5 KB record copy
 * plus one release store; the consumer's tail line is read only when the
 * cached tail says the ring might be full.
 */
#include <errno.h>
#include <string.h>

#include "tlsfp/shm.h"

int
tlsfp_shm_ring_attach(const struct tlsfp_shm_region *r, uint32_t k, struct tlsfp_shm_ring *ring)
{
	const struct tlsfp_shm_header *h = tlsfp_shm_header(r);
	uint8_t *base;

	if (k >= h->n_workers)
		return -EINVAL;
	base = r->base + h->rings_offset + (uint64_t)k * h->ring_stride;
	ring->head = &((struct tlsfp_shm_producer *)base)->head;
	ring->tail = &((struct tlsfp_shm_consumer *)(r->base + h->consumer_offset))[k].tail;
	ring->slots = base + h->slots_offset;
	ring->mask = h->ring_slots - 1;
	ring->slot_size = h->slot_size;
	/* Either side: start from what is there (a consumer may attach late,
	 * a producer always starts at head == tail == 0). */
	ring->cache = 0;
	return 0;
}

int
tlsfp_shm_ring_enqueue(struct tlsfp_shm_ring *ring, const struct tlsfp_record *rec)
{
	uint64_t head = __atomic_load_n(ring->head, __ATOMIC_RELAXED); /* our own */

	if (head - ring->cache > ring->mask) {
		/* Looks full: refresh the consumer's tail. Acquire: its reads
		 * of the slots it released are done. */
		ring->cache = __atomic_load_n(ring->tail, __ATOMIC_ACQUIRE);
		if (head - ring->cache > ring->mask)
			return -ENOBUFS;
	}
	memcpy(ring->slots + (size_t)(head & ring->mask) * ring->slot_size, rec, sizeof(*rec));
	/* Release: the slot's bytes are visible before the new head. */
	__atomic_store_n(ring->head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Consumer: records available from tail, refreshing the head if needed. */
static uint64_t
available(struct tlsfp_shm_ring *ring, uint64_t tail, uint64_t want)
{
	/* cache < tail: a fresh handle (cache 0) on a ring already consumed. */
	if (ring->cache < tail || ring->cache - tail < want)
		ring->cache = __atomic_load_n(ring->head, __ATOMIC_ACQUIRE);
	return ring->cache - tail;
}

uint32_t
tlsfp_shm_ring_dequeue_burst(struct tlsfp_shm_ring *ring, struct tlsfp_record *out, uint32_t n)
{
	uint64_t tail = __atomic_load_n(ring->tail, __ATOMIC_RELAXED); /* our own */
	uint64_t avail = available(ring, tail, n);
	uint32_t i;

	if (avail < n)
		n = (uint32_t)avail;
	for (i = 0; i < n; i++)
		memcpy(&out[i], ring->slots + (size_t)((tail + i) & ring->mask) * ring->slot_size,
		       sizeof(*out));
	if (n != 0)
		/* Release: our reads of the slots are done before the
		 * producer may reuse them. */
		__atomic_store_n(ring->tail, tail + n, __ATOMIC_RELEASE);
	return n;
}

const struct tlsfp_record *
tlsfp_shm_ring_peek(struct tlsfp_shm_ring *ring, uint32_t i)
{
	uint64_t tail = __atomic_load_n(ring->tail, __ATOMIC_RELAXED);

	if (available(ring, tail, (uint64_t)i + 1) <= i)
		return NULL;
	return (const struct tlsfp_record *)(ring->slots +
					     (size_t)((tail + i) & ring->mask) * ring->slot_size);
}

void
tlsfp_shm_ring_release(struct tlsfp_shm_ring *ring, uint32_t n)
{
	uint64_t tail = __atomic_load_n(ring->tail, __ATOMIC_RELAXED);

	if (ring->cache < tail)
		n = 0;
	else if (n > ring->cache - tail) /* never past what was seen */
		n = (uint32_t)(ring->cache - tail);
	__atomic_store_n(ring->tail, tail + n, __ATOMIC_RELEASE);
}

uint32_t
tlsfp_shm_ring_count(const struct tlsfp_shm_ring *ring)
{
	uint64_t head = __atomic_load_n(ring->head, __ATOMIC_ACQUIRE);
	uint64_t tail = __atomic_load_n(ring->tail, __ATOMIC_ACQUIRE);

	return (uint32_t)(head - tail);
}
