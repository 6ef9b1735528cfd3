/** Real captures through the ingest path (CaptureAnalyzer.nextBatch → store.ingestBatch). */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/store.js";
import type { FingerprintStore } from "../../src/store/types.js";
import { addon } from "../helpers/addon.js";

const dir = mkdtempSync(join(tmpdir(), "tlsfp-ingest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = join(import.meta.dirname, "..", "..");
const fixtures = join(root, "test", "fixtures");

interface Expected {
  handshakes: { ja4: string; ja3: { hash: string }; sni: string | null; transport: string }[];
}

/** Feeds a capture into the store in batches of at most `size`; returns [records, batches]. */
function ingestCapture(store: FingerprintStore, path: string, size = 1024): [number, number] {
  const analyzer = new addon.CaptureAnalyzer(path);
  let records = 0;
  let batches = 0;
  try {
    for (;;) {
      const { batch, done } = analyzer.nextBatch(store.aggregates, size);
      if (batch.n > 0) {
        store.ingestBatch(batch);
        records += batch.n;
        batches++;
      }
      if (done) break;
    }
    expect(records).toBe(analyzer.counters().handshakes);
  } finally {
    analyzer.close();
  }
  return [records, batches];
}

describe("capture → store", () => {
  it("feeds a real capture into the store, labelled", () => {
    const store = openStore({ path: join(dir, "demo.db"), flushIntervalMs: 0 });
    const [records, batches] = ingestCapture(store, join(root, "config", "demo.pcapng"), 4);
    expect(records).toBeGreaterThan(20);
    expect(records).toBe(store.stats().ingested);
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(records / 4));

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
    expect(all.total).toBe(records);
    store.close();
  });

  it("matches a fixture's expected values exactly", () => {
    const store = openStore({ path: ":memory:", flushIntervalMs: 0, labels: [] });
    ingestCapture(store, join(fixtures, "quic", "firefox.pcap"));
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
});
