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

Napi::Array NamesToJs(Napi::Env env, const StringIds &ids, const std::vector<uint32_t> &fresh)
{
  Napi::Array a = Napi::Array::New(env, fresh.size());
  for (uint32_t i = 0; i < fresh.size(); i++) {
    std::string s = ids.Name(fresh[i]);
    a.Set(i, Napi::String::New(env, s)); // ASCII: hashes and escaped names
  }
  return a;
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

uint32_t BatchBuilder::NameId(StringIds &ids, std::vector<uint32_t> &fresh, const char *s, size_t len)
{
  bool added = false;
  uint32_t id = ids.Id(s, len, &added);
  if (added)
    fresh.push_back(id);
  return id;
}

uint32_t BatchBuilder::EscapedId(StringIds &ids, std::vector<uint32_t> &fresh, const void *p, size_t len)
{
  const auto *b = static_cast<const uint8_t *>(p);
  if (PlainName(b, len))
    return NameId(ids, fresh, reinterpret_cast<const char *>(b), len);
  escaped_ = EscapeName(p, len);
  return NameId(ids, fresh, escaped_.data(), escaped_.size());
}

void BatchBuilder::Add(const struct tlsfp_record &rec)
{
  Dictionary &d = *dict_;
  const bool has_sh = (rec.flags & TLSFP_REC_F_SERVER_HELLO) != 0;
  int32_t row[kBatchColumns];

  row[kColJa4] = static_cast<int32_t>(NameId(d.ja4, new_ja4_, rec.ja4, strnlen(rec.ja4, sizeof(rec.ja4))));
  row[kColJa3] = static_cast<int32_t>(NameId(d.ja3, new_ja3_, rec.ja3, strnlen(rec.ja3, sizeof(rec.ja3))));
  row[kColJa3s] =
      has_sh ? static_cast<int32_t>(NameId(d.ja3s, new_ja3s_, rec.ja3s, strnlen(rec.ja3s, sizeof(rec.ja3s)))) : 0;
  // As RecordToJs: a name only when a host_name was there.
  const bool has_sni = (rec.flags & TLSFP_REC_F_HAS_SNI) && rec.sni_len > 0;
  const size_t sni_len = rec.sni_len < TLSFP_REC_SNI_CAP ? rec.sni_len : TLSFP_REC_SNI_CAP;
  uint32_t sni = has_sni ? EscapedId(d.sni, new_sni_, rec.sni, sni_len) : 0;
  row[kColSni] = static_cast<int32_t>(sni);
  bool added = false;
  row[kColJa4Sni] = static_cast<int32_t>(d.ja4_sni.Id(static_cast<uint32_t>(row[kColJa4]), sni, &added));
  if (added)
    new_pairs_.push_back(static_cast<uint32_t>(row[kColJa4Sni]));
  // The first client ALPN name, as clientAlpns[0] (a first pair running past
  // the list's end gives no names at all).
  const size_t alpn_len = rec.alpn_len < TLSFP_REC_ALPN_CAP ? rec.alpn_len : TLSFP_REC_ALPN_CAP;
  const bool first = alpn_len > 0 && 1u + rec.alpn[0] <= alpn_len;
  row[kColAlpn] = static_cast<int32_t>(first ? EscapedId(d.alpn, new_alpn_, rec.alpn + 1, rec.alpn[0])
                                             : NameId(d.alpn, new_alpn_, "", 0));
  row[kColClient] = static_cast<int32_t>(AddressHash(rec.src_ip, rec.ip_version));
  row[kColServer] = static_cast<int32_t>(AddressHash(rec.dst_ip, rec.ip_version));
  row[kColTransport] = static_cast<int32_t>(Transport(rec.transport));
  cols_.insert(cols_.end(), row, row + kBatchColumns);

  // Math.floor(Number(tsNs) / 1e6) in JS: the same IEEE operations.
  ts_ms_.push_back(std::floor(static_cast<double>(rec.ts_ns) / 1e6));

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

  const Dictionary &d = *dict_;
  Napi::Object names = Napi::Object::New(env);
  names.Set("ja4", NamesToJs(env, d.ja4, new_ja4_));
  names.Set("ja3", NamesToJs(env, d.ja3, new_ja3_));
  names.Set("ja3s", NamesToJs(env, d.ja3s, new_ja3s_));
  names.Set("sni", NamesToJs(env, d.sni, new_sni_));
  names.Set("alpn", NamesToJs(env, d.alpn, new_alpn_));
  // New pairs as their (JA4 id, SNI id), flat.
  Napi::Uint32Array pairs = Napi::Uint32Array::New(env, 2 * new_pairs_.size());
  for (size_t i = 0; i < new_pairs_.size(); i++) {
    uint64_t k = d.ja4_sni.Key(new_pairs_[i]);
    pairs[2 * i] = static_cast<uint32_t>(k >> 32);
    pairs[2 * i + 1] = static_cast<uint32_t>(k);
  }
  names.Set("ja4Sni", pairs);
  o.Set("names", names);

  cols_.clear();
  ts_ms_.clear();
  packed_.clear();
  offsets_.assign(1, 0);
  for (auto *v : {&new_ja4_, &new_ja3_, &new_ja3s_, &new_sni_, &new_alpn_, &new_pairs_})
    v->clear();
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
