/**
 * The addon's view of the shared C layout matches the TypeScript side and the
 * contract headers: a stale addon (built before a header change) fails here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RECORD_ABI, REQUIRED_COUNTERS } from "../../src/addon/native.js";
import { addon } from "../helpers/addon.js";

const include = join(import.meta.dirname, "..", "..", "dpdk", "include", "tlsfp");

function headerCounterNames(): string[] {
  const text = readFileSync(join(include, "counters.h"), "utf8");
  return [...text.matchAll(/X\(\s*\w+\s*,\s*"([a-z0-9_]+)"\s*\)/g)].map((m) => m[1] as string);
}

function headerRecordAbi(): number {
  const m = /#define\s+TLSFP_RECORD_ABI\s+(\d+)/.exec(
    readFileSync(join(include, "record.h"), "utf8"),
  );
  return Number(m?.[1]);
}

describe("addon ABI", () => {
  const abi = addon.abi();

  it("has the record ABI of the TS side and of record.h", () => {
    expect(abi.recordAbi).toBe(RECORD_ABI);
    expect(headerRecordAbi()).toBe(RECORD_ABI);
    expect(abi.recordSize).toBeGreaterThan(1024);
  });

  it("reports the counters of counters.h, in order", () => {
    const names = headerCounterNames();
    expect(names.length).toBeGreaterThan(40);
    expect(abi.counters).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
  });

  it("has every counter the TS side reads", () => {
    for (const c of REQUIRED_COUNTERS) expect(abi.counters).toContain(c);
  });

  it("counters() of an analyzer has every counter, as numbers", () => {
    const fa = new addon.FrameAnalyzer();
    const c = fa.counters();
    fa.close();
    expect(Object.keys(c)).toEqual(abi.counters);
    expect(Object.values(c).every((v) => v === 0)).toBe(true);
  });
});
