/** GET /api/v1/handshakes: recent handshakes as EVE events, filtered and paginated. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { handshakeJson, handshakeQuery } from "../convert.js";
import { ErrorBody, HandshakePage, HandshakesQuery } from "../schemas.js";

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/handshakes",
    {
      schema: {
        tags: ["handshakes"],
        summary: "Recent handshakes (newest first) as EVE events",
        description:
          "From the store's bounded history. Protobuf (tlsfp.v1.HandshakePage) with " +
          "Accept: application/x-protobuf.",
        querystring: HandshakesQuery,
        response: { 200: HandshakePage, 400: ErrorBody },
      },
      config: { protobuf: "HandshakePage" },
    },
    async (req) => {
      const page = app.store.recentHandshakes(handshakeQuery(req.query));
      return {
        items: page.items.map(handshakeJson),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
      };
    },
  );
};

export default routes;
