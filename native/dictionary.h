// The dictionary of the aggregates (agg_engine.h): the strings of handshake
// records (JA4, JA3, JA3S, SNI, first ALPN) and JA4×SNI pairs as small
// integer ids, so an aggregate is found by index, not by hashing a string
// for every record. Ids start at 1 and never change; 0 means "none".
#ifndef TLSFP_ADDON_DICTIONARY_H
#define TLSFP_ADDON_DICTIONARY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "huge_memory.h"

namespace tlsfp {

// Byte strings → ids: open addressing over an arena of the strings.
class StringIds {
public:
  StringIds();
  // The id of s (len bytes), adding it if new (*added set).
  uint32_t Id(const char *s, size_t len, bool *added) { return Id(s, len, Hash(s, len), added); }
  // The same, with h = Hash(s, len) computed before (to Prefetch with it).
  uint32_t Id(const char *s, size_t len, uint32_t h, bool *added);
  static uint32_t Hash(const char *s, size_t len);
  // Asks for the slot Id(s, len, h) probes first.
  void Prefetch(uint32_t h) const { __builtin_prefetch(&slots_[h & (slots_.size() - 1)]); }
  // The id of s, 0 if it has none (nothing added).
  uint32_t Find(const char *s, size_t len) const;
  uint32_t Size() const { return static_cast<uint32_t>(starts_.size() - 1); }
  std::string Name(uint32_t id) const { return arena_.substr(starts_[id - 1], starts_[id] - starts_[id - 1]); }

private:
  // The slot holding s, or the empty one where it would go.
  size_t Probe(const char *s, size_t len, uint32_t h) const;
  void Grow();
  // The hash beside its id: a probe reads one cache line, and a string is
  // compared only when the hashes agree.
  struct Slot {
    uint32_t hash;
    uint32_t id; // 0 = empty
  };
  std::vector<Slot> slots_;
  std::vector<uint32_t> starts_; // id i's bytes are arena_[starts_[i-1], starts_[i])
  std::string arena_;
};

// (a, b) id pairs → ids.
class PairIds {
public:
  PairIds();
  uint32_t Id(uint32_t a, uint32_t b, bool *added);
  uint32_t Find(uint32_t a, uint32_t b) const; // 0 if absent
  void Prefetch(uint32_t a, uint32_t b) const;  // the slot Id(a, b) probes first
  // Room for n pairs in all, committed now: none of them grows the table.
  void Reserve(uint32_t n);
  uint32_t Size() const { return static_cast<uint32_t>(keys_.size()); }
  // id's (a, b) as a << 32 | b.
  uint64_t Key(uint32_t id) const { return keys_[id - 1]; }

private:
  size_t Probe(uint64_t key) const; // key's slot, or the empty one where it would go
  void Grow();
  // The key beside its id: a lookup touches one random cache line, not two
  // (this table holds every JA4×SNI pair: hundreds of thousands, so it
  // lives in huge pages).
  struct Slot {
    uint64_t key;
    uint32_t id; // 0 = empty
  };
  HugeArray<Slot> slots_;
  std::vector<uint64_t> keys_; // id i's key is keys_[i-1]
};

} // namespace tlsfp

#endif
