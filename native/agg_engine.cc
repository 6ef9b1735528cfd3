// AggEngine (agg_engine.h): the per-record aggregate updates, the distinct
// sets and the tuple cache. Every formula here is the reference model's
// (test/helpers/reference-aggregates.ts), so counts and estimates agree to
// the last digit and stored blobs read back either way.
#include "agg_engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace tlsfp {
namespace {

// Adds a hash to the registers; true when one grew.
bool HllAdd(uint8_t *reg, uint32_t h)
{
  const uint32_t idx = h >> (32 - Distinct::kHllP);
  const uint32_t rest = (h << Distinct::kHllP) | (1u << (Distinct::kHllP - 1)); // caps rho
  const uint8_t rho = static_cast<uint8_t>(__builtin_clz(rest) + 1);
  if (rho <= reg[idx])
    return false;
  reg[idx] = rho;
  return true;
}

double HllEstimate(const uint8_t *reg)
{
  constexpr double m = Distinct::kHllM;
  double sum = 0;
  uint32_t zeros = 0;
  for (uint32_t i = 0; i < Distinct::kHllM; i++) {
    sum += std::ldexp(1.0, -static_cast<int>(reg[i]));
    if (reg[i] == 0)
      zeros++;
  }
  const double e = ((0.7213 / (1 + 1.079 / m)) * m * m) / sum;
  if (e <= 2.5 * m && zeros > 0)
    return std::floor(m * std::log(m / zeros) + 0.5);
  return std::floor(e + 0.5);
}

// Order-dependent 32-bit combine (murmur3's finaliser over h·φ ^ x).
inline uint32_t Mix(uint32_t h, uint32_t x)
{
  h = (h * 0x9e3779b1u) ^ x;
  h = (h ^ (h >> 15)) * 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h != 0 ? h : 1;
}

} // namespace

void Distinct::Add(uint32_t h, uint32_t bound)
{
  if (hll_) {
    if (HllAdd(hll_.get(), h))
      est_ = -1;
    return;
  }
  if (slots_.empty()) {
    if (n_ == 1 && one_ == h)
      return;
    if (n_ >= bound) {
      ToHll(h);
      return;
    }
    if (n_ == 0) {
      one_ = h;
      n_ = 1;
      return;
    }
    slots_.assign(8, 0);
    slots_[one_ & 7] = one_;
    uint32_t j = h & 7;
    while (slots_[j] != 0)
      j = (j + 1) & 7;
    slots_[j] = h;
    n_ = 2;
    return;
  }
  const uint32_t mask = static_cast<uint32_t>(slots_.size()) - 1;
  uint32_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    if (slots_[i] == h)
      return;
    if (slots_[i] == 0)
      break;
  }
  if (n_ >= bound) {
    ToHll(h);
    return;
  }
  slots_[i] = h;
  if (++n_ * 2 > slots_.size()) {
    std::vector<uint32_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, 0);
    for (uint32_t v : old)
      if (v != 0)
        Insert(v);
  }
}

void Distinct::Insert(uint32_t h)
{
  const uint32_t mask = static_cast<uint32_t>(slots_.size()) - 1;
  uint32_t i = h & mask;
  while (slots_[i] != 0)
    i = (i + 1) & mask;
  slots_[i] = h;
}

bool Distinct::Has(uint32_t h) const
{
  if (hll_)
    return true;
  if (slots_.empty())
    return n_ == 1 && one_ == h;
  const uint32_t mask = static_cast<uint32_t>(slots_.size()) - 1;
  for (uint32_t i = h & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h)
      return true;
    if (slots_[i] == 0)
      return false;
  }
}

void Distinct::ToHll(uint32_t h)
{
  hll_.reset(new uint8_t[kHllM]());
  if (slots_.empty()) {
    if (n_ == 1)
      HllAdd(hll_.get(), one_);
  } else {
    for (uint32_t v : slots_)
      if (v != 0)
        HllAdd(hll_.get(), v);
  }
  HllAdd(hll_.get(), h);
  std::vector<uint32_t>().swap(slots_);
  est_ = -1;
}

double Distinct::Size() const
{
  if (!hll_)
    return n_;
  if (est_ < 0)
    est_ = std::max(static_cast<double>(n_), HllEstimate(hll_.get()));
  return est_;
}

std::string Distinct::Blob() const
{
  std::string b;
  if (hll_) {
    b.push_back(static_cast<char>(0xff));
    b.append(reinterpret_cast<const char *>(hll_.get()), kHllM);
    return b;
  }
  auto put = [&b](uint32_t v) {
    for (int k = 0; k < 4; k++)
      b.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
  };
  if (slots_.empty()) {
    if (n_ == 1)
      put(one_);
    return b;
  }
  for (uint32_t v : slots_)
    if (v != 0)
      put(v);
  return b;
}

Distinct Distinct::FromBlob(const uint8_t *b, size_t len, double n)
{
  Distinct d;
  if (len % 4 == 1 && b[0] == 0xff) {
    d.hll_.reset(new uint8_t[kHllM]());
    std::memcpy(d.hll_.get(), b + 1, std::min<size_t>(len - 1, kHllM));
    d.n_ = static_cast<uint32_t>(n);
    return d;
  }
  for (size_t j = 0; j + 4 <= len; j += 4) {
    uint32_t v = static_cast<uint32_t>(b[j]) | static_cast<uint32_t>(b[j + 1]) << 8 |
                 static_cast<uint32_t>(b[j + 2]) << 16 | static_cast<uint32_t>(b[j + 3]) << 24;
    if (v != 0)
      d.Add(v, std::numeric_limits<uint32_t>::max());
  }
  return d;
}

void Agg::CountAlpn(uint32_t id, double n)
{
  if (alpn0 == id || alpn0 == 0) {
    alpn0 = id;
    alpn0_n += n;
    return;
  }
  for (auto &p : more_alpn) {
    if (p.first == id) {
      p.second += n;
      return;
    }
  }
  more_alpn.emplace_back(id, n);
}

std::vector<std::pair<uint32_t, double>> Agg::Alpns() const
{
  std::vector<std::pair<uint32_t, double>> out = more_alpn;
  if (alpn0 != 0)
    out.emplace_back(alpn0, alpn0_n);
  std::sort(out.begin(), out.end());
  return out;
}

const Agg *AggEngine::Get(AggKind k, uint32_t id) const
{
  if (id == 0 || id > size_[k])
    return nullptr;
  const Agg &a = At(k, id);
  return a.exists ? &a : nullptr;
}

const Agg *AggEngine::Reserve(AggKind k, uint32_t id)
{
  while (id > size_[k]) {
    chunks_[k].emplace_back(new Agg[1u << kChunkBits]);
    size_[k] += 1u << kChunkBits;
  }
  return &At(k, id);
}

Agg *AggEngine::Make(AggKind k, uint32_t id)
{
  Reserve(k, id);
  Agg &a = At(k, id);
  if (!a.exists) {
    a.exists = true;
    count_[k]++;
    a.first = std::numeric_limits<double>::infinity();
  }
  return &a;
}

void AggEngine::MarkDirty(AggKind k, uint32_t id)
{
  Agg &a = At(k, id);
  if (!a.dirty) {
    a.dirty = true;
    dirty_[k].push_back(id);
  }
}

std::vector<uint32_t> AggEngine::TakeDirty(AggKind k)
{
  std::vector<uint32_t> out;
  out.swap(dirty_[k]);
  for (uint32_t id : out)
    At(k, id).dirty = false;
  return out;
}

uint32_t AggEngine::SeenIndex(const AggInput &in) const
{
  const uint32_t n = in.sni == 0 ? 0 : in.sni_hash;
  return Mix(Mix(Mix(Mix(Mix(in.pair, in.ja3), in.ja3s), in.client), in.server), n) & (kSeenCapacity - 1);
}

bool AggEngine::Seen(const AggInput &in)
{
  const uint32_t mask = kSeenCapacity - 1;
  const uint32_t c = in.client, s = in.server, n = in.sni == 0 ? 0 : in.sni_hash;
  const uint32_t start = SeenIndex(in);
  uint32_t i = start;
  for (;; i = (i + 1) & mask) {
    const SeenSlot &o = seen_[i];
    if (o.pair == in.pair && o.ja3 == in.ja3 && o.ja3s == in.ja3s && o.client == c && o.server == s &&
        o.sni == n)
      return true;
    if (o.pair == 0)
      break;
  }
  if (++seen_n_ * 2 > kSeenCapacity) {
    std::fill(seen_.begin(), seen_.end(), SeenSlot{});
    seen_n_ = 1;
    i = start;
  }
  seen_[i] = SeenSlot{in.pair, in.ja3, in.ja3s, c, s, n, {0, 0}};
  return false;
}

void AggEngine::Bump(AggKind k, uint32_t id, const AggInput &in, bool distinct)
{
  Agg &a = *Make(k, id);
  if (in.ts_ms < a.first)
    a.first = in.ts_ms;
  if (in.ts_ms > a.last)
    a.last = in.ts_ms;
  a.count++;
  if (in.transport == 0)
    a.tcp++;
  else if (in.transport == 1)
    a.quic++;
  else
    a.dtls++;
  a.CountAlpn(in.alpn, 1);
  if (distinct) {
    a.clients.Add(in.client, bound_);
    a.servers.Add(in.server, bound_);
    // Only JA4, JA3 and JA3S count SNIs (an SNI or a pair has one).
    if (in.sni != 0 && k <= kJa3s)
      a.snis.Add(in.sni_hash, bound_);
  }
  MarkDirty(k, id);
}

void AggEngine::Add(const AggInput &in)
{
  // JA4×SNI, JA3 and JA3S determine all five aggregates: a handshake seen
  // before adds nothing to their distinct sets.
  const bool distinct = !Seen(in);
  Bump(kJa4, in.ja4, in, distinct);
  Bump(kJa3, in.ja3, in, distinct);
  if (in.ja3s != 0)
    Bump(kJa3s, in.ja3s, in, distinct);
  if (in.sni != 0)
    Bump(kSni, in.sni, in, distinct);
  Bump(kJa4Sni, in.pair, in, distinct);
}

void AggEngine::AddBulk(AggInput *in, uint32_t n)
{
  constexpr uint32_t kMax = 64;
  bool distinct[kMax];
  for (uint32_t base = 0; base < n; base += kMax) {
    const uint32_t m = n - base < kMax ? n - base : kMax;
    AggInput *r = in + base;
    // 1. Pair ids (their slots were asked for when the record was read);
    //    then the aggregates and the seen slot.
    bool added = false;
    for (uint32_t i = 0; i < m; i++) {
      r[i].pair = pairs.Id(r[i].ja4, r[i].sni, &added);
      __builtin_prefetch(&seen_[SeenIndex(r[i])]);
      const uint32_t ids[kAggKinds] = {r[i].ja4, r[i].ja3, r[i].ja3s, r[i].sni, r[i].pair};
      for (uint32_t k = 0; k < kAggKinds; k++) {
        if (ids[k] == 0)
          continue;
        const char *a = reinterpret_cast<const char *>(Reserve(static_cast<AggKind>(k), ids[k]));
        __builtin_prefetch(a, 1);
        __builtin_prefetch(a + 64, 1);
        __builtin_prefetch(a + 128, 1);
      }
    }
    // 2. Which handshakes are new, in order; ask for their sets' slots.
    for (uint32_t i = 0; i < m; i++) {
      distinct[i] = !Seen(r[i]);
      if (!distinct[i])
        continue;
      const uint32_t ids[kAggKinds] = {r[i].ja4, r[i].ja3, r[i].ja3s, r[i].sni, r[i].pair};
      for (uint32_t k = 0; k < kAggKinds; k++) {
        if (ids[k] == 0)
          continue;
        const Agg &a = At(static_cast<AggKind>(k), ids[k]);
        a.clients.Prefetch(r[i].client);
        a.servers.Prefetch(r[i].server);
        if (k <= kJa3s && r[i].sni != 0)
          a.snis.Prefetch(r[i].sni_hash);
      }
    }
    // 3. The updates, in order.
    for (uint32_t i = 0; i < m; i++) {
      Bump(kJa4, r[i].ja4, r[i], distinct[i]);
      Bump(kJa3, r[i].ja3, r[i], distinct[i]);
      if (r[i].ja3s != 0)
        Bump(kJa3s, r[i].ja3s, r[i], distinct[i]);
      if (r[i].sni != 0)
        Bump(kSni, r[i].sni, r[i], distinct[i]);
      Bump(kJa4Sni, r[i].pair, r[i], distinct[i]);
    }
  }
}

} // namespace tlsfp
