// Per-env state of RecordToJs (record_to_js.cc): a small JS function that
// builds one TlsfpRecord object as an object literal, and the Uint32Array
// through which it receives a record's numbers and lists. Made on the first
// record of each env (main thread, each worker thread), kept alive in the
// env's instance data.
//
// Why: each property set or element set through Node-API is a trip through
// V8's generic runtime (~1-3k instructions, ~100 per record), while the same
// object literal in JS is a handful of instructions once the function is
// optimized. One napi_call_function per record replaces them.
//
// The addon's one instance-data slot (napi_set_instance_data) is this
// cache's; whoever needs another per-env object must make the slot a struct
// holding both.
#ifndef TLSFP_ADDON_RECORD_BUILDER_H
#define TLSFP_ADDON_RECORD_BUILDER_H

#include <node_api.h>

#include <cstddef>
#include <cstdint>

namespace tlsfp {

// Layout of the numbers slots (uint32 each), written by RecordToJs, read by
// the JS builder in record_builder.cc: keep the two in step.
enum RecordSlot : uint32_t {
  kSlotSrcPort,
  kSlotDestPort,
  kSlotIpVersion,
  kSlotUdp,       // 1: proto "UDP", 0: "TCP"
  kSlotTransport, // 0 tcp, 1 quic, 2 dtls
  kSlotNvlan,     // 0..4
  kSlotVlan0,     // 4 slots
  kSlotReason = kSlotVlan0 + 4, // 0 unknown, 1..6 as enum tlsfp_record_reason
  kSlotFlags,     // bit i = the i-th flag of TlsfpRecord.flags, in key order
  kSlotClientVersion,
  kSlotMaxSupportedVersion,
  kSlotHasServerHello,
  kSlotServerVersion,
  kSlotNCiphers, // then exts, sigAlgs, groups, pointFormats, versions
  kSlotLists = kSlotNCiphers + 6, // the six lists back to back, same order
};

struct RecordBuilder {
  napi_value fn;       // (ts, flowId, srcIp, destIp, sni, serverAlpn, version, ja3,
                       //  ja3String, ja3s, ja3sString, ja4, ja4_r, ja4_o, ja4_ro,
                       //  ...clientAlpns)
  uint32_t *slots;     // kSlotLists + list_cap entries
  size_t list_cap;     // room for list entries after kSlotLists
};

// This env's builder, made on the first call. Returns false (a JS exception
// may be pending) if it could not be made.
bool GetRecordBuilder(napi_env env, RecordBuilder *out);

} // namespace tlsfp

#endif
