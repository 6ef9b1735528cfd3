// RegionReader: drains the data plane's record rings and reads its header and
// counters, through the tlsfp_shm library (dpdk/shm), never by its own
// offsets. The reader is the rings' one consumer (shm.h's SPSC contract):
// one RegionReader per region per process.
#include "region_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "aggregates_js.h"
#include "counters_js.h"
#include "errors.h"
#include "options.h"
#include "record_batch.h"
#include "record_to_js.h"
#include "tlsfp_c.h"

// shm.h is C11: its _Alignas / _Static_assert have C++11 spellings with the
// same meaning. Mapped here only, for this one include.
#define _Alignas(x) alignas(x)
#define _Static_assert(c, m) static_assert(c, m)
extern "C" {
#include "tlsfp/shm.h"
}
#undef _Alignas
#undef _Static_assert

namespace tlsfp {

struct RegionState {
  struct tlsfp_shm_region region;
  std::vector<struct tlsfp_shm_ring> rings;
  // Records are copied out of the ring before conversion: a slot is
  // released at once, and the conversion reads private memory only.
  std::vector<struct tlsfp_record> batch;
  uint32_t next_ring = 0; // round-robin start, so no worker is starved
};

namespace {

constexpr uint32_t kDefaultMaxRecords = 1024;
constexpr uint32_t kMaxRecordsLimit = 65536;
constexpr uint32_t kChunk = 64; // records per ring per round

const char *StateName(uint32_t s)
{
  switch (s) {
  case TLSFP_SHM_STARTING: return "starting";
  case TLSFP_SHM_RUNNING: return "running";
  case TLSFP_SHM_STOPPING: return "stopping";
  case TLSFP_SHM_STOPPED: return "stopped";
  default: return "unknown";
  }
}

Napi::Value U64(Napi::Env env, const uint64_t *field)
{
  return Napi::Number::New(env, static_cast<double>(tlsfp_shm_load(field)));
}

// What the file says about itself, for the message of a refused region.
std::string DescribeHeader(const std::string &path)
{
  struct tlsfp_shm_header h;
  std::memset(&h, 0, sizeof(h));
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return "";
  ssize_t n = pread(fd, &h, sizeof(h), 0);
  close(fd);
  if (n < static_cast<ssize_t>(offsetof(struct tlsfp_shm_header, record_size) + 4))
    return "";
  return " (layout version " + std::to_string(h.layout_version) + ", record ABI " +
         std::to_string(h.record_abi) + " size " + std::to_string(h.record_size) +
         "; this build knows layout " + std::to_string(TLSFP_SHM_LAYOUT_VERSION) + ", record ABI " +
         std::to_string(TLSFP_RECORD_ABI) + " size " + std::to_string(sizeof(struct tlsfp_record)) +
         ")";
}

Napi::Error OpenError(Napi::Env env, const std::string &path, int rc)
{
  Napi::Error e;
  switch (-rc) {
  case ENODATA:
    e = CodedError(env, "TLSFP_E_SHM_NOT_READY", path + ": the data plane has not finished the region yet");
    break;
  case EPROTONOSUPPORT:
    e = CodedError(env, "TLSFP_E_SHM_VERSION",
                   path + ": a shared-memory layout this build does not know" + DescribeHeader(path) +
                       ": rebuild (npm run build) so the data plane and the addon match");
    break;
  case EINVAL:
    e = CodedError(env, "TLSFP_E_SHM_INVALID", path + ": not a tlsfp region, or truncated");
    break;
  default:
    e = CodedError(env, ErrnoCode(-rc), path + ": " + std::strerror(-rc));
    break;
  }
  e.Set("path", Napi::String::New(env, path));
  return e;
}


} // namespace

Napi::Function RegionReader::Init(Napi::Env env)
{
  return DefineClass(env, "RegionReader",
                     {InstanceMethod<&RegionReader::Drain>("drain"),
                      InstanceMethod<&RegionReader::DrainBatch>("drainBatch"),
                      InstanceMethod<&RegionReader::Header>("header"),
                      InstanceMethod<&RegionReader::Counters>("counters"),
                      InstanceMethod<&RegionReader::RingDepth>("ringDepth"),
                      InstanceMethod<&RegionReader::Close>("close")});
}

RegionReader::RegionReader(const Napi::CallbackInfo &info) : Napi::ObjectWrap<RegionReader>(info)
{
  Napi::Env env = info.Env();
  if (!info[0].IsString())
    throw Napi::TypeError::New(env, "RegionReader(path): path must be a string");
  path_ = info[0].As<Napi::String>().Utf8Value();

  auto st = std::make_unique<RegionState>();
  int rc = tlsfp_shm_open(&st->region, path_.c_str());
  if (rc != 0)
    throw OpenError(env, path_, rc);
  // tlsfp_shm_check compared the sizes with the C compiler's view; the
  // accessors below use this (C++) compiler's view of the same structs.
  const struct tlsfp_shm_header *h = tlsfp_shm_header(&st->region);
  if (h->header_size != sizeof(struct tlsfp_shm_header) ||
      h->worker_size != sizeof(struct tlsfp_shm_worker) || h->port_size != sizeof(struct tlsfp_shm_port)) {
    tlsfp_shm_close(&st->region);
    throw OpenError(env, path_, -EPROTONOSUPPORT);
  }
  st->rings.resize(h->n_workers);
  for (uint32_t k = 0; k < h->n_workers; k++)
    tlsfp_shm_ring_attach(&st->region, k, &st->rings[k]);
  st->batch.resize(kChunk);
  state_ = std::move(st);
}

RegionReader::~RegionReader()
{
  if (state_)
    tlsfp_shm_close(&state_->region);
}

void RegionReader::CheckOpen(Napi::Env env) const
{
  if (!state_)
    throw CodedError(env, "TLSFP_E_CLOSED", "the RegionReader is closed");
}

Napi::Value RegionReader::Drain(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  CheckOpen(env);
  uint32_t max_records = MaxRecordsArg(info[0], "drain(maxRecords)", kDefaultMaxRecords, kMaxRecordsLimit);
  RegionState &st = *state_;
  const uint32_t n_rings = static_cast<uint32_t>(st.rings.size());
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  // Rounds over the rings, up to kChunk records from each per round, until
  // the budget is used or a whole round found every ring empty.
  bool progress = true;
  while (n < max_records && progress) {
    progress = false;
    for (uint32_t i = 0; i < n_rings && n < max_records; i++) {
      uint32_t k = (st.next_ring + i) % n_rings;
      uint32_t want = max_records - n < kChunk ? max_records - n : kChunk;
      uint32_t got = tlsfp_shm_ring_dequeue_burst(&st.rings[k], st.batch.data(), want);
      for (uint32_t j = 0; j < got; j++)
        out.Set(n++, RecordToJs(env, st.batch[j]));
      if (got > 0)
        progress = true;
    }
    st.next_ring = n_rings ? (st.next_ring + 1) % n_rings : 0;
  }
  return out;
}

// The ingest path: records straight from the ring slots into a batch
// (record_batch.h), no copy of the slot and no JS object per record.
Napi::Value RegionReader::DrainBatch(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  CheckOpen(env);
  StoreCore *aggs = Aggregates::FromArg(info[0], "drainBatch(aggregates, maxRecords): aggregates");
  uint32_t max_records = MaxRecordsArg(info[1], "drainBatch(aggregates, maxRecords)", kDefaultMaxRecords, kMaxRecordsLimit);
  RegionState &st = *state_;
  const uint32_t n_rings = static_cast<uint32_t>(st.rings.size());
  const BatchOptions opts = BatchOptionsArg(info[2], "drainBatch(aggregates, maxRecords, options)");
  BatchBuilder batch(aggs, opts.eve, opts.aggregate);
  bool progress = true;
  while (batch.Count() < max_records && progress) {
    progress = false;
    for (uint32_t i = 0; i < n_rings && batch.Count() < max_records; i++) {
      struct tlsfp_shm_ring *ring = &st.rings[(st.next_ring + i) % n_rings];
      uint32_t want = max_records - batch.Count() < kChunk ? max_records - batch.Count() : kChunk;
      uint32_t got = 0;
      for (const struct tlsfp_record *rec; got < want && (rec = tlsfp_shm_ring_peek(ring, got)) != nullptr; got++) {
        // Three records ahead: their lines arrive while this one is
        // aggregated. The next one's are here: ask for its dictionary slots.
        if (const struct tlsfp_record *ahead = tlsfp_shm_ring_peek(ring, got + 3))
          PrefetchRecord(ahead);
        if (const struct tlsfp_record *next = tlsfp_shm_ring_peek(ring, got + 1))
          batch.PrefetchIds(*next);
        batch.Add(*rec);
      }
      tlsfp_shm_ring_release(ring, got);
      if (got > 0)
        progress = true;
    }
    st.next_ring = n_rings ? (st.next_ring + 1) % n_rings : 0;
  }
  return batch.Finish(env);
}

Napi::Value RegionReader::Header(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  CheckOpen(env);
  const struct tlsfp_shm_region *r = &state_->region;
  const struct tlsfp_shm_header *h = tlsfp_shm_header(r);
  Napi::Object o = Napi::Object::New(env);
  o.Set("path", Napi::String::New(env, path_));
  o.Set("pid", Napi::Number::New(env, __atomic_load_n(&h->pid, __ATOMIC_RELAXED)));
  o.Set("state", Napi::String::New(env, StateName(static_cast<uint32_t>(tlsfp_shm_get_state(r)))));
  o.Set("heartbeatNs", Napi::BigInt::New(env, tlsfp_shm_get_heartbeat(r)));
  o.Set("startNs", Napi::BigInt::New(env, h->start_ns));
  o.Set("nWorkers", Napi::Number::New(env, h->n_workers));
  o.Set("nPorts", Napi::Number::New(env, h->n_ports));
  o.Set("ringSlots", Napi::Number::New(env, h->ring_slots));
  o.Set("instance", Napi::String::New(env, h->instance, strnlen(h->instance, sizeof(h->instance))));
  o.Set("layoutVersion", Napi::Number::New(env, h->layout_version));
  o.Set("regionSize", Napi::Number::New(env, static_cast<double>(h->region_size)));
  o.Set("hugetlb", Napi::Boolean::New(env, h->hugetlb != 0));
  return o;
}

Napi::Value RegionReader::Counters(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  CheckOpen(env);
  const struct tlsfp_shm_region *r = &state_->region;
  const struct tlsfp_shm_header *h = tlsfp_shm_header(r);

  struct tlsfp_counters total;
  std::memset(&total, 0, sizeof(total));
  Napi::Array workers = Napi::Array::New(env, h->n_workers);
  for (uint32_t k = 0; k < h->n_workers; k++) {
    const struct tlsfp_shm_worker *w = tlsfp_shm_worker(r, k);
    struct tlsfp_counters c;
    for (int i = 0; i < TLSFP_CTR__COUNT; i++) {
      c.v[i] = tlsfp_shm_load(&w->ctr.v[i]);
      total.v[i] += c.v[i];
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("lcore", Napi::Number::New(env, w->lcore_id));
    o.Set("socket", Napi::Number::New(env, w->socket_id));
    o.Set("rxQueues", Napi::Number::New(env, w->n_rx_queues));
    o.Set("distributed", Napi::Boolean::New(env, w->distributed != 0));
    o.Set("loops", U64(env, &w->loops));
    o.Set("busyLoops", U64(env, &w->busy_loops));
    o.Set("cycles", U64(env, &w->cycles));
    o.Set("busyCycles", U64(env, &w->busy_cycles));
    o.Set("rxBursts", U64(env, &w->rx_bursts));
    o.Set("records", U64(env, &w->records));
    o.Set("ticks", U64(env, &w->ticks));
    o.Set("ringDepth", Napi::Number::New(env, tlsfp_shm_ring_count(&state_->rings[k])));
    o.Set("counters", CountersToJs(env, &c));
    workers.Set(k, o);
  }
  Napi::Array ports = Napi::Array::New(env, h->n_ports);
  for (uint32_t i = 0; i < h->n_ports; i++) {
    const struct tlsfp_shm_port *p = tlsfp_shm_port(r, i);
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Napi::String::New(env, p->name, strnlen(p->name, sizeof(p->name))));
    o.Set("portId", Napi::Number::New(env, p->port_id));
    o.Set("rxQueues", Napi::Number::New(env, p->n_rx_queues));
    o.Set("rss", Napi::Boolean::New(env, p->rss != 0));
    o.Set("distributed", Napi::Boolean::New(env, p->distributed != 0));
    o.Set("socket", Napi::Number::New(env, p->socket_id));
    o.Set("rxPackets", U64(env, &p->rx_packets));
    o.Set("rxBytes", U64(env, &p->rx_bytes));
    o.Set("imissed", U64(env, &p->imissed));
    o.Set("ierrors", U64(env, &p->ierrors));
    o.Set("rxNombuf", U64(env, &p->rx_nombuf));
    o.Set("distPackets", U64(env, &p->dist_packets));
    o.Set("distDrops", U64(env, &p->dist_drops));
    ports.Set(i, o);
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("total", CountersToJs(env, &total));
  o.Set("workers", workers);
  o.Set("ports", ports);
  return o;
}

Napi::Value RegionReader::RingDepth(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  CheckOpen(env);
  Napi::Array a = Napi::Array::New(env, state_->rings.size());
  double total = 0;
  for (uint32_t k = 0; k < state_->rings.size(); k++) {
    uint32_t d = tlsfp_shm_ring_count(&state_->rings[k]);
    total += d;
    a.Set(k, Napi::Number::New(env, d));
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("total", Napi::Number::New(env, total));
  o.Set("workers", a);
  return o;
}

Napi::Value RegionReader::Close(const Napi::CallbackInfo &info)
{
  if (state_) {
    tlsfp_shm_close(&state_->region);
    state_.reset();
  }
  return info.Env().Undefined();
}

} // namespace tlsfp
