/**
 * What the query API is built from. The supervisor provides a StatsSource
 * (data plane + ingest counters); the store is the FingerprintStore contract.
 */
import type { FastifyBaseLogger } from "fastify";
import type { Metrics } from "../metrics/registry.js";
import type { FingerprintStore } from "../store/types.js";

export interface DataplaneStats {
  /** The data plane process is up and its heartbeat is fresh. */
  running: boolean;
  /** Restarts by the supervisor since the control plane started. */
  restarts: number;
  /** Milliseconds since the last data plane heartbeat; null before the first one. */
  heartbeatAgeMs: number | null;
  /** Data plane counters by name (dpdk/include/tlsfp/counters.h), summed over workers. */
  counters: Record<string, number>;
  /** Records waiting in the event rings right now. */
  ringDepth: number;
  /** Records lost because a ring was full. */
  drops: number;
  /** Worker TSC cycles per received packet; null before any packet (or no data plane). */
  cyclesPerPacket?: number | null;
}

export interface IngestStats {
  /** Records handed to the store. */
  records: number;
  /** Ring drain batches. */
  batches: number;
  /** Records or batches that failed to ingest. */
  errors: number;
  /** Unix ms of the last batch, 0 if none yet. */
  lastBatchAt: number;
}

export interface RuntimeStats {
  dataplane: DataplaneStats;
  ingest: IngestStats;
}

/** Called on every GET /api/v1/stats and every /metrics scrape; must be cheap and not throw. */
export type StatsSource = () => RuntimeStats;

/** Stats before a supervisor exists (tests, `tlsfp pcap --serve`): nothing running. */
export const idleStats: StatsSource = () => ({
  dataplane: {
    running: false,
    restarts: 0,
    heartbeatAgeMs: null,
    counters: {},
    ringDepth: 0,
    drops: 0,
  },
  ingest: { records: 0, batches: 0, errors: 0, lastBatchAt: 0 },
});

export interface AppOptions {
  store: FingerprintStore;
  /** Defaults to {@link idleStats}. */
  stats?: StatsSource;
  /** Defaults to a fresh registry (createMetrics()). */
  metrics?: Metrics;
  /** Bearer token for routes that change state; without one they answer 403. */
  token?: string;
  /** A pino-compatible logger, or true for fastify's default, or false (default) for none. */
  logger?: FastifyBaseLogger | boolean;
  /** SSE heartbeat period (default 15000 ms). */
  heartbeatMs?: number;
  /** Events queued per slow SSE client before new ones are dropped (default 1000). */
  streamQueueMax?: number;
  /** Serve OpenAPI + Swagger UI at /docs (default true). */
  docs?: boolean;
}
