// RecentRing: the newest handshakes the store took, packed (tlsfp/record.h),
// with the columns of a history row, held in C++ memory between the
// store's flushes: what becomes its SQLite history (the newest historyMax
// rows) and what its live stream shows. Nothing is allocated per record or
// per batch: records are packed into one byte ring, and only those the
// store writes or streams are ever made into JS values.
//
// Entries are numbered by a counter that starts at 0 and never wraps (the
// engine's record index). The ring keeps the newest `max_records` entries,
// or fewer when their packed bytes outgrow `max_bytes` (hostile hellos pack
// to 5 KB against a typical 450 B).
#ifndef TLSFP_ADDON_RECENT_RING_H
#define TLSFP_ADDON_RECENT_RING_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "huge_memory.h"
#include "tlsfp_c.h"

namespace tlsfp {

struct RecentEntry {
  uint64_t index;
  double ts_ms;
  uint32_t ja4, ja3, ja3s, sni; // the engine's ids, 0 none
  uint32_t transport;           // 0 tcp, 1 quic, 2 dtls
  uint32_t offset, len;         // packed bytes in the byte ring
};

class RecentRing {
public:
  RecentRing(uint32_t max_records, size_t max_bytes);

  // Faults the whole byte ring in now rather than as records reach it.
  void Commit() { bytes_.Commit(); }

  // Packs rec as entry number `index` (one more than the last).
  void Push(uint64_t index, const struct tlsfp_record &rec, const RecentEntry &cols);

  uint32_t Capacity() const { return static_cast<uint32_t>(entries_.size()); }
  uint64_t Oldest() const { return next_ - count_; } // index of the oldest held
  uint64_t Next() const { return next_; }             // index the next Push takes
  // Entry `index`, or null when it is not held (dropped, or not yet pushed).
  const RecentEntry *Find(uint64_t index) const;
  const uint8_t *Bytes(const RecentEntry &e) const { return static_cast<const uint8_t *>(bytes_.Data()) + e.offset; }

private:
  void DropOldest();
  std::vector<RecentEntry> entries_; // circular, count_ from head_
  size_t bytes_size_;
  // Circular by whole records. Pages are committed as records reach them,
  // so a quiet appliance does not hold the whole cap.
  HugeMemory bytes_;
  uint32_t head_ = 0, count_ = 0;
  uint64_t next_ = 0;
  size_t write_ = 0; // next byte offset
};

} // namespace tlsfp

#endif
