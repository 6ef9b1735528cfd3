// FrameAnalyzer: the pipeline over frames handed in from JS, in batches
// (one call per batch, never one per packet).
#include "frame_analyzer.h"

#include <string>
#include <vector>

#include "counters_js.h"
#include "errors.h"
#include "options.h"

namespace tlsfp {
namespace {

// Linktype 1 (Ethernet) unless the frame says otherwise.
constexpr int kDefaultLinktype = 1;

struct FrameArg {
  const uint8_t *data;
  uint32_t caplen;
  uint32_t wirelen;
  int linktype;
  uint64_t ts_ns;
};

FrameArg ReadFrame(Napi::Env env, Napi::Value v, uint32_t i)
{
  std::string where = "frames[" + std::to_string(i) + "]";
  if (!v.IsObject())
    throw Napi::TypeError::New(env, where + " must be an object {data, tsNs, linktype}");
  Napi::Object o = v.As<Napi::Object>();
  Napi::Value data = o.Get("data");
  if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(env, where + ".data must be a Buffer or Uint8Array");
  Napi::Uint8Array bytes = data.As<Napi::Uint8Array>();
  FrameArg f;
  f.data = bytes.Data();
  f.caplen = static_cast<uint32_t>(bytes.ByteLength());
  f.wirelen = f.caplen;
  f.linktype = kDefaultLinktype;
  f.ts_ns = 0;
  Napi::Value ts = o.Get("tsNs");
  if (ts.IsBigInt()) {
    bool lossless = true;
    f.ts_ns = ts.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless)
      throw Napi::RangeError::New(env, where + ".tsNs must fit in 64 unsigned bits");
  } else if (!ts.IsUndefined()) {
    throw Napi::TypeError::New(env, where + ".tsNs must be a bigint");
  }
  Napi::Value lt = o.Get("linktype");
  if (lt.IsNumber())
    f.linktype = lt.As<Napi::Number>().Int32Value();
  else if (!lt.IsUndefined())
    throw Napi::TypeError::New(env, where + ".linktype must be a number");
  Napi::Value wl = o.Get("wirelen");
  if (wl.IsNumber())
    f.wirelen = wl.As<Napi::Number>().Uint32Value();
  return f;
}

} // namespace

Napi::Function FrameAnalyzer::Init(Napi::Env env)
{
  return DefineClass(env, "FrameAnalyzer",
                     {InstanceMethod<&FrameAnalyzer::Input>("input"),
                      InstanceMethod<&FrameAnalyzer::Expire>("expire"),
                      InstanceMethod<&FrameAnalyzer::Flush>("flush"),
                      InstanceMethod<&FrameAnalyzer::Counters>("counters"),
                      InstanceMethod<&FrameAnalyzer::Close>("close")});
}

FrameAnalyzer::FrameAnalyzer(const Napi::CallbackInfo &info) : Napi::ObjectWrap<FrameAnalyzer>(info)
{
  Napi::Env env = info.Env();
  struct tlsfp_pipeline_config cfg = PipelineConfigFromJs(env, info[0]);
  pipeline_ = CreatePipeline(env, cfg, &RecordSink::Emit, &sink_);
}

FrameAnalyzer::~FrameAnalyzer()
{
  if (pipeline_ != nullptr)
    tlsfp_pipeline_destroy(pipeline_);
}

struct tlsfp_pipeline *FrameAnalyzer::Pipeline(Napi::Env env)
{
  if (pipeline_ == nullptr)
    throw CodedError(env, "TLSFP_E_CLOSED", "the FrameAnalyzer is closed");
  return pipeline_;
}

Napi::Value FrameAnalyzer::Input(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  struct tlsfp_pipeline *p = Pipeline(env);
  if (!info[0].IsArray())
    throw Napi::TypeError::New(env, "input(frames): frames must be an array");
  Napi::Array frames = info[0].As<Napi::Array>();
  // Validate every frame before the pipeline sees any: all or nothing.
  std::vector<FrameArg> args;
  args.reserve(frames.Length());
  for (uint32_t i = 0; i < frames.Length(); i++)
    args.push_back(ReadFrame(env, frames.Get(i), i));
  sink_.Begin(env);
  for (const FrameArg &f : args)
    tlsfp_pipeline_input(p, f.data, f.caplen, f.wirelen, f.linktype, f.ts_ns);
  return sink_.End();
}

Napi::Value FrameAnalyzer::Expire(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  struct tlsfp_pipeline *p = Pipeline(env);
  if (!info[0].IsBigInt())
    throw Napi::TypeError::New(env, "expire(nowNs): nowNs must be a bigint");
  bool lossless = true;
  uint64_t now = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  sink_.Begin(env);
  tlsfp_pipeline_expire(p, now);
  return sink_.End();
}

Napi::Value FrameAnalyzer::Flush(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  struct tlsfp_pipeline *p = Pipeline(env);
  sink_.Begin(env);
  tlsfp_pipeline_flush(p);
  return sink_.End();
}

Napi::Value FrameAnalyzer::Counters(const Napi::CallbackInfo &info)
{
  return CountersToJs(info.Env(), tlsfp_pipeline_counters(Pipeline(info.Env())));
}

Napi::Value FrameAnalyzer::Close(const Napi::CallbackInfo &info)
{
  if (pipeline_ != nullptr) {
    tlsfp_pipeline_destroy(pipeline_);
    pipeline_ = nullptr;
  }
  return info.Env().Undefined();
}

} // namespace tlsfp
