// RecentRing (recent_ring.h).
#include "recent_ring.h"

#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tlsfp {

namespace {

// Records start on cache lines, so that they can be written with
// non-temporal stores.
constexpr size_t kLine = 64;
constexpr size_t kPackedLines = (TLSFP_RECORD_PACKED_MAX + kLine - 1) & ~(kLine - 1);

// Whole lines from src to dst (both line-aligned), around the cache: the
// ring is far bigger than the caches and is read back only when the store
// flushes, so ordinary stores would first read each line from memory (a
// read for ownership) and then evict something useful. Only this thread
// reads the ring, and a thread always sees its own stores, so no fence.
void StreamLines(uint8_t *dst, const uint8_t *src, size_t bytes)
{
#if defined(__SSE2__)
  for (size_t i = 0; i < bytes; i += 16)
    _mm_stream_si128(reinterpret_cast<__m128i *>(dst + i), _mm_load_si128(reinterpret_cast<const __m128i *>(src + i)));
#else
  std::memcpy(dst, src, bytes);
#endif
}

} // namespace

RecentRing::RecentRing(uint32_t max_records, size_t max_bytes)
    : entries_(max_records), bytes_size_(max_records > 0 ? std::max(max_bytes, kPackedLines) : 0),
      bytes_(bytes_size_)
{
}

void RecentRing::DropOldest()
{
  head_ = (head_ + 1) % entries_.size();
  count_--;
}

void RecentRing::Push(uint64_t index, const struct tlsfp_record &rec, const RecentEntry &cols)
{
  next_ = index + 1;
  if (entries_.empty())
    return;
  if (count_ == entries_.size())
    DropOldest();
  alignas(kLine) uint8_t scratch[kPackedLines];
  const size_t n = tlsfp_record_pack(&rec, scratch, TLSFP_RECORD_PACKED_MAX);
  const size_t lines = (n + kLine - 1) & ~(kLine - 1);
  // A record goes in whole, on a line: at write_, or at 0 when it would run
  // past the end. In byte order from write_, entries run oldest to newest:
  // the new record overwrites a prefix of the oldest ones. When it does not
  // fit before the end it goes at 0, and the entries in the skipped tail go
  // first.
  size_t at = write_;
  if (write_ + lines > bytes_size_) {
    at = 0;
    while (count_ > 0 && entries_[head_].offset >= write_)
      DropOldest();
  }
  while (count_ > 0) {
    const RecentEntry &old = entries_[head_];
    const bool overlaps = old.offset < at + lines && at < static_cast<size_t>(old.offset) + old.len;
    if (!overlaps)
      break;
    DropOldest();
  }
  StreamLines(static_cast<uint8_t *>(bytes_.Data()) + at, scratch, lines);
  write_ = at + lines;
  RecentEntry &e = entries_[(head_ + count_) % entries_.size()];
  e = cols;
  e.index = index;
  e.offset = static_cast<uint32_t>(at);
  e.len = static_cast<uint32_t>(n);
  count_++;
}

const RecentEntry *RecentRing::Find(uint64_t index) const
{
  if (index < Oldest() || index >= next_)
    return nullptr;
  return &entries_[(head_ + (index - Oldest())) % entries_.size()];
}

} // namespace tlsfp
