// Aggregates: a store's native core (agg_engine.h StoreCore: the aggregates
// and the recent handshakes) as a JS class; src/store wraps it. Batches
// drained into it (RegionReader.drainBatch, CaptureAnalyzer.nextBatch) are
// taken in C++ as they are read; JS reads the aggregates for queries and
// persistence, the recent ring for history rows and the live stream, and
// feeds single records (tests, small feeds) with add().
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
  static StoreCore *FromArg(const Napi::Value &v, const char *what);

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
  Napi::Value Rows(const Napi::CallbackInfo &info);
  Napi::Value MarkDirty(const Napi::CallbackInfo &info);
  Napi::Value SortByValue(const Napi::CallbackInfo &info);
  Napi::Value Restore(const Napi::CallbackInfo &info);
  Napi::Value Recent(const Napi::CallbackInfo &info);
  Napi::Value RecentRecords(const Napi::CallbackInfo &info);

  std::string Name(AggKind k, uint32_t id) const;
  Napi::Object AlpnMix(Napi::Env env, const Agg &a) const;

  std::unique_ptr<StoreCore> core_;
  AggEngine *engine_ = nullptr; // &core_->engine
};

} // namespace tlsfp

#endif
