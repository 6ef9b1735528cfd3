/**
 * Prometheus metrics: one prom-client registry per app.
 *
 * Data plane counters are exported under their counters.h names as
 * `tlsfp_<name>_total`; they are absolute values read from the stats source
 * at scrape time (a drop back to a smaller value after a data plane restart
 * is what Prometheus treats as a counter reset). The names are not fixed in
 * advance: a counter the data plane starts reporting appears at the next
 * scrape. Ingest counters, store gauges and the API's own metrics sit beside
 * them, and prom-client's default Node process metrics.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { REQUIRED_COUNTERS } from "../addon/native.js";
import type { RuntimeStats } from "../api/types.js";
import type { FingerprintStore } from "../store/types.js";

export interface Metrics {
  registry: Registry;
  /** Observe one API request (seconds). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Count events dropped for a slow stream client. */
  streamDropped(n: number): void;
  streamDroppedTotal(): number;
  /** Open stream connections: +1 / -1. */
  streamClients(delta: number): void;
  streamClientCount(): number;
  /** Refresh the values read from the stats source and store, then render the text format. */
  render(stats: RuntimeStats, store: FingerprintStore): Promise<string>;
  contentType: string;
}

/** counters.h name → a Prometheus metric name part ([a-z0-9_]). */
export function metricName(counter: string): string {
  return `tlsfp_${counter.toLowerCase().replace(/[^a-z0-9_]/g, "_")}_total`;
}

/** Fixed names the data plane counters must not shadow. */
const RESERVED_PREFIXES = ["tlsfp_dataplane_", "tlsfp_ingest_", "tlsfp_store_", "tlsfp_api_"];

export interface MetricsOptions {
  /** Collect prom-client's default process/Node metrics (default true). */
  defaultMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const dpCounters = new Map<string, Counter>();
  const dpCounter = (name: string): Counter | undefined => {
    const metric = metricName(name);
    if (RESERVED_PREFIXES.some((p) => metric.startsWith(p))) return undefined;
    let c = dpCounters.get(metric);
    if (!c) {
      c = new Counter({
        name: metric,
        help: `Data plane counter ${name} (dpdk/include/tlsfp/counters.h), all workers.`,
        registers,
      });
      dpCounters.set(metric, c);
    }
    return c;
  };
  for (const name of REQUIRED_COUNTERS) dpCounter(name);

  /** Set a counter to an absolute value read from elsewhere. */
  const setCounter = (c: Counter, value: number, labels?: Record<string, string>): void => {
    if (labels) {
      c.remove(labels);
      c.inc(labels, Math.max(0, value));
    } else {
      c.reset();
      c.inc(Math.max(0, value));
    }
  };

  const running = new Gauge({
    name: "tlsfp_dataplane_running",
    help: "1 when the data plane is up with a fresh heartbeat.",
    registers,
  });
  const restarts = new Counter({
    name: "tlsfp_dataplane_restarts_total",
    help: "Data plane restarts by the supervisor.",
    registers,
  });
  const heartbeat = new Gauge({
    name: "tlsfp_dataplane_heartbeat_age_seconds",
    help: "Seconds since the last data plane heartbeat (-1 before the first).",
    registers,
  });
  const ringDepth = new Gauge({
    name: "tlsfp_dataplane_ring_depth",
    help: "Records waiting in the event rings.",
    registers,
  });
  const cyclesPerPacket = new Gauge({
    name: "tlsfp_dataplane_cycles_per_packet",
    help: "Worker TSC cycles per received packet (busy loop iterations only; -1 before any packet).",
    registers,
  });
  const ringDrops = new Counter({
    name: "tlsfp_dataplane_ring_drops_total",
    help: "Records lost because an event ring was full.",
    registers,
  });
  const ingestRecords = new Counter({
    name: "tlsfp_ingest_records_total",
    help: "Records handed to the store.",
    registers,
  });
  const ingestBatches = new Counter({
    name: "tlsfp_ingest_batches_total",
    help: "Ring drain batches.",
    registers,
  });
  const ingestErrors = new Counter({
    name: "tlsfp_ingest_errors_total",
    help: "Records or batches that failed to ingest.",
    registers,
  });
  const storeIngested = new Counter({
    name: "tlsfp_store_ingested_total",
    help: "Records aggregated by the store.",
    registers,
  });
  const storeHistory = new Gauge({
    name: "tlsfp_store_history_rows",
    help: "Handshakes kept in the recent history.",
    registers,
  });
  const storeHistorySkipped = new Counter({
    name: "tlsfp_store_history_skipped_total",
    help: "Handshakes that never reached the history (time-limited flushes under load).",
    registers,
  });
  const storeAggregates = new Gauge({
    name: "tlsfp_store_aggregates",
    help: "Distinct aggregates by kind.",
    labelNames: ["kind"],
    registers,
  });
  const storeFlush = new Gauge({
    name: "tlsfp_store_last_flush_timestamp_seconds",
    help: "Unix time of the last persisted flush (0 if none).",
    registers,
  });
  const requests = new Histogram({
    name: "tlsfp_api_request_duration_seconds",
    help: "API request latency.",
    labelNames: ["method", "route", "status_code"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const dropped = new Counter({
    name: "tlsfp_api_stream_dropped_total",
    help: "Stream events dropped because a client did not keep up.",
    registers,
  });
  const clients = new Gauge({
    name: "tlsfp_api_stream_clients",
    help: "Open /api/v1/handshakes/stream connections.",
    registers,
  });
  let droppedTotal = 0;
  let clientCount = 0;

  return {
    registry,
    contentType: registry.contentType,
    observeRequest(method, route, status, seconds) {
      requests.observe({ method, route, status_code: String(status) }, seconds);
    },
    streamDropped(n) {
      droppedTotal += n;
      dropped.inc(n);
    },
    streamDroppedTotal: () => droppedTotal,
    streamClients(delta) {
      clientCount += delta;
      clients.set(clientCount);
    },
    streamClientCount: () => clientCount,
    async render(stats, store) {
      const dp = stats.dataplane;
      for (const [name, value] of Object.entries(dp.counters)) {
        const c = dpCounter(name);
        if (c) setCounter(c, value);
      }
      running.set(dp.running ? 1 : 0);
      setCounter(restarts, dp.restarts);
      heartbeat.set(dp.heartbeatAgeMs === null ? -1 : dp.heartbeatAgeMs / 1000);
      ringDepth.set(dp.ringDepth);
      cyclesPerPacket.set(dp.cyclesPerPacket ?? -1);
      setCounter(ringDrops, dp.drops);
      setCounter(ingestRecords, stats.ingest.records);
      setCounter(ingestBatches, stats.ingest.batches);
      setCounter(ingestErrors, stats.ingest.errors);
      const s = store.stats();
      setCounter(storeIngested, s.ingested);
      storeHistory.set(s.historyRows);
      setCounter(storeHistorySkipped, s.historySkipped);
      for (const [kind, n] of Object.entries(s.aggregates)) storeAggregates.set({ kind }, n);
      storeFlush.set(s.lastFlush / 1000);
      return registry.metrics();
    },
  };
}
