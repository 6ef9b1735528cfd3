/** PUT /api/v1/labels: add or replace user labels (bearer token required). */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ErrorBody, LabelsBody, LabelsReply } from "../schemas.js";

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.put(
    "/api/v1/labels",
    {
      schema: {
        tags: ["labels"],
        summary: "Add or replace user labels for fingerprints",
        security: [{ bearer: [] }],
        body: LabelsBody,
        response: { 200: LabelsReply, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
      onRequest: app.requireToken, // before the body is read: no token, no parsing
    },
    async (req) => {
      const stored = app.store.putLabels(
        req.body.labels.map((l) => ({
          kind: l.kind,
          value: l.kind === "ja3" || l.kind === "ja3s" ? l.value.toLowerCase() : l.value,
          label: {
            application: l.application,
            source: "user",
            ...(l.notes !== undefined ? { notes: l.notes } : {}),
          },
        })),
      );
      return { stored };
    },
  );
};

export default routes;
