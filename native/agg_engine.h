// The store's live aggregates, kept in C++ beside the dictionary that
// numbers their keys: per JA4, JA3, JA3S, SNI and JA4×SNI pair, first/last
// seen, count, transport split, ALPN mix and distinct clients / servers /
// SNIs. The ring drain feeds it record by record with no JS in between
// (RegionReader.drainBatch): one core ingests 1.2–1.5 M handshakes a
// second this way (bench/ingest.mjs, docs/benchmarks.md), against ~55 k
// with a JS object per record. JS reads it for queries and persistence (src/store,
// through the Aggregates class of aggregates_js.h).
//
// Semantics are the TypeScript reference model's (test/helpers/
// reference-aggregates.ts), checked against it record for record:
//   - distinct counts are exact up to `bound` members (32-bit hashes of the
//     address / SNI text), then a 1024-register HyperLogLog;
//   - a (JA4×SNI, JA3, JA3S, field, value) member counted before skips its
//     distinct-set updates (they would change nothing);
//   - no SNI: the pair is (JA4, "") and the SNI kind is not touched; no
//     ServerHello: the JA3S kind is not touched.
#ifndef TLSFP_ADDON_AGG_ENGINE_H
#define TLSFP_ADDON_AGG_ENGINE_H

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "dictionary.h"
#include "huge_memory.h"
#include "recent_ring.h"

namespace tlsfp {

enum AggKind : uint32_t { kJa4, kJa3, kJa3s, kSni, kJa4Sni, kAggKinds };

// Distinct 32-bit hashes (never 0): one member inline, then an
// open-addressing table, then past the bound a HyperLogLog.
class Distinct {
public:
  static constexpr uint32_t kHllP = 10;
  static constexpr uint32_t kHllM = 1u << kHllP;

  void Add(uint32_t h, uint32_t bound);
  bool Has(uint32_t h) const; // an estimated set says true (maybe)
  // Where Add(h) will read first (a slot or a register); null when the set
  // is held inline.
  const void *FirstRead(uint32_t h) const
  {
    if (hll_)
      return &Registers()[h >> (32 - kHllP)];
    return cap_ != 0 ? &mem_[h & (cap_ - 1)] : nullptr;
  }
  double Size() const; // exact, or the estimate (never below n)
  bool Estimated() const { return hll_; }
  // The stored form (src/store/sqlite.ts): member hashes as int32 LE, or
  // 0xff then the 1024 registers.
  std::string Blob() const;
  size_t BlobSize() const { return hll_ ? 1 + kHllM : 4 * static_cast<size_t>(n_); }
  // Writes Blob() at out (BlobSize() bytes); returns the end.
  uint8_t *WriteBlob(uint8_t *out) const;
  // Back from Blob(); n: the count stored with it (for an estimated set).
  static Distinct FromBlob(const uint8_t *b, size_t len, double n);

private:
  void Insert(uint32_t h);
  void ToHll(uint32_t h);
  template <typename F>
  void ForEachMember(F f) const;
  uint8_t *Registers() const { return reinterpret_cast<uint8_t *>(mem_.get()); }
  // 24 bytes: one pointer for the table or the registers, so that an
  // aggregate with its three sets fits three cache lines.
  uint32_t one_ = 0;
  uint32_t n_ = 0;
  uint32_t cap_ = 0;   // table slots (a power of two), 0 while n <= 1 or estimated
  bool hll_ = false;   // estimated: mem_ holds the kHllM registers (bytes)
  // The open-addressing table (0 = empty, load <= 1/2), or the registers.
  std::unique_ptr<uint32_t[]> mem_;
};

// One aggregate: 192 bytes, three cache lines, aligned so that none
// straddles a fourth. Up to four ALPNs are counted inline (an aggregate sees
// a handful at most; ids that fit 16 bits, as every real one does), others
// in `more_alpn`.
struct alignas(64) Agg {
  static constexpr int kInlineAlpns = 4;
  double first = 0, last = 0, count = 0;
  double tcp = 0, quic = 0, dtls = 0;
  double alpn_n[kInlineAlpns] = {};
  uint16_t alpn_id[kInlineAlpns] = {}; // 0 = free
  Distinct clients, servers, snis; // snis unused for the SNI and pair kinds
  std::vector<std::pair<uint32_t, double>> more_alpn; // (ALPN id, count)
  bool exists = false;
  bool dirty = false;
  bool restored = false; // read back from SQLite (restore)

  void CountAlpn(uint32_t id, double n);
  // (ALPN id, count) of every ALPN seen, ascending by id.
  std::vector<std::pair<uint32_t, double>> Alpns() const;
};
static_assert(sizeof(Distinct) == 24, "Distinct: 24 bytes");
static_assert(sizeof(Agg) == 192, "Agg: three cache lines");

// One handshake, as the engine takes it. Ids from the engine's dictionary
// (0: none), hashes as Hash32 of the address / SNI text.
struct AggInput {
  uint32_t ja4, ja3, ja3s, sni, pair, alpn; // pair: filled by the engine
  uint32_t client, server, sni_hash;
  uint32_t transport; // 0 tcp, 1 quic, 2 dtls
  double ts_ms;
  // Filled by the engine with pair: where the seen table's probes for the
  // client, the server and the SNI start (hashed once, used three times).
  uint32_t seen_at[3];
};

class AggEngine {
public:
  explicit AggEngine(uint32_t bound) : bound_(bound), seen_(kSeenCapacity) {}

  StringIds ja4, ja3, ja3s, sni, alpn;
  PairIds pairs;

  void Add(const AggInput &in);
  // Add() for n handshakes in order, with the same result, in stages that
  // first ask for the memory the next stage touches (aggregates, the seen
  // table, the distinct sets' slots), so the cache misses of the n overlap
  // instead of following one another. in[i].pair is filled in.
  void AddBulk(AggInput *in, uint32_t n);

  uint32_t Size(AggKind k) const { return size_[k]; }
  uint32_t Count(AggKind k) const { return count_[k]; } // aggregates that exist
  // id >= 1; null when the id has no aggregate.
  const Agg *Get(AggKind k, uint32_t id) const;
  Agg *Make(AggKind k, uint32_t id); // for restore
  // Room for id, without touching its aggregate; its address.
  const Agg *Reserve(AggKind k, uint32_t id);
  // Up to max ids changed since they were last taken, flags cleared (the
  // rest stay queued).
  std::vector<uint32_t> TakeDirty(AggKind k, size_t max);
  void MarkDirty(AggKind k, uint32_t id);
  uint32_t Bound() const { return bound_; }
  // Memory for the first `pairs` JA4×SNI pairs (aggregates and ids), a
  // chunk of each other kind, and the seen table, committed now: a busy
  // link's first handshakes then take no page faults (Suricata's flow
  // prealloc, for the same reason). Past them the store grows as usual.
  void Preallocate(uint32_t pairs);

private:
  // Members already counted: (JA4×SNI, JA3, JA3S, field, value), field 1
  // client, 2 server, 3 SNI. These three aggregates determine all five, so
  // a hit skips the member's five distinct-set updates (random memory
  // accesses); a miss does them (they are idempotent: the counts are the
  // same either way). Cleared when half full. 16-byte slots, four to a
  // cache line.
  struct SeenSlot {
    uint32_t pair, ja3, key, value; // key: JA3S id << 2 | field
  };
  static constexpr uint32_t kSeenCapacity = 1u << 20;
  // Whether member `field` (1 client, 2 server, 3 SNI) of r was counted
  // before; adds it if not.
  bool Seen(const AggInput &r, uint32_t field);
  bool SeenPeek(const AggInput &r, uint32_t field) const; // Seen() without adding
  SeenSlot SeenKey(const AggInput &r, uint32_t field) const;
  // t's slot, or the empty one that ends its run; from slot `at`.
  uint32_t SeenProbe(const SeenSlot &t, uint32_t at) const;
  static uint32_t SeenIndex(const SeenSlot &t);
  void Resolve(AggInput &r); // fills r.pair and r.seen_at
  void PrefetchAggs(AggInput &r); // resolves r
  // Appends where r's distinct-set updates will read first; the new end.
  const void **SetReads(const AggInput &r, const void **out) const;
  // c, s, n: the member hashes to add (0: already counted, skip).
  void Bump(AggKind k, uint32_t id, const AggInput &in, uint32_t c, uint32_t s, uint32_t n);
  void AddOne(const AggInput &in); // after the prefetches, if any

  // Aggregates in chunks that never move (a vector of a million would copy
  // them all when it grows): id i at aggs_[k][i - 1].
  static constexpr uint32_t kChunkBits = 13; // 8192 aggregates, 1.5 MB
  Agg &At(AggKind k, uint32_t id) const { return aggs_[k][id - 1]; }

  uint32_t bound_;
  HugeChunks<Agg, kChunkBits> aggs_[kAggKinds];
  uint32_t size_[kAggKinds] = {}; // ids with room
  std::vector<uint32_t> dirty_[kAggKinds];
  uint32_t count_[kAggKinds] = {};
  // pair 0 = empty (ids start at 1). Its 16 MB are committed as handshakes
  // reach them, not up front.
  HugeArray<SeenSlot> seen_;
  uint32_t seen_n_ = 0;
};

// The native half of one fingerprint store: its aggregates and its recent
// handshakes. Every record a drain takes is numbered (next_index).
struct StoreCore {
  // prealloc_pairs > 0: AggEngine::Preallocate, and the recent ring
  // committed too.
  StoreCore(uint32_t bound, uint32_t recent_max, size_t recent_bytes, uint32_t prealloc_pairs)
      : engine(bound), recent(recent_max, recent_bytes)
  {
    if (prealloc_pairs > 0) {
      engine.Preallocate(prealloc_pairs);
      recent.Commit();
    }
  }
  AggEngine engine;
  RecentRing recent;
  uint64_t next_index = 0;
};

} // namespace tlsfp

#endif
