// RegionReader: the data plane's shared-memory region (dpdk/include/tlsfp/shm.h)
// seen from JS. Drains the per-worker record rings as the one consumer and
// reads the header, heartbeat and counters. JS never gets a pointer: records
// are copied out of the ring, then converted by RecordToJs.
#ifndef TLSFP_ADDON_REGION_READER_H
#define TLSFP_ADDON_REGION_READER_H

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

namespace tlsfp {

struct RegionState; // the C region and ring handles (region_reader.cc)

class RegionReader : public Napi::ObjectWrap<RegionReader> {
public:
  static Napi::Function Init(Napi::Env env);
  explicit RegionReader(const Napi::CallbackInfo &info);
  ~RegionReader() override;

private:
  Napi::Value Drain(const Napi::CallbackInfo &info);
  Napi::Value DrainBatch(const Napi::CallbackInfo &info);
  Napi::Value Header(const Napi::CallbackInfo &info);
  Napi::Value Counters(const Napi::CallbackInfo &info);
  Napi::Value RingDepth(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);
  void CheckOpen(Napi::Env env) const;

  std::unique_ptr<RegionState> state_;
  std::string path_;
};

} // namespace tlsfp

#endif
