/**
 * setProcessAffinity (native/affinity.cc) and pinControlPlane
 * (src/dataplane/affinity.ts): every thread of the process moves, what the
 * kernel reads back is exactly the set asked for, and the mask is restored.
 */
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import type { NativeError } from "../../src/addon/native.js";
import { pinControlPlane, threadAffinities } from "../../src/dataplane/affinity.js";
import type { Logger } from "../../src/dataplane/log.js";
import { parseCpuList } from "../../src/topology/sysfs.js";
import { addon } from "../helpers/addon.js";

const setAffinity = (cpus: number[]) => {
  if (addon.setProcessAffinity === undefined) throw new Error("addon lacks setProcessAffinity");
  return addon.setProcessAffinity(cpus);
};

/** The process's mask before the tests (the main thread's), restored after each. */
const original = parseCpuList(
  /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "",
);
const online = parseCpuList(readFileSync("/sys/devices/system/cpu/online", "utf8").trim());
const target = original[original.length - 1] as number;

afterEach(() => {
  setAffinity(original);
});

function thrown(f: () => unknown): NativeError {
  try {
    f();
  } catch (e) {
    return e as NativeError;
  }
  throw new Error("did not throw");
}

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

describe("setProcessAffinity", () => {
  it("moves every thread to one CPU, read back from /proc/self/task/*/status, then restores", () => {
    expect(original.length).toBeGreaterThan(0);
    const before = threadAffinities();
    expect(before.size).toBeGreaterThan(1); // Node has more than its main thread

    const tids = setAffinity([target]);
    const after = threadAffinities();
    // Every thread that exists now has exactly {target}, and each was changed.
    for (const [tid, list] of after) expect({ tid, list }).toEqual({ tid, list: String(target) });
    expect(tids).toContain(process.pid);
    for (const tid of before.keys()) if (after.has(tid)) expect(tids).toContain(tid);

    setAffinity(original);
    const restored = threadAffinities();
    const want = readFileSync("/proc/self/status", "utf8").match(
      /^Cpus_allowed_list:\s*(\S+)/m,
    )?.[1];
    for (const list of restored.values()) expect(list).toBe(want);
    expect(parseCpuList(want ?? "")).toEqual(original);
  });

  it("covers threads created afterwards (they inherit the main thread's mask)", async () => {
    setAffinity([target]);
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads");
       const s = require("node:fs").readFileSync("/proc/thread-self/status", "utf8");
       parentPort.postMessage(/^Cpus_allowed_list:\\s*(\\S+)/m.exec(s)[1]);`,
      { eval: true },
    );
    const list = await new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    expect(list).toBe(String(target));
  });

  it("is EINVAL for an empty set, a CPU beyond CPU_SETSIZE or only offline CPUs, and changes nothing", () => {
    const before = threadAffinities();
    for (const bad of [[], [1 << 20]]) {
      const e = thrown(() => setAffinity(bad));
      expect(e.code).toBe("EINVAL");
    }
    const offline = [...Array(1024).keys()].filter((c) => !online.includes(c)).slice(0, 1);
    if (offline.length > 0) {
      const e = thrown(() => setAffinity(offline));
      expect(e.code).toBe("EINVAL");
      expect(e.message).toMatch(/sched_setaffinity/);
    }
    expect(threadAffinities()).toEqual(before);
  });

  it("is a TypeError for a non-array or a non-integer CPU", () => {
    const f = addon.setProcessAffinity as unknown as (x: unknown) => unknown;
    expect(thrown(() => f("0"))).toBeInstanceOf(TypeError);
    expect(thrown(() => f([0.5]))).toBeInstanceOf(TypeError);
    expect(thrown(() => f([-1]))).toBeInstanceOf(TypeError);
  });
});

describe("pinControlPlane", () => {
  it("applies the plan's CPUs to every thread and says so", () => {
    const log = recorder();
    const r = pinControlPlane(() => addon, [target], log);
    expect(r.applied).toBe(true);
    expect(r.tids).toContain(process.pid);
    for (const list of threadAffinities().values()) expect(list).toBe(String(target));
    expect(log.lines).toEqual([`info Node's threads (${r.tids.length}) pinned to cpu ${target}`]);
  });

  it("skips an empty plan with a note, and turns a refusal into a warning", () => {
    const log = recorder();
    expect(pinControlPlane(() => addon, [], log)).toEqual({
      applied: false,
      tids: [],
      reason: "the plan leaves no CPU outside the worker lcores",
    });
    const r = pinControlPlane(() => addon, [1 << 20], log);
    expect(r.applied).toBe(false);
    expect(r.reason).toMatch(/EINVAL/);
    const missing = pinControlPlane(() => ({}), [target], log);
    expect(missing.reason).toMatch(/no setProcessAffinity/);
    expect(log.lines.map((l) => l.split(" ")[0])).toEqual(["info", "warn", "warn"]);
  });
});
