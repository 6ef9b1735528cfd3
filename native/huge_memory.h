// Large zeroed allocations the kernel may back with transparent huge pages.
//
// The aggregates, the JA4×SNI pair table, the seen table and the recent
// ring grow by hundreds of MB while a busy link fills the store. With 4 KB
// pages every new page is a fault (tens of thousands a second at a million
// handshakes a second); asking for huge pages (madvise MADV_HUGEPAGE, which
// works when THP is "always" or "madvise", the distributions' default) makes
// that one fault per 2 MB. Where THP is off this is plain anonymous memory.
// Either way pages are committed when first touched, not up front.
#ifndef TLSFP_ADDON_HUGE_MEMORY_H
#define TLSFP_ADDON_HUGE_MEMORY_H

#include <cstddef>
#include <new>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>

namespace tlsfp {

constexpr size_t kHugePageBytes = size_t{2} << 20;

// Bytes from mmap, zero-filled, rounded up to whole 2 MB pages when at least
// one is asked for. Throws std::bad_alloc when the mapping fails.
class HugeMemory {
public:
  HugeMemory() = default;
  explicit HugeMemory(size_t bytes);
  ~HugeMemory();
  HugeMemory(HugeMemory &&o) noexcept : p_(std::exchange(o.p_, nullptr)), len_(std::exchange(o.len_, 0)) {}
  HugeMemory &operator=(HugeMemory &&o) noexcept
  {
    std::swap(p_, o.p_);
    std::swap(len_, o.len_);
    return *this;
  }
  HugeMemory(const HugeMemory &) = delete;
  HugeMemory &operator=(const HugeMemory &) = delete;

  void *Data() const { return p_; }
  // Faults every page in now (zero-filled, as huge pages where THP allows),
  // so that the hot path that later fills them takes no page faults.
  void Commit();

private:
  void *p_ = nullptr;
  size_t len_ = 0;
};

// n value-initialised Ts in a HugeMemory; they never move. Trivial types
// are left as the zero pages they start as, so their memory is committed
// only where it is used.
template <typename T>
class HugeArray {
public:
  HugeArray() = default;
  explicit HugeArray(size_t n) : mem_(n * sizeof(T)), n_(n)
  {
    if constexpr (!std::is_trivial_v<T>) {
      T *p = Data();
      for (size_t i = 0; i < n; i++)
        new (p + i) T();
    }
  }
  ~HugeArray()
  {
    if constexpr (!std::is_trivial_v<T>) {
      T *p = Data();
      for (size_t i = 0; i < n_; i++)
        p[i].~T();
    }
  }
  HugeArray(HugeArray &&o) noexcept : mem_(std::move(o.mem_)), n_(std::exchange(o.n_, 0)) {}
  HugeArray &operator=(HugeArray &&o) noexcept
  {
    std::swap(mem_, o.mem_);
    std::swap(n_, o.n_);
    return *this;
  }

  T *Data() const { return static_cast<T *>(mem_.Data()); }
  size_t Size() const { return n_; }
  void Commit() { mem_.Commit(); }
  T &operator[](size_t i) const { return Data()[i]; }

private:
  HugeMemory mem_;
  size_t n_ = 0;
};

// Ts in chunks of 2^kChunkBits that never move, value-initialised a chunk at
// a time, carved from HugeMemory blocks of whole huge pages (a chunk of
// 1.5 MB would otherwise leave a quarter of its last page unused).
template <typename T, unsigned kChunkBits>
class HugeChunks {
public:
  HugeChunks() = default;
  HugeChunks(const HugeChunks &) = delete;
  HugeChunks &operator=(const HugeChunks &) = delete;
  ~HugeChunks()
  {
    for (T *c : chunks_)
      for (size_t i = 0; i < kChunk; i++)
        c[i].~T();
  }

  size_t Size() const { return chunks_.size() * kChunk; }
  void Grow()
  {
    if (chunks_.size() % kChunksPerBlock == 0)
      blocks_.emplace_back(kChunkBytes * kChunksPerBlock);
    T *c = static_cast<T *>(blocks_.back().Data()) + (chunks_.size() % kChunksPerBlock) * kChunk;
    for (size_t i = 0; i < kChunk; i++)
      new (c + i) T();
    chunks_.push_back(c);
  }
  T &operator[](size_t i) const { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }

private:
  static constexpr size_t kChunk = size_t{1} << kChunkBits;
  static constexpr size_t kChunkBytes = sizeof(T) * kChunk;
  static constexpr size_t kChunksPerBlock = kHugePageBytes / std::gcd(kChunkBytes, kHugePageBytes);
  std::vector<HugeMemory> blocks_;
  std::vector<T *> chunks_;
};

} // namespace tlsfp

#endif
