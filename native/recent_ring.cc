// RecentRing (recent_ring.h).
#include "recent_ring.h"

#include <algorithm>
#include <cstring>

namespace tlsfp {

RecentRing::RecentRing(uint32_t max_records, size_t max_bytes)
    : entries_(max_records), bytes_size_(max_records > 0 ? std::max(max_bytes, TLSFP_RECORD_PACKED_MAX) : 0),
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
  // A record goes in whole: at write_, or at 0 when it would run past the end.
  // Packed in place when the largest record fits at write_ (nearly always:
  // it saves copying every record twice), else through scratch.
  uint8_t *bytes = static_cast<uint8_t *>(bytes_.Data());
  uint8_t scratch[TLSFP_RECORD_PACKED_MAX];
  const bool in_place = write_ + TLSFP_RECORD_PACKED_MAX <= bytes_size_;
  const size_t n = tlsfp_record_pack(&rec, in_place ? bytes + write_ : scratch, TLSFP_RECORD_PACKED_MAX);
  // In byte order from write_, entries run oldest to newest: the new record
  // overwrites a prefix of the oldest ones (their entries are dropped below;
  // nothing reads the ring in between). When it does not fit before the end
  // it goes at 0, and the entries in the skipped tail go first.
  size_t at = write_;
  if (write_ + n > bytes_size_) {
    at = 0;
    while (count_ > 0 && entries_[head_].offset >= write_)
      DropOldest();
  }
  while (count_ > 0) {
    const RecentEntry &old = entries_[head_];
    const bool overlaps = old.offset < at + n && at < static_cast<size_t>(old.offset) + old.len;
    if (!overlaps)
      break;
    DropOldest();
  }
  if (!in_place)
    std::memcpy(bytes + at, scratch, n);
  write_ = at + n;
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
