/**
 * Hugepages for the data plane (ARCHITECTURE.md: "Hugepages reserved per NUMA
 * node; when none can be had, fall back to --no-huge with a warning").
 *
 * As root with too few free 2 MB pages: reserve them through
 * /proc/sys/vm/nr_hugepages (mounting hugetlbfs on /dev/hugepages when none
 * is mounted), remember what was there, and put it back at exit. Not root:
 * use what is free, else --no-huge with a warning. When hugepages are
 * required (`--huge`) and cannot be had, a HugepageError names the setting.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "./log.js";
import { hugetlbfsMounts } from "./region.js";

const PAGE_KB = 2048;
const SYS = "/sys/kernel/mm/hugepages/hugepages-2048kB";
const NR = "/proc/sys/vm/nr_hugepages";
const MOUNT_POINT = "/dev/hugepages";

/** What the machine has (2 MB pages). */
export interface HugepageState {
  isRoot: boolean;
  /** nr_hugepages */
  total: number;
  free: number;
  /** hugetlbfs mount points */
  mounts: string[];
}

/**
 * How many 2 MB pages a data plane of `workers` workers and `ports` ports
 * wants (generous; DPDK takes what it needs): EAL and the record region
 * ~128 MB, each worker's pipeline (flow table, pending records, reassembly
 * memory) ~160 MB with the data plane's defaults, and the mbuf pool, sized
 * as dpdk/app/ports.c sizes it (an upper bound: every port with one RX
 * queue per worker, plus the software distribution rings).
 */
export function pagesWanted(workers: number, ports = 1): number {
  const RX_DESC = 1024;
  const TX_DESC = 512;
  const BURST = 32;
  const MBUF_CACHE = 256;
  const DIST_RING = 4096;
  const MBUF_KB = 2.5; // 2 KB data room + headroom + rte_mbuf
  const lcores = 1 + workers + (workers > 1 ? 1 : 0);
  const perPort =
    workers * (RX_DESC + TX_DESC) +
    lcores * (BURST + MBUF_CACHE) +
    1024 +
    (workers > 1 ? workers * DIST_RING : 0);
  let pool = 1;
  while (pool - 1 < perPort * ports) pool *= 2;
  const poolMb = (pool * MBUF_KB) / 1024;
  return Math.ceil((128 + poolMb + 160 * workers) / 2);
}

export type HugepageDecision =
  | { action: "use" }
  | { action: "reserve"; pages: number; mount: boolean }
  | { action: "no-huge"; warning?: string }
  | { action: "error"; message: string };

/** Pure: what to do given the machine's state and what was asked. */
export function decideHugepages(
  s: HugepageState,
  want: number,
  asked: "auto" | "off" | "require",
): HugepageDecision {
  if (asked === "off") return { action: "no-huge" };
  if (s.free >= want && s.mounts.length > 0) return { action: "use" };
  if (s.isRoot) {
    return { action: "reserve", pages: Math.max(0, want - s.free), mount: s.mounts.length === 0 };
  }
  const why =
    s.free < want
      ? `${s.free} free 2 MB hugepages, ${want} wanted, and reserving more needs root`
      : "no hugetlbfs is mounted, and mounting one needs root";
  if (asked === "require") {
    return {
      action: "error",
      message: `--huge: ${why} (as root: echo ${s.total + want - s.free} > ${NR}; or run without --huge)`,
    };
  }
  return { action: "no-huge", warning: `${why}: running with --no-huge, expect lower performance` };
}

function readNumber(path: string): number {
  try {
    return Number.parseInt(readFileSync(path, "utf8").trim(), 10) || 0;
  } catch {
    return 0;
  }
}

export function readHugepageState(): HugepageState {
  return {
    isRoot: process.getuid?.() === 0,
    total: readNumber(join(SYS, "nr_hugepages")),
    free: readNumber(join(SYS, "free_hugepages")),
    mounts: hugetlbfsMounts(),
  };
}

export class HugepageError extends Error {
  override name = "HugepageError";
}

/** The outcome: run with or without hugepages; restore() puts the machine back (idempotent). */
export interface HugepagePlan {
  noHuge: boolean;
  reserved: number;
  restore(): void;
}

/**
 * Prepares hugepages for a run; throws HugepageError only when they are
 * required and cannot be had. restore() also runs at process exit.
 */
export function prepareHugepages(
  workers: number,
  ports: number,
  asked: "auto" | "off" | "require",
  logger: Logger,
): HugepagePlan {
  const state = readHugepageState();
  const want = pagesWanted(workers, ports);
  const d = decideHugepages(state, want, asked);
  const none = { reserved: 0, restore: () => {} };
  switch (d.action) {
    case "use":
      return { noHuge: false, ...none };
    case "no-huge":
      if (d.warning !== undefined) logger.warn(d.warning);
      return { noHuge: true, ...none };
    case "error":
      throw new HugepageError(d.message);
    case "reserve":
      return reserve(state, d.pages, d.mount, asked, logger);
  }
}

function reserve(
  state: HugepageState,
  pages: number,
  mount: boolean,
  asked: "auto" | "off" | "require",
  logger: Logger,
): HugepagePlan {
  const oldNr = readNumber(NR);
  let mounted = false;
  let madeDir = false;
  let done = false;
  const restore = () => {
    if (done) return;
    done = true;
    process.off("exit", restore);
    if (mounted) {
      try {
        execFileSync("umount", [MOUNT_POINT], { stdio: "ignore" });
        if (madeDir) rmdirSync(MOUNT_POINT);
      } catch (e) {
        logger.warn(`hugepages: umount ${MOUNT_POINT}: ${(e as Error).message}`);
      }
    }
    try {
      writeFileSync(NR, String(oldNr));
    } catch (e) {
      logger.warn(`hugepages: restoring ${NR} to ${oldNr}: ${(e as Error).message}`);
    }
  };
  process.on("exit", restore);
  const fail = (why: string): HugepagePlan => {
    restore();
    if (asked === "require") throw new HugepageError(`--huge: ${why}`);
    logger.warn(`hugepages: ${why}: running with --no-huge, expect lower performance`);
    return { noHuge: true, reserved: 0, restore: () => {} };
  };
  try {
    if (mount) {
      madeDir = !existsSync(MOUNT_POINT);
      mkdirSync(MOUNT_POINT, { recursive: true });
      execFileSync("mount", ["-t", "hugetlbfs", "nodev", MOUNT_POINT], { stdio: "pipe" });
      mounted = true;
    }
    writeFileSync(NR, String(oldNr + pages));
  } catch (e) {
    return fail(`cannot reserve ${pages} pages: ${(e as Error).message.split("\n")[0]}`);
  }
  const free = readNumber(join(SYS, "free_hugepages"));
  if (free < state.free + pages) {
    return fail(`asked for ${pages} more 2 MB pages, the kernel gave ${free - state.free}`);
  }
  logger.info(
    `hugepages: reserved ${pages} x ${PAGE_KB} kB (nr_hugepages ${oldNr} -> ${oldNr + pages})` +
      (mounted ? `, mounted hugetlbfs on ${MOUNT_POINT}` : ""),
  );
  return { noHuge: false, reserved: pages, restore };
}
