/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory region: create (data plane), open (consumers), check,
 * close. Cold path only. See tlsfp/shm.h for the layout and the contract.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "tlsfp/shm.h"

#define HUGETLBFS_MAGIC_ 0x958458f6

static uint64_t
align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The first mounted hugetlbfs, or -ENOENT. */
static int
find_hugetlbfs(char *dir, size_t dir_len)
{
	FILE *f = setmntent("/proc/mounts", "r");
	struct mntent *m;
	int rc = -ENOENT;

	if (f == NULL)
		return -errno;
	while ((m = getmntent(f)) != NULL) {
		if (strcmp(m->mnt_type, "hugetlbfs") == 0 && access(m->mnt_dir, W_OK) == 0 &&
		    strlen(m->mnt_dir) < dir_len) {
			snprintf(dir, dir_len, "%s", m->mnt_dir);
			rc = 0;
			break;
		}
	}
	endmntent(f);
	return rc;
}

/* Offsets of every part, from the counts and the backing's page size. */
static void
layout(struct tlsfp_shm_header *h, uint32_t page_size, uint32_t n_workers, uint32_t n_ports,
       uint32_t ring_slots)
{
	uint64_t off;

	h->layout_version = TLSFP_SHM_LAYOUT_VERSION;
	h->header_size = sizeof(*h);
	h->page_size = page_size;
	h->record_abi = TLSFP_RECORD_ABI;
	h->record_size = sizeof(struct tlsfp_record);
	h->slot_size = (uint32_t)align_up(sizeof(struct tlsfp_record), TLSFP_SHM_LINE);
	h->n_workers = n_workers;
	h->n_ports = n_ports;
	h->ring_slots = ring_slots;
	h->n_counters = TLSFP_CTR__COUNT;

	/* The consumer's writable part gets page(s) of its own so that the
	 * rest can be mapped read-only by consumers. */
	h->consumer_offset = align_up(sizeof(*h), page_size);
	off = h->consumer_offset +
	      align_up((uint64_t)n_workers * sizeof(struct tlsfp_shm_consumer), page_size);
	h->workers_offset = off;
	h->worker_size = sizeof(struct tlsfp_shm_worker);
	off += (uint64_t)n_workers * h->worker_size;
	h->ports_offset = align_up(off, TLSFP_SHM_LINE);
	h->port_size = sizeof(struct tlsfp_shm_port);
	off = h->ports_offset + (uint64_t)n_ports * h->port_size;
	h->rings_offset = align_up(off, TLSFP_SHM_LINE);
	h->slots_offset = sizeof(struct tlsfp_shm_producer);
	h->ring_stride =
		align_up(h->slots_offset + (uint64_t)ring_slots * h->slot_size, TLSFP_SHM_LINE);
	off = h->rings_offset + (uint64_t)n_workers * h->ring_stride;
	h->region_size = align_up(off, page_size);
}

/* Create, size and map one file; 0 or -errno (the file is removed again
 * on failure). */
static int
create_in(struct tlsfp_shm_region *r, const char *dir, const char *name,
	  const struct tlsfp_shm_header *tmpl_counts, int hugetlb)
{
	struct tlsfp_shm_header h;
	struct statfs sfs;
	uint32_t page;
	void *base;
	int fd, rc;

	if ((size_t)snprintf(r->path, sizeof(r->path), "%s/%s.shm", dir, name) >= sizeof(r->path))
		return -ENAMETOOLONG;
	fd = open(r->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) != 0) {
		rc = -errno;
		goto fail;
	}
	page = (uint32_t)sfs.f_bsize;
	if (hugetlb && sfs.f_type != HUGETLBFS_MAGIC_) {
		rc = -ENOTSUP;
		goto fail;
	}
	if (page < 4096)
		page = 4096;
	memset(&h, 0, sizeof(h));
	layout(&h, page, tmpl_counts->n_workers, tmpl_counts->n_ports, tmpl_counts->ring_slots);
	h.hugetlb = hugetlb ? 1 : 0;
	if (ftruncate(fd, (off_t)h.region_size) != 0) {
		rc = -errno;
		goto fail;
	}
	/* On hugetlbfs the pages are reserved here: no free pages → ENOMEM
	 * now rather than SIGBUS on first touch. */
	base = mmap(NULL, h.region_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		rc = -errno;
		goto fail;
	}
	if (!hugetlb) {
		/* tmpfs allocates on touch: touch now so a full /dev/shm
		 * fails here, not with SIGBUS on the packet path. */
		rc = posix_fallocate(fd, 0, (off_t)h.region_size);
		if (rc != 0) {
			munmap(base, h.region_size);
			rc = -rc;
			goto fail;
		}
	}
	r->base = base;
	r->size = h.region_size;
	r->fd = fd;
	r->owner = 1;
	memcpy(r->base, &h, sizeof(h));
	return 0;
fail:
	close(fd);
	unlink(r->path);
	r->path[0] = '\0';
	return rc;
}

static int
name_ok(const char *s, size_t max)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++, n++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return 0;
		if (*s == '.' && n == 0)
			return 0;
	}
	return n < max;
}

int
tlsfp_shm_create(struct tlsfp_shm_region *r, const char *dir, const char *name,
		 const char *instance, uint32_t n_workers, uint32_t n_ports, uint32_t ring_slots,
		 unsigned int flags)
{
	struct tlsfp_shm_header counts;
	struct tlsfp_shm_header *h;
	char huge_dir[200];
	int rc;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (!name_ok(name, 128) || !name_ok(instance, TLSFP_SHM_NAME_LEN) || n_workers == 0 ||
	    n_workers > TLSFP_SHM_MAX_WORKERS || n_ports > TLSFP_SHM_MAX_PORTS || ring_slots < 2 ||
	    ring_slots > TLSFP_SHM_MAX_RING_SLOTS || (ring_slots & (ring_slots - 1)) != 0)
		return -EINVAL;
	memset(&counts, 0, sizeof(counts));
	counts.n_workers = n_workers;
	counts.n_ports = n_ports;
	counts.ring_slots = ring_slots;

	if (dir != NULL) {
		struct statfs sfs;

		if (statfs(dir, &sfs) != 0)
			return -errno;
		rc = create_in(r, dir, name, &counts, sfs.f_type == HUGETLBFS_MAGIC_);
	} else {
		rc = -ENOENT;
		if (!(flags & TLSFP_SHM_F_NO_HUGE) &&
		    find_hugetlbfs(huge_dir, sizeof(huge_dir)) == 0)
			rc = create_in(r, huge_dir, name, &counts, 1);
		if (rc != 0 && rc != -EEXIST)
			rc = create_in(r, "/dev/shm", name, &counts, 0);
	}
	if (rc != 0)
		return rc;

	h = tlsfp_shm_header(r);
	snprintf(h->instance, sizeof(h->instance), "%s", instance);
	h->pid = (int32_t)getpid();
	h->state = TLSFP_SHM_STARTING;
	h->start_ns = realtime_ns();
	h->heartbeat_ns = h->start_ns;
	/* Everything above is visible to whoever sees the magic. */
	__atomic_store_n(&h->magic, TLSFP_SHM_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

int
tlsfp_shm_check(const void *base, size_t size)
{
	const struct tlsfp_shm_header *h = base;
	uint64_t end;

	if (size < 16)
		return -EINVAL;
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != TLSFP_SHM_MAGIC)
		return h->magic == 0 ? -ENODATA : -EINVAL;
	if (h->layout_version != TLSFP_SHM_LAYOUT_VERSION)
		return -EPROTONOSUPPORT;
	if (size < sizeof(*h) || h->header_size != sizeof(*h))
		return -EINVAL;
	if (h->record_abi != TLSFP_RECORD_ABI || h->record_size != sizeof(struct tlsfp_record) ||
	    h->n_counters != TLSFP_CTR__COUNT ||
	    h->worker_size != sizeof(struct tlsfp_shm_worker) ||
	    h->port_size != sizeof(struct tlsfp_shm_port))
		return -EPROTONOSUPPORT;
	/* Everything the accessors touch must lie inside the mapping. */
	if (h->region_size > size || h->n_workers == 0 || h->n_workers > TLSFP_SHM_MAX_WORKERS ||
	    h->n_ports > TLSFP_SHM_MAX_PORTS || h->ring_slots < 2 ||
	    h->ring_slots > TLSFP_SHM_MAX_RING_SLOTS || (h->ring_slots & (h->ring_slots - 1)) ||
	    h->slot_size < h->record_size || h->slot_size % TLSFP_SHM_LINE || h->page_size == 0 ||
	    h->consumer_offset % h->page_size)
		return -EINVAL;
	if (h->consumer_offset + (uint64_t)h->n_workers * sizeof(struct tlsfp_shm_consumer) >
		    h->workers_offset ||
	    h->workers_offset + (uint64_t)h->n_workers * h->worker_size > h->ports_offset ||
	    h->ports_offset + (uint64_t)h->n_ports * h->port_size > h->rings_offset ||
	    h->slots_offset < sizeof(struct tlsfp_shm_producer) ||
	    h->ring_stride < h->slots_offset + (uint64_t)h->ring_slots * h->slot_size)
		return -EINVAL;
	end = h->rings_offset + (uint64_t)h->n_workers * h->ring_stride;
	if (end > h->region_size)
		return -EINVAL;
	return 0;
}

int
tlsfp_shm_open(struct tlsfp_shm_region *r, const char *path)
{
	const struct tlsfp_shm_header *h;
	struct stat st;
	uint64_t cons_len;
	void *base;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if ((size_t)snprintf(r->path, sizeof(r->path), "%s", path) >= sizeof(r->path))
		return -ENAMETOOLONG;
	/* O_RDWR so that the consumer page can be made writable below. */
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto fail;
	}
	if (st.st_size < (off_t)sizeof(struct tlsfp_shm_header)) {
		rc = st.st_size == 0 ? -ENODATA : -EINVAL;
		goto fail;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		rc = -errno;
		goto fail;
	}
	rc = tlsfp_shm_check(base, (size_t)st.st_size);
	if (rc != 0) {
		munmap(base, (size_t)st.st_size);
		goto fail;
	}
	h = base;
	cons_len = h->workers_offset - h->consumer_offset; /* whole pages */
	if (mprotect((uint8_t *)base + h->consumer_offset, cons_len, PROT_READ | PROT_WRITE) != 0) {
		rc = -errno;
		munmap(base, (size_t)st.st_size);
		goto fail;
	}
	r->base = base;
	r->size = (size_t)st.st_size;
	r->fd = fd;
	r->owner = 0;
	return 0;
fail:
	close(fd);
	return rc;
}

void
tlsfp_shm_close(struct tlsfp_shm_region *r)
{
	if (r->base != NULL)
		munmap(r->base, r->size);
	if (r->fd >= 0)
		close(r->fd);
	if (r->owner && r->path[0] != '\0')
		unlink(r->path);
	r->base = NULL;
	r->size = 0;
	r->fd = -1;
	r->owner = 0;
}

void
tlsfp_shm_set_state(struct tlsfp_shm_region *r, enum tlsfp_shm_state s)
{
	__atomic_store_n(&tlsfp_shm_header(r)->state, (uint32_t)s, __ATOMIC_RELEASE);
}

void
tlsfp_shm_set_heartbeat(struct tlsfp_shm_region *r, uint64_t ns)
{
	__atomic_store_n(&tlsfp_shm_header(r)->heartbeat_ns, ns, __ATOMIC_RELEASE);
}

enum tlsfp_shm_state
tlsfp_shm_get_state(const struct tlsfp_shm_region *r)
{
	return (enum tlsfp_shm_state)__atomic_load_n(&tlsfp_shm_header(r)->state, __ATOMIC_ACQUIRE);
}

uint64_t
tlsfp_shm_get_heartbeat(const struct tlsfp_shm_region *r)
{
	return __atomic_load_n(&tlsfp_shm_header(r)->heartbeat_ns, __ATOMIC_ACQUIRE);
}
