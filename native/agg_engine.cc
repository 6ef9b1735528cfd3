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

// Reads a byte at each address, back to back: the loads do not depend on
// one another, so the CPU has as many of them in flight as it can hold.
// (Prefetch instructions for the same lines proved useless on the AMD EPYC
// guest measured: most were dropped, and the updates then waited for each
// line in turn; docs/benchmarks.md, step 8.)
void Touch(const void *const *p, size_t n)
{
  uint32_t sink = 0;
  for (size_t i = 0; i < n; i++)
    sink += *static_cast<const volatile uint8_t *>(p[i]);
  asm volatile("" : : "r"(sink));
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

template <typename F>
void Distinct::ForEachMember(F f) const
{
  if (cap_ == 0) {
    if (n_ == 1 && !hll_)
      f(one_);
    return;
  }
  for (uint32_t i = 0; i < cap_; i++)
    if (mem_[i] != 0)
      f(mem_[i]);
}

void Distinct::Add(uint32_t h, uint32_t bound)
{
  if (hll_) {
    HllAdd(Registers(), h);
    return;
  }
  if (cap_ == 0) {
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
    cap_ = 8;
    mem_.reset(new uint32_t[cap_]());
    Insert(one_);
    Insert(h);
    n_ = 2;
    return;
  }
  const uint32_t mask = cap_ - 1;
  uint32_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    if (mem_[i] == h)
      return;
    if (mem_[i] == 0)
      break;
  }
  if (n_ >= bound) {
    ToHll(h);
    return;
  }
  mem_[i] = h;
  if (++n_ * 2 > cap_) {
    std::unique_ptr<uint32_t[]> old = std::move(mem_);
    const uint32_t old_cap = cap_;
    cap_ *= 2;
    mem_.reset(new uint32_t[cap_]());
    for (uint32_t j = 0; j < old_cap; j++)
      if (old[j] != 0)
        Insert(old[j]);
  }
}

void Distinct::Insert(uint32_t h)
{
  const uint32_t mask = cap_ - 1;
  uint32_t i = h & mask;
  while (mem_[i] != 0)
    i = (i + 1) & mask;
  mem_[i] = h;
}

bool Distinct::Has(uint32_t h) const
{
  if (hll_)
    return true;
  if (cap_ == 0)
    return n_ == 1 && one_ == h;
  const uint32_t mask = cap_ - 1;
  for (uint32_t i = h & mask;; i = (i + 1) & mask) {
    if (mem_[i] == h)
      return true;
    if (mem_[i] == 0)
      return false;
  }
}

void Distinct::ToHll(uint32_t h)
{
  std::unique_ptr<uint32_t[]> reg(new uint32_t[kHllM / 4]());
  uint8_t *r = reinterpret_cast<uint8_t *>(reg.get());
  ForEachMember([r](uint32_t v) { HllAdd(r, v); });
  HllAdd(r, h);
  mem_ = std::move(reg); // the table goes
  hll_ = true;
  cap_ = 0;
}

double Distinct::Size() const
{
  if (!hll_)
    return n_;
  return std::max(static_cast<double>(n_), HllEstimate(Registers()));
}

std::string Distinct::Blob() const
{
  std::string b(BlobSize(), '\0');
  WriteBlob(reinterpret_cast<uint8_t *>(b.data()));
  return b;
}

uint8_t *Distinct::WriteBlob(uint8_t *out) const
{
  if (hll_) {
    *out++ = 0xff;
    std::memcpy(out, Registers(), kHllM);
    return out + kHllM;
  }
  ForEachMember([&out](uint32_t v) {
    for (int k = 0; k < 4; k++)
      *out++ = static_cast<uint8_t>(v >> (8 * k));
  });
  return out;
}

Distinct Distinct::FromBlob(const uint8_t *b, size_t len, double n)
{
  Distinct d;
  if (len % 4 == 1 && b[0] == 0xff) {
    d.mem_.reset(new uint32_t[kHllM / 4]());
    d.hll_ = true;
    std::memcpy(d.Registers(), b + 1, std::min<size_t>(len - 1, kHllM));
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
  if (id <= 0xffff) {
    for (int i = 0; i < kInlineAlpns; i++) {
      if (alpn_id[i] == id || alpn_id[i] == 0) {
        alpn_id[i] = static_cast<uint16_t>(id);
        alpn_n[i] += n;
        return;
      }
    }
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
  for (int i = 0; i < kInlineAlpns && alpn_id[i] != 0; i++)
    out.emplace_back(alpn_id[i], alpn_n[i]);
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
    aggs_[k].Grow();
    size_[k] = static_cast<uint32_t>(aggs_[k].Size());
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

void AggEngine::Preallocate(uint32_t pairs)
{
  for (uint32_t k = 0; k < kAggKinds; k++)
    Reserve(static_cast<AggKind>(k), k == kJa4Sni ? pairs : 1);
  this->pairs.Reserve(pairs);
  seen_.Commit();
}

void AggEngine::MarkDirty(AggKind k, uint32_t id)
{
  Agg &a = At(k, id);
  if (!a.dirty) {
    a.dirty = true;
    dirty_[k].push_back(id);
  }
}

std::vector<uint32_t> AggEngine::TakeDirty(AggKind k, size_t max)
{
  std::vector<uint32_t> &d = dirty_[k];
  const size_t n = std::min(max, d.size());
  std::vector<uint32_t> out(d.end() - static_cast<std::ptrdiff_t>(n), d.end());
  d.resize(d.size() - n);
  for (uint32_t id : out)
    At(k, id).dirty = false;
  return out;
}

uint32_t AggEngine::SeenIndex(const SeenSlot &t)
{
  return Mix(Mix(Mix(t.pair, t.ja3), t.key), t.value) & (kSeenCapacity - 1);
}

AggEngine::SeenSlot AggEngine::SeenKey(const AggInput &r, uint32_t field) const
{
  const uint32_t value = field == 1 ? r.client : field == 2 ? r.server : r.sni_hash;
  return SeenSlot{r.pair, r.ja3, r.ja3s << 2 | field, value};
}

void AggEngine::Resolve(AggInput &r)
{
  bool added = false;
  r.pair = pairs.Id(r.ja4, r.sni, &added);
  for (uint32_t f = 1; f <= 3; f++)
    r.seen_at[f - 1] = SeenIndex(SeenKey(r, f));
}

uint32_t AggEngine::SeenProbe(const SeenSlot &t, uint32_t at) const
{
  const uint32_t mask = kSeenCapacity - 1;
  uint32_t i = at;
  for (;; i = (i + 1) & mask) {
    const SeenSlot &o = seen_[i];
    if ((o.pair == t.pair && o.ja3 == t.ja3 && o.key == t.key && o.value == t.value) || o.pair == 0)
      return i;
  }
}

bool AggEngine::Seen(const AggInput &r, uint32_t field)
{
  const SeenSlot t = SeenKey(r, field);
  const uint32_t at = r.seen_at[field - 1];
  uint32_t i = SeenProbe(t, at);
  if (seen_[i].pair != 0)
    return true;
  if (++seen_n_ * 2 > kSeenCapacity) {
    std::fill(seen_.Data(), seen_.Data() + kSeenCapacity, SeenSlot{});
    seen_n_ = 1;
    i = at;
  }
  seen_[i] = t;
  return false;
}

bool AggEngine::SeenPeek(const AggInput &r, uint32_t field) const
{
  return seen_[SeenProbe(SeenKey(r, field), r.seen_at[field - 1])].pair != 0;
}

void AggEngine::Bump(AggKind k, uint32_t id, const AggInput &in, uint32_t c, uint32_t s, uint32_t n)
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
  if (c != 0)
    a.clients.Add(c, bound_);
  if (s != 0)
    a.servers.Add(s, bound_);
  // Only JA4, JA3 and JA3S count SNIs (an SNI or a pair has one).
  if (n != 0 && k <= kJa3s)
    a.snis.Add(n, bound_);
  MarkDirty(k, id);
}

void AggEngine::Add(const AggInput &in)
{
  AggInput r = in;
  Resolve(r);
  AddOne(r);
}

void AggEngine::AddOne(const AggInput &in)
{
  uint32_t c = in.client, s = in.server, n = in.sni == 0 ? 0 : in.sni_hash;
  if (Seen(in, 1))
    c = 0;
  if (Seen(in, 2))
    s = 0;
  if (n != 0 && Seen(in, 3))
    n = 0;
  // Whatever went into a pair's sets went into its JA4's and its SNI's in
  // the same handshake: a member the pair already has (its exact sets sit
  // on the lines just fetched) is skipped there, saving two far lookups. Not
  // for a pair read back from SQLite, whose rows may have been written at
  // other times than its JA4's.
  uint32_t c2 = c, s2 = s, n2 = n;
  const Agg *p = Get(kJa4Sni, in.pair);
  if (p != nullptr && !p->restored) {
    if (c != 0 && !p->clients.Estimated() && p->clients.Has(c))
      c2 = 0;
    if (s != 0 && !p->servers.Estimated() && p->servers.Has(s))
      s2 = 0;
    if (p->count > 0)
      n2 = 0; // the JA4 has had this SNI since the pair's first handshake
  }
  Bump(kJa4, in.ja4, in, c2, s2, n2);
  Bump(kJa3, in.ja3, in, c, s, n);
  if (in.ja3s != 0)
    Bump(kJa3s, in.ja3s, in, c, s, n);
  if (in.sni != 0)
    Bump(kSni, in.sni, in, c2, s2, 0);
  Bump(kJa4Sni, in.pair, in, c, s, n);
}

void AggEngine::PrefetchAggs(AggInput &r)
{
  Resolve(r); // the pair's slot was asked for when the record was read
  __builtin_prefetch(&seen_[r.seen_at[0]]);
  __builtin_prefetch(&seen_[r.seen_at[1]]);
  if (r.sni != 0)
    __builtin_prefetch(&seen_[r.seen_at[2]]);
  const uint32_t ids[kAggKinds] = {r.ja4, r.ja3, r.ja3s, r.sni, r.pair};
  for (uint32_t k = 0; k < kAggKinds; k++) {
    if (ids[k] == 0)
      continue;
    const char *a = reinterpret_cast<const char *>(Reserve(static_cast<AggKind>(k), ids[k]));
    for (size_t line = 0; line < sizeof(Agg); line += 64)
      __builtin_prefetch(a + line, 1);
  }
}

const void **AggEngine::SetReads(const AggInput &r, const void **out) const
{
  // Only for the members the seen table does not already hold (their
  // lines arrived since PrefetchAggs asked for them): the others will skip
  // their sets.
  const bool c = !SeenPeek(r, 1);
  const bool s = !SeenPeek(r, 2);
  const bool n = r.sni != 0 && !SeenPeek(r, 3);
  if (!c && !s && !n)
    return out;
  const uint32_t ids[kAggKinds] = {r.ja4, r.ja3, r.ja3s, r.sni, r.pair};
  for (uint32_t k = 0; k < kAggKinds; k++) {
    if (ids[k] == 0)
      continue;
    const Agg &a = At(static_cast<AggKind>(k), ids[k]);
    const void *p[3] = {c ? a.clients.FirstRead(r.client) : nullptr, s ? a.servers.FirstRead(r.server) : nullptr,
                        n && k <= kJa3s ? a.snis.FirstRead(r.sni_hash) : nullptr};
    for (const void *q : p)
      if (q != nullptr)
        *out++ = q;
  }
  return out;
}

void AggEngine::AddBulk(AggInput *in, uint32_t n)
{
  // Each handshake is taken after asking, handshakes ahead, for the memory
  // it will touch: its aggregates and seen slots by prefetch, 24 ahead;
  // then its sets' slots by loads issued together (Touch) for a group of 8,
  // one group ahead. The sets of busy aggregates are the far reads: ~5 a
  // handshake, over hundreds of MB.
  constexpr uint32_t kGroup = 8;
  constexpr uint32_t kAheadAggs = 3 * kGroup; // their lines must be in for SetReads
  const void *reads[kGroup * kAggKinds * 3];
  auto touch_group = [&](uint32_t from) {
    const void **end = reads;
    for (uint32_t j = from; j < from + kGroup && j < n; j++)
      end = SetReads(in[j], end);
    Touch(reads, static_cast<size_t>(end - reads));
  };
  for (uint32_t i = 0; i < n && i < kAheadAggs; i++)
    PrefetchAggs(in[i]);
  touch_group(0);
  for (uint32_t i = 0; i < n; i++) {
    if (i % kGroup == 0)
      touch_group(i + kGroup);
    if (i + kAheadAggs < n)
      PrefetchAggs(in[i + kAheadAggs]);
    AddOne(in[i]);
  }
}

} // namespace tlsfp
