/** GET /metrics: Prometheus text format. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/metrics",
    {
      schema: {
        tags: ["status"],
        summary: "Prometheus metrics (text exposition format)",
        produces: ["text/plain"],
      },
    },
    async (_req, reply) => {
      const text = await app.metrics.render(app.stats(), app.store);
      return reply.type(app.metrics.contentType).send(text);
    },
  );
};

export default routes;
