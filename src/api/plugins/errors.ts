/**
 * The one error handler. Every error leaves as JSON `{error, message, parameter?}`:
 * validation errors → 400 naming the parameter ("querystring/limit must be <= 1000");
 * unknown routes → 404; anything unexpected → 500 without internals (logged in full).
 */
import { STATUS_CODES } from "node:http";
import type { FastifyError } from "fastify";
import fp from "fastify-plugin";

interface ErrorBody {
  error: string;
  message: string;
  parameter?: string;
}

const statusText = (code: number): string => STATUS_CODES[code] ?? "Error";

/** fastify/ajv validation error → the parameter path and a message that starts with it. */
export function describeValidation(err: FastifyError): { parameter: string; message: string } {
  const ctx = err.validationContext ?? "request";
  const v = err.validation?.[0];
  if (!v) return { parameter: ctx, message: err.message };
  const path = v.instancePath.replace(/^\//, "");
  const base = path ? `${ctx}/${path}` : ctx;
  const params = v.params as Record<string, unknown>;
  if (v.keyword === "required" && typeof params.missingProperty === "string") {
    const parameter = `${base}/${params.missingProperty}`;
    return { parameter, message: `${parameter} is required` };
  }
  if (v.keyword === "additionalProperties" && typeof params.additionalProperty === "string") {
    const parameter = `${base}/${params.additionalProperty}`;
    return { parameter, message: `${parameter} is not a known parameter` };
  }
  if (v.keyword === "enum" && Array.isArray(params.allowedValues)) {
    return {
      parameter: base,
      message: `${base} must be one of: ${params.allowedValues.join(", ")}`,
    };
  }
  return { parameter: base, message: `${base} ${v.message ?? "is invalid"}` };
}

export default fp(
  async (app) => {
    app.setErrorHandler<FastifyError & { parameter?: string }>((err, req, reply) => {
      let status = err.statusCode ?? 500;
      let body: ErrorBody;
      if (err.validation) {
        status = 400;
        const { parameter, message } = describeValidation(err);
        body = { error: statusText(400), message, parameter };
      } else if (status >= 500 || status < 400) {
        status = 500;
        req.log.error({ err }, "request failed");
        body = { error: statusText(500), message: "internal error (see the server log)" };
      } else {
        body = { error: statusText(status), message: err.message };
        if (err.parameter !== undefined) body.parameter = err.parameter;
        // Body parser failures (malformed JSON, wrong content type, too large) concern the body.
        else if (err.code?.startsWith("FST_ERR_CTP_")) body.parameter = "body";
      }
      return reply.code(status).type("application/json; charset=utf-8").send(body);
    });
    app.setNotFoundHandler((req, reply) =>
      reply.code(404).send({
        error: statusText(404),
        message: `no route ${req.method} ${req.url.split("?")[0]}`,
      }),
    );
  },
  { name: "tlsfp-errors", fastify: "5.x" },
);
