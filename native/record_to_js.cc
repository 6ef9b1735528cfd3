// struct tlsfp_record → JS object. The record carries lists and hashes; the
// clear strings (JA3/JA3S strings, ja4_r, ja4_ro) are rendered here from the
// lists with the same fp/ functions the data plane hashes with.
#include "record_to_js.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

namespace tlsfp {
namespace {

Napi::String AddressToJs(Napi::Env env, const uint8_t *ip, uint8_t version)
{
  char buf[INET6_ADDRSTRLEN];
  const char *s = inet_ntop(version == 6 ? AF_INET6 : AF_INET, ip, buf, sizeof(buf));
  return Napi::String::New(env, s != nullptr ? s : "");
}

// Fixed-size char fields written by C: up to the first NUL, never past cap.
Napi::String CStrToJs(Napi::Env env, const char *s, size_t cap)
{
  return Napi::String::New(env, s, strnlen(s, cap));
}

const char *ReasonName(uint8_t reason)
{
  switch (reason) {
  case TLSFP_REC_R_SERVER_HELLO: return "server_hello";
  case TLSFP_REC_R_FLOW_END: return "flow_end";
  case TLSFP_REC_R_TIMEOUT: return "timeout";
  case TLSFP_REC_R_FLUSH: return "flush";
  case TLSFP_REC_R_EVICTED: return "evicted";
  case TLSFP_REC_R_CLIENT_ONLY: return "client_only";
  default: return "unknown";
  }
}

Napi::Object FlagsToJs(Napi::Env env, uint32_t f)
{
  Napi::Object o = Napi::Object::New(env);
  o.Set("hasClientHello", (f & TLSFP_REC_F_CLIENT_HELLO) != 0);
  o.Set("hasServerHello", (f & TLSFP_REC_F_SERVER_HELLO) != 0);
  o.Set("hrr", (f & TLSFP_REC_F_HRR) != 0);
  o.Set("listsTruncated", (f & TLSFP_REC_F_LISTS_TRUNCATED) != 0);
  o.Set("alpnTruncated", (f & TLSFP_REC_F_ALPN_TRUNCATED) != 0);
  o.Set("sniTruncated", (f & TLSFP_REC_F_SNI_TRUNCATED) != 0);
  o.Set("hasSni", (f & TLSFP_REC_F_HAS_SNI) != 0);
  o.Set("hasAlpn", (f & TLSFP_REC_F_HAS_ALPN) != 0);
  o.Set("hasSupportedVersions", (f & TLSFP_REC_F_HAS_SUPPORTED_VERSIONS) != 0);
  return o;
}

Napi::Object HashAndString(Napi::Env env, Napi::String hash, const std::string &s)
{
  Napi::Object o = Napi::Object::New(env);
  o.Set("hash", hash);
  o.Set("string", Napi::String::New(env, s));
  return o;
}

// ja4_r and ja4_ro share JA4's part a. Take it from the data plane's JA4,
// which counted the whole hello: when a record's lists were cut
// (TLSFP_REC_F_LISTS_TRUNCATED) a recount from them would be wrong.
std::string WithPartA(std::string raw, const char *ja4)
{
  constexpr size_t kPartA = 10;
  if (raw.size() >= kPartA && std::strlen(ja4) >= kPartA)
    raw.replace(0, kPartA, ja4, kPartA);
  return raw;
}

} // namespace

Napi::Array U16sToJs(Napi::Env env, const uint16_t *v, size_t n)
{
  Napi::Array a = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++)
    a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, v[i]));
  return a;
}

Napi::String NameToJs(Napi::Env env, const void *p, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  const auto *b = static_cast<const uint8_t *>(p);
  std::string s;
  s.reserve(len);
  for (size_t i = 0; i < len; i++) {
    uint8_t c = b[i];
    if (c == '\\') {
      s += "\\\\";
    } else if (c >= 0x20 && c <= 0x7e) {
      s += static_cast<char>(c);
    } else {
      s += "\\x";
      s += hex[c >> 4];
      s += hex[c & 0xf];
    }
  }
  return Napi::String::New(env, s);
}

Napi::Array AlpnListToJs(Napi::Env env, const uint8_t *body, size_t len)
{
  Napi::Array a = Napi::Array::New(env);
  uint32_t n = 0;
  size_t off = 0;
  // (u8 length, name) pairs; a pair that runs past the end (a truncated
  // copy) is dropped rather than shown cut.
  while (body != nullptr && off < len) {
    size_t l = body[off];
    if (off + 1 + l > len)
      break;
    a.Set(n++, NameToJs(env, body + off + 1, l));
    off += 1 + l;
  }
  return a;
}

Napi::Object RecordToJs(Napi::Env env, const struct tlsfp_record &rec)
{
  Napi::Object o = Napi::Object::New(env);
  const bool has_sh = (rec.flags & TLSFP_REC_F_SERVER_HELLO) != 0;
  const bool quic = rec.transport == 'q';
  const char *transport = quic ? "quic" : rec.transport == 'd' ? "dtls" : "tcp";

  o.Set("tsNs", Napi::BigInt::New(env, rec.ts_ns));
  o.Set("flowId", Napi::Number::New(env, static_cast<double>(rec.flow_id)));
  o.Set("srcIp", AddressToJs(env, rec.src_ip, rec.ip_version));
  o.Set("srcPort", Napi::Number::New(env, rec.src_port));
  o.Set("destIp", AddressToJs(env, rec.dst_ip, rec.ip_version));
  o.Set("destPort", Napi::Number::New(env, rec.dst_port));
  o.Set("ipVersion", Napi::Number::New(env, rec.ip_version));
  o.Set("proto", Napi::String::New(env, rec.l4proto == 17 ? "UDP" : "TCP"));
  o.Set("transport", Napi::String::New(env, transport));
  uint8_t nvlan = rec.vlan_count < 4 ? rec.vlan_count : 4;
  o.Set("vlan", U16sToJs(env, rec.vlan, nvlan));
  o.Set("reason", Napi::String::New(env, ReasonName(rec.reason)));
  o.Set("flags", FlagsToJs(env, rec.flags));

  // null unless a host_name was there: the extension alone (hasSni) is
  // JA4's d/i flag, not a name.
  if ((rec.flags & TLSFP_REC_F_HAS_SNI) && rec.sni_len > 0)
    o.Set("sni", NameToJs(env, rec.sni, rec.sni_len < TLSFP_REC_SNI_CAP ? rec.sni_len : TLSFP_REC_SNI_CAP));
  else
    o.Set("sni", env.Null());
  o.Set("clientAlpns", AlpnListToJs(env, rec.alpn, rec.alpn_len < TLSFP_REC_ALPN_CAP ? rec.alpn_len : TLSFP_REC_ALPN_CAP));
  if (has_sh) {
    Napi::Array sa = Napi::Array::New(env);
    size_t l = rec.sh_alpn_len < TLSFP_REC_SH_ALPN_CAP ? rec.sh_alpn_len : TLSFP_REC_SH_ALPN_CAP;
    if (l > 0)
      sa.Set(0u, NameToJs(env, rec.sh_alpn, l));
    o.Set("serverAlpns", sa);
  } else {
    o.Set("serverAlpns", env.Null());
  }

  uint16_t server_version = rec.sh_selected_version ? rec.sh_selected_version : rec.sh_legacy_version;
  uint16_t offered = rec.ch_max_supported_version ? rec.ch_max_supported_version : rec.ch_legacy_version;
  o.Set("clientVersion", Napi::Number::New(env, rec.ch_legacy_version));
  o.Set("maxSupportedVersion", Napi::Number::New(env, rec.ch_max_supported_version));
  if (has_sh)
    o.Set("serverVersion", Napi::Number::New(env, server_version));
  else
    o.Set("serverVersion", env.Null());
  o.Set("version", Napi::String::New(env, tlsfp_version_name(has_sh ? server_version : offered)));

  struct tlsfp_ch_view ch;
  std::memset(&ch, 0, sizeof(ch));
  tlsfp_record_ch_view(&rec, &ch);
  o.Set("ja3", HashAndString(env, CStrToJs(env, rec.ja3, sizeof(rec.ja3)), Render(tlsfp_ja3_string, &ch)));
  if (has_sh) {
    struct tlsfp_sh_view sh;
    std::memset(&sh, 0, sizeof(sh));
    tlsfp_record_sh_view(&rec, &sh);
    o.Set("ja3s", HashAndString(env, CStrToJs(env, rec.ja3s, sizeof(rec.ja3s)), Render(tlsfp_ja3s_string, &sh)));
  } else {
    o.Set("ja3s", env.Null());
  }
  o.Set("ja4", CStrToJs(env, rec.ja4, sizeof(rec.ja4)));
  o.Set("ja4_r", Napi::String::New(env, WithPartA(Render(tlsfp_ja4_r, &ch), rec.ja4)));
  o.Set("ja4_o", CStrToJs(env, rec.ja4_o, sizeof(rec.ja4_o)));
  o.Set("ja4_ro", Napi::String::New(env, WithPartA(Render(tlsfp_ja4_ro, &ch), rec.ja4)));

  struct tlsfp_record_lists lists;
  std::memset(&lists, 0, sizeof(lists));
  tlsfp_record_lists(&rec, &lists);
  Napi::Object hs = Napi::Object::New(env);
  hs.Set("version", Napi::Number::New(env, rec.ch_legacy_version));
  hs.Set("ciphers", U16sToJs(env, lists.ciphers.v, lists.ciphers.n));
  hs.Set("exts", U16sToJs(env, lists.exts.v, lists.exts.n));
  hs.Set("sigAlgs", U16sToJs(env, lists.sigalgs.v, lists.sigalgs.n));
  hs.Set("groups", U16sToJs(env, lists.groups.v, lists.groups.n));
  hs.Set("pointFormats", U16sToJs(env, lists.point_formats.v, lists.point_formats.n));
  hs.Set("versions", U16sToJs(env, lists.versions.v, lists.versions.n));
  o.Set("clientHandshake", hs);
  return o;
}

} // namespace tlsfp
