// CaptureAnalyzer: a capture file read through the pipeline, in batches.
#ifndef TLSFP_ADDON_CAPTURE_ANALYZER_H
#define TLSFP_ADDON_CAPTURE_ANALYZER_H

#include <napi.h>

#include <string>

#include "record_sink.h"
#include "tlsfp_c.h"

namespace tlsfp {

class CaptureAnalyzer : public Napi::ObjectWrap<CaptureAnalyzer> {
public:
  static Napi::Function Init(Napi::Env env);
  explicit CaptureAnalyzer(const Napi::CallbackInfo &info);
  ~CaptureAnalyzer() override;

private:
  Napi::Value Next(const Napi::CallbackInfo &info);
  Napi::Value NextBatch(const Napi::CallbackInfo &info);
  // Feeds packets until max_records are out, the file ends or the per-call
  // packet bound is reached; the sink has been begun by the caller.
  void Pump(uint32_t max_records);
  void ThrowPendingError(Napi::Env env);
  Napi::Value Progress(const Napi::CallbackInfo &info);
  Napi::Value Counters(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);
  void CheckOpen(Napi::Env env) const;
  void Release();

  struct tlsfp_capture *capture_ = nullptr;
  struct tlsfp_pipeline *pipeline_ = nullptr;
  RecordSink sink_;
  std::string path_;
  uint64_t packets_ = 0;
  uint64_t last_expire_ns_ = 0;
  bool done_ = false;
  // A malformed file: the records before it are returned first, then the
  // next call to next() throws this.
  bool pending_error_ = false;
  int error_kind_ = 0;
  std::string error_message_;
};

} // namespace tlsfp

#endif
