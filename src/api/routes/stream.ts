/**
 * GET /api/v1/handshakes/stream: live server-sent events, one
 * `event: handshake` per ingested handshake matching the filters, `id:` its
 * store sequence number, `data:` its EVE JSON (one line, as in the EVE file).
 *
 * A comment line every heartbeatMs keeps proxies from timing the connection
 * out. Each client has a bounded queue: while the socket does not take more
 * (write() returned false) events queue up to queueMax, beyond that they are
 * dropped and counted (tlsfp_api_stream_dropped_total) — a slow client never
 * makes the server buffer without bound or slows ingest. On disconnect the
 * subscription is removed; on app close every stream is ended.
 */
import type { ServerResponse } from "node:http";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { toEve } from "../../export/eve.js";
import type { StoredHandshake } from "../../store/types.js";
import { handshakeFilter } from "../convert.js";
import { ErrorBody, StreamQuery } from "../schemas.js";

export interface StreamOptions {
  heartbeatMs?: number;
  queueMax?: number;
}

export function sseEvent(h: StoredHandshake): string {
  return `id: ${h.seq}\nevent: handshake\ndata: ${JSON.stringify(toEve(h.record))}\n\n`;
}

/** One SSE connection's writer with its bounded queue. */
export class SseClient {
  private readonly queue: string[] = [];
  private blocked = false;
  dropped = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly queueMax: number,
    private readonly onDrop: (n: number) => void,
  ) {
    res.on("drain", () => this.flush());
  }

  /** Queue or write one event; false when it was dropped. */
  send(chunk: string): boolean {
    if (this.res.writableEnded || this.res.destroyed) return false;
    if (this.blocked) {
      if (this.queue.length >= this.queueMax) {
        this.dropped++;
        this.onDrop(1);
        return false;
      }
      this.queue.push(chunk);
      return true;
    }
    this.blocked = !this.res.write(chunk);
    return true;
  }

  /** Heartbeats are skipped rather than queued when the client is behind. */
  heartbeat(): void {
    if (!this.blocked && !this.res.writableEnded) this.blocked = !this.res.write(": heartbeat\n\n");
  }

  private flush(): void {
    this.blocked = false;
    while (this.queue.length > 0 && !this.blocked) {
      const chunk = this.queue.shift() as string;
      this.blocked = !this.res.write(chunk);
    }
  }

  get queued(): number {
    return this.queue.length;
  }
}

const routes: FastifyPluginAsyncTypebox<StreamOptions> = async (app, opts) => {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const queueMax = opts.queueMax ?? 1000;
  const open = new Set<() => void>();

  app.addHook("preClose", async () => {
    for (const close of [...open]) close();
  });

  app.get(
    "/api/v1/handshakes/stream",
    {
      exposeHeadRoute: false, // a HEAD would open a subscription that sends nothing
      schema: {
        tags: ["handshakes"],
        summary: "Live handshakes as server-sent events (text/event-stream)",
        description:
          "Each matching handshake is sent as `id: <seq>`, `event: handshake`, `data: <EVE JSON>`. " +
          "A `: heartbeat` comment every 15 s. Same filters as /api/v1/handshakes, no pagination.",
        querystring: StreamQuery,
        produces: ["text/event-stream"],
        response: { 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const filter = handshakeFilter(req.query); // a bad filter is a 400 before the stream opens
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      const client = new SseClient(res, queueMax, (n) => app.metrics.streamDropped(n));
      client.send("retry: 3000\n: connected\n\n");
      const unsubscribe = app.store.subscribe(filter, (h) => {
        client.send(sseEvent(h));
      });
      const timer = setInterval(() => client.heartbeat(), heartbeatMs);
      timer.unref();
      app.metrics.streamClients(1);

      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        unsubscribe();
        open.delete(close);
        app.metrics.streamClients(-1);
        if (!res.writableEnded) res.end();
      };
      open.add(close);
      res.on("close", close);
      res.on("error", close);
    },
  );
};

export default routes;
