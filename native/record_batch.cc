// RecordBatch building (record_batch.h) and the functions that turn packed
// batch rows back into records.
#include "record_batch.h"

#include <cmath>
#include <cstring>

#include "errors.h"
#include "record_to_js.h"

namespace tlsfp {
namespace {

inline uint32_t Transport(char t)
{
  return t == 'q' ? 1 : t == 'd' ? 2 : 0;
}

// True when EscapeName would return the bytes unchanged: printable ASCII,
// no backslash (every real SNI and ALPN).
inline bool PlainName(const uint8_t *b, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (b[i] < 0x20 || b[i] > 0x7e || b[i] == '\\')
      return false;
  return true;
}

uint32_t AddressHash(const uint8_t *ip, uint8_t version)
{
  char text[kAddressTextMax];
  return Hash32(text, FormatAddress(ip, version, text));
}

// packed + offsets arguments → byte span of row i; throws on a bad argument.
struct PackedRows {
  const uint8_t *data = nullptr;
  size_t size = 0;
  const uint32_t *offsets = nullptr;
  size_t n_rows = 0;
};

PackedRows RowsArg(const Napi::CallbackInfo &info, const char *fn)
{
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    throw Napi::TypeError::New(env, std::string(fn) + "(packed, offsets, ...): a Buffer and a Uint32Array");
  Napi::Uint8Array p = info[0].As<Napi::Uint8Array>();
  Napi::Uint32Array o = info[1].As<Napi::Uint32Array>();
  PackedRows r;
  r.data = p.Data();
  r.size = p.ByteLength();
  r.offsets = o.Data();
  r.n_rows = o.ElementLength() > 0 ? o.ElementLength() - 1 : 0;
  return r;
}

void RangeArgs(const Napi::CallbackInfo &info, size_t n_rows, const char *fn, uint32_t *from, uint32_t *to)
{
  Napi::Env env = info.Env();
  double f = info[2].IsUndefined() ? 0 : info[2].ToNumber().DoubleValue();
  double t = info[3].IsUndefined() ? static_cast<double>(n_rows) : info[3].ToNumber().DoubleValue();
  if (!(f >= 0 && f <= t && t <= static_cast<double>(n_rows)) || std::floor(f) != f || std::floor(t) != t)
    throw Napi::RangeError::New(env, std::string(fn) + ": rows [" + std::to_string(f) + ", " +
                                         std::to_string(t) + ") are not within the batch's " +
                                         std::to_string(n_rows));
  *from = static_cast<uint32_t>(f);
  *to = static_cast<uint32_t>(t);
}

void UnpackRow(Napi::Env env, const PackedRows &r, uint32_t i, struct tlsfp_record *rec)
{
  uint32_t a = r.offsets[i], b = r.offsets[i + 1];
  if (a > b || b > r.size || tlsfp_record_unpack(r.data + a, b - a, rec) != 0)
    throw CodedError(env, "TLSFP_E_PACKED", "packed record " + std::to_string(i) +
                                                " is not a record this build can read");
}

} // namespace

void PrefetchRecord(const struct tlsfp_record *rec)
{
  const char *b = reinterpret_cast<const char *>(rec);
  __builtin_prefetch(b);
  __builtin_prefetch(b + 64);
  __builtin_prefetch(b + 128);
  __builtin_prefetch(rec->sni);
  __builtin_prefetch(rec->alpn);
  __builtin_prefetch(rec->ja3);
  __builtin_prefetch(rec->ja3 + 64);
  __builtin_prefetch(rec->ja4_o + 36);
  __builtin_prefetch(reinterpret_cast<const char *>(rec->sh_exts) + 64);
  __builtin_prefetch(rec->sh_alpn);
  __builtin_prefetch(rec->ja3s);
}

uint32_t Hash32(const char *s, size_t len)
{
  uint32_t h = 0x811c9dc5u;
  for (size_t i = 0; i < len; i++)
    h = (h ^ static_cast<uint8_t>(s[i])) * 0x01000193u;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h != 0 ? h : 1; // 0 marks "none"
}

// The id of a wire name (SNI, ALPN) as its record shows it (EscapeName);
// hash, when given, gets Hash32 of that text.
uint32_t BatchBuilder::EscapedId(StringIds &ids, const void *p, size_t len, uint32_t *hash)
{
  const auto *b = static_cast<const uint8_t *>(p);
  const char *text = reinterpret_cast<const char *>(b);
  if (!PlainName(b, len)) {
    escaped_ = EscapeName(p, len);
    text = escaped_.data();
    len = escaped_.size();
  }
  if (hash != nullptr)
    *hash = Hash32(text, len);
  bool added = false;
  return ids.Id(text, len, &added);
}

void BatchBuilder::Add(const struct tlsfp_record &rec)
{
  AggEngine &e = *engine_;
  const bool has_sh = (rec.flags & TLSFP_REC_F_SERVER_HELLO) != 0;
  bool added = false;
  AggInput in;

  in.ja4 = e.ja4.Id(rec.ja4, strnlen(rec.ja4, sizeof(rec.ja4)), &added);
  in.ja3 = e.ja3.Id(rec.ja3, strnlen(rec.ja3, sizeof(rec.ja3)), &added);
  in.ja3s = has_sh ? e.ja3s.Id(rec.ja3s, strnlen(rec.ja3s, sizeof(rec.ja3s)), &added) : 0;
  // As RecordToJs: a name only when a host_name was there.
  const bool has_sni = (rec.flags & TLSFP_REC_F_HAS_SNI) && rec.sni_len > 0;
  const size_t sni_len = rec.sni_len < TLSFP_REC_SNI_CAP ? rec.sni_len : TLSFP_REC_SNI_CAP;
  in.sni_hash = 0;
  in.sni = has_sni ? EscapedId(e.sni, rec.sni, sni_len, &in.sni_hash) : 0;
  in.pair = e.pairs.Id(in.ja4, in.sni, &added);
  // The first client ALPN name, as clientAlpns[0] (a first pair running past
  // the list's end gives no names at all).
  const size_t alpn_len = rec.alpn_len < TLSFP_REC_ALPN_CAP ? rec.alpn_len : TLSFP_REC_ALPN_CAP;
  const bool first = alpn_len > 0 && 1u + rec.alpn[0] <= alpn_len;
  in.alpn = first ? EscapedId(e.alpn, rec.alpn + 1, rec.alpn[0], nullptr) : e.alpn.Id("", 0, &added);
  in.client = AddressHash(rec.src_ip, rec.ip_version);
  in.server = AddressHash(rec.dst_ip, rec.ip_version);
  in.transport = Transport(rec.transport);
  // Math.floor(Number(tsNs) / 1e6) in JS: the same IEEE operations.
  in.ts_ms = std::floor(static_cast<double>(rec.ts_ns) / 1e6);
  e.Add(in);

  const int32_t row[kBatchColumns] = {
      static_cast<int32_t>(in.ja4),    static_cast<int32_t>(in.ja3),       static_cast<int32_t>(in.ja3s),
      static_cast<int32_t>(in.sni),    static_cast<int32_t>(in.pair),      static_cast<int32_t>(in.alpn),
      static_cast<int32_t>(in.client), static_cast<int32_t>(in.server),    static_cast<int32_t>(in.transport)};
  cols_.insert(cols_.end(), row, row + kBatchColumns);
  ts_ms_.push_back(in.ts_ms);

  // Packed into scratch, then appended: growing packed_ by the maximum first
  // would zero-fill 5 KB a record.
  static thread_local uint8_t scratch[TLSFP_RECORD_PACKED_MAX];
  size_t n = tlsfp_record_pack(&rec, scratch, sizeof(scratch));
  packed_.insert(packed_.end(), scratch, scratch + n);
  offsets_.push_back(static_cast<uint32_t>(packed_.size()));
}

Napi::Object BatchBuilder::Finish(Napi::Env env)
{
  const uint32_t n = Count();
  Napi::Object o = Napi::Object::New(env);
  o.Set("n", n);
  Napi::Int32Array cols = Napi::Int32Array::New(env, cols_.size());
  std::memcpy(cols.Data(), cols_.data(), cols_.size() * sizeof(int32_t));
  o.Set("cols", cols);
  Napi::Float64Array ts = Napi::Float64Array::New(env, n);
  std::memcpy(ts.Data(), ts_ms_.data(), n * sizeof(double));
  o.Set("tsMs", ts);
  o.Set("packed", Napi::Buffer<uint8_t>::Copy(env, packed_.data(), packed_.size()));
  Napi::Uint32Array offs = Napi::Uint32Array::New(env, offsets_.size());
  std::memcpy(offs.Data(), offsets_.data(), offsets_.size() * sizeof(uint32_t));
  o.Set("offsets", offs);
  cols_.clear();
  ts_ms_.clear();
  packed_.clear();
  offsets_.assign(1, 0);
  return o;
}

Napi::Value UnpackRecords(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  PackedRows rows = RowsArg(info, "unpackRecords");
  uint32_t from = 0, to = 0;
  RangeArgs(info, rows.n_rows, "unpackRecords", &from, &to);
  Napi::Array out = Napi::Array::New(env, to - from);
  static thread_local struct tlsfp_record rec;
  for (uint32_t i = from; i < to; i++) {
    UnpackRow(env, rows, i, &rec);
    out.Set(i - from, RecordToJs(env, rec));
  }
  return out;
}

Napi::Value UnpackRecord(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray())
    throw Napi::TypeError::New(env, "unpackRecord(packed): packed must be a Buffer");
  Napi::Uint8Array p = info[0].As<Napi::Uint8Array>();
  static thread_local struct tlsfp_record rec;
  if (tlsfp_record_unpack(p.Data(), p.ByteLength(), &rec) != 0)
    throw CodedError(env, "TLSFP_E_PACKED", "not a packed record this build can read");
  return RecordToJs(env, rec);
}

Napi::Value RecordAddresses(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  PackedRows rows = RowsArg(info, "recordAddresses");
  uint32_t from = 0, to = 0;
  RangeArgs(info, rows.n_rows, "recordAddresses", &from, &to);
  Napi::Array out = Napi::Array::New(env, 2 * (to - from));
  static thread_local struct tlsfp_record rec;
  char text[kAddressTextMax];
  for (uint32_t i = from; i < to; i++) {
    UnpackRow(env, rows, i, &rec);
    out.Set(2 * (i - from), Napi::String::New(env, text, FormatAddress(rec.src_ip, rec.ip_version, text)));
    out.Set(2 * (i - from) + 1, Napi::String::New(env, text, FormatAddress(rec.dst_ip, rec.ip_version, text)));
  }
  return out;
}

} // namespace tlsfp
