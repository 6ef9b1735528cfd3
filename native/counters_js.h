// Pipeline counters → JS.
#ifndef TLSFP_ADDON_COUNTERS_JS_H
#define TLSFP_ADDON_COUNTERS_JS_H

#include <napi.h>

#include "tlsfp_c.h"

namespace tlsfp {

// {packets: n, bytes: n, ...} in counters.h order. Values are exact up to
// 2^53, far beyond any capture.
Napi::Object CountersToJs(Napi::Env env, const struct tlsfp_counters *c);

// The counter names in counters.h order.
Napi::Array CounterNamesToJs(Napi::Env env);

} // namespace tlsfp

#endif
