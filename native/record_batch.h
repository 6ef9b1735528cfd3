// RecordBatch: the ingest path. Each record read from a ring (or a capture)
// is taken by the store's native core (agg_engine.h StoreCore) at once:
// aggregated (in bulk, AggEngine::AddBulk) and kept packed in its recent
// ring (recent_ring.h), from which JS gets history rows and live-stream
// records later. JS gets a small summary per batch, no object per record
// (one costs ~40k instructions, record_to_js.cc), and when asked every
// record's EVE line (tlsfp/eve.h), all in one Buffer.
//
// Add() runs inside the C pipeline's emit callback or the ring drain: plain
// C++, no Node-API, never throws past its caller (allocation failure aside).
#ifndef TLSFP_ADDON_RECORD_BATCH_H
#define TLSFP_ADDON_RECORD_BATCH_H

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "agg_engine.h"
#include "recent_ring.h"
#include "tlsfp_c.h"

namespace tlsfp {

// Columns of a recent-ring row as JS gets them (NativeAggregates.recent):
// src/addon/native.ts RecentColumn mirrors it.
enum RecentColumn : uint32_t {
  kRecentJa4,
  kRecentJa3,
  kRecentJa3s, // 0: no ServerHello
  kRecentSni,  // 0: no host_name
  kRecentTransport, // 0 tcp, 1 quic, 2 dtls
  kRecentColumns,
};

class BatchBuilder {
public:
  // eve: also write each record's EVE line into the batch; aggregate:
  // false leaves the core untouched (only the EVE lines are wanted).
  BatchBuilder(StoreCore *core, bool eve, bool aggregate)
      : core_(core), eve_(eve), aggregate_(aggregate), first_(core->next_index)
  {
  }

  void Add(const struct tlsfp_record &rec);
  // Called on the record that Add() takes next, once its lines are cached
  // (PrefetchRecord): hashes its JA4, JA3, JA3S and SNI and asks for their
  // dictionary slots, so that Add() finds them in cache. These tables are
  // small, but the aggregates' memory streaming past evicts them.
  void PrefetchIds(const struct tlsfp_record &rec);
  uint32_t Count() const { return count_; }

  // { n, first, newestMs, eve? } (RecordBatch in src/addon/native.ts).
  Napi::Object Finish(Napi::Env env);

private:
  uint32_t EscapedId(StringIds &ids, const void *p, size_t len, uint32_t *hash, const uint32_t *plain_hash);
  // Aggregates the inputs not yet given to the engine (AddBulk).
  void Flush();

  StoreCore *core_;
  bool eve_;
  bool aggregate_;
  uint32_t count_ = 0;
  uint64_t first_;
  double newest_ms_ = 0;
  std::string eve_lines_;
  std::vector<AggInput> inputs_; // this batch's records, as the engine takes them
  uint32_t added_ = 0;           // inputs_ given to the engine so far
  std::string escaped_;
  // The hashes PrefetchIds computed for the next record, while Add takes
  // this one: by the parity of the record's place in the batch.
  struct Hashes {
    const struct tlsfp_record *rec = nullptr;
    uint32_t ja4, ja3, ja3s, sni;
    size_t ja4_len, ja3_len, ja3s_len;
    bool sni_plain; // sni computed: the name needs no escaping
  } ahead_[2];
  Hashes &ComputeHashes(const struct tlsfp_record &rec, Hashes &h);
};

// Asks for the cache lines of a record that Add() reads, ahead of time: a
// ring slot was just written by a data-plane core, and its ~10 lines are
// scattered over 5 KB, where no hardware prefetcher guesses them.
void PrefetchRecord(const struct tlsfp_record *rec);

// The options argument of drainBatch / nextBatch: { eve?: boolean,
// aggregate?: boolean }.
struct BatchOptions {
  bool eve = false;
  bool aggregate = true;
};
BatchOptions BatchOptionsArg(const Napi::Value &v, const char *fn);

// The same hash as src/store/aggregates.ts hash32 over an ASCII string.
uint32_t Hash32(const char *s, size_t len);

// addon.unpackRecord(packed: Buffer|Uint8Array): one record, or throws.
Napi::Value UnpackRecord(const Napi::CallbackInfo &info);

} // namespace tlsfp

#endif
