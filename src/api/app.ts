/**
 * The query API as a fastify app. Load order (fastify docs, fastify/demo):
 * external plugins (OpenAPI + Swagger UI) → own plugins (services, auth,
 * protobuf negotiation, errors) → routes. buildApp() does not listen: the
 * caller (CLI, tests) calls listen() or inject().
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import { createMetrics } from "../metrics/registry.js";
import auth from "./plugins/auth.js";
import errors from "./plugins/errors.js";
import protobuf from "./plugins/protobuf.js";
import services from "./plugins/services.js";
import fingerprints from "./routes/fingerprints.js";
import handshakes from "./routes/handshakes.js";
import health from "./routes/health.js";
import labels from "./routes/labels.js";
import metrics from "./routes/metrics.js";
import stats from "./routes/stats.js";
import stream from "./routes/stream.js";
import { type AppOptions, idleStats } from "./types.js";

export type { AppOptions } from "./types.js";

/** Where the API listens unless configured otherwise: loopback only. */
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8080;

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const logger = opts.logger ?? false;
  const app = Fastify({
    // fastify 5 takes a ready logger instance as loggerInstance, a boolean as logger.
    ...(typeof logger === "boolean" ? { logger } : { loggerInstance: logger }),
    bodyLimit: 4 * 1024 * 1024, // a PUT of 10 000 labels
    // Strict query strings and bodies: an unknown parameter is a 400 naming it, not silently ignored.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // External plugins.
  if (opts.docs !== false) {
    await app.register(swagger, {
      openapi: {
        openapi: "3.0.3",
        info: {
          title: "tlsfp query API",
          description:
            "Passive TLS fingerprints (JA3, JA3S, JA4): aggregates, recent handshakes, live " +
            "stream, stats. JSON by default; protobuf (proto/tlsfp.proto) with " +
            "Accept: application/x-protobuf on the routes that say so.",
          version: "1",
        },
        components: {
          securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
        },
        tags: [
          { name: "fingerprints" },
          { name: "handshakes" },
          { name: "labels" },
          { name: "status" },
        ],
      },
    });
    await app.register(swaggerUi, { routePrefix: "/docs" });
  }

  // Own plugins.
  await app.register(services, {
    store: opts.store,
    stats: opts.stats ?? idleStats,
    metrics: opts.metrics ?? createMetrics(),
  });
  await app.register(auth, opts.token !== undefined ? { token: opts.token } : {});
  await app.register(protobuf);
  await app.register(errors);

  // Routes.
  await app.register(fingerprints);
  await app.register(handshakes);
  await app.register(stream, {
    ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
    ...(opts.streamQueueMax !== undefined ? { queueMax: opts.streamQueueMax } : {}),
  });
  await app.register(stats);
  await app.register(health);
  await app.register(metrics);
  await app.register(labels);

  await app.ready();
  return app;
}
