/** GET /api/v1/fingerprints (filtered, sorted pages) and GET /api/v1/fingerprints/:value. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { detectFingerprint, fingerprintJson, fingerprintQuery } from "../convert.js";
import { notFound } from "../errors.js";
import {
  ErrorBody,
  Fingerprint,
  FingerprintPage,
  FingerprintParams,
  FingerprintsQuery,
} from "../schemas.js";

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/api/v1/fingerprints",
    {
      schema: {
        tags: ["fingerprints"],
        summary: "Fingerprint aggregates, filtered, sorted and paginated",
        description:
          "Filter by type, exact value or prefix, one JA4 section (ja4_a, ja4_b or ja4_c), SNI and " +
          "time range. Protobuf (tlsfp.v1.FingerprintPage) with Accept: application/x-protobuf.",
        querystring: FingerprintsQuery,
        response: { 200: FingerprintPage, 400: ErrorBody },
      },
      config: { protobuf: "FingerprintPage" },
    },
    async (req) => {
      const q = fingerprintQuery(req.query);
      const page = app.store.queryFingerprints(q);
      return {
        items: page.items.map(fingerprintJson),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
      };
    },
  );

  app.get(
    "/api/v1/fingerprints/:value",
    {
      schema: {
        tags: ["fingerprints"],
        summary: "One fingerprint: aggregates, label, top SNIs and top clients",
        description:
          "The value is a JA3/JA3S (32 hex digits) or a JA4 (36 characters); the kind is detected. " +
          "Protobuf (tlsfp.v1.Fingerprint) with Accept: application/x-protobuf.",
        params: FingerprintParams,
        response: { 200: Fingerprint, 400: ErrorBody, 404: ErrorBody },
      },
      config: { protobuf: "Fingerprint" },
    },
    async (req) => {
      const { value } = detectFingerprint(req.params.value);
      const detail = app.store.getFingerprint(value);
      if (!detail) throw notFound(`fingerprint ${value} has not been seen`);
      return fingerprintJson(detail);
    },
  );
};

export default routes;
