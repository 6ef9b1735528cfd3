// See record_builder.h.
#include "record_builder.h"

#include <cstring>
#include <string>

#include "tlsfp_c.h"

namespace tlsfp {
namespace {

// Called once with the Uint32Array, returns the per-record builder. Only
// literals and operators: nothing a program could have patched (no global
// Array, no prototype methods). Key order = TlsfpRecord's, as before.
const char kSource[] = R"JS((function (u) {
  'use strict';
  var TRANSPORTS = ['tcp', 'quic', 'dtls'];
  var REASONS = ['unknown', 'server_hello', 'flow_end', 'timeout', 'flush', 'evicted', 'client_only'];
  function list(o, n) {
    var a = [];
    for (var i = 0; i < n; i++) a[i] = u[o + i];
    return a;
  }
  return function (ts, flowId, srcIp, destIp, sni, serverAlpn, version,
                   ja3, ja3String, ja3s, ja3sString, ja4, ja4_r, ja4_o, ja4_ro, ...clientAlpns) {
    var f = u[SLOT_FLAGS];
    var sh = u[SLOT_HAS_SH] !== 0;
    var o = SLOT_LISTS;
    var nc = u[SLOT_N], ne = u[SLOT_N + 1], ns = u[SLOT_N + 2], ng = u[SLOT_N + 3],
        np = u[SLOT_N + 4], nv = u[SLOT_N + 5];
    var ciphers = list(o, nc); o += nc;
    var exts = list(o, ne); o += ne;
    var sigAlgs = list(o, ns); o += ns;
    var groups = list(o, ng); o += ng;
    var pointFormats = list(o, np); o += np;
    var versions = list(o, nv);
    return {
      tsNs: ts,
      flowId: flowId,
      srcIp: srcIp,
      srcPort: u[SLOT_SRC_PORT],
      destIp: destIp,
      destPort: u[SLOT_DEST_PORT],
      ipVersion: u[SLOT_IP_VERSION],
      proto: u[SLOT_UDP] !== 0 ? 'UDP' : 'TCP',
      transport: TRANSPORTS[u[SLOT_TRANSPORT]],
      vlan: list(SLOT_VLAN0, u[SLOT_NVLAN]),
      reason: REASONS[u[SLOT_REASON]],
      flags: {
        hasClientHello: (f & 1) !== 0,
        hasServerHello: (f & 2) !== 0,
        hrr: (f & 4) !== 0,
        listsTruncated: (f & 8) !== 0,
        alpnTruncated: (f & 16) !== 0,
        sniTruncated: (f & 32) !== 0,
        hasSni: (f & 64) !== 0,
        hasAlpn: (f & 128) !== 0,
        hasSupportedVersions: (f & 256) !== 0,
      },
      sni: sni,
      clientAlpns: clientAlpns,
      serverAlpns: sh ? (serverAlpn === null ? [] : [serverAlpn]) : null,
      clientVersion: u[SLOT_CLIENT_VERSION],
      maxSupportedVersion: u[SLOT_MAX_SUPPORTED_VERSION],
      serverVersion: sh ? u[SLOT_SERVER_VERSION] : null,
      version: version,
      ja3: { hash: ja3, string: ja3String },
      ja3s: sh ? { hash: ja3s, string: ja3sString } : null,
      ja4: ja4,
      ja4_r: ja4_r,
      ja4_o: ja4_o,
      ja4_ro: ja4_ro,
      clientHandshake: {
        version: u[SLOT_CLIENT_VERSION],
        ciphers: ciphers,
        exts: exts,
        sigAlgs: sigAlgs,
        groups: groups,
        pointFormats: pointFormats,
        versions: versions,
      },
    };
  };
}))JS";

struct Cache {
  napi_ref fn = nullptr;
  napi_ref slots_array = nullptr; // keeps the slots' memory alive
  uint32_t *slots = nullptr;
};

void Finalize(napi_env env, void *data, void * /*hint*/)
{
  auto *c = static_cast<Cache *>(data);
  if (c->fn != nullptr)
    napi_delete_reference(env, c->fn);
  if (c->slots_array != nullptr)
    napi_delete_reference(env, c->slots_array);
  delete c;
}

// The source with the SLOT_ names replaced by their numbers.
std::string Source()
{
  static const struct {
    const char *name;
    uint32_t value;
  } slots[] = {
      {"SLOT_SRC_PORT", kSlotSrcPort},
      {"SLOT_DEST_PORT", kSlotDestPort},
      {"SLOT_IP_VERSION", kSlotIpVersion},
      {"SLOT_UDP", kSlotUdp},
      {"SLOT_TRANSPORT", kSlotTransport},
      {"SLOT_NVLAN", kSlotNvlan},
      {"SLOT_VLAN0", kSlotVlan0},
      {"SLOT_REASON", kSlotReason},
      {"SLOT_FLAGS", kSlotFlags},
      {"SLOT_CLIENT_VERSION", kSlotClientVersion},
      {"SLOT_MAX_SUPPORTED_VERSION", kSlotMaxSupportedVersion},
      {"SLOT_HAS_SH", kSlotHasServerHello},
      {"SLOT_SERVER_VERSION", kSlotServerVersion},
      {"SLOT_N", kSlotNCiphers},
      {"SLOT_LISTS", kSlotLists},
  };
  std::string s = kSource;
  for (const auto &sl : slots) {
    const std::string name = sl.name;
    const std::string value = std::to_string(sl.value);
    for (size_t at = s.find(name); at != std::string::npos; at = s.find(name, at)) {
      // Whole identifiers only (SLOT_N is a prefix of SLOT_NVLAN).
      char next = at + name.size() < s.size() ? s[at + name.size()] : ' ';
      if (next == '_' || (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9')) {
        at += name.size();
        continue;
      }
      s.replace(at, name.size(), value);
      at += value.size();
    }
  }
  return s;
}

Cache *Create(napi_env env)
{
  auto *c = new Cache();
  const std::string src = Source();
  const size_t n = kSlotLists + TLSFP_REC_LIST_CAP;
  napi_value script, outer, ab, ta, undef, fn;
  void *mem = nullptr;
  bool ok = napi_create_string_utf8(env, src.data(), src.size(), &script) == napi_ok &&
            napi_run_script(env, script, &outer) == napi_ok &&
            napi_create_arraybuffer(env, n * sizeof(uint32_t), &mem, &ab) == napi_ok &&
            napi_create_typedarray(env, napi_uint32_array, n, ab, 0, &ta) == napi_ok &&
            napi_get_undefined(env, &undef) == napi_ok &&
            napi_call_function(env, undef, outer, 1, &ta, &fn) == napi_ok &&
            napi_create_reference(env, fn, 1, &c->fn) == napi_ok &&
            napi_create_reference(env, ta, 1, &c->slots_array) == napi_ok;
  c->slots = static_cast<uint32_t *>(mem);
  if (ok)
    std::memset(mem, 0, n * sizeof(uint32_t));
  ok = ok && napi_set_instance_data(env, c, Finalize, nullptr) == napi_ok;
  if (!ok) {
    Finalize(env, c, nullptr);
    return nullptr;
  }
  return c;
}

} // namespace

bool GetRecordBuilder(napi_env env, RecordBuilder *out)
{
  void *data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok)
    return false;
  auto *c = static_cast<Cache *>(data);
  if (c == nullptr && (c = Create(env)) == nullptr)
    return false;
  if (napi_get_reference_value(env, c->fn, &out->fn) != napi_ok)
    return false;
  out->slots = c->slots;
  out->list_cap = TLSFP_REC_LIST_CAP;
  return true;
}

} // namespace tlsfp
