/** GET /api/v1/stats: data plane, ingest, store and API counters. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { statsJson } from "../convert.js";
import { Stats } from "../schemas.js";

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/stats",
    {
      schema: {
        tags: ["status"],
        summary: "Data plane counters, ring depth, drops, restarts; ingest and store state",
        description: "Protobuf (tlsfp.v1.Stats) with Accept: application/x-protobuf.",
        response: { 200: Stats },
      },
      config: { protobuf: "Stats" },
    },
    async () =>
      statsJson(app.stats(), app.store.stats(), {
        stream_clients: app.metrics.streamClientCount(),
        stream_dropped: app.metrics.streamDroppedTotal(),
      }),
  );
};

export default routes;
