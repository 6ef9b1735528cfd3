// RecordBatch building (record_batch.h), and packed records back to JS.
#include "record_batch.h"

#include <cmath>
#include <cstring>

#include "errors.h"
#include "record_to_js.h"

namespace tlsfp {
namespace {

// Handshakes per AddBulk: its prefetch pipeline restarts at each call, so
// the longer the run, the fewer handshakes wait for memory unannounced.
constexpr size_t kBulk = 1024;

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

BatchOptions BatchOptionsArg(const Napi::Value &v, const char *fn)
{
  BatchOptions o;
  if (v.IsUndefined())
    return o;
  if (!v.IsObject())
    throw Napi::TypeError::New(v.Env(), std::string(fn) + ": options must be an object");
  Napi::Value eve = v.As<Napi::Object>().Get("eve");
  if (!eve.IsUndefined() && !eve.IsBoolean())
    throw Napi::TypeError::New(v.Env(), std::string(fn) + ": options.eve must be a boolean");
  o.eve = eve.IsBoolean() && eve.As<Napi::Boolean>().Value();
  Napi::Value agg = v.As<Napi::Object>().Get("aggregate");
  if (!agg.IsUndefined() && !agg.IsBoolean())
    throw Napi::TypeError::New(v.Env(), std::string(fn) + ": options.aggregate must be a boolean");
  o.aggregate = !agg.IsBoolean() || agg.As<Napi::Boolean>().Value();
  return o;
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
// hash, when given, gets Hash32 of that text. plain_hash: StringIds::Hash
// of the bytes, known to need no escaping (PrefetchIds), or null.
uint32_t BatchBuilder::EscapedId(StringIds &ids, const void *p, size_t len, uint32_t *hash,
                                 const uint32_t *plain_hash)
{
  const auto *b = static_cast<const uint8_t *>(p);
  const char *text = reinterpret_cast<const char *>(b);
  if (plain_hash == nullptr && !PlainName(b, len)) {
    escaped_ = EscapeName(p, len);
    text = escaped_.data();
    len = escaped_.size();
  }
  if (hash != nullptr)
    *hash = Hash32(text, len);
  bool added = false;
  return ids.Id(text, len, plain_hash != nullptr ? *plain_hash : StringIds::Hash(text, len), &added);
}

namespace {

size_t SniLen(const struct tlsfp_record &rec)
{
  return rec.sni_len < TLSFP_REC_SNI_CAP ? rec.sni_len : TLSFP_REC_SNI_CAP;
}

} // namespace

void BatchBuilder::PrefetchIds(const struct tlsfp_record &rec)
{
  if (aggregate_)
    ComputeHashes(rec, ahead_[(count_ + 1) & 1]);
}

BatchBuilder::Hashes &BatchBuilder::ComputeHashes(const struct tlsfp_record &rec, Hashes &h)
{
  AggEngine &e = core_->engine;
  h.rec = &rec;
  h.ja4_len = strnlen(rec.ja4, sizeof(rec.ja4));
  h.ja3_len = strnlen(rec.ja3, sizeof(rec.ja3));
  h.ja3s_len = strnlen(rec.ja3s, sizeof(rec.ja3s));
  h.ja4 = StringIds::Hash(rec.ja4, h.ja4_len);
  h.ja3 = StringIds::Hash(rec.ja3, h.ja3_len);
  h.ja3s = StringIds::Hash(rec.ja3s, h.ja3s_len);
  e.ja4.Prefetch(h.ja4);
  e.ja3.Prefetch(h.ja3);
  if (rec.flags & TLSFP_REC_F_SERVER_HELLO)
    e.ja3s.Prefetch(h.ja3s);
  const size_t sni_len = SniLen(rec);
  h.sni_plain = PlainName(reinterpret_cast<const uint8_t *>(rec.sni), sni_len);
  if (h.sni_plain) {
    h.sni = StringIds::Hash(rec.sni, sni_len);
    e.sni.Prefetch(h.sni);
  }
  return h;
}

void BatchBuilder::Add(const struct tlsfp_record &rec)
{
  count_++;
  if (eve_) {
    static thread_local char line[TLSFP_EVE_LINE_MAX];
    size_t len = tlsfp_eve_format(&rec, line, sizeof(line));
    if (len < sizeof(line))
      eve_lines_.append(line, len);
  }
  if (!aggregate_)
    return;
  AggEngine &e = core_->engine;
  const bool has_sh = (rec.flags & TLSFP_REC_F_SERVER_HELLO) != 0;
  bool added = false;
  AggInput in;

  Hashes &h = ahead_[(count_ - 1) & 1]; // count_ was counted above
  if (h.rec != &rec)
    ComputeHashes(rec, h);
  in.ja4 = e.ja4.Id(rec.ja4, h.ja4_len, h.ja4, &added);
  in.ja3 = e.ja3.Id(rec.ja3, h.ja3_len, h.ja3, &added);
  in.ja3s = has_sh ? e.ja3s.Id(rec.ja3s, h.ja3s_len, h.ja3s, &added) : 0;
  // As RecordToJs: a name only when a host_name was there.
  const bool has_sni = (rec.flags & TLSFP_REC_F_HAS_SNI) && rec.sni_len > 0;
  in.sni_hash = 0;
  in.sni = has_sni ? EscapedId(e.sni, rec.sni, SniLen(rec), &in.sni_hash, h.sni_plain ? &h.sni : nullptr) : 0;
  h.rec = nullptr;
  e.pairs.Prefetch(in.ja4, in.sni); // resolved in AddBulk
  // The first client ALPN name, as clientAlpns[0] (a first pair running past
  // the list's end gives no names at all).
  const size_t alpn_len = rec.alpn_len < TLSFP_REC_ALPN_CAP ? rec.alpn_len : TLSFP_REC_ALPN_CAP;
  const bool first = alpn_len > 0 && 1u + rec.alpn[0] <= alpn_len;
  in.alpn = first ? EscapedId(e.alpn, rec.alpn + 1, rec.alpn[0], nullptr, nullptr) : e.alpn.Id("", 0, &added);
  in.client = AddressHash(rec.src_ip, rec.ip_version);
  in.server = AddressHash(rec.dst_ip, rec.ip_version);
  in.transport = TransportIndex(rec.transport);
  // Math.floor(Number(tsNs) / 1e6) in JS: the same IEEE operations.
  in.ts_ms = std::floor(static_cast<double>(rec.ts_ns) / 1e6);
  inputs_.push_back(in);
  if (inputs_.size() - added_ >= kBulk)
    Flush();
  if (in.ts_ms > newest_ms_)
    newest_ms_ = in.ts_ms;

  RecentEntry cols{};
  cols.ts_ms = in.ts_ms;
  cols.ja4 = in.ja4;
  cols.ja3 = in.ja3;
  cols.ja3s = in.ja3s;
  cols.sni = in.sni;
  cols.transport = in.transport;
  core_->recent.Push(core_->next_index++, rec, cols);
}

void BatchBuilder::Flush()
{
  core_->engine.AddBulk(inputs_.data() + added_, static_cast<uint32_t>(inputs_.size() - added_));
  added_ = static_cast<uint32_t>(inputs_.size());
}

Napi::Object BatchBuilder::Finish(Napi::Env env)
{
  Flush();
  Napi::Object o = Napi::Object::New(env);
  o.Set("n", Count());
  o.Set("first", static_cast<double>(first_));
  o.Set("newestMs", newest_ms_);
  if (eve_)
    o.Set("eve", Napi::Buffer<char>::Copy(env, eve_lines_.data(), eve_lines_.size()));
  eve_lines_.clear();
  inputs_.clear();
  added_ = 0;
  count_ = 0;
  first_ = core_->next_index;
  newest_ms_ = 0;
  return o;
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

} // namespace tlsfp
