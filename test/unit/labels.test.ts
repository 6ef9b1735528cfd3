/** Known-fingerprint labels: the shipped database and the importers. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runLabels } from "../../src/labels/cli.js";
import {
  importLabelsFile,
  LabelImportError,
  loadShippedLabels,
  parseJa4dbJson,
  parseLabelsCsv,
} from "../../src/labels/labels.js";
import { openStore } from "../../src/store/store.js";
import { fakeRecord } from "../helpers/record.js";

const dir = mkdtempSync(join(tmpdir(), "tlsfp-labels-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = join(import.meta.dirname, "..", "..");

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LabelImportError);
    return (e as Error).message;
  }
  throw new Error("no error thrown");
}

describe("shipped labels", () => {
  const labels = loadShippedLabels();
  it("hold every real client fixture's JA4 and JA3", () => {
    const names = ["clients/curl-tls13", "clients/go", "clients/python3", "clients/node"];
    names.push("clients/gnutls", "clients/browser-firefox", "quic/chromium", "quic/ngtcp2");
    for (const name of names) {
      const fx = JSON.parse(
        readFileSync(join(root, "test/fixtures", `${name}.expected.json`), "utf8"),
      ) as { handshakes: { ja4: string; ja3: { hash: string } }[] };
      const hs = fx.handshakes[0];
      expect(labels.some((l) => l.kind === "ja4" && l.value === hs?.ja4)).toBe(true);
      expect(labels.some((l) => l.kind === "ja3" && l.value === hs?.ja3.hash)).toBe(true);
    }
    const byJa4 = new Map(labels.filter((l) => l.kind === "ja4").map((l) => [l.value, l.label]));
    expect(byJa4.get("t13d1910h2_9dc949149365_97f8aa674fd9")?.application).toBe(
      "Go 1.19 crypto/tls",
    );
    expect(byJa4.get("q13d0312h3_55b375c5d22e_178839b6cec1")?.application).toBe(
      "Chromium 156 (QUIC)",
    );
    expect(labels.every((l) => l.label.source === "tlsfp")).toBe(true);
  });
});

describe("ja4db JSON", () => {
  const text = `[
  {
    "application": "Chrome",
    "library": null,
    "device": null,
    "os": "Windows",
    "user_agent_string": "Mozilla/5.0",
    "certificate_authority": null,
    "verified": true,
    "notes": "",
    "ja4_fingerprint": "t13d1516h2_8daaf6152771_e5627efa2ab1",
    "ja4_fingerprint_string": "t13d1516h2_002f,0035_0005,000a",
    "ja4s_fingerprint": "t130200_1301_234ea6891581",
    "ja4h_fingerprint": null,
    "ja3_fingerprint": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
  },
  { "application": null, "library": "ssh", "ja4_fingerprint": null, "ja4ssh_fingerprint": "c76s76_c71s59_c0s70" },
  { "application": null, "library": "Go", "ja4_fingerprint": "t13d1910h2_9dc949149365_97f8aa674fd9" }
]`;
  it("takes ja4 and ja3, ignores the other JA4+ fields", () => {
    const l = parseJa4dbJson(text, "ja4db.json");
    expect(l).toEqual([
      {
        kind: "ja4",
        value: "t13d1516h2_8daaf6152771_e5627efa2ab1",
        label: { application: "Chrome", source: "ja4db.json", notes: "os: Windows; verified" },
      },
      {
        kind: "ja3",
        value: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        label: { application: "Chrome", source: "ja4db.json", notes: "os: Windows; verified" },
      },
      {
        kind: "ja4",
        value: "t13d1910h2_9dc949149365_97f8aa674fd9",
        label: { application: "Go", source: "ja4db.json" },
      },
    ]);
  });
  it("names the line of a bad entry", () => {
    const bad =
      '[\n  {"application": "A", "ja4_fingerprint": "t13d1516h2_8daaf6152771_e5627efa2ab1"},\n  {"application": "B",\n   "ja4_fingerprint": "nope"}\n]';
    expect(errorOf(() => parseJa4dbJson(bad, "x.json"))).toBe(
      "x.json:3: entry 2: ja4_fingerprint: 'nope' is not a JA4 fingerprint",
    );
    expect(errorOf(() => parseJa4dbJson("{", "x.json"))).toMatch(/^x\.json: not JSON/);
    expect(errorOf(() => parseJa4dbJson("{}", "x.json"))).toBe("x.json: expected a JSON array");
  });
});

describe("CSV", () => {
  it("parses the header by name, quotes and comments", () => {
    const csv =
      'kind,value,application,notes\n# a comment\nja4,t13d1910h2_9dc949149365_97f8aa674fd9,"Go, crypto/tls",\n' +
      'ja3s,CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC,nginx,"said ""hi"""\r\nsni,example.com,Example,\n\n';
    expect(() => parseLabelsCsv(csv.replace("CCCC", "XYZW"), "l.csv")).toThrow(
      "l.csv:4: 'xyzwcccccccccccccccccccccccccccc' is not a JA3S hash",
    );
    expect(parseLabelsCsv(csv, "l.csv")).toEqual([
      {
        kind: "ja4",
        value: "t13d1910h2_9dc949149365_97f8aa674fd9",
        label: { application: "Go, crypto/tls", source: "l.csv" },
      },
      {
        kind: "ja3s",
        value: "c".repeat(32),
        label: { application: "nginx", source: "l.csv", notes: 'said "hi"' },
      },
      { kind: "sni", value: "example.com", label: { application: "Example", source: "l.csv" } },
    ]);
  });
  it("names the bad line", () => {
    expect(errorOf(() => parseLabelsCsv("kind,value\n", "l.csv"))).toBe(
      "l.csv:1: the header needs a 'application' column (kind,value,application,notes)",
    );
    expect(errorOf(() => parseLabelsCsv("kind,value,application\nja5,x,y\n", "l.csv"))).toBe(
      "l.csv:2: unknown kind 'ja5' (one of ja4, ja3, ja3s, sni, ja4_sni)",
    );
    expect(errorOf(() => parseLabelsCsv('kind,value,application\nsni,"x,y\n', "l.csv"))).toBe(
      "l.csv:2: unbalanced quotes",
    );
    expect(errorOf(() => parseLabelsCsv("kind,value,application\nsni,x,\n", "l.csv"))).toBe(
      "l.csv:2: empty application",
    );
  });
  it("importLabelsFile picks the parser by extension", () => {
    const p = join(dir, "mine.csv");
    writeFileSync(p, "kind,value,application\nsni,a.test,A\n");
    expect(importLabelsFile(p)).toEqual([
      { kind: "sni", value: "a.test", label: { application: "A", source: "mine.csv" } },
    ]);
    const t = join(dir, "mine.txt");
    writeFileSync(t, "");
    expect(errorOf(() => importLabelsFile(t))).toMatch(/unknown label file type/);
  });
});

describe("tlsfp labels", () => {
  it("imports a CSV into the store, where it labels aggregates after a restart", async () => {
    const csv = join(dir, "cli.csv");
    writeFileSync(csv, "kind,value,application\nsni,a.test,Site A\n");
    const db = join(dir, "cli.db");
    expect(await runLabels(["import", csv, "--store", db])).toBe(0);
    expect(await runLabels(["import", join(dir, "missing.csv"), "--store", db])).toBe(1);
    expect(await runLabels(["frobnicate", csv])).toBe(2);
    const store = openStore({ path: db, flushIntervalMs: 0, labels: [] });
    store.ingest([fakeRecord({ sni: "a.test" })]);
    expect(store.getFingerprint("a.test")?.label).toEqual({
      application: "Site A",
      source: "cli.csv",
    });
    store.close();
  });
});
