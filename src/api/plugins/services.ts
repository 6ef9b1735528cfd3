/**
 * The app's shared services as decorators: the store, the stats source and
 * the metrics registry. Every route plugin depends on this one.
 */
import fp from "fastify-plugin";
import type { Metrics } from "../../metrics/registry.js";
import type { FingerprintStore } from "../../store/types.js";
import type { StatsSource } from "../types.js";

declare module "fastify" {
  interface FastifyInstance {
    store: FingerprintStore;
    stats: StatsSource;
    metrics: Metrics;
  }
}

export interface ServicesOptions {
  store: FingerprintStore;
  stats: StatsSource;
  metrics: Metrics;
}

export default fp<ServicesOptions>(
  async (app, opts) => {
    app.decorate("store", opts.store);
    app.decorate("stats", opts.stats);
    app.decorate("metrics", opts.metrics);
    // Request latency by route pattern (not by URL, which would explode the label set).
    app.addHook("onResponse", async (req, reply) => {
      const route = req.routeOptions.url ?? "unmatched";
      opts.metrics.observeRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
  },
  { name: "tlsfp-services", fastify: "5.x" },
);
