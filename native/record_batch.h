// RecordBatch: the ingest path. Each record read from a ring (or a capture)
// is aggregated at once by the store's AggEngine (agg_engine.h), and handed
// to JS as part of a batch, never as an object of its own:
//   - one row of kBatchColumns int32s: the engine's ids of its JA4, JA3,
//     JA3S, SNI, JA4×SNI pair and first client ALPN, hashes of its client
//     and server address, and its transport (column order: BatchColumn),
//     which the store's history rows and live-stream filters use;
//   - its capture time in ms;
//   - its packed form (tlsfp/record.h), from which JS makes the full record
//     only where one is needed: a history row, a live-stream match, an EVE
//     line.
// A JS object per record costs ~40k instructions (record_to_js.cc); this
// costs a few hundred.
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
#include "tlsfp_c.h"

namespace tlsfp {

// Column order of a batch row: src/addon/native.ts BatchColumn mirrors it.
enum BatchColumn : uint32_t {
  kColJa4,
  kColJa3,
  kColJa3s,   // 0: no ServerHello
  kColSni,    // 0: no host_name
  kColJa4Sni, // the (JA4 id, SNI id) pair
  kColAlpn,   // first client ALPN name, "" when none
  kColClient, // hash32 of srcIp's text (never 0)
  kColServer, // hash32 of destIp's text
  kColTransport, // 0 tcp, 1 quic, 2 dtls
  kBatchColumns,
};

class BatchBuilder {
public:
  explicit BatchBuilder(AggEngine *engine) : engine_(engine) {}

  void Add(const struct tlsfp_record &rec);
  uint32_t Count() const { return static_cast<uint32_t>(ts_ms_.size()); }

  // The batch as a JS object (RecordBatch in src/addon/native.ts); the
  // builder is empty again afterwards.
  Napi::Object Finish(Napi::Env env);

private:
  uint32_t EscapedId(StringIds &ids, const void *p, size_t len, uint32_t *hash);

  AggEngine *engine_;
  std::vector<int32_t> cols_;
  std::vector<double> ts_ms_;
  std::vector<uint8_t> packed_;
  std::vector<uint32_t> offsets_{0};
  std::string escaped_;
};

// Asks for the cache lines of a record that Add() reads, ahead of time: a
// ring slot was just written by a data-plane core, and its ~10 lines are
// scattered over 5 KB, where no hardware prefetcher guesses them.
void PrefetchRecord(const struct tlsfp_record *rec);

// The same hash as src/store/aggregates.ts hash32 over an ASCII string.
uint32_t Hash32(const char *s, size_t len);

// addon.unpackRecords(packed: Buffer, offsets: Uint32Array, from, to): the
// full records (TlsfpRecord) of batch rows [from, to).
Napi::Value UnpackRecords(const Napi::CallbackInfo &info);
// addon.unpackRecord(packed: Buffer|Uint8Array): one record, or throws.
Napi::Value UnpackRecord(const Napi::CallbackInfo &info);
// addon.recordAddresses(packed, offsets, from, to): [srcIp, destIp, ...].
Napi::Value RecordAddresses(const Napi::CallbackInfo &info);

} // namespace tlsfp

#endif
