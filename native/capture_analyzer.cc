// CaptureAnalyzer: pcap/pcapng → pipeline → records, one batch per next().
#include "capture_analyzer.h"

#include <cerrno>
#include <cstring>

#include "aggregates_js.h"
#include "counters_js.h"
#include "errors.h"
#include "options.h"

namespace tlsfp {
namespace {

constexpr uint32_t kDefaultMaxRecords = 1024;
constexpr uint32_t kMaxRecordsLimit = 1u << 20;
// Bound the time one next() holds the JS thread (a few ms at pipeline speed).
constexpr uint64_t kPacketsPerCall = 65536;
// Offline housekeeping: time out flows once per second of capture time.
constexpr uint64_t kExpireEveryNs = 1000000000ull;

} // namespace

Napi::Function CaptureAnalyzer::Init(Napi::Env env)
{
  return DefineClass(env, "CaptureAnalyzer",
                     {InstanceMethod<&CaptureAnalyzer::Next>("next"),
                      InstanceMethod<&CaptureAnalyzer::NextBatch>("nextBatch"),
                      InstanceMethod<&CaptureAnalyzer::Progress>("progress"),
                      InstanceMethod<&CaptureAnalyzer::Counters>("counters"),
                      InstanceMethod<&CaptureAnalyzer::Close>("close")});
}

CaptureAnalyzer::CaptureAnalyzer(const Napi::CallbackInfo &info) : Napi::ObjectWrap<CaptureAnalyzer>(info)
{
  Napi::Env env = info.Env();
  if (!info[0].IsString())
    throw Napi::TypeError::New(env, "CaptureAnalyzer(path, options): path must be a string");
  path_ = info[0].As<Napi::String>().Utf8Value();
  // Options first: a bad option is a usage error whatever the file.
  struct tlsfp_pipeline_config cfg = PipelineConfigFromJs(env, info[1]);

  int err = 0;
  char errbuf[512] = "";
  errno = 0;
  capture_ = tlsfp_capture_open(path_.c_str(), &err, errbuf, sizeof(errbuf));
  if (capture_ == nullptr) {
    int saved = errno;
    const char *code = err == TLSFP_CAPTURE_E_OPEN || err == 0 ? ErrnoCode(saved) : CaptureErrorCode(err);
    std::string msg = errbuf[0] != '\0' ? errbuf : path_ + ": cannot open";
    Napi::Error e = CodedError(env, code, msg);
    e.Set("path", Napi::String::New(env, path_));
    throw e;
  }
  try {
    pipeline_ = CreatePipeline(env, cfg, &RecordSink::Emit, &sink_);
  } catch (...) {
    Release();
    throw;
  }
}

CaptureAnalyzer::~CaptureAnalyzer()
{
  Release();
}

void CaptureAnalyzer::Release()
{
  if (pipeline_ != nullptr)
    tlsfp_pipeline_destroy(pipeline_);
  if (capture_ != nullptr)
    tlsfp_capture_close(capture_);
  pipeline_ = nullptr;
  capture_ = nullptr;
}

void CaptureAnalyzer::CheckOpen(Napi::Env env) const
{
  if (pipeline_ == nullptr)
    throw CodedError(env, "TLSFP_E_CLOSED", "the CaptureAnalyzer is closed");
}

void CaptureAnalyzer::ThrowPendingError(Napi::Env env)
{
  pending_error_ = false;
  done_ = true;
  Napi::Error e = CodedError(env, CaptureErrorCode(error_kind_), error_message_);
  e.Set("path", Napi::String::New(env, path_));
  throw e;
}

void CaptureAnalyzer::Pump(uint32_t max_records)
{
  uint64_t n = 0;
  while (!done_ && sink_.Count() < max_records && n < kPacketsPerCall) {
    struct tlsfp_frame f;
    int err = 0;
    char errbuf[512] = "";
    int r = tlsfp_capture_next(capture_, &f, &err, errbuf, sizeof(errbuf));
    if (r == 1) {
      n++;
      tlsfp_pipeline_input(pipeline_, f.data, f.caplen, f.wirelen, f.linktype, f.ts_ns);
      if (f.ts_ns >= last_expire_ns_ + kExpireEveryNs) {
        if (last_expire_ns_ != 0)
          tlsfp_pipeline_expire(pipeline_, f.ts_ns);
        last_expire_ns_ = f.ts_ns;
      }
      continue;
    }
    // End of file, or a malformed file: what was read so far still counts.
    tlsfp_pipeline_flush(pipeline_);
    if (r < 0) {
      pending_error_ = true;
      error_kind_ = err != 0 ? err : TLSFP_CAPTURE_E_CORRUPT;
      error_message_ = errbuf[0] != '\0' ? errbuf : path_ + ": malformed capture";
    } else {
      done_ = true;
    }
    break;
  }
  packets_ += n;
}

Napi::Value CaptureAnalyzer::Next(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  CheckOpen(env);
  uint32_t max_records = MaxRecordsArg(info[0], "next(maxRecords)", kDefaultMaxRecords, kMaxRecordsLimit);
  if (pending_error_)
    ThrowPendingError(env);

  Napi::Object result = Napi::Object::New(env);
  sink_.Begin(env);
  Pump(max_records);
  Napi::Array records = sink_.End();
  if (pending_error_ && records.Length() == 0)
    return Next(info);
  result.Set("records", records);
  result.Set("done", Napi::Boolean::New(env, done_));
  return result;
}

// next() for the ingest path: { batch: RecordBatch, done }.
Napi::Value CaptureAnalyzer::NextBatch(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  CheckOpen(env);
  StoreCore *aggs = Aggregates::FromArg(info[0], "nextBatch(aggregates, maxRecords): aggregates");
  uint32_t max_records = MaxRecordsArg(info[1], "nextBatch(aggregates, maxRecords)", kDefaultMaxRecords, kMaxRecordsLimit);
  if (pending_error_)
    ThrowPendingError(env);

  const BatchOptions opts = BatchOptionsArg(info[2], "nextBatch(aggregates, maxRecords, options)");
  BatchBuilder batch(aggs, opts.eve, opts.aggregate);
  sink_.BeginBatch(env, &batch);
  Pump(max_records);
  sink_.End();
  if (pending_error_ && batch.Count() == 0)
    ThrowPendingError(env);
  Napi::Object result = Napi::Object::New(env);
  result.Set("batch", batch.Finish(env));
  result.Set("done", Napi::Boolean::New(env, done_));
  return result;
}

Napi::Value CaptureAnalyzer::Progress(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  double offset = capture_ != nullptr ? static_cast<double>(tlsfp_capture_offset(capture_)) : 0;
  double size = capture_ != nullptr ? static_cast<double>(tlsfp_capture_size(capture_)) : 0;
  o.Set("offset", Napi::Number::New(env, offset));
  o.Set("size", Napi::Number::New(env, size));
  o.Set("packets", Napi::Number::New(env, static_cast<double>(packets_)));
  return o;
}

Napi::Value CaptureAnalyzer::Counters(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  CheckOpen(env);
  return CountersToJs(env, tlsfp_pipeline_counters(pipeline_));
}

Napi::Value CaptureAnalyzer::Close(const Napi::CallbackInfo &info)
{
  Release();
  done_ = true;
  return info.Env().Undefined();
}

} // namespace tlsfp
