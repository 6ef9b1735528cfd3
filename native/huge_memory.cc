// HugeMemory (huge_memory.h).
#include "huge_memory.h"

#include <sys/mman.h>

namespace tlsfp {
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

HugeMemory::~HugeMemory()
{
  if (p_ != nullptr)
    munmap(p_, len_);
}

} // namespace tlsfp
