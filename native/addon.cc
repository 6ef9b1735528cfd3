// Module init: the classes and functions the addon exports, and abi(), which
// lets the TypeScript side refuse an addon whose record layout it does not know.
#include <napi.h>

#include "affinity.h"
#include "capture_analyzer.h"
#include "counters_js.h"
#include "aggregates_js.h"
#include "frame_analyzer.h"
#include "hello.h"
#include "record_batch.h"
#include "region_reader.h"
#include "tlsfp_c.h"

namespace tlsfp {
namespace {

Napi::Value Abi(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("recordAbi", Napi::Number::New(env, TLSFP_RECORD_ABI));
  o.Set("recordSize", Napi::Number::New(env, static_cast<double>(sizeof(struct tlsfp_record))));
  o.Set("counters", CounterNamesToJs(env));
  return o;
}

} // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports)
{
  exports.Set("abi", Napi::Function::New<Abi>(env, "abi"));
  exports.Set("parseClientHello", Napi::Function::New<ParseClientHello>(env, "parseClientHello"));
  exports.Set("parseServerHello", Napi::Function::New<ParseServerHello>(env, "parseServerHello"));
  exports.Set("versionName", Napi::Function::New<VersionName>(env, "versionName"));
  exports.Set("FrameAnalyzer", FrameAnalyzer::Init(env));
  exports.Set("CaptureAnalyzer", CaptureAnalyzer::Init(env));
  exports.Set("RegionReader", RegionReader::Init(env));
  exports.Set("Aggregates", Aggregates::Init(env));
  exports.Set("unpackRecord", Napi::Function::New<UnpackRecord>(env, "unpackRecord"));

  exports.Set("setProcessAffinity", Napi::Function::New<SetProcessAffinity>(env, "setProcessAffinity"));
  return exports;
}

} // namespace tlsfp

static Napi::Object InitModule(Napi::Env env, Napi::Object exports)
{
  return tlsfp::Init(env, exports);
}

NODE_API_MODULE(tlsfp, InitModule)
