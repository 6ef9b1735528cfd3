// String and pair interning (dictionary.h).
#include "dictionary.h"

#include <cstring>

namespace tlsfp {
namespace {

constexpr size_t kInitialSlots = 1024; // power of two; load kept <= 1/2

// Eight bytes at a time (the keys are 32-36 byte hashes and host names; a
// byte loop was a tenth of the ingest), then a 64-bit finaliser. Internal
// to the dictionary: nothing stored depends on it.
inline uint32_t HashBytes(const char *s, size_t len)
{
  uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, s + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s + i, len - i);
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 29;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 32;
  return static_cast<uint32_t>(h);
}

inline uint32_t HashPair(uint64_t k)
{
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  return static_cast<uint32_t>(k);
}

// Equal bytes, eight at a time: the keys are 32-36 byte hashes and host
// names, for which a call to memcmp cost more than the compare.
inline bool SameBytes(const char *a, const char *b, size_t len)
{
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y)
      return false;
  }
  for (; i < len; i++)
    if (a[i] != b[i])
      return false;
  return true;
}

} // namespace

StringIds::StringIds() : slots_(kInitialSlots), starts_{0} {}

uint32_t StringIds::Hash(const char *s, size_t len) { return HashBytes(s, len); }

size_t StringIds::Probe(const char *s, size_t len, uint32_t h) const
{
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    const Slot slot = slots_[i];
    if (slot.id == 0 || (slot.hash == h && starts_[slot.id] - starts_[slot.id - 1] == len &&
                         SameBytes(arena_.data() + starts_[slot.id - 1], s, len)))
      return i;
  }
}

uint32_t StringIds::Id(const char *s, size_t len, uint32_t h, bool *added)
{
  const size_t i = Probe(s, len, h);
  *added = slots_[i].id == 0;
  if (!*added)
    return slots_[i].id;
  arena_.append(s, len);
  starts_.push_back(static_cast<uint32_t>(arena_.size()));
  const uint32_t id = Size();
  slots_[i] = {h, id};
  if (2 * static_cast<size_t>(id) > slots_.size())
    Grow();
  return id;
}

uint32_t StringIds::Find(const char *s, size_t len) const { return slots_[Probe(s, len, HashBytes(s, len))].id; }

void StringIds::Grow()
{
  std::vector<Slot> slots(slots_.size() * 2);
  const size_t mask = slots.size() - 1;
  for (const Slot &slot : slots_) {
    if (slot.id == 0)
      continue;
    size_t i = slot.hash & mask;
    while (slots[i].id != 0)
      i = (i + 1) & mask;
    slots[i] = slot;
  }
  slots_.swap(slots);
}

PairIds::PairIds() : slots_(kInitialSlots) {}

size_t PairIds::Probe(uint64_t k) const
{
  const size_t mask = slots_.Size() - 1;
  size_t i = HashPair(k) & mask;
  while (slots_[i].id != 0 && slots_[i].key != k)
    i = (i + 1) & mask;
  return i;
}

uint32_t PairIds::Id(uint32_t a, uint32_t b, bool *added)
{
  const uint64_t k = (static_cast<uint64_t>(a) << 32) | b;
  const size_t i = Probe(k);
  *added = slots_[i].id == 0;
  if (!*added)
    return slots_[i].id;
  keys_.push_back(k);
  const uint32_t id = Size();
  slots_[i] = {k, id};
  if (2 * static_cast<size_t>(id) > slots_.Size())
    Grow();
  return id;
}

uint32_t PairIds::Find(uint32_t a, uint32_t b) const
{
  return slots_[Probe((static_cast<uint64_t>(a) << 32) | b)].id;
}

void PairIds::Prefetch(uint32_t a, uint32_t b) const
{
  const uint64_t k = (static_cast<uint64_t>(a) << 32) | b;
  __builtin_prefetch(&slots_[HashPair(k) & (slots_.Size() - 1)]);
}

void PairIds::Reserve(uint32_t n)
{
  keys_.reserve(n);
  while (2 * static_cast<size_t>(n) > slots_.Size())
    Grow();
  slots_.Commit();
}

void PairIds::Grow()
{
  HugeArray<Slot> slots(slots_.Size() * 2);
  const size_t mask = slots.Size() - 1;
  for (size_t j = 0; j < slots_.Size(); j++) {
    const Slot &s = slots_[j];
    if (s.id == 0)
      continue;
    size_t i = HashPair(s.key) & mask;
    while (slots[i].id != 0)
      i = (i + 1) & mask;
    slots[i] = s;
  }
  slots_ = std::move(slots);
}

} // namespace tlsfp
