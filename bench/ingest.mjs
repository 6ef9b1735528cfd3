#!/usr/bin/env node
/**
 * Control-plane ingest throughput on one core: the shared-memory ring drain
 * (RegionReader.drainBatch) and the store (FingerprintStore.ingestBatch),
 * fed by a real region whose rings a stand-in data plane fills on the
 * other core.
 *
 *   cmake -S bench -B build/bench && cmake --build build/bench -j2
 *   npx tsc -p tsconfig.json
 *   node bench/ingest.mjs [--records N] [--workers K] [--passes aggregates,history,objects]
 *
 * build/bench/ring-feed creates the region and produces the synthetic
 * records (the distributions of the original JS bench: 3 000 JA4 / JA3, 500
 * JA3S, 5 000 SNIs, 50 000 clients of skewed activity, 1/8 over QUIC; see
 * its header), never dropping: it waits for room, so every record reaches
 * this process. Node is pinned to one CPU and ring-feed to another.
 *
 * Passes, each on a fresh store (SQLite file in a temporary directory) and a
 * fresh ring-feed:
 *   aggregates  historyMax 0: drain + the live aggregates
 *   history     historyMax 100 000 (the default): plus the pending history
 *   objects     the old path for comparison: drain() to JS objects + ingest()
 * The store is flushed every --flush-ms (default 1000, the default
 * flushIntervalMs) of wall time, as the appliance's timer does; flush time
 * is measured apart. Printed per pass:
 *   ingest      records per CPU second of this process spent draining and
 *               ingesting (process.cpuUsage: every thread, so GC helpers
 *               count; all are on the one pinned CPU)
 *   +flush      the same with the flushes' CPU time added
 *   wall        records per wall second over the whole pass
 *   polls       drains that found the rings empty (the producer behind)
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { loadAddon } from "../dist/src/addon/load.js";
import { openStore } from "../dist/src/store/store.js";

const { values: opt } = parseArgs({
  options: {
    records: { type: "string", default: "2000000" },
    workers: { type: "string", default: "1" },
    passes: { type: "string", default: "aggregates,history" },
    "flush-ms": { type: "string", default: "1000" },
    feed: { type: "string", default: "build/bench/ring-feed" },
  },
});
const N = Number(opt.records);
const FLUSH_MS = Number(opt["flush-ms"]);
const BATCH = 4096;

if (!existsSync(opt.feed)) {
  console.error(
    `bench/ingest: ${opt.feed} is missing: cmake -S bench -B build/bench && cmake --build build/bench -j2`,
  );
  process.exit(2);
}
const addon = loadAddon();
const ncpu = cpus().length;
const nodeCpu = 0;
const feedCpu = ncpu > 1 ? 1 : 0;
addon.setProcessAffinity?.([nodeCpu]);

/** Starts ring-feed; resolves with its region path once it printed it. */
function startFeed() {
  const child = spawn(
    opt.feed,
    ["--records", String(N), "--workers", opt.workers, "--cpu", String(feedCpu)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve({ code, err })));
  const path = new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once("line", (line) => resolve(JSON.parse(line).path));
    child.once("exit", (code) => reject(new Error(`ring-feed exited ${code}: ${err}`)));
  });
  return { child, path, exited };
}

const cpuS = (u) => (u.user + u.system) / 1e6;

async function pass(name, dir) {
  const historyMax = name === "aggregates" ? 0 : 100_000;
  const store = openStore({
    path: join(dir, `${name}.db`),
    historyMax,
    flushIntervalMs: 0,
    labels: [],
  });
  const feed = startFeed();
  const reader = new addon.RegionReader(await feed.path);
  const dict = store.aggregates;
  let n = 0;
  let polls = 0;
  let ingestCpu = 0;
  let flushCpu = 0;
  let flushes = 0;
  const t0 = process.hrtime.bigint();
  let lastFlush = Date.now();
  for (;;) {
    const c = process.cpuUsage();
    let got;
    if (name === "objects") {
      const recs = reader.drain(BATCH);
      got = recs.length;
      if (got > 0) store.ingest(recs);
    } else {
      const b = reader.drainBatch(dict, BATCH);
      got = b.n;
      if (got > 0) store.ingestBatch(b);
    }
    ingestCpu += cpuS(process.cpuUsage(c));
    n += got;
    if (Date.now() - lastFlush >= FLUSH_MS) {
      const f = process.cpuUsage();
      store.flush();
      flushCpu += cpuS(process.cpuUsage(f));
      flushes++;
      lastFlush = Date.now();
    }
    if (got > 0) continue;
    if (n >= N) break;
    polls++;
    if (reader.header().state === "stopped" && reader.ringDepth().total === 0 && n < N) {
      throw new Error(`ring-feed stopped after ${n} of ${N} records`);
    }
    // The producer is behind: wait 50 µs (not counted as ingest time).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0.05);
  }
  const f = process.cpuUsage();
  store.flush();
  flushCpu += cpuS(process.cpuUsage(f));
  flushes++;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  reader.close();
  const { code, err } = await feed.exited;
  if (code !== 0) throw new Error(`ring-feed exited ${code}: ${err}`);
  const st = store.stats();
  store.close();
  const fmt = (x) => Math.round(x).toLocaleString("en-US");
  console.log(
    `${name.padEnd(10)} ${fmt(n)} records: ingest ${fmt(n / ingestCpu)} /CPU s, ` +
      `+flush ${fmt(n / (ingestCpu + flushCpu))} /CPU s (${flushes} flushes, ${fmt(flushCpu * 1000)} ms), ` +
      `wall ${fmt(n / wall)} /s, polls ${polls}; aggregates ja4 ${st.aggregates.ja4} ja3 ${st.aggregates.ja3} ` +
      `sni ${st.aggregates.sni} ja4_sni ${st.aggregates.ja4_sni}, history ${st.historyRows}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "tlsfp-bench-"));
try {
  console.log(
    `node on CPU ${nodeCpu}, ring-feed on CPU ${feedCpu} (${opt.workers} ring(s)), ${fmt0(N)} records a pass`,
  );
  for (const name of opt.passes.split(",")) await pass(name, dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function fmt0(x) {
  return Math.round(x).toLocaleString("en-US");
}
