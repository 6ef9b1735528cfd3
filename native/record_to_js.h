// The one conversion at the boundary: a handshake record → a plain JS object.
#ifndef TLSFP_ADDON_RECORD_TO_JS_H
#define TLSFP_ADDON_RECORD_TO_JS_H

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "tlsfp_c.h"

namespace tlsfp {

// Shape: TlsfpRecord in src/addon/native.ts (keep the two in step).
Napi::Object RecordToJs(Napi::Env env, const struct tlsfp_record &rec);

// Helpers shared with hello.cc, which shows a freshly parsed hello the same way.
Napi::Array U16sToJs(Napi::Env env, const uint16_t *v, size_t n);
// A name from the wire (SNI, ALPN) as text: printable ASCII as is, a
// backslash as \\, any other byte as \xNN (reversible, and what tshark shows).
Napi::String NameToJs(Napi::Env env, const void *p, size_t len);
Napi::Array AlpnListToJs(Napi::Env env, const uint8_t *body, size_t len);

// A record's transport ('t', 'q', 'd') as 0 tcp, 1 quic, 2 dtls: the
// builder's slot and the aggregates' column.
inline uint32_t TransportIndex(char t)
{
  return t == 'q' ? 1 : t == 'd' ? 2 : 0;
}

// The same escaping as text (NameToJs, and the aggregates' SNI/ALPN keys).
std::string EscapeName(const void *p, size_t len);

// An address as a record shows it (srcIp, destIp): dotted IPv4, or
// inet_ntop's IPv6. Writes to buf (kAddressTextMax bytes), returns the length.
constexpr size_t kAddressTextMax = 46; // INET6_ADDRSTRLEN
size_t FormatAddress(const uint8_t *ip, uint8_t version, char *buf);

// Render a snprintf-style fp/ string function into a std::string.
template <typename View>
std::string Render(size_t (*fn)(const View *, char *, size_t), const View *view)
{
  char small[1024];
  size_t n = fn(view, small, sizeof(small));
  if (n < sizeof(small))
    return std::string(small, n);
  std::string big(n + 1, '\0');
  fn(view, &big[0], big.size());
  big.resize(n);
  return big;
}

} // namespace tlsfp

#endif
