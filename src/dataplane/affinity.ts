/**
 * Node's own threads off the data plane's worker cores.
 *
 * The planner (src/topology/planner.ts) computes `nodeCpusForControlPlane`:
 * the CPUs that are neither a worker lcore nor a worker's hyper-thread
 * sibling (nor the main lcore, when any other CPU is left). A worker lcore
 * busy-polls its RX queues at 100% of its CPU; a Node thread scheduled there
 * (the event loop, V8's GC helpers, the libuv pool) steals its time slices,
 * which shows up as NIC drops, and the worker slows Node down in turn.
 *
 * The affinity is applied to every thread of this process by the addon
 * (native/affinity.cc). It is inherited by what Node starts afterwards,
 * including the data plane; that is harmless because the data plane pins
 * its lcores itself (--cpus, EAL -l), which may widen its mask again.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { NativeAddon } from "../addon/native.js";
import { formatCpuList } from "../topology/sysfs.js";
import type { Logger } from "./log.js";

/** What pinControlPlane did. */
export interface PinResult {
  applied: boolean;
  /** The threads changed (empty when not applied). */
  tids: number[];
  /** Why it was not applied. */
  reason?: string;
}

/**
 * Pins every Node thread to `cpus`; `addon` loads the addon (loadAddon).
 * Never throws: Node's placement is a performance matter, so a failure is
 * a warning and the run goes on.
 *
 * An empty list (the planner found no CPU outside the workers) is skipped
 * with a note: there is nowhere better to put Node. A list that is only the
 * main lcore's CPU (a 2-vCPU VM: main lcore 0, worker 1) IS applied: the
 * main lcore only does housekeeping (it sleeps between heartbeats), so
 * sharing CPU 0 with it costs little, while leaving Node free to run on the
 * polling worker's CPU 1 would cost that worker.
 */
export function pinControlPlane(
  addon: () => Pick<NativeAddon, "setProcessAffinity">,
  cpus: readonly number[],
  logger: Logger,
): PinResult {
  if (cpus.length === 0) {
    const reason = "the plan leaves no CPU outside the worker lcores";
    logger.info(`Node's threads not pinned: ${reason}`);
    return { applied: false, tids: [], reason };
  }
  try {
    const { setProcessAffinity } = addon();
    if (typeof setProcessAffinity !== "function") {
      throw new Error("the native addon has no setProcessAffinity: run npm run build:native");
    }
    const tids = setProcessAffinity([...cpus]);
    logger.info(`Node's threads (${tids.length}) pinned to cpu ${formatCpuList([...cpus])}`);
    return { applied: true, tids };
  } catch (e) {
    const err = e as Error & { code?: string };
    const reason = `cpu ${formatCpuList([...cpus])}: ${err.code ? `${err.code}: ` : ""}${err.message}`;
    logger.warn(`Node's threads not pinned: ${reason}`);
    return { applied: false, tids: [], reason };
  }
}

/** tid → Cpus_allowed_list of each thread of this process (/proc/self/task/<tid>/status). */
export function threadAffinities(): Map<number, string> {
  const out = new Map<number, string>();
  for (const t of readdirSync("/proc/self/task")) {
    let status: string;
    try {
      status = readFileSync(`/proc/self/task/${t}/status`, "utf8");
    } catch {
      continue; // the thread exited meanwhile
    }
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(status);
    if (m?.[1] !== undefined) out.set(Number(t), m[1]);
  }
  return out;
}
