// Where a pipeline's emit callback puts records during one JS call: straight
// into a JS array (the records are converted while they are valid; nothing
// is copied or kept between calls). Emit runs inside the C pipeline, so it
// must not let a C++ exception unwind through C frames: a failure is kept
// and thrown by End() once the pipeline call has returned.
#ifndef TLSFP_ADDON_RECORD_SINK_H
#define TLSFP_ADDON_RECORD_SINK_H

#include <napi.h>

#include <string>

#include "record_to_js.h"

namespace tlsfp {

class RecordSink {
public:
  // The tlsfp_emit_fn; ctx is the RecordSink.
  static void Emit(void *ctx, const struct tlsfp_record *rec)
  {
    auto *self = static_cast<RecordSink *>(ctx);
    if (self->env_ == nullptr) {
      self->lost_++; // emitted outside a JS call: nowhere to put it
      return;
    }
    if (self->failed_)
      return;
    try {
      Napi::Env env(self->env_);
      self->out_.Set(self->n_++, RecordToJs(env, *rec));
    } catch (const Napi::Error &e) {
      self->failed_ = true;
      self->error_ = e.Message();
    } catch (const std::exception &e) {
      self->failed_ = true;
      self->error_ = e.what();
    }
  }

  void Begin(Napi::Env env)
  {
    env_ = env;
    out_ = Napi::Array::New(env);
    n_ = 0;
    failed_ = false;
  }

  uint32_t Count() const { return n_; }

  // The records of this call; throws if one could not be converted.
  Napi::Array End()
  {
    Napi::Env env(env_);
    env_ = nullptr;
    Napi::Array out = out_;
    out_ = Napi::Array();
    if (failed_)
      throw Napi::Error::New(env, "tlsfp: converting a record failed: " + error_);
    return out;
  }

  // Records emitted while no JS call was active (should stay 0).
  uint64_t Lost() const { return lost_; }

private:
  napi_env env_ = nullptr;
  Napi::Array out_;
  uint32_t n_ = 0;
  bool failed_ = false;
  std::string error_;
  uint64_t lost_ = 0;
};

} // namespace tlsfp

#endif
