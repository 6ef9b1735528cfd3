import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toEveLine } from "../../src/export/eve.js";
import { EveFileWriter } from "../../src/export/eve-file.js";
import { fakeRecord } from "../helpers/record.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tlsfp-eve-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const records = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => fakeRecord({ flowId: from + i, srcPort: 1024 + from + i }));

describe("EveFileWriter", () => {
  it("rotates at a small size; every line of every file parses; nothing lost or split", async () => {
    const w = new EveFileWriter({ path: join(dir, "eve.json"), size: "2K", keep: 50 });
    const lineLen = toEveLine(fakeRecord()).length;
    expect(lineLen).toBeGreaterThan(300);
    let next = 0;
    for (let batch = 0; batch < 40; batch++) {
      const n = 1 + (batch % 3);
      if (!w.write(records(n, next))) await w.drained();
      next += n;
    }
    await w.close();
    const files = readdirSync(dir).sort();
    expect(files).toContain("eve.json");
    expect(files).toContain("eve.json.1");
    expect(files.length).toBeGreaterThan(5);
    const seen: number[] = [];
    for (const f of files) {
      const text = readFileSync(join(dir, f), "utf8");
      if (text === "") continue;
      expect(text.endsWith("\n")).toBe(true);
      for (const line of text.slice(0, -1).split("\n")) {
        const e = JSON.parse(line);
        expect(e.event_type).toBe("tls");
        seen.push(e.flow_id);
      }
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: next }, (_, i) => i));
    const s = w.stats();
    expect(s.lines).toBe(next);
    expect(s.dropped).toBe(0);
    expect(s.errors).toBe(0);
    expect(s.rotations).toBeGreaterThanOrEqual(files.length - 1);
  });

  it("keeps only N rotated files", async () => {
    const w = new EveFileWriter({ path: join(dir, "eve.json"), size: "1K", keep: 2 });
    for (let i = 0; i < 30; i++) {
      if (!w.write(records(2, i * 2))) await w.drained();
    }
    await w.close();
    expect(readdirSync(dir).sort()).toEqual(["eve.json", "eve.json.1", "eve.json.2"]);
  });

  it("gzips rotated files when asked", async () => {
    const w = new EveFileWriter({
      path: join(dir, "eve.json"),
      size: "1K",
      keep: 3,
      compress: true,
    });
    for (let i = 0; i < 10; i++) {
      if (!w.write(records(2, i * 2))) await w.drained();
    }
    await w.close();
    const files = readdirSync(dir).sort();
    expect(files).toContain("eve.json.1.gz");
    const lines = gunzipSync(readFileSync(join(dir, "eve.json.1.gz")))
      .toString()
      .trim()
      .split("\n");
    for (const l of lines) expect(JSON.parse(l).event_type).toBe("tls");
  });

  it("drops and counts beyond the buffer bound instead of growing", async () => {
    const w = new EveFileWriter({ path: join(dir, "eve.json"), maxBufferedBytes: 1 });
    w.write(records(5)); // buffered (the first chunk is always taken)
    w.write(records(3)); // over the bound while the first is in flight
    await w.close();
    expect(w.write(records(2))).toBe(false); // closed
    const s = w.stats();
    expect(s.lines).toBe(5);
    expect(s.dropped).toBe(5);
    const lines = readFileSync(join(dir, "eve.json"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(5);
  });

  it("rejects bad options with the option's name", () => {
    expect(() => new EveFileWriter({ path: join(dir, "e.json"), size: "10 MB" })).toThrow(
      /eve.size/,
    );
    expect(() => new EveFileWriter({ path: join(dir, "e.json"), interval: "soon" })).toThrow(
      /eve.interval/,
    );
    expect(() => new EveFileWriter({ path: join(dir, "e.json"), keep: 0 })).toThrow(/eve.keep/);
  });
});
