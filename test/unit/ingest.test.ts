/** The ingest loop over real captures (CaptureAnalyzer → store). */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TlsfpRecord } from "../../src/addon/native.js";
import { captureSource, IngestLoop, type IngestSource } from "../../src/ingest/ingest.js";
import { openStore } from "../../src/store/store.js";
import { addon } from "../helpers/addon.js";
import { fakeRecord } from "../helpers/record.js";

const dir = mkdtempSync(join(tmpdir(), "tlsfp-ingest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = join(import.meta.dirname, "..", "..");
const fixtures = join(root, "test", "fixtures");

interface Expected {
  handshakes: { ja4: string; ja3: { hash: string }; sni: string | null; transport: string }[];
}

describe("IngestLoop", () => {
  it("feeds a real capture into the store, labelled", async () => {
    const store = openStore({ path: join(dir, "demo.db"), flushIntervalMs: 0 });
    const analyzer = new addon.CaptureAnalyzer(join(root, "config", "demo.pcapng"));
    const loop = new IngestLoop(captureSource(analyzer, 4), store);
    await loop.start();
    const n = analyzer.counters().handshakes ?? 0;
    analyzer.close();
    expect(n).toBeGreaterThan(20);
    expect(loop.counters.records).toBe(n);
    expect(loop.counters.records).toBe(store.stats().ingested);
    expect(loop.counters.batches).toBeGreaterThanOrEqual(Math.ceil(loop.counters.records / 4));

    const go = JSON.parse(
      readFileSync(join(fixtures, "clients", "go.expected.json"), "utf8"),
    ) as Expected;
    const hs = go.handshakes[0];
    const f = store.getFingerprint(hs?.ja4 ?? "");
    expect(f?.label?.application).toBe("Go 1.19 crypto/tls");
    expect(f?.count).toBe(1);
    expect(store.getFingerprint(hs?.ja3.hash ?? "")?.kind).toBe("ja3");

    const quic = store.queryFingerprints({ kind: "ja4", prefix: "q", limit: 100, offset: 0 });
    expect(quic.total).toBeGreaterThanOrEqual(3);
    for (const a of quic.items) expect(a.quic).toBe(a.count);
    const all = store.recentHandshakes({ limit: 1000, offset: 0 });
    expect(all.total).toBe(loop.counters.records);
    store.close();
  });

  it("matches a fixture's expected values exactly", async () => {
    const store = openStore({ path: ":memory:", flushIntervalMs: 0, labels: [] });
    const analyzer = new addon.CaptureAnalyzer(join(fixtures, "quic", "firefox.pcap"));
    await new IngestLoop(captureSource(analyzer), store).start();
    analyzer.close();
    const exp = JSON.parse(
      readFileSync(join(fixtures, "quic", "firefox.expected.json"), "utf8"),
    ) as Expected;
    const hs = exp.handshakes[0];
    expect(store.getFingerprint(hs?.ja4 ?? "")).toMatchObject({
      count: 1,
      quic: 1,
      tcp: 0,
      dtls: 0,
      alpn: { h3: 1 },
      topSnis: [{ value: hs?.sni, count: 1 }],
    });
    store.close();
  });

  it("polls an empty source again, yields between batches and stops", async () => {
    const store = openStore({ path: ":memory:", flushIntervalMs: 0, labels: [] });
    const queue: TlsfpRecord[][] = [[], [fakeRecord()], [], [fakeRecord(), fakeRecord()]];
    const source: IngestSource = () => queue.shift() ?? [];
    const loop = new IngestLoop(source, store, { idleMs: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const running = loop.start();
    while (loop.counters.records < 3) await new Promise((r) => setTimeout(r, 2));
    await loop.stop();
    await running;
    clearInterval(timer);
    expect(loop.counters).toMatchObject({ batches: 2, records: 3 });
    expect(loop.counters.idlePolls).toBeGreaterThanOrEqual(2);
    expect(ticks).toBeGreaterThan(0);
    expect(store.stats().ingested).toBe(3);
    store.close();
  });
});
