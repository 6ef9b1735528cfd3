// The Aggregates JS class (aggregates_js.h). Kinds are named as in
// src/store/types.ts: "ja4", "ja3", "ja3s", "sni", "ja4_sni"; a ja4_sni
// value is "<ja4>|<sni>" ("<ja4>|" without an SNI).
#include "aggregates_js.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "errors.h"
#include "record_batch.h"
#include "record_to_js.h"

namespace tlsfp {
namespace {

// Marks a JS object as an Aggregates, so an argument is checked before it
// is unwrapped (napi_unwrap alone takes any wrapped object).
const napi_type_tag kAggregatesTag = {0x746c7366705f6167ull, 0x6772656761746573ull};

constexpr uint32_t kDefaultBound = 4096;
// The recent ring holds at least a whole batch (drainBatch's maximum), so
// the live stream sees every record even with no history kept.
constexpr uint32_t kRecentMin = 65536;
constexpr size_t kRecentBytesPerRecord = 1024; // typical packed size ~450

uint32_t WholeOption(Napi::Object o, const char *key, uint32_t dflt, double min, double max)
{
  Napi::Value v = o.Get(key);
  if (v.IsUndefined())
    return dflt;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= min && d <= max) || std::floor(d) != d)
    throw Napi::RangeError::New(o.Env(), std::string("Aggregates: ") + key + " must be a whole number from " +
                                             std::to_string(static_cast<long long>(min)));
  return static_cast<uint32_t>(d);
}

AggKind KindArg(const Napi::Value &v)
{
  if (v.IsString()) {
    std::string s = v.As<Napi::String>().Utf8Value();
    if (s == "ja4")
      return kJa4;
    if (s == "ja3")
      return kJa3;
    if (s == "ja3s")
      return kJa3s;
    if (s == "sni")
      return kSni;
    if (s == "ja4_sni")
      return kJa4Sni;
  }
  throw Napi::TypeError::New(v.Env(), "kind must be one of ja4, ja3, ja3s, sni, ja4_sni");
}

uint32_t IdArg(const Napi::Value &v)
{
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0 && d <= 4294967295.0) || std::floor(d) != d)
    throw Napi::TypeError::New(v.Env(), "an aggregate id must be a whole number");
  return static_cast<uint32_t>(d);
}

StringIds &IdsOf(AggEngine &e, AggKind k)
{
  switch (k) {
  case kJa4: return e.ja4;
  case kJa3: return e.ja3;
  case kJa3s: return e.ja3s;
  default: return e.sni;
  }
}

uint32_t TransportArg(const Napi::Value &v)
{
  std::string t = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (t == "tcp")
    return 0;
  if (t == "quic")
    return 1;
  if (t == "dtls")
    return 2;
  throw Napi::TypeError::New(v.Env(), "transport must be tcp, quic or dtls");
}

Napi::Buffer<uint8_t> BlobToJs(Napi::Env env, const std::string &b)
{
  return Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t *>(b.data()), b.size());
}

Napi::Uint32Array IdsArg(const Napi::Value &v, const char *fn)
{
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    throw Napi::TypeError::New(v.Env(), std::string(fn) + "(kind, ids): ids must be a Uint32Array");
  return v.As<Napi::Uint32Array>();
}

// The ranks of `ids` (a dictionary's) in the byte order of their names,
// indexed by id (one slot per id of the dictionary: cheap beside the rows
// they order); ids not given, UINT32_MAX.
std::vector<uint32_t> RanksByName(const StringIds &d, std::vector<uint32_t> ids)
{
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<std::pair<std::string, uint32_t>> named;
  named.reserve(ids.size());
  for (uint32_t id : ids)
    if (id >= 1 && id <= d.Size())
      named.emplace_back(d.Name(id), id);
  std::sort(named.begin(), named.end());
  std::vector<uint32_t> rank(static_cast<size_t>(d.Size()) + 1, UINT32_MAX);
  for (size_t r = 0; r < named.size(); r++)
    rank[named[r].second] = static_cast<uint32_t>(r);
  return rank;
}

Distinct DistinctArg(const Napi::Value &blob, const Napi::Value &n)
{
  if (!blob.IsTypedArray())
    throw Napi::TypeError::New(blob.Env(), "restore: a distinct set must be a Buffer");
  Napi::Uint8Array b = blob.As<Napi::Uint8Array>();
  return Distinct::FromBlob(b.Data(), b.ByteLength(), n.ToNumber().DoubleValue());
}

} // namespace

Napi::Function Aggregates::Init(Napi::Env env)
{
  return DefineClass(env, "Aggregates",
                     {InstanceMethod<&Aggregates::Add>("add"), InstanceMethod<&Aggregates::Size>("size"),
                      InstanceMethod<&Aggregates::Count>("count"),
                      InstanceMethod<&Aggregates::Names>("names"), InstanceMethod<&Aggregates::Scan>("scan"),
                      InstanceMethod<&Aggregates::Get>("get"), InstanceMethod<&Aggregates::Has>("has"),
                      InstanceMethod<&Aggregates::IdOf>("idOf"), InstanceMethod<&Aggregates::PairsOf>("pairsOf"),
                      InstanceMethod<&Aggregates::TakeDirty>("takeDirty"), InstanceMethod<&Aggregates::Row>("row"),
                      InstanceMethod<&Aggregates::Rows>("rows"),
                      InstanceMethod<&Aggregates::MarkDirty>("markDirty"),
                      InstanceMethod<&Aggregates::SortByValue>("sortByValue"),
                      InstanceMethod<&Aggregates::Restore>("restore"),
                      InstanceMethod<&Aggregates::Recent>("recent"),
                      InstanceMethod<&Aggregates::RecentRecords>("recentRecords")});
}

Aggregates::Aggregates(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Aggregates>(info)
{
  Napi::Env env = info.Env();
  Napi::Object opts = Napi::Object::New(env);
  if (!info[0].IsUndefined()) {
    if (!info[0].IsObject())
      throw Napi::TypeError::New(env, "Aggregates(options): options must be an object");
    opts = info[0].As<Napi::Object>();
  }
  uint32_t bound = WholeOption(opts, "distinctBound", kDefaultBound, 1, 1e9);
  uint32_t recent = std::max(kRecentMin, WholeOption(opts, "recentMax", 0, 0, 1e8));
  // The ring's bytes (0: 1 KB a record); it keeps fewer records when they
  // outgrow them.
  uint32_t recent_bytes = WholeOption(opts, "recentBytes", 0, 0, 4e9);
  uint32_t prealloc = WholeOption(opts, "preallocPairs", 0, 0, 1e8);
  core_ = std::make_unique<StoreCore>(
      bound, recent, recent_bytes != 0 ? recent_bytes : size_t{recent} * kRecentBytesPerRecord, prealloc);
  engine_ = &core_->engine;
  if (napi_type_tag_object(env, info.This(), &kAggregatesTag) != napi_ok)
    throw Napi::Error::New(env);
}

StoreCore *Aggregates::FromArg(const Napi::Value &v, const char *what)
{
  if (v.IsObject()) {
    bool ok = false;
    if (napi_check_object_type_tag(v.Env(), v, &kAggregatesTag, &ok) == napi_ok && ok)
      return Napi::ObjectWrap<Aggregates>::Unwrap(v.As<Napi::Object>())->core_.get();
  }
  throw Napi::TypeError::New(v.Env(), std::string(what) + " must be an Aggregates (new addon.Aggregates())");
}

std::string Aggregates::Name(AggKind k, uint32_t id) const
{
  const AggEngine &e = *engine_;
  if (k != kJa4Sni)
    return IdsOf(const_cast<AggEngine &>(e), k).Name(id);
  uint64_t key = e.pairs.Key(id);
  uint32_t sni = static_cast<uint32_t>(key);
  return e.ja4.Name(static_cast<uint32_t>(key >> 32)) + "|" + (sni != 0 ? e.sni.Name(sni) : "");
}

// add(ja4, ja3, ja3s|null, sni|null, alpn, srcIp, destIp, transport, tsMs):
// one handshake given as strings (what a TlsfpRecord holds).
Napi::Value Aggregates::Add(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  AggEngine &e = *engine_;
  auto str = [&](size_t i) {
    if (!info[i].IsString())
      throw Napi::TypeError::New(env, "add(): argument " + std::to_string(i) + " must be a string");
    return info[i].As<Napi::String>().Utf8Value();
  };
  bool added = false;
  AggInput in;
  std::string ja4 = str(0), ja3 = str(1);
  in.ja4 = e.ja4.Id(ja4.data(), ja4.size(), &added);
  in.ja3 = e.ja3.Id(ja3.data(), ja3.size(), &added);
  in.ja3s = 0;
  if (!info[2].IsNull()) {
    std::string v = str(2);
    in.ja3s = e.ja3s.Id(v.data(), v.size(), &added);
  }
  in.sni = 0;
  in.sni_hash = 0;
  if (!info[3].IsNull()) {
    std::string v = str(3);
    in.sni = e.sni.Id(v.data(), v.size(), &added);
    in.sni_hash = Hash32(v.data(), v.size());
  }
  in.pair = e.pairs.Id(in.ja4, in.sni, &added);
  std::string alpn = str(4), src = str(5), dst = str(6);
  in.alpn = e.alpn.Id(alpn.data(), alpn.size(), &added);
  in.client = Hash32(src.data(), src.size());
  in.server = Hash32(dst.data(), dst.size());
  in.transport = TransportArg(info[7]);
  in.ts_ms = info[8].ToNumber().DoubleValue();
  e.Add(in);
  return env.Undefined();
}

// Ids in use for a kind: 1..size(kind).
Napi::Value Aggregates::Size(const Napi::CallbackInfo &info)
{
  AggKind k = KindArg(info[0]);
  AggEngine &e = *engine_;
  uint32_t n = k == kJa4Sni ? e.pairs.Size() : IdsOf(e, k).Size();
  return Napi::Number::New(info.Env(), n);
}

// count(kind): how many aggregates of the kind exist.
Napi::Value Aggregates::Count(const Napi::CallbackInfo &info)
{
  return Napi::Number::New(info.Env(), engine_->Count(KindArg(info[0])));
}

// names(kind, from = 1): the values of ids from..size(kind).
Napi::Value Aggregates::Names(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  AggKind k = KindArg(info[0]);
  uint32_t from = info[1].IsUndefined() ? 1 : std::max<uint32_t>(1, IdArg(info[1]));
  uint32_t size = Size(info).As<Napi::Number>().Uint32Value();
  uint32_t n = from <= size ? size - from + 1 : 0;
  Napi::Array out = Napi::Array::New(env, n);
  for (uint32_t i = 0; i < n; i++)
    out.Set(i, Napi::String::New(env, Name(k, from + i)));
  return out;
}

// scan(kind): every aggregate of a kind as columns, for queries.
Napi::Value Aggregates::Scan(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  AggKind k = KindArg(info[0]);
  const AggEngine &e = *engine_;
  std::vector<uint32_t> ids;
  for (uint32_t id = 1; id <= e.Size(k); id++)
    if (e.Get(k, id) != nullptr)
      ids.push_back(id);
  const size_t n = ids.size();
  Napi::Uint32Array id_col = Napi::Uint32Array::New(env, n);
  Napi::Float64Array first = Napi::Float64Array::New(env, n), last = Napi::Float64Array::New(env, n),
                     count = Napi::Float64Array::New(env, n);
  for (size_t i = 0; i < n; i++) {
    const Agg &a = *e.Get(k, ids[i]);
    id_col[i] = ids[i];
    first[i] = a.first;
    last[i] = a.last;
    count[i] = a.count;
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("ids", id_col);
  o.Set("firstSeen", first);
  o.Set("lastSeen", last);
  o.Set("count", count);
  return o;
}

Napi::Object Aggregates::AlpnMix(Napi::Env env, const Agg &a) const
{
  std::vector<std::pair<uint32_t, double>> mix = a.Alpns();
  Napi::Object o = Napi::Object::New(env);
  for (const auto &[id, c] : mix)
    if (c > 0)
      o.Set(engine_->alpn.Name(id), c);
  return o;
}

// get(kind, id): one aggregate's figures, or null.
Napi::Value Aggregates::Get(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  AggKind k = KindArg(info[0]);
  const Agg *a = engine_->Get(k, IdArg(info[1]));
  if (a == nullptr)
    return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("firstSeen", a->first);
  o.Set("lastSeen", a->last);
  o.Set("count", a->count);
  o.Set("distinctClients", a->clients.Size());
  o.Set("distinctServers", a->servers.Size());
  o.Set("distinctSnis", k <= kJa3s ? a->snis.Size() : 1.0);
  o.Set("alpn", AlpnMix(env, *a));
  o.Set("tcp", a->tcp);
  o.Set("quic", a->quic);
  o.Set("dtls", a->dtls);
  return o;
}

// has(kind, id, "clients" | "servers" | "snis", hash): whether the set holds
// it (an estimated set: true).
Napi::Value Aggregates::Has(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  AggKind k = KindArg(info[0]);
  const Agg *a = engine_->Get(k, IdArg(info[1]));
  std::string field = info[2].ToString().Utf8Value();
  uint32_t h = static_cast<uint32_t>(info[3].ToNumber().Int64Value());
  if (a == nullptr)
    return Napi::Boolean::New(env, false);
  const Distinct &d = field == "clients" ? a->clients : field == "servers" ? a->servers : a->snis;
  if (field == "snis" && k > kJa3s)
    return Napi::Boolean::New(env, false);
  return Napi::Boolean::New(env, d.Has(h));
}

// idOf(kind, value): the id of an existing aggregate, else 0.
Napi::Value Aggregates::IdOf(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  AggKind k = KindArg(info[0]);
  std::string v = info[1].ToString().Utf8Value();
  AggEngine &e = *engine_;
  uint32_t id = 0;
  if (k == kJa4Sni) {
    size_t bar = v.find('|'); // a JA4 never holds '|', an SNI may
    if (bar != std::string::npos) {
      uint32_t ja4 = e.ja4.Find(v.data(), bar);
      uint32_t sni = bar + 1 == v.size() ? 0 : e.sni.Find(v.data() + bar + 1, v.size() - bar - 1);
      if (ja4 != 0 && (sni != 0 || bar + 1 == v.size()))
        id = e.pairs.Find(ja4, sni);
    }
  } else {
    id = IdsOf(e, k).Find(v.data(), v.size());
  }
  return Napi::Number::New(env, e.Get(k, id) != nullptr ? id : 0);
}

// pairsOf(ja4Id): the ids of the JA4×SNI aggregates of one JA4.
Napi::Value Aggregates::PairsOf(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  uint32_t ja4 = IdArg(info[0]);
  const AggEngine &e = *engine_;
  std::vector<uint32_t> ids;
  for (uint32_t id = 1; id <= e.pairs.Size(); id++)
    if (static_cast<uint32_t>(e.pairs.Key(id) >> 32) == ja4 && e.Get(kJa4Sni, id) != nullptr)
      ids.push_back(id);
  Napi::Uint32Array out = Napi::Uint32Array::New(env, ids.size());
  std::copy(ids.begin(), ids.end(), out.Data());
  return out;
}

// takeDirty(kind, max = all): ids changed since they were last taken.
Napi::Value Aggregates::TakeDirty(const Napi::CallbackInfo &info)
{
  size_t max = info[1].IsUndefined() ? SIZE_MAX : IdArg(info[1]);
  std::vector<uint32_t> ids = engine_->TakeDirty(KindArg(info[0]), max);
  Napi::Uint32Array out = Napi::Uint32Array::New(info.Env(), ids.size());
  std::copy(ids.begin(), ids.end(), out.Data());
  return out;
}

// row(kind, id): what SQLite stores of an aggregate (src/store/sqlite.ts).
Napi::Value Aggregates::Row(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  AggKind k = KindArg(info[0]);
  uint32_t id = IdArg(info[1]);
  const Agg *a = engine_->Get(k, id);
  if (a == nullptr)
    return env.Null();
  Napi::Object o = Get(info).As<Napi::Object>();
  o.Set("value", Name(k, id));
  o.Set("clients", BlobToJs(env, a->clients.Blob()));
  o.Set("servers", BlobToJs(env, a->servers.Blob()));
  o.Set("snis", k <= kJa3s ? Napi::Value(BlobToJs(env, a->snis.Blob())) : env.Null());
  return o;
}

// rows(kind, ids): row() of many aggregates at once, as columns, for the
// write-behind. One row() is a JS object with ten figures, an ALPN object
// and three Buffers: ~5 us an aggregate, most of it creating JS values
// (bench/store-write.mjs). Here a batch costs a few typed arrays, one Buffer
// holding every blob, and one string per row:
//   ids                 the ids given that have an aggregate (the rows), in order
//   values              each row's value
//   firstSeen ... dtls, distinctClients/Servers/Snis   Float64Arrays, one per figure
//   blobs, blobOffsets  row i's clients, servers and snis blobs are
//                       blobs[blobOffsets[3i + j], blobOffsets[3i + j + 1]), j = 0, 1, 2
//                       (snis empty for the sni and ja4_sni kinds, whose row has none)
//   alpnOffsets, alpnName, alpnCount, alpnNames
//                       row i's ALPN mix: entries [alpnOffsets[i], alpnOffsets[i + 1]),
//                       each the name alpnNames[alpnName[e]] and its count alpnCount[e],
//                       in row()'s order (ascending ALPN id, zero counts left out)
Napi::Value Aggregates::Rows(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  AggKind k = KindArg(info[0]);
  Napi::Uint32Array want = IdsArg(info[1], "rows");
  const bool snis = k <= kJa3s;
  std::vector<std::pair<uint32_t, const Agg *>> rows;
  rows.reserve(want.ElementLength());
  size_t bytes = 0;
  for (size_t i = 0; i < want.ElementLength(); i++) {
    const Agg *a = engine_->Get(k, want[i]);
    if (a == nullptr)
      continue;
    rows.emplace_back(want[i], a);
    bytes += a->clients.BlobSize() + a->servers.BlobSize() + (snis ? a->snis.BlobSize() : 0);
  }
  const size_t n = rows.size();
  Napi::Uint32Array ids = Napi::Uint32Array::New(env, n);
  Napi::Array values = Napi::Array::New(env, n);
  Napi::Float64Array first = Napi::Float64Array::New(env, n), last = Napi::Float64Array::New(env, n),
                     count = Napi::Float64Array::New(env, n), tcp = Napi::Float64Array::New(env, n),
                     quic = Napi::Float64Array::New(env, n), dtls = Napi::Float64Array::New(env, n),
                     clients = Napi::Float64Array::New(env, n), servers = Napi::Float64Array::New(env, n),
                     sni_n = Napi::Float64Array::New(env, n);
  Napi::Buffer<uint8_t> blobs = Napi::Buffer<uint8_t>::New(env, bytes);
  Napi::Uint32Array blob_offsets = Napi::Uint32Array::New(env, 3 * n + 1);
  Napi::Uint32Array alpn_offsets = Napi::Uint32Array::New(env, n + 1);
  // ALPN entries: a handful of distinct names serve every row, so each row
  // refers to them by index.
  std::vector<uint32_t> alpn_name;
  std::vector<double> alpn_count;
  std::vector<uint32_t> palette; // index -> ALPN id
  uint8_t *const base = blobs.Data();
  uint8_t *out = base;
  blob_offsets[0] = 0;
  alpn_offsets[0] = 0;
  for (size_t i = 0; i < n; i++) {
    const auto [id, a] = rows[i];
    ids[i] = id;
    values.Set(i, Napi::String::New(env, Name(k, id)));
    first[i] = a->first;
    last[i] = a->last;
    count[i] = a->count;
    tcp[i] = a->tcp;
    quic[i] = a->quic;
    dtls[i] = a->dtls;
    clients[i] = a->clients.Size();
    servers[i] = a->servers.Size();
    sni_n[i] = snis ? a->snis.Size() : 1.0;
    out = a->clients.WriteBlob(out);
    blob_offsets[3 * i + 1] = static_cast<uint32_t>(out - base);
    out = a->servers.WriteBlob(out);
    blob_offsets[3 * i + 2] = static_cast<uint32_t>(out - base);
    if (snis)
      out = a->snis.WriteBlob(out);
    blob_offsets[3 * i + 3] = static_cast<uint32_t>(out - base);
    for (const auto &[alpn, c] : a->Alpns()) {
      if (!(c > 0))
        continue;
      size_t p = std::find(palette.begin(), palette.end(), alpn) - palette.begin();
      if (p == palette.size())
        palette.push_back(alpn);
      alpn_name.push_back(static_cast<uint32_t>(p));
      alpn_count.push_back(c);
    }
    alpn_offsets[i + 1] = static_cast<uint32_t>(alpn_name.size());
  }
  Napi::Uint32Array names_col = Napi::Uint32Array::New(env, alpn_name.size());
  std::copy(alpn_name.begin(), alpn_name.end(), names_col.Data());
  Napi::Float64Array counts_col = Napi::Float64Array::New(env, alpn_count.size());
  std::copy(alpn_count.begin(), alpn_count.end(), counts_col.Data());
  Napi::Array names = Napi::Array::New(env, palette.size());
  for (size_t p = 0; p < palette.size(); p++)
    names.Set(p, Napi::String::New(env, engine_->alpn.Name(palette[p])));

  Napi::Object o = Napi::Object::New(env);
  o.Set("ids", ids);
  o.Set("values", values);
  o.Set("firstSeen", first);
  o.Set("lastSeen", last);
  o.Set("count", count);
  o.Set("tcp", tcp);
  o.Set("quic", quic);
  o.Set("dtls", dtls);
  o.Set("distinctClients", clients);
  o.Set("distinctServers", servers);
  o.Set("distinctSnis", sni_n);
  o.Set("blobs", blobs);
  o.Set("blobOffsets", blob_offsets);
  o.Set("alpnOffsets", alpn_offsets);
  o.Set("alpnName", names_col);
  o.Set("alpnCount", counts_col);
  o.Set("alpnNames", names);
  return o;
}

// markDirty(kind, ids): queues aggregates for the write-behind again (a
// failed write's rows); ids without an aggregate are left out.
Napi::Value Aggregates::MarkDirty(const Napi::CallbackInfo &info)
{
  AggKind k = KindArg(info[0]);
  Napi::Uint32Array ids = IdsArg(info[1], "markDirty");
  for (size_t i = 0; i < ids.ElementLength(); i++)
    if (engine_->Get(k, ids[i]) != nullptr)
      engine_->MarkDirty(k, ids[i]);
  return info.Env().Undefined();
}

// sortByValue(kind, ids): sorts ids (a Uint32Array, in place) into the byte
// order of their values, the order of the aggregates table's key within a
// kind. Upserts in that order go through SQLite's B-tree from left to right,
// so each page is read, changed and written once per sorted run; in queue
// order they land on random pages, and once the table outgrows the page
// cache a page evicted (spilled to the WAL) is read back for a later row,
// again and again (bench/store-write.mjs: close() ~8.5 -> ~4.5 us a row).
// JA4×SNI pairs are ordered by (JA4, SNI) ranks rather than by their joined
// text: the same order unless a JA4 is a prefix of another, and the order
// only matters for speed. Ids without a value go last.
Napi::Value Aggregates::SortByValue(const Napi::CallbackInfo &info)
{
  AggKind k = KindArg(info[0]);
  Napi::Uint32Array ids = IdsArg(info[1], "sortByValue");
  const AggEngine &e = *engine_;
  uint32_t *const data = ids.Data();
  const size_t n = ids.ElementLength();
  std::vector<std::pair<uint64_t, uint32_t>> keyed(n); // (key, id)
  if (k == kJa4Sni) {
    std::vector<uint32_t> ja4s, snis;
    ja4s.reserve(n);
    snis.reserve(n);
    for (size_t i = 0; i < n; i++) {
      if (data[i] >= 1 && data[i] <= e.pairs.Size()) {
        const uint64_t key = e.pairs.Key(data[i]);
        ja4s.push_back(static_cast<uint32_t>(key >> 32));
        snis.push_back(static_cast<uint32_t>(key));
      }
    }
    const std::vector<uint32_t> ja4_rank = RanksByName(e.ja4, std::move(ja4s));
    const std::vector<uint32_t> sni_rank = RanksByName(e.sni, std::move(snis));
    for (size_t i = 0; i < n; i++) {
      uint64_t key = UINT64_MAX;
      if (data[i] >= 1 && data[i] <= e.pairs.Size()) {
        const uint64_t pair = e.pairs.Key(data[i]);
        const uint32_t sni = static_cast<uint32_t>(pair);
        // no SNI ("<ja4>|") first
        const uint64_t second = sni == 0 ? 0 : static_cast<uint64_t>(sni_rank[sni]) + 1;
        key = static_cast<uint64_t>(ja4_rank[pair >> 32]) << 32 | second;
      }
      keyed[i] = {key, data[i]};
    }
  } else {
    const StringIds &d = IdsOf(const_cast<AggEngine &>(e), k);
    const std::vector<uint32_t> rank = RanksByName(d, std::vector<uint32_t>(data, data + n));
    for (size_t i = 0; i < n; i++)
      keyed[i] = {data[i] >= 1 && data[i] <= d.Size() ? rank[data[i]] : UINT64_MAX, data[i]};
  }
  std::sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < n; i++)
    data[i] = keyed[i].second;
  return info.Env().Undefined();
}

// restore(kind, row): an aggregate back from SQLite (row as Row() gives it,
// alpn as name → count); it replaces what the id had.
Napi::Value Aggregates::Restore(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  AggKind k = KindArg(info[0]);
  if (!info[1].IsObject())
    throw Napi::TypeError::New(env, "restore(kind, row): row must be an object");
  Napi::Object r = info[1].As<Napi::Object>();
  std::string v = r.Get("value").ToString().Utf8Value();
  AggEngine &e = *engine_;
  bool added = false;
  uint32_t id;
  if (k == kJa4Sni) {
    size_t bar = v.find('|');
    if (bar == std::string::npos)
      throw Napi::Error::New(env, "restore: a ja4_sni value without '|': " + v);
    uint32_t ja4 = e.ja4.Id(v.data(), bar, &added);
    uint32_t sni = bar + 1 == v.size() ? 0 : e.sni.Id(v.data() + bar + 1, v.size() - bar - 1, &added);
    id = e.pairs.Id(ja4, sni, &added);
  } else {
    id = IdsOf(e, k).Id(v.data(), v.size(), &added);
  }
  Agg &a = *e.Make(k, id);
  a.restored = true;
  a.first = r.Get("firstSeen").ToNumber().DoubleValue();
  a.last = r.Get("lastSeen").ToNumber().DoubleValue();
  a.count = r.Get("count").ToNumber().DoubleValue();
  a.tcp = r.Get("tcp").ToNumber().DoubleValue();
  a.quic = r.Get("quic").ToNumber().DoubleValue();
  a.dtls = r.Get("dtls").ToNumber().DoubleValue();
  for (int i = 0; i < Agg::kInlineAlpns; i++) {
    a.alpn_id[i] = 0;
    a.alpn_n[i] = 0;
  }
  a.more_alpn.clear();
  Napi::Object mix = r.Get("alpn").As<Napi::Object>();
  Napi::Array keys = mix.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string name = keys.Get(i).ToString().Utf8Value();
    a.CountAlpn(e.alpn.Id(name.data(), name.size(), &added), mix.Get(name).ToNumber().DoubleValue());
  }
  a.clients = DistinctArg(r.Get("clients"), r.Get("distinctClients"));
  a.servers = DistinctArg(r.Get("servers"), r.Get("distinctServers"));
  if (k <= kJa3s && r.Get("snis").IsTypedArray())
    a.snis = DistinctArg(r.Get("snis"), r.Get("distinctSnis"));
  return Napi::Number::New(env, id);
}

// recent(from, to = newest + 1): the recent ring's entries [from, to) (from
// the oldest held, if `from` is older): { first, n, tsMs, cols
// (RecentColumn), packed, offsets, addresses ([srcIp, destIp] per entry) }.
Napi::Value Aggregates::Recent(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  const RecentRing &r = core_->recent;
  double want = info[0].ToNumber().DoubleValue();
  uint64_t first = want > static_cast<double>(r.Oldest()) ? static_cast<uint64_t>(want) : r.Oldest();
  double to_arg = info[1].IsUndefined() ? static_cast<double>(r.Next()) : info[1].ToNumber().DoubleValue();
  uint64_t to = to_arg < static_cast<double>(r.Next()) ? static_cast<uint64_t>(std::max(0.0, to_arg)) : r.Next();
  if (first > to)
    first = to;
  const uint32_t n = static_cast<uint32_t>(to - first);
  Napi::Float64Array ts = Napi::Float64Array::New(env, n);
  Napi::Int32Array cols = Napi::Int32Array::New(env, static_cast<size_t>(n) * kRecentColumns);
  Napi::Uint32Array offsets = Napi::Uint32Array::New(env, n + 1);
  Napi::Array addrs = Napi::Array::New(env, 2 * static_cast<size_t>(n));
  std::string packed;
  static thread_local struct tlsfp_record rec;
  char text[kAddressTextMax];
  offsets[0] = 0;
  for (uint32_t i = 0; i < n; i++) {
    const RecentEntry &e = *r.Find(first + i);
    ts[i] = e.ts_ms;
    int32_t *c = cols.Data() + static_cast<size_t>(i) * kRecentColumns;
    c[kRecentJa4] = static_cast<int32_t>(e.ja4);
    c[kRecentJa3] = static_cast<int32_t>(e.ja3);
    c[kRecentJa3s] = static_cast<int32_t>(e.ja3s);
    c[kRecentSni] = static_cast<int32_t>(e.sni);
    c[kRecentTransport] = static_cast<int32_t>(e.transport);
    packed.append(reinterpret_cast<const char *>(r.Bytes(e)), e.len);
    offsets[i + 1] = static_cast<uint32_t>(packed.size());
    // The addresses are in the packed head: no need to unpack the whole record.
    if (tlsfp_record_unpack_head(r.Bytes(e), e.len, &rec) != 0)
      throw Napi::Error::New(env, "recent: a packed record does not read back");
    addrs.Set(2 * i, Napi::String::New(env, text, FormatAddress(rec.src_ip, rec.ip_version, text)));
    addrs.Set(2 * i + 1, Napi::String::New(env, text, FormatAddress(rec.dst_ip, rec.ip_version, text)));
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("first", static_cast<double>(first));
  o.Set("n", n);
  o.Set("tsMs", ts);
  o.Set("cols", cols);
  o.Set("packed", Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t *>(packed.data()), packed.size()));
  o.Set("offsets", offsets);
  o.Set("addresses", addrs);
  return o;
}

// recentRecords(from, to): the full records of entries [from, to) still
// held, as [index, record] pairs.
Napi::Value Aggregates::RecentRecords(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  const RecentRing &r = core_->recent;
  double from = info[0].ToNumber().DoubleValue(), to = info[1].ToNumber().DoubleValue();
  Napi::Array out = Napi::Array::New(env);
  static thread_local struct tlsfp_record rec;
  uint32_t k = 0;
  for (double i = std::max(from, static_cast<double>(r.Oldest())); i < to; i++) {
    const RecentEntry *e = r.Find(static_cast<uint64_t>(i));
    if (e == nullptr)
      break;
    if (tlsfp_record_unpack(r.Bytes(*e), e->len, &rec) != 0)
      continue;
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::Number::New(env, i));
    pair.Set(1u, RecordToJs(env, rec));
    out.Set(k++, pair);
  }
  return out;
}

} // namespace tlsfp
