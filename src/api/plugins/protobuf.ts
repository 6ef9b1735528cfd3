/**
 * Content negotiation: a route that declares `config: { protobuf: "<Message>" }`
 * answers in protobuf (proto/tlsfp.proto) when the Accept header prefers
 * application/x-protobuf, in JSON otherwise. The response object is the same;
 * only the serializer changes. Error responses stay JSON.
 */
import fp from "fastify-plugin";
import { encode, PROTOBUF_TYPE, type ProtoMessage, protoRoot, wantsProtobuf } from "../proto.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The proto/tlsfp.proto message this route's 200 response encodes to. */
    protobuf?: ProtoMessage;
  }
}

export default fp(
  async (app) => {
    protoRoot(); // load and parse the schema at startup: a broken .proto fails here, not per request
    app.addHook("preHandler", async (req, reply) => {
      const message = req.routeOptions.config.protobuf;
      if (message === undefined) return;
      reply.header("vary", "Accept");
      if (!wantsProtobuf(req.headers.accept)) return;
      reply.serializer((payload: unknown) => {
        if (reply.statusCode >= 300) {
          reply.type("application/json; charset=utf-8");
          return JSON.stringify(payload);
        }
        reply.type(PROTOBUF_TYPE);
        return encode(message, payload) as unknown as string;
      });
    });
  },
  { name: "tlsfp-protobuf", fastify: "5.x" },
);
