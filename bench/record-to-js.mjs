#!/usr/bin/env node
/**
 * Record → JS conversion (native/record_to_js.cc) through CaptureAnalyzer.
 *
 *   node bench/record-to-js.mjs [--addon PATH] [--runs N] [CAPTURE]
 *   node bench/record-to-js.mjs [--addon PATH] --dump OUT.jsonl [CAPTURE...]
 *
 * Timing mode: N passes (default 5) of `next()` over CAPTURE (default
 * build/bench-data/hs-200k.pcap, made with
 * `python3 bench/make-capture.py --handshake-share 1 --udp-share 0
 * --packets 200000 --out build/bench-data/hs-200k.pcap`), each on a fresh
 * CaptureAnalyzer; prints records/s of wall time and of process CPU time.
 * This includes the capture reader and the C pipeline: compare with
 * `build/bench/c-pipeline CAPTURE` (pipeline alone) on the same file.
 *
 * Dump mode: one JSON line per record (tsNs as a decimal string) of every
 * file given (default: every test/fixtures/**\/*.pcap*, sorted), each line
 * prefixed by the file name; `cmp` two dumps made with two addons to prove a
 * conversion change invisible (same values, same key order).
 *
 * --addon PATH loads that tlsfp.node instead of native/build/Release.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const args = process.argv.slice(2);
let addonPath = join(root, "native", "build", "Release", "tlsfp.node");
let runs = 5;
let dump = null;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--addon") addonPath = resolve(args[++i]);
  else if (args[i] === "--runs") runs = Number(args[++i]);
  else if (args[i] === "--dump") dump = resolve(args[++i]);
  else files.push(resolve(args[i]));
}
const addon = createRequire(import.meta.url)(addonPath);

function fixtures(dir) {
  const out = [];
  const entries = readdirSync(dir, { withFileTypes: true });
  entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...fixtures(p));
    else if (e.isFile() && /\.pcap/.test(e.name) && !e.name.endsWith(".json")) out.push(p);
  }
  return out;
}

if (dump) {
  const list = files.length > 0 ? files : fixtures(join(root, "test", "fixtures"));
  const lines = [];
  for (const f of list) {
    const name = relative(root, f);
    let a;
    try {
      a = new addon.CaptureAnalyzer(f);
      for (;;) {
        const b = a.next();
        for (const r of b.records)
          lines.push(
            `${name}\t${JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`,
          );
        if (b.done) break;
      }
    } catch (e) {
      lines.push(`${name}\tERROR ${e.code ?? ""} ${e.message}`);
    } finally {
      a?.close();
    }
  }
  writeFileSync(dump, `${lines.join("\n")}\n`);
  console.log(`${list.length} files, ${lines.length} lines → ${dump}`);
  process.exit(0);
}

const capture = files[0] ?? join(root, "build", "bench-data", "hs-200k.pcap");
console.log(`addon ${addonPath}\ncapture ${capture}`);
const results = [];
for (let r = 0; r < runs; r++) {
  const a = new addon.CaptureAnalyzer(capture);
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (;;) {
    const b = a.next();
    n += b.records.length;
    if (b.done) break;
  }
  const t = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const packets = a.progress().packets;
  a.close();
  results.push({ n, t, cpu });
  console.log(
    `pass ${r + 1}: ${n} records, ${packets} packets, ${t.toFixed(3)} s wall, ${cpu.toFixed(3)} s CPU: ` +
      `${Math.round(n / t / 1e3)} k records/s wall, ${Math.round(n / cpu / 1e3)} k records/s per CPU s`,
  );
}
const by = (k) => results.map((x) => x.n / x[k]).sort((x, y) => x - y);
const wall = by("t");
const cpu = by("cpu");
const med = (v) => v[Math.floor(v.length / 2)];
console.log(
  `best ${Math.round(wall[wall.length - 1] / 1e3)} k/s wall, median ${Math.round(med(wall) / 1e3)} k/s wall; ` +
    `best ${Math.round(cpu[cpu.length - 1] / 1e3)} k/s per CPU s, median ${Math.round(med(cpu) / 1e3)} k/s per CPU s`,
);
