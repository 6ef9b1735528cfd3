/**
 * GET /healthz: 200 while the API can serve. "degraded" when the data plane
 * is not running: the stored data is still queryable, so this stays 200
 * (a load balancer should not take the API away because capture stopped).
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Health } from "../schemas.js";

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/healthz",
    {
      schema: {
        tags: ["status"],
        summary: "Liveness",
        response: { 200: Health },
      },
    },
    async () => {
      const running = app.stats().dataplane.running;
      return {
        status: running ? ("ok" as const) : ("degraded" as const),
        dataplane: running,
        uptime_s: Math.round(process.uptime()),
      };
    },
  );
};

export default routes;
