/**
 * Finding and opening a data plane's shared-memory region, and checking what
 * a finished data plane left behind.
 *
 * The region is <dir>/tlsfp-<instance>-<pid>.shm, dir a hugetlbfs mount or
 * /dev/shm (dpdk/include/tlsfp/shm.h). The data plane prints its path; when
 * that line has not been seen the known directories are searched.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isNativeError, type NativeAddon, type RegionReader } from "../addon/native.js";
import type { DataplaneProcess } from "./process.js";

/** Where DPDK 22.11 keeps a primary process's runtime files as root. */
export const DPDK_RUNTIME_DIR = "/var/run/dpdk";

/** Mount points of hugetlbfs (from /proc/mounts). */
export function hugetlbfsMounts(mounts?: string): string[] {
  let text = mounts;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/mounts", "utf8");
    } catch {
      return [];
    }
  }
  return text
    .split("\n")
    .map((l) => l.split(" "))
    .filter((f) => f[2] === "hugetlbfs" && f[1] !== undefined)
    .map((f) => (f[1] as string).replace(/\\040/g, " "));
}

/** Directories a region may be in: the hugetlbfs mounts, then /dev/shm. */
export function regionDirs(): string[] {
  return [...hugetlbfsMounts(), "/dev/shm"];
}

/** The region file of a prefix, if one exists. */
export function findRegion(prefix: string, dirs = regionDirs()): string | undefined {
  for (const d of dirs) {
    const p = join(d, `${prefix}.shm`);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Files of a DPDK prefix still on disk: its region, hugepage files, its
 * runtime directory. A data plane that stopped cleanly leaves none.
 */
export function leftovers(prefix: string, dirs = regionDirs()): string[] {
  const found: string[] = [];
  for (const d of dirs) {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    // The region (<prefix>.shm) and DPDK's hugepage files (<prefix>map_N).
    for (const n of names) {
      if (n === `${prefix}.shm` || n.startsWith(`${prefix}map_`)) found.push(join(d, n));
    }
  }
  const run = join(DPDK_RUNTIME_DIR, prefix);
  if (existsSync(run)) found.push(run);
  return found;
}

/**
 * Removes what a dead data plane left (after a crash or SIGKILL). Only paths
 * named exactly by its prefix: never another instance's files. Returns them.
 */
export function removeLeftovers(prefix: string, dirs = regionDirs()): string[] {
  if (!/^tlsfp-[A-Za-z0-9_]+-[0-9]+$/.test(prefix)) return [];
  const gone = leftovers(prefix, dirs);
  for (const p of gone) rmSync(p, { recursive: true, force: true });
  return gone;
}

/** The data plane did not get its region up. */
export class RegionTimeoutError extends Error {
  override name = "RegionTimeoutError";
}

export interface OpenRegionOptions {
  /** Give up after this long (default 20 s: EAL start-up with hugepages takes a few). */
  timeoutMs?: number;
  /** Polling period (default 20 ms). */
  pollMs?: number;
}

const RETRY_CODES = new Set(["ENOENT", "TLSFP_E_SHM_NOT_READY"]);

/**
 * Opens the region of `dp` once its header says RUNNING (or later: a data
 * plane that already stopped still has records to drain). Rejects when the
 * process exits first, when the region has a layout this build does not know
 * (TLSFP_E_SHM_VERSION), or after the timeout, with a message that says which.
 */
export async function openRegion(
  dp: DataplaneProcess,
  addon: Pick<NativeAddon, "RegionReader">,
  opts: OpenRegionOptions = {},
): Promise<RegionReader> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const pollMs = opts.pollMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let reader: RegionReader | undefined;
  let state = "no region yet";
  for (;;) {
    if (reader === undefined) {
      const path = dp.regionPath ?? findRegion(dp.prefix);
      if (path !== undefined) {
        try {
          reader = new addon.RegionReader(path);
        } catch (e) {
          if (!(isNativeError(e) && RETRY_CODES.has(e.code))) throw e;
          state = `region ${path} not ready`;
        }
      }
    }
    if (reader !== undefined) {
      const h = reader.header();
      state = `state ${h.state}`;
      if (h.state !== "starting") return reader;
    }
    if (!dp.alive) {
      // Its last records (if any) are still worth reading.
      if (reader !== undefined) return reader;
      throw new Error(`the data plane ${dp.describeExit()}`);
    }
    if (Date.now() >= deadline) {
      reader?.close();
      const last = dp.lastErrors.at(-1);
      throw new RegionTimeoutError(
        `the data plane (pid ${dp.pid}) was not running after ${timeoutMs / 1000} s (${state})` +
          (last !== undefined ? `; it said: ${last}` : ""),
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
