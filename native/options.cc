// JS analyzer options → struct tlsfp_pipeline_config.
#include "options.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

#include "errors.h"

namespace tlsfp {
namespace {

struct Range {
  const char *name;
  double min;
  double max;
};

const Range kMaxFlows{"maxFlows", 1, 16777216};
const Range kHelloMaxBytes{"helloMaxBytes", 64, 1048576};
const Range kReasmMaxBytes{"reasmMaxBytes", 64, 1099511627776.0};
const Range kHelloTimeoutMs{"helloTimeoutMs", 1, 86400000};
const Range kFlowTimeoutMs{"flowTimeoutMs", 1, 86400000};

// Reads obj[range.name] if present: true and *out set, false if undefined.
bool ReadInteger(Napi::Env env, Napi::Object obj, const Range &range, double *out)
{
  Napi::Value v = obj.Get(range.name);
  if (v.IsUndefined())
    return false;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
  if (!std::isfinite(d) || std::floor(d) != d || d < range.min || d > range.max) {
    std::string got = v.IsNumber() ? v.ToString().Utf8Value() : std::string("a ") + (v.IsString() ? "string" : "non-number");
    throw Napi::RangeError::New(env, std::string("option ") + range.name + " must be an integer from " +
                                         std::to_string(static_cast<unsigned long long>(range.min)) + " to " +
                                         std::to_string(static_cast<unsigned long long>(range.max)) +
                                         ", got " + got);
  }
  *out = d;
  return true;
}

bool IsKnownKey(const std::string &key)
{
  for (const Range *r : {&kMaxFlows, &kHelloMaxBytes, &kReasmMaxBytes, &kHelloTimeoutMs, &kFlowTimeoutMs})
    if (key == r->name)
      return true;
  return false;
}

} // namespace

struct tlsfp_pipeline_config PipelineConfigFromJs(Napi::Env env, Napi::Value value)
{
  struct tlsfp_pipeline_config cfg;
  std::memset(&cfg, 0, sizeof(cfg));
  tlsfp_pipeline_config_defaults(&cfg);
  if (value.IsUndefined() || value.IsNull())
    return cfg;
  if (!value.IsObject() || value.IsArray())
    throw Napi::TypeError::New(env, "options must be an object");
  Napi::Object obj = value.As<Napi::Object>();
  Napi::Array keys = obj.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string key = keys.Get(i).ToString().Utf8Value();
    if (!IsKnownKey(key))
      throw Napi::TypeError::New(env, "unknown option " + key);
  }
  double d;
  if (ReadInteger(env, obj, kMaxFlows, &d))
    cfg.max_flows = static_cast<uint32_t>(d);
  if (ReadInteger(env, obj, kHelloMaxBytes, &d))
    cfg.hello_max_bytes = static_cast<uint32_t>(d);
  if (ReadInteger(env, obj, kReasmMaxBytes, &d))
    cfg.reasm_max_bytes = static_cast<uint64_t>(d);
  if (ReadInteger(env, obj, kHelloTimeoutMs, &d))
    cfg.hello_timeout_ns = static_cast<uint64_t>(d) * 1000000u;
  if (ReadInteger(env, obj, kFlowTimeoutMs, &d))
    cfg.flow_timeout_ns = static_cast<uint64_t>(d) * 1000000u;
  return cfg;
}

struct tlsfp_pipeline *CreatePipeline(Napi::Env env, const struct tlsfp_pipeline_config &cfg,
                                      tlsfp_emit_fn emit, void *ctx)
{
  errno = 0;
  struct tlsfp_pipeline *p = tlsfp_pipeline_create(&cfg, emit, ctx);
  if (p != nullptr)
    return p;
  if (errno == ENOMEM)
    throw CodedError(env, "ENOMEM", "not enough memory for the pipeline (lower maxFlows or reasmMaxBytes)");
  throw Napi::RangeError::New(env, std::string("invalid pipeline options: ") + std::strerror(errno ? errno : EINVAL));
}

uint32_t MaxRecordsArg(const Napi::Value &v, const char *fn, uint32_t dflt, uint32_t limit)
{
  if (v.IsUndefined())
    return dflt;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 1 && d <= limit) || static_cast<double>(static_cast<uint32_t>(d)) != d)
    throw Napi::RangeError::New(v.Env(), std::string(fn) + ": maxRecords must be an integer from 1 to " +
                                             std::to_string(limit));
  return static_cast<uint32_t>(d);
}

} // namespace tlsfp
