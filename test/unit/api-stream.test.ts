/** The one test that listens: 127.0.0.1, port 0, real fetch, server-sent events. */

import type { ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/api/app.js";
import { SseClient } from "../../src/api/routes/stream.js";
import type { StatsT } from "../../src/api/schemas.js";
import { FakeStore } from "../helpers/fake-store.js";
import { fakeRecord } from "../helpers/record.js";

const CHROME = "t13d1516h2_8daaf6152771_e5627efa2ab1";
const CURL = "t13d3112h2_e8f1e7e78f70_6bebaf5329ac";

let store: FakeStore;
let app: FastifyInstance;
let base: string;

beforeEach(async () => {
  store = new FakeStore();
  app = await buildApp({ store, docs: false, heartbeatMs: 100 });
  base = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterEach(async () => {
  await app.close();
});

/** Reads SSE text until `until` matches what was received (or a timeout). */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  until: (text: string) => boolean,
  ms = 5000,
): Promise<string> {
  const dec = new TextDecoder();
  let text = "";
  const deadline = Date.now() + ms;
  while (!until(text)) {
    if (Date.now() > deadline) throw new Error(`timed out; got: ${text}`);
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
  }
  return text;
}

describe("GET /api/v1/handshakes/stream", () => {
  it("delivers handshakes published after connecting, filtered, with heartbeats", async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ctrl = new AbortController();
    const res = await fetch(`${base}/api/v1/handshakes/stream?ja4=${CHROME}`, {
      signal: ctrl.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await readUntil(reader, (t) => t.includes(": connected"));
    expect(store.subscribers.size).toBe(1);
    expect(store.lastSubscribeQuery).toEqual({ ja4: CHROME });

    store.ingest([fakeRecord({ ja4: CURL, sni: "curl.example" })]); // filtered out
    store.ingest([fakeRecord({ ja4: CHROME, sni: "chrome.example" })]);
    const text = await readUntil(
      reader,
      (t) => t.includes("event: handshake\n") && t.endsWith("\n\n") && t.includes(": heartbeat"),
    );
    const events = text
      .split("\n\n")
      .filter((b) => b.includes("event: handshake"))
      .map((b) => {
        const lines = b.split("\n");
        return {
          id: lines.find((l) => l.startsWith("id: "))?.slice(4),
          data: JSON.parse(lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "null"),
        };
      });
    expect(events).toHaveLength(1);
    expect(events[0]?.id).toBe("2");
    expect(events[0]?.data.event_type).toBe("tls");
    expect(events[0]?.data.tls.sni).toBe("chrome.example");
    expect(events[0]?.data.tls.ja4).toBe(CHROME);
    expect(text).not.toContain("curl.example");

    const stats = (await (await fetch(`${base}/api/v1/stats`)).json()) as StatsT;
    expect(stats.api.stream_clients).toBe(1);

    ctrl.abort();
    await reader.cancel().catch(() => {});
    for (let i = 0; i < 50 && store.subscribers.size > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(store.subscribers.size).toBe(0);
    const after = (await (await fetch(`${base}/api/v1/stats`)).json()) as StatsT;
    expect(after.api.stream_clients).toBe(0);
  });

  it("400 naming the parameter before the stream opens", async () => {
    const res = await fetch(`${base}/api/v1/handshakes/stream?transport=ftp`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ parameter: "querystring/transport" });
    const res2 = await fetch(`${base}/api/v1/handshakes/stream?limit=5`);
    expect(res2.status).toBe(400);
    expect(((await res2.json()) as { parameter: string }).parameter).toBe("querystring/limit");
    expect(store.subscribers.size).toBe(0);
  });

  it("app close ends open streams", async () => {
    const res = await fetch(`${base}/api/v1/handshakes/stream`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await readUntil(reader, (t) => t.includes(": connected"));
    await app.close();
    expect(store.subscribers.size).toBe(0);
    const rest = await reader.read().catch(() => ({ done: true }));
    expect(rest.done).toBe(true);
  });
});

describe("SseClient", () => {
  /** A response stand-in whose socket never drains until told to. */
  function slowResponse() {
    const sink = new PassThrough({ highWaterMark: 16 });
    sink.pause();
    return sink as unknown as ServerResponse & PassThrough;
  }

  it("queues up to the bound while blocked, then drops and counts", () => {
    const res = slowResponse();
    let dropped = 0;
    const c = new SseClient(res, 3, (n) => {
      dropped += n;
    });
    expect(c.send("x".repeat(64))).toBe(true); // fills the buffer: now blocked
    for (let i = 0; i < 3; i++) expect(c.send(`event ${i}\n\n`)).toBe(true);
    expect(c.queued).toBe(3);
    expect(c.send("one too many")).toBe(false);
    expect(c.send("and another")).toBe(false);
    expect(c.dropped).toBe(2);
    expect(dropped).toBe(2);
  });

  it("flushes the queue in order on drain", async () => {
    const res = slowResponse();
    const c = new SseClient(res, 10, () => {});
    c.send("A".repeat(32));
    c.send("b");
    c.send("c");
    expect(c.queued).toBe(2);
    let got = "";
    res.on("data", (d: Buffer) => {
      got += d.toString();
    });
    res.resume();
    await new Promise((r) => setTimeout(r, 20));
    expect(c.queued).toBe(0);
    expect(got).toBe(`${"A".repeat(32)}bc`);
  });
});
