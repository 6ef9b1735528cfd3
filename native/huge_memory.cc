// HugeMemory (huge_memory.h).
#include "huge_memory.h"

#include <sys/mman.h>

#include <cstdint>

namespace tlsfp {
namespace {
#ifdef MADV_POPULATE_WRITE
constexpr int kMadvPopulateWrite = MADV_POPULATE_WRITE;
#else
constexpr int kMadvPopulateWrite = 23; // older headers; the kernel says EINVAL if it lacks it
#endif
} // namespace

HugeMemory::HugeMemory(size_t bytes)
{
  if (bytes == 0)
    return;
  len_ = bytes >= kHugePageBytes ? (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1) : bytes;
  void *p = mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw std::bad_alloc();
  // Advice only: without THP (or under memory pressure) 4 KB pages it is.
  if (len_ >= kHugePageBytes)
    madvise(p, len_, MADV_HUGEPAGE);
  p_ = p;
}

void HugeMemory::Commit()
{
  if (p_ == nullptr)
    return;
  // One call where the kernel has it (Linux 5.14); else a write to each
  // 4 KB page, which the kernel turns into huge-page faults where it can.
  if (madvise(p_, len_, kMadvPopulateWrite) == 0)
    return;
  volatile uint8_t *b = static_cast<uint8_t *>(p_);
  for (size_t i = 0; i < len_; i += 4096)
    b[i] = 0;
}

HugeMemory::~HugeMemory()
{
  if (p_ != nullptr)
    munmap(p_, len_);
}

} // namespace tlsfp
