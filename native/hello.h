// parseClientHello / parseServerHello: one handshake message → facts and
// every fingerprint, straight through the C parser and fp/ functions.
#ifndef TLSFP_ADDON_HELLO_H
#define TLSFP_ADDON_HELLO_H

#include <napi.h>

namespace tlsfp {

Napi::Value ParseClientHello(const Napi::CallbackInfo &info);
Napi::Value ParseServerHello(const Napi::CallbackInfo &info);
Napi::Value VersionName(const Napi::CallbackInfo &info);

} // namespace tlsfp

#endif
