// FrameAnalyzer: a pipeline fed with frames built in JS (tests, tools).
#ifndef TLSFP_ADDON_FRAME_ANALYZER_H
#define TLSFP_ADDON_FRAME_ANALYZER_H

#include <napi.h>

#include "record_sink.h"
#include "tlsfp_c.h"

namespace tlsfp {

class FrameAnalyzer : public Napi::ObjectWrap<FrameAnalyzer> {
public:
  static Napi::Function Init(Napi::Env env);
  explicit FrameAnalyzer(const Napi::CallbackInfo &info);
  ~FrameAnalyzer() override;

private:
  Napi::Value Input(const Napi::CallbackInfo &info);
  Napi::Value Expire(const Napi::CallbackInfo &info);
  Napi::Value Flush(const Napi::CallbackInfo &info);
  Napi::Value Counters(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);
  struct tlsfp_pipeline *Pipeline(Napi::Env env);

  struct tlsfp_pipeline *pipeline_ = nullptr;
  RecordSink sink_;
};

} // namespace tlsfp

#endif
