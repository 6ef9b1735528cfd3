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

} // namespace

StringIds::StringIds() : slots_(kInitialSlots), hashes_(kInitialSlots), starts_{0} {}

uint32_t StringIds::Id(const char *s, size_t len, bool *added)
{
  const uint32_t h = HashBytes(s, len);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    uint32_t id = slots_[i];
    if (id == 0)
      break;
    if (hashes_[i] == h && starts_[id] - starts_[id - 1] == len &&
        std::memcmp(arena_.data() + starts_[id - 1], s, len) == 0) {
      *added = false;
      return id;
    }
  }
  arena_.append(s, len);
  starts_.push_back(static_cast<uint32_t>(arena_.size()));
  const uint32_t id = Size();
  slots_[i] = id;
  hashes_[i] = h;
  if (2 * static_cast<size_t>(id) > slots_.size())
    Grow();
  *added = true;
  return id;
}

uint32_t StringIds::Find(const char *s, size_t len) const
{
  const uint32_t h = HashBytes(s, len);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask; slots_[i] != 0; i = (i + 1) & mask) {
    uint32_t id = slots_[i];
    if (hashes_[i] == h && starts_[id] - starts_[id - 1] == len &&
        std::memcmp(arena_.data() + starts_[id - 1], s, len) == 0)
      return id;
  }
  return 0;
}

void StringIds::Grow()
{
  std::vector<uint32_t> slots(slots_.size() * 2), hashes(slots_.size() * 2);
  const size_t mask = slots.size() - 1;
  for (size_t j = 0; j < slots_.size(); j++) {
    if (slots_[j] == 0)
      continue;
    size_t i = hashes_[j] & mask;
    while (slots[i] != 0)
      i = (i + 1) & mask;
    slots[i] = slots_[j];
    hashes[i] = hashes_[j];
  }
  slots_.swap(slots);
  hashes_.swap(hashes);
}

PairIds::PairIds() : slots_(kInitialSlots) {}

uint32_t PairIds::Id(uint32_t a, uint32_t b, bool *added)
{
  const uint64_t k = (static_cast<uint64_t>(a) << 32) | b;
  const size_t mask = slots_.size() - 1;
  size_t i = HashPair(k) & mask;
  for (; slots_[i].id != 0; i = (i + 1) & mask) {
    if (slots_[i].key == k) {
      *added = false;
      return slots_[i].id;
    }
  }
  keys_.push_back(k);
  const uint32_t id = Size();
  slots_[i] = {k, id};
  if (2 * static_cast<size_t>(id) > slots_.size())
    Grow();
  *added = true;
  return id;
}

uint32_t PairIds::Find(uint32_t a, uint32_t b) const
{
  const uint64_t k = (static_cast<uint64_t>(a) << 32) | b;
  const size_t mask = slots_.size() - 1;
  for (size_t i = HashPair(k) & mask; slots_[i].id != 0; i = (i + 1) & mask)
    if (slots_[i].key == k)
      return slots_[i].id;
  return 0;
}

void PairIds::Prefetch(uint32_t a, uint32_t b) const
{
  const uint64_t k = (static_cast<uint64_t>(a) << 32) | b;
  __builtin_prefetch(&slots_[HashPair(k) & (slots_.size() - 1)]);
}

void PairIds::Grow()
{
  std::vector<Slot> slots(slots_.size() * 2);
  const size_t mask = slots.size() - 1;
  for (const Slot &s : slots_) {
    if (s.id == 0)
      continue;
    size_t i = HashPair(s.key) & mask;
    while (slots[i].id != 0)
      i = (i + 1) & mask;
    slots[i] = s;
  }
  slots_.swap(slots);
}

} // namespace tlsfp
