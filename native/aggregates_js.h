// Aggregates: the AggEngine (agg_engine.h) as a JS class, the native half of
// the fingerprint store (src/store/aggregates.ts wraps it). Batches drained
// with it (RegionReader.drainBatch, CaptureAnalyzer.nextBatch) are
// aggregated in C++ as they are read; JS reads the aggregates for queries
// and persistence, and feeds single records (tests, small feeds) with add().
#ifndef TLSFP_ADDON_AGGREGATES_JS_H
#define TLSFP_ADDON_AGGREGATES_JS_H

#include <napi.h>

#include "agg_engine.h"

namespace tlsfp {

class Aggregates : public Napi::ObjectWrap<Aggregates> {
public:
  static Napi::Function Init(Napi::Env env);
  explicit Aggregates(const Napi::CallbackInfo &info);

  // The Aggregates an argument is; throws a TypeError naming `what` if none.
  static AggEngine *FromArg(const Napi::Value &v, const char *what);

private:
  Napi::Value Add(const Napi::CallbackInfo &info);
  Napi::Value Size(const Napi::CallbackInfo &info);
  Napi::Value Count(const Napi::CallbackInfo &info);
  Napi::Value Names(const Napi::CallbackInfo &info);
  Napi::Value Scan(const Napi::CallbackInfo &info);
  Napi::Value Get(const Napi::CallbackInfo &info);
  Napi::Value Has(const Napi::CallbackInfo &info);
  Napi::Value IdOf(const Napi::CallbackInfo &info);
  Napi::Value PairsOf(const Napi::CallbackInfo &info);
  Napi::Value TakeDirty(const Napi::CallbackInfo &info);
  Napi::Value Row(const Napi::CallbackInfo &info);
  Napi::Value Restore(const Napi::CallbackInfo &info);

  std::string Name(AggKind k, uint32_t id) const;
  Napi::Object AlpnMix(Napi::Env env, const Agg &a) const;

  std::unique_ptr<AggEngine> engine_;
};

} // namespace tlsfp

#endif
