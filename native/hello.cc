// One handshake message → facts + fingerprints. Used by tests to check the
// parser and the fingerprint functions without building packets.
#include "hello.h"

#include <cstring>
#include <memory>
#include <string>

#include "errors.h"
#include "record_to_js.h"
#include "tlsfp_c.h"

namespace tlsfp {
namespace {

Napi::Uint8Array MessageArg(const Napi::CallbackInfo &info, const char *fn)
{
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(info.Env(), std::string(fn) + "(msg): msg must be a Buffer or Uint8Array");
  return info[0].As<Napi::Uint8Array>();
}

char TransportArg(Napi::Env env, Napi::Value v)
{
  if (v.IsUndefined())
    return 't';
  std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (s == "tcp")
    return 't';
  if (s == "quic")
    return 'q';
  if (s == "dtls")
    return 'd';
  throw Napi::TypeError::New(env, "transport must be 'tcp', 'quic' or 'dtls'");
}

void ThrowParse(Napi::Env env, enum tlsfp_parse_result r, const char *what)
{
  Napi::Error e = CodedError(env, ParseResultCode(r), std::string(what) + " does not parse: " + ParseResultCode(r));
  e.Set("result", Napi::Number::New(env, r));
  throw e;
}

Napi::Object HashAndString(Napi::Env env, const std::string &s)
{
  char md5[TLSFP_MD5_HEX_LEN + 1];
  tlsfp_md5_hex(s.data(), s.size(), md5);
  Napi::Object o = Napi::Object::New(env);
  o.Set("hash", Napi::String::New(env, md5));
  o.Set("string", Napi::String::New(env, s));
  return o;
}

} // namespace

Napi::Value ParseClientHello(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  Napi::Uint8Array msg = MessageArg(info, "parseClientHello");
  char transport = TransportArg(env, info[1]);
  // ~9 KB of fixed arrays: on the heap, not the JS thread's stack.
  auto ch = std::make_unique<struct tlsfp_client_hello>();
  std::memset(ch.get(), 0, sizeof(*ch));
  // DTLS: a cookie after the session id, versions in DTLS order.
  enum tlsfp_parse_result r = transport == 'd'
      ? tlsfp_parse_client_hello_dtls(msg.Data(), msg.ByteLength(), ch.get())
      : tlsfp_parse_client_hello(msg.Data(), msg.ByteLength(), ch.get());
  if (r != TLSFP_PARSE_OK)
    ThrowParse(env, r, "ClientHello");

  // The same view the data plane fingerprints with.
  struct tlsfp_ch_view v;
  std::memset(&v, 0, sizeof(v));
  tlsfp_client_hello_view(ch.get(), transport, &v);

  Napi::Object o = Napi::Object::New(env);
  o.Set("legacyVersion", Napi::Number::New(env, ch->legacy_version));
  o.Set("maxSupportedVersion", Napi::Number::New(env, ch->max_supported_version));
  o.Set("hasSupportedVersions", ch->has_supported_versions);
  o.Set("hasSni", ch->has_sni);
  o.Set("hasAlpn", ch->has_alpn);
  o.Set("ciphers", U16sToJs(env, ch->ciphers, ch->n_ciphers));
  o.Set("exts", U16sToJs(env, ch->exts, ch->n_exts));
  o.Set("groups", U16sToJs(env, ch->groups, ch->n_groups));
  o.Set("pointFormats", U16sToJs(env, ch->point_formats, ch->n_point_formats));
  o.Set("sigAlgs", U16sToJs(env, ch->sigalgs, ch->n_sigalgs));
  o.Set("versions", U16sToJs(env, ch->versions, ch->n_versions));
  o.Set("sni", ch->sni != nullptr ? Napi::Value(NameToJs(env, ch->sni, ch->sni_len)) : env.Null());
  o.Set("alpns", AlpnListToJs(env, ch->alpn, ch->alpn != nullptr ? ch->alpn_len : 0));
  o.Set("ja3", HashAndString(env, Render(tlsfp_ja3_string, &v)));
  char ja4[TLSFP_JA4_LEN + 1];
  char a[11];
  tlsfp_ja4(&v, ja4);
  o.Set("ja4", Napi::String::New(env, ja4));
  tlsfp_ja4_o(&v, ja4);
  o.Set("ja4_o", Napi::String::New(env, ja4));
  o.Set("ja4_r", Napi::String::New(env, Render(tlsfp_ja4_r, &v)));
  o.Set("ja4_ro", Napi::String::New(env, Render(tlsfp_ja4_ro, &v)));
  tlsfp_ja4_a(&v, a);
  o.Set("ja4_a", Napi::String::New(env, a));
  return o;
}

Napi::Value ParseServerHello(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  Napi::Uint8Array msg = MessageArg(info, "parseServerHello");
  auto sh = std::make_unique<struct tlsfp_server_hello>();
  std::memset(sh.get(), 0, sizeof(*sh));
  enum tlsfp_parse_result r = tlsfp_parse_server_hello(msg.Data(), msg.ByteLength(), sh.get());
  if (r != TLSFP_PARSE_OK)
    ThrowParse(env, r, "ServerHello");

  struct tlsfp_sh_view v;
  std::memset(&v, 0, sizeof(v));
  tlsfp_server_hello_view(sh.get(), &v);

  Napi::Object o = Napi::Object::New(env);
  o.Set("legacyVersion", Napi::Number::New(env, sh->legacy_version));
  o.Set("selectedVersion", Napi::Number::New(env, sh->selected_version));
  o.Set("cipher", Napi::Number::New(env, sh->cipher));
  o.Set("helloRetryRequest", sh->is_hello_retry_request);
  o.Set("exts", U16sToJs(env, sh->exts, sh->n_exts));
  o.Set("alpn", sh->alpn != nullptr ? Napi::Value(NameToJs(env, sh->alpn, sh->alpn_len)) : env.Null());
  o.Set("ja3s", HashAndString(env, Render(tlsfp_ja3s_string, &v)));
  return o;
}

Napi::Value VersionName(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  if (!info[0].IsNumber())
    throw Napi::TypeError::New(env, "versionName(version): version must be a number");
  uint32_t v = info[0].As<Napi::Number>().Uint32Value();
  return Napi::String::New(env, tlsfp_version_name(static_cast<uint16_t>(v)));
}

} // namespace tlsfp
