// struct tlsfp_record → JS object. The record carries lists and hashes; the
// clear strings (JA3/JA3S strings, ja4_r, ja4_ro) are rendered here from the
// lists with the same fp/ functions the data plane hashes with.
//
// This runs once per handshake record (tlsfp pcap, tlsfp run's ring drain).
// Setting each field and list entry through Node-API costs a trip through
// V8's generic runtime each (~100 per record, most of the addon's time), so
// the object is built by one small JS function instead (record_builder.{h,cc}),
// called once per record: the numbers and lists go to it through a
// per-env Uint32Array, the strings as arguments. The result is the same
// plain object as field-by-field assignment gave: same keys in the same
// order, plain writable/enumerable/configurable data properties, number[]
// lists (bench/record-to-js.mjs --dump compares two builds byte for byte).
#include "record_to_js.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "record_builder.h"

namespace tlsfp {
namespace {

// A failed Node-API call: throw what it left (RecordSink and the callers
// turn a Napi::Error into their own error).
inline void Check(napi_env env, napi_status st)
{
  if (st != napi_ok)
    throw Napi::Error::New(env);
}

// Text that is ASCII in every real record (hashes, fingerprint strings,
// addresses, escaped names) goes in as Latin-1, which V8 copies as is; any
// byte >= 0x80 (a corrupt record) keeps the UTF-8 decoding it always had.
napi_value Str(napi_env env, const char *s, size_t len)
{
  napi_value v;
  unsigned char any = 0; // OR of every byte: one vectorized pass
  for (size_t i = 0; i < len; i++)
    any |= static_cast<unsigned char>(s[i]);
  Check(env, any < 0x80 ? napi_create_string_latin1(env, s, len, &v) : napi_create_string_utf8(env, s, len, &v));
  return v;
}

napi_value Str(napi_env env, const std::string &s)
{
  return Str(env, s.data(), s.size());
}

napi_value U32(napi_env env, uint32_t n)
{
  napi_value v;
  Check(env, napi_create_uint32(env, n, &v));
  return v;
}

napi_value Null(napi_env env)
{
  napi_value v;
  Check(env, napi_get_null(env, &v));
  return v;
}

napi_value AddressToJs(napi_env env, const uint8_t *ip, uint8_t version)
{
  char buf[kAddressTextMax];
  return Str(env, buf, FormatAddress(ip, version, buf));
}

// Fixed-size char fields written by C: up to the first NUL, never past cap.
napi_value CStrToJs(napi_env env, const char *s, size_t cap)
{
  return Str(env, s, strnlen(s, cap));
}

// Index into the builder's reason names (record_builder.cc): 0 is "unknown".
uint32_t ReasonIndex(uint8_t reason)
{
  switch (reason) {
  case TLSFP_REC_R_SERVER_HELLO: return 1;
  case TLSFP_REC_R_FLOW_END: return 2;
  case TLSFP_REC_R_TIMEOUT: return 3;
  case TLSFP_REC_R_FLUSH: return 4;
  case TLSFP_REC_R_EVICTED: return 5;
  case TLSFP_REC_R_CLIENT_ONLY: return 6;
  default: return 0;
  }
}

// The flags in the order of TlsfpRecord.flags' keys, bit 0 first (the
// builder tests bit i for its i-th key).
uint32_t FlagBits(uint32_t f)
{
  static const uint32_t order[] = {TLSFP_REC_F_CLIENT_HELLO,   TLSFP_REC_F_SERVER_HELLO,
                                   TLSFP_REC_F_HRR,            TLSFP_REC_F_LISTS_TRUNCATED,
                                   TLSFP_REC_F_ALPN_TRUNCATED, TLSFP_REC_F_SNI_TRUNCATED,
                                   TLSFP_REC_F_HAS_SNI,        TLSFP_REC_F_HAS_ALPN,
                                   TLSFP_REC_F_HAS_SUPPORTED_VERSIONS};
  uint32_t bits = 0;
  for (uint32_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
    if (f & order[i])
      bits |= 1u << i;
  return bits;
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

napi_value U16s(napi_env env, const uint16_t *v, size_t n)
{
  napi_value a;
  Check(env, napi_create_array_with_length(env, n, &a));
  for (size_t i = 0; i < n; i++)
    Check(env, napi_set_element(env, a, static_cast<uint32_t>(i), U32(env, v[i])));
  return a;
}

napi_value Name(napi_env env, const void *p, size_t len)
{
  return Str(env, EscapeName(p, len));
}

// Calls f(name, length) for each name of an ALPN ProtocolNameList body:
// (u8 length, name) pairs; a pair that runs past the end (a truncated copy)
// is dropped rather than shown cut.
template <typename F>
void ForEachAlpn(const uint8_t *body, size_t len, F f)
{
  size_t off = 0;
  while (body != nullptr && off < len) {
    size_t l = body[off];
    if (off + 1 + l > len)
      break;
    f(body + off + 1, l);
    off += 1 + l;
  }
}

napi_value AlpnList(napi_env env, const uint8_t *body, size_t len)
{
  napi_value a;
  Check(env, napi_create_array(env, &a));
  uint32_t n = 0;
  ForEachAlpn(body, len, [&](const uint8_t *name, size_t l) {
    Check(env, napi_set_element(env, a, n++, Name(env, name, l)));
  });
  return a;
}

} // namespace

size_t FormatAddress(const uint8_t *ip, uint8_t version, char *buf)
{
  if (version != 6) {
    // "%u.%u.%u.%u", what inet_ntop(AF_INET) writes, without its sprintf
    // (~1.8k instructions an address).
    char *p = buf;
    for (int i = 0; i < 4; i++) {
      unsigned v = ip[i];
      if (v >= 100)
        *p++ = static_cast<char>('0' + v / 100);
      if (v >= 10)
        *p++ = static_cast<char>('0' + v / 10 % 10);
      *p++ = static_cast<char>('0' + v % 10);
      if (i < 3)
        *p++ = '.';
    }
    return static_cast<size_t>(p - buf);
  }
  const char *s = inet_ntop(AF_INET6, ip, buf, kAddressTextMax);
  return s != nullptr ? std::strlen(s) : 0;
}

std::string EscapeName(const void *p, size_t len)
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
  return s;
}

Napi::Array U16sToJs(Napi::Env env, const uint16_t *v, size_t n)
{
  return Napi::Array(env, U16s(env, v, n));
}

Napi::String NameToJs(Napi::Env env, const void *p, size_t len)
{
  return Napi::String(env, Name(env, p, len));
}

Napi::Array AlpnListToJs(Napi::Env env, const uint8_t *body, size_t len)
{
  return Napi::Array(env, AlpnList(env, body, len));
}

Napi::Object RecordToJs(Napi::Env napi_env_wrap, const struct tlsfp_record &rec)
{
  napi_env env = napi_env_wrap;
  RecordBuilder b;
  if (!GetRecordBuilder(env, &b))
    throw Napi::Error::New(napi_env_wrap);

  const bool has_sh = (rec.flags & TLSFP_REC_F_SERVER_HELLO) != 0;
  uint16_t server_version = rec.sh_selected_version ? rec.sh_selected_version : rec.sh_legacy_version;
  uint16_t offered = rec.ch_max_supported_version ? rec.ch_max_supported_version : rec.ch_legacy_version;

  // Numbers and lists: into the builder's slots (record_builder.h).
  uint32_t *u = b.slots;
  u[kSlotSrcPort] = rec.src_port;
  u[kSlotDestPort] = rec.dst_port;
  u[kSlotIpVersion] = rec.ip_version;
  u[kSlotUdp] = rec.l4proto == 17;
  u[kSlotTransport] = TransportIndex(rec.transport);
  uint8_t nvlan = rec.vlan_count < 4 ? rec.vlan_count : 4;
  u[kSlotNvlan] = nvlan;
  for (uint32_t i = 0; i < 4; i++)
    u[kSlotVlan0 + i] = i < nvlan ? rec.vlan[i] : 0;
  u[kSlotReason] = ReasonIndex(rec.reason);
  u[kSlotFlags] = FlagBits(rec.flags);
  u[kSlotClientVersion] = rec.ch_legacy_version;
  u[kSlotMaxSupportedVersion] = rec.ch_max_supported_version;
  u[kSlotHasServerHello] = has_sh;
  u[kSlotServerVersion] = server_version;

  struct tlsfp_record_lists lists;
  std::memset(&lists, 0, sizeof(lists));
  tlsfp_record_lists(&rec, &lists);
  // The builder's order: ciphers, exts, sigAlgs, groups, pointFormats, versions.
  const struct tlsfp_u16s *order[6] = {&lists.ciphers, &lists.exts,          &lists.sigalgs,
                                       &lists.groups,  &lists.point_formats, &lists.versions};
  size_t used = 0;
  for (int i = 0; i < 6; i++) {
    size_t n = order[i]->n;
    if (n > b.list_cap - used) // tlsfp_record_lists keeps the sum <= TLSFP_REC_LIST_CAP
      throw std::length_error("tlsfp: RecordToJs: lists longer than the record holds");
    u[kSlotNCiphers + i] = static_cast<uint32_t>(n);
    for (size_t j = 0; j < n; j++)
      u[kSlotLists + used + j] = order[i]->v[j];
    used += n;
  }

  // Strings and the rest: arguments (record_builder.cc's builder), then the
  // client's ALPN names, which the builder takes as a rest parameter.
  constexpr size_t kFixedArgs = 15;
  const size_t alpn_len = rec.alpn_len < TLSFP_REC_ALPN_CAP ? rec.alpn_len : TLSFP_REC_ALPN_CAP;
  size_t n_alpn = 0;
  ForEachAlpn(rec.alpn, alpn_len, [&](const uint8_t *, size_t) { n_alpn++; });
  napi_value small[kFixedArgs + 8];
  std::vector<napi_value> big;
  napi_value *argv = small;
  if (kFixedArgs + n_alpn > sizeof(small) / sizeof(small[0])) {
    big.resize(kFixedArgs + n_alpn);
    argv = big.data();
  }
  size_t argc = kFixedArgs;
  ForEachAlpn(rec.alpn, alpn_len, [&](const uint8_t *name, size_t l) { argv[argc++] = Name(env, name, l); });

  Check(env, napi_create_bigint_uint64(env, rec.ts_ns, &argv[0]));
  Check(env, napi_create_double(env, static_cast<double>(rec.flow_id), &argv[1]));
  argv[2] = AddressToJs(env, rec.src_ip, rec.ip_version);
  argv[3] = AddressToJs(env, rec.dst_ip, rec.ip_version);
  // null unless a host_name was there: the extension alone (hasSni) is
  // JA4's d/i flag, not a name.
  if ((rec.flags & TLSFP_REC_F_HAS_SNI) && rec.sni_len > 0)
    argv[4] = Name(env, rec.sni, rec.sni_len < TLSFP_REC_SNI_CAP ? rec.sni_len : TLSFP_REC_SNI_CAP);
  else
    argv[4] = Null(env);
  size_t sh_alpn = rec.sh_alpn_len < TLSFP_REC_SH_ALPN_CAP ? rec.sh_alpn_len : TLSFP_REC_SH_ALPN_CAP;
  argv[5] = has_sh && sh_alpn > 0 ? Name(env, rec.sh_alpn, sh_alpn) : Null(env);
  const char *vname = tlsfp_version_name(has_sh ? server_version : offered);
  argv[6] = Str(env, vname, std::strlen(vname));

  struct tlsfp_ch_view ch;
  std::memset(&ch, 0, sizeof(ch));
  tlsfp_record_ch_view(&rec, &ch);
  argv[7] = CStrToJs(env, rec.ja3, sizeof(rec.ja3));
  argv[8] = Str(env, Render(tlsfp_ja3_string, &ch));
  if (has_sh) {
    struct tlsfp_sh_view sh;
    std::memset(&sh, 0, sizeof(sh));
    tlsfp_record_sh_view(&rec, &sh);
    argv[9] = CStrToJs(env, rec.ja3s, sizeof(rec.ja3s));
    argv[10] = Str(env, Render(tlsfp_ja3s_string, &sh));
  } else {
    argv[9] = argv[10] = Null(env);
  }
  argv[11] = CStrToJs(env, rec.ja4, sizeof(rec.ja4));
  argv[12] = Str(env, WithPartA(Render(tlsfp_ja4_r, &ch), rec.ja4));
  argv[13] = CStrToJs(env, rec.ja4_o, sizeof(rec.ja4_o));
  argv[14] = Str(env, WithPartA(Render(tlsfp_ja4_ro, &ch), rec.ja4));

  napi_value undef, o;
  Check(env, napi_get_undefined(env, &undef));
  Check(env, napi_call_function(env, undef, b.fn, argc, argv, &o));
  return Napi::Object(napi_env_wrap, o);
}

} // namespace tlsfp
