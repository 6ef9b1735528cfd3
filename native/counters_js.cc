// Pipeline counters → JS.
#include "counters_js.h"

namespace tlsfp {

Napi::Object CountersToJs(Napi::Env env, const struct tlsfp_counters *c)
{
  Napi::Object o = Napi::Object::New(env);
  for (int i = 0; i < TLSFP_CTR__COUNT; i++)
    o.Set(tlsfp_counter_name(static_cast<enum tlsfp_counter>(i)),
          Napi::Number::New(env, c != nullptr ? static_cast<double>(c->v[i]) : 0.0));
  return o;
}

Napi::Array CounterNamesToJs(Napi::Env env)
{
  Napi::Array a = Napi::Array::New(env, TLSFP_CTR__COUNT);
  for (int i = 0; i < TLSFP_CTR__COUNT; i++)
    a.Set(static_cast<uint32_t>(i), Napi::String::New(env, tlsfp_counter_name(static_cast<enum tlsfp_counter>(i))));
  return a;
}

} // namespace tlsfp
