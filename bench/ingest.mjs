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
 *                         [--prealloc PAIRS]
 *
 * build/bench/ring-feed creates the region and produces the synthetic
 * records (the distributions of the original JS bench: 3 000 JA4 / JA3, 500
 * JA3S, 5 000 SNIs, 50 000 clients of skewed activity, 1/8 over QUIC; see
 * its header), never dropping: it waits for room, so every record reaches
 * this process. Node is pinned to one CPU and ring-feed to another.
 *
 * The region is where the data plane would put it: on hugetlbfs when one is
 * mounted with free pages (as root this bench reserves them with
 * scripts/hugepages.sh, as `tlsfp run` does, and gives them back), else in
 * /dev/shm with 4 KB pages, which costs the consumer TLB misses and page
 * faults on every slot; the line before the passes says which.
 * --feed-dir DIR forces a directory.
 *
 * Each store is opened as `tlsfp run` opens it, with store.preallocPairs
 * from the shipped config (config/default.yaml): the memory of that many
 * JA4×SNI pairs, the seen table and the recent ring is committed before
 * the clock starts. --prealloc 0 measures a store that commits memory as
 * records arrive (the first-touch page faults inside the ingest).
 *
 * Passes, each in a process of its own, on a fresh store (SQLite file in a
 * temporary directory) and a fresh ring-feed:
 *   aggregates  historyMax 0: drain + the live aggregates
 *   history     historyMax 100 000 (the default): plus the pending history
 *   objects     the old path for comparison: drain() to JS objects + ingest()
 * The loop yields between batches as the appliance's does, so the store's
 * own flush timer runs (--flush-ms, default 1000 like flushIntervalMs; a
 * timer flush writes the history and as many changed aggregates as fit in
 * a quarter of its period). Printed per pass:
 *   open        the store's opening (the preallocation)
 *   ingest      records per CPU second of this process spent draining and
 *               ingesting (process.cpuUsage: every thread, so GC helpers
 *               count; all are on the one pinned CPU)
 *   with the store's flushes   records per CPU second of the whole pass
 *   wall        records per wall second over the whole pass
 *   polls       drains that found the rings empty (the producer behind)
 *   close       the final flush: the changed aggregates the timed flushes
 *               had left queued
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { loadAddon } from "../dist/src/addon/load.js";
import { loadConfig } from "../dist/src/config/load.js";
import { openStore } from "../dist/src/store/store.js";

const { values: opt } = parseArgs({
  options: {
    records: { type: "string", default: "2000000" },
    workers: { type: "string", default: "1" },
    passes: { type: "string", default: "aggregates,history" },
    "flush-ms": { type: "string", default: "1000" },
    prealloc: { type: "string" }, // default: the shipped config's store.preallocPairs
    feed: { type: "string", default: "build/bench/ring-feed" },
    "feed-dir": { type: "string" },
    child: { type: "boolean", default: false }, // internal: run the one pass given
  },
});
const N = Number(opt.records);
const FLUSH_MS = Number(opt["flush-ms"]);
const PREALLOC = Number(opt.prealloc ?? loadConfig().store.preallocPairs);
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
    [
      "--records",
      String(N),
      "--workers",
      opt.workers,
      "--cpu",
      String(feedCpu),
      ...(opt["feed-dir"] ? ["--dir", opt["feed-dir"]] : []),
    ],
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
  const o = process.hrtime.bigint();
  const store = openStore({
    path: join(dir, `${name}.db`),
    historyMax,
    flushIntervalMs: FLUSH_MS,
    preallocPairs: PREALLOC,
    labels: [],
  });
  const openMs = Number(process.hrtime.bigint() - o) / 1e6;
  const feed = startFeed();
  const reader = new addon.RegionReader(await feed.path);
  const backing = reader.header().hugetlb ? "hugetlbfs" : "/dev/shm";
  const core = store.aggregates;
  let n = 0;
  let polls = 0;
  let ingestCpu = 0;
  let ingestFaults = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (;;) {
    const c = process.cpuUsage();
    const f0 = process.resourceUsage().minorPageFault;
    let got;
    if (name === "objects") {
      const recs = reader.drain(BATCH);
      got = recs.length;
      if (got > 0) store.ingest(recs);
    } else {
      const b = reader.drainBatch(core, BATCH);
      got = b.n;
      if (got > 0) store.ingestBatch(b);
    }
    ingestCpu += cpuS(process.cpuUsage(c));
    ingestFaults += process.resourceUsage().minorPageFault - f0;
    n += got;
    // As the appliance's loop: yield, so the store's flush timer runs.
    await new Promise((r) => setImmediate(r));
    if (got > 0) continue;
    if (n >= N) break;
    polls++;
    if (reader.header().state === "stopped" && reader.ringDepth().total === 0 && n < N) {
      throw new Error(`ring-feed stopped after ${n} of ${N} records`);
    }
    // The producer is behind: wait 50 µs.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0.05);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const allCpu = cpuS(process.cpuUsage(cpu0));
  reader.close();
  const { code, err } = await feed.exited;
  if (code !== 0) throw new Error(`ring-feed exited ${code}: ${err}`);
  const st = store.stats();
  const c = process.hrtime.bigint();
  store.close(); // writes what the timed flushes left queued
  const closeMs = Number(process.hrtime.bigint() - c) / 1e6;
  console.log(
    `${name.padEnd(10)} ${fmt(n)} records (region on ${backing}): open ${fmt(openMs)} ms; ` +
      `ingest ${fmt(n / ingestCpu)} /CPU s ` +
      `(${fmt(ingestFaults)} page faults); ` +
      `with the store's flushes ${fmt(n / allCpu)} /CPU s; wall ${fmt(n / wall)} /s; ` +
      `polls ${polls}; aggregates ja4 ${st.aggregates.ja4} ja3 ${st.aggregates.ja3} ` +
      `sni ${st.aggregates.sni} ja4_sni ${st.aggregates.ja4_sni}, history ${st.historyRows}; ` +
      `close (the rest of the write-behind) ${fmt(closeMs)} ms`,
  );
}

const fmt = (x) => Math.round(x).toLocaleString("en-US");

/**
 * Free 2 MB pages for ring-feed's region (65 536 slots a ring), reserved
 * when root and short; returns a function that gives back what it reserved.
 */
function hugepagesForFeed() {
  const sys = "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages";
  const need = Math.ceil((Number(opt.workers) * 65536 * 5600) / 2 ** 21) + 8;
  const free = existsSync(sys) ? Number(readFileSync(sys, "utf8")) : 0;
  if (opt["feed-dir"] || free >= need) return () => {};
  if (process.getuid?.() !== 0) {
    console.warn(
      `bench/ingest: ${free} free hugepages, ${need} wanted, not root: the region goes to /dev/shm (slower to read)`,
    );
    return () => {};
  }
  const script = join(import.meta.dirname, "..", "scripts", "hugepages.sh");
  const quiet = { stdio: ["ignore", "ignore", "inherit"] };
  const r = spawnSync("bash", [script, "reserve", String(need - free)], quiet);
  if (r.status !== 0) {
    console.warn("bench/ingest: reserving hugepages failed: the region goes to /dev/shm");
    return () => {};
  }
  console.log(`reserved ${need - free} hugepages for the region (given back at the end)`);
  return () => spawnSync("bash", [script, "release"], quiet);
}

/**
 * Each pass runs in a process of its own (this script with one pass): a
 * pass run after another in the same process measured ~25 % slower, in
 * either order, as the first store's memory and heap were still around; the
 * appliance has one store for its lifetime.
 */
function passInChild(name) {
  // This run's options but its passes.
  const args = process.argv
    .slice(2)
    .filter(
      (a, i, all) => a !== "--passes" && all[i - 1] !== "--passes" && !a.startsWith("--passes="),
    );
  const r = spawnSync(
    process.execPath,
    [import.meta.filename, ...args, "--passes", name, "--child"],
    {
      stdio: "inherit",
    },
  );
  if (r.status !== 0) throw new Error(`bench/ingest: the ${name} pass exited ${r.status}`);
}

const passes = opt.passes.split(",");
if (opt.child) {
  const dir = mkdtempSync(join(tmpdir(), "tlsfp-bench-"));
  try {
    await pass(passes[0], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const releaseHugepages = hugepagesForFeed();
  try {
    console.log(
      `node on CPU ${nodeCpu}, ring-feed on CPU ${feedCpu} (${opt.workers} ring(s)), ${fmt(N)} records a pass, ` +
        `a process each; store.preallocPairs ${fmt(PREALLOC)}`,
    );
    for (const name of passes) passInChild(name);
  } finally {
    releaseHugepages();
  }
}
