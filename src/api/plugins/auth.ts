/**
 * Bearer-token check for routes that change state (`onRequest:
 * app.requireToken`). No Authorization header → 401 with a
 * WWW-Authenticate challenge; a wrong token → 403; no token configured → 403
 * (writes are off). Tokens are compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "../errors.js";

declare module "fastify" {
  interface FastifyInstance {
    requireToken: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

export interface AuthOptions {
  token?: string;
}

/** Hash first so both sides have the same length and the compare leaks nothing about it. */
const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

export default fp<AuthOptions>(
  async (app, opts) => {
    const token = opts.token && opts.token.length > 0 ? opts.token : undefined;
    app.decorate("requireToken", async (req: FastifyRequest, reply: FastifyReply) => {
      if (token === undefined) {
        throw new ApiError(403, "writes are disabled: no API token is configured (api.token)");
      }
      const header = req.headers.authorization;
      if (header === undefined || header === "") {
        reply.header("www-authenticate", 'Bearer realm="tlsfp"');
        throw new ApiError(401, "missing bearer token: send Authorization: Bearer <token>");
      }
      const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
      if (!m?.[1] || !tokenMatches(token, m[1])) {
        throw new ApiError(403, "invalid bearer token");
      }
    });
  },
  { name: "tlsfp-auth", fastify: "5.x" },
);
