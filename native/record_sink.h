// Where a pipeline's emit callback puts records during one JS call: straight
// into a JS array (the records are converted while they are valid; nothing
// is copied or kept between calls), or into a RecordBatch (BeginBatch). Emit runs inside the C pipeline, so it
// must not let a C++ exception unwind through C frames: a failure is kept
// and thrown by End() once the pipeline call has returned.
#ifndef TLSFP_ADDON_RECORD_SINK_H
#define TLSFP_ADDON_RECORD_SINK_H

#include <napi.h>

#include <string>

#include "record_batch.h"
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
      if (self->batch_ != nullptr) {
        self->batch_->Add(*rec);
        self->n_++;
        return;
      }
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
    batch_ = nullptr;
    n_ = 0;
    failed_ = false;
  }

  // Records go to batch until End(); End() then returns an empty array and
  // the caller finishes the batch.
  void BeginBatch(Napi::Env env, BatchBuilder *batch)
  {
    Begin(env);
    batch_ = batch;
  }

  uint32_t Count() const { return n_; }

  // The records of this call; throws if one could not be converted.
  Napi::Array End()
  {
    Napi::Env env(env_);
    env_ = nullptr;
    batch_ = nullptr;
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
  BatchBuilder *batch_ = nullptr;
  uint32_t n_ = 0;
  bool failed_ = false;
  std::string error_;
  uint64_t lost_ = 0;
};

} // namespace tlsfp

#endif
