/**
 * The lcore/NUMA planner: a pure function from (config, topology) to where each thread and each
 * byte of packet memory goes. Rules (docs/architecture.md, "Lcores and NUMA"):
 *  - everything on the NIC's NUMA node: the main lcore, the workers, the mempool, the hugepages;
 *  - one worker per physical core: never two workers on hyper-thread siblings;
 *  - the main lcore on that node too, but not on a worker;
 *  - Node's own threads on what is left (never a worker, preferably not a worker's sibling nor
 *    the main lcore).
 * Explicit `dataplane.lcores` / `mainLcore` are checked, not second-guessed: what cannot run
 * (a CPU that does not exist or is offline) is an error, what only runs slower (siblings, the
 * wrong node) is a warning. The result always carries every problem; `errors` empty = runnable.
 */
import type { Config } from "../config/schema.js";
import { formatCpuList, type Nic, type Topology } from "./sysfs.js";

export interface PlanOptions {
  /** The NIC to plan for: an interface name or a PCI address. Default: the first PCI port. */
  nic?: string;
}

export interface HugepagePlan {
  node: number;
  /** 2 MiB pages the config asks for on the node (dataplane.hugepages.pagesPerNode). */
  pages: number;
  /** Memory for --socket-mem, in MiB. */
  memMb: number;
  /** Free hugepage memory on the node, in MiB, all page sizes. */
  freeMb: number;
  /** False: run with --no-huge. */
  use: boolean;
}

export interface Plan {
  /** The NUMA node everything is placed on. */
  node: number;
  /** Every node id of the machine (for --socket-mem, which lists one value per socket). */
  nodes: number[];
  nic: Nic | null;
  /** -1 when no CPU could be found for it (then errors says why). */
  mainLcore: number;
  workers: number[];
  /** The sched affinity list for the Node process (taskset -c). */
  nodeCpusForControlPlane: number[];
  hugepages: HugepagePlan;
  mempool: { socket: number; mbufs: number };
  warnings: string[];
  errors: string[];
}

/** Bytes one mbuf costs in a pool: 2048 data room + 128 headroom + the 128-byte rte_mbuf. */
const MBUF_BYTES = 2304;
/** Memory the EAL, rings and tables take besides the mempool, roughly. */
const EAL_OVERHEAD_MB = 64;

/** Builds the plan. Pure: reads only its arguments. */
export function plan(config: Config, topo: Topology, opts: PlanOptions = {}): Plan {
  const warnings: string[] = [];
  const errors: string[] = [];
  const d = config.dataplane;
  const cpuById = new Map(topo.cpus.map((c) => [c.id, c]));
  const online = new Set(topo.online);
  const siblingsOf = (c: number) => cpuById.get(c)?.siblings ?? [c];
  const nodeOf = (c: number) => cpuById.get(c)?.node ?? 0;

  // ---- the node ----
  const nic = pickNic(config, topo, opts, errors);
  const withCpus = topo.nodes.filter((n) => n.cpus.some((c) => online.has(c)));
  let node = nic?.node ?? withCpus[0]?.id ?? 0;
  if (nic !== null && nic.numaNodeRaw < 0 && topo.nodes.length > 1) {
    warnings.push(
      `NIC ${nicName(nic)} reports no NUMA node (numa_node = -1); assuming node 0 — check the BIOS/ACPI SRAT tables`,
    );
  }
  if (!withCpus.some((n) => n.id === node)) {
    const fallback = withCpus[0]?.id ?? 0;
    warnings.push(`node ${node} has no online CPU; placing the data plane on node ${fallback}`);
    node = fallback;
  }
  const nodeCpus = topo.online.filter((c) => nodeOf(c) === node);

  // ---- workers and main lcore ----
  let workers: number[];
  let main: number;
  if (Array.isArray(d.lcores)) {
    workers = checkExplicitWorkers(d.lcores, topo, node, nic, errors, warnings);
    main =
      typeof d.mainLcore === "number"
        ? checkExplicitMain(d.mainLcore, topo, node, workers, errors, warnings)
        : autoMainAround(workers, nodeCpus, topo.online, siblingsOf, node, errors, warnings);
    for (const w of workers) {
      if (main >= 0 && w !== main && siblingsOf(w).includes(main)) {
        warnings.push(
          `worker lcore ${w} shares a physical core with the main lcore ${main} (hyper-thread siblings)`,
        );
      }
    }
  } else {
    if (typeof d.mainLcore === "number") {
      main = checkExplicitMain(d.mainLcore, topo, node, [], errors, warnings);
    } else {
      main = nodeCpus[0] ?? -1;
      if (main < 0) errors.push(`node ${node} has no online CPU for the main lcore`);
    }
    workers = autoWorkers(d.workers, nodeCpus, main, siblingsOf, node, errors, warnings);
  }

  // ---- Node's threads ----
  const nodeCpusForControlPlane = controlPlaneCpus(
    topo.online,
    workers,
    main,
    siblingsOf,
    warnings,
  );
  if (nodeCpusForControlPlane.length === 0) {
    errors.push("no CPU is left for the control plane: every online CPU is a worker lcore");
  }

  // ---- memory ----
  const hugepages = planHugepages(config, topo, node, errors, warnings);
  const mempoolMb = Math.ceil((d.mempoolMbufs * MBUF_BYTES) / (1 << 20)) + EAL_OVERHEAD_MB;
  const memMb = hugepages.use ? hugepages.memMb : NO_HUGE_MEM_MB;
  if (mempoolMb > memMb) {
    errors.push(
      `dataplane.mempoolMbufs: ${d.mempoolMbufs} mbufs need about ${mempoolMb} MiB, more than the ${memMb} MiB the data plane gets` +
        (hugepages.use ? " (raise dataplane.hugepages.pagesPerNode)" : " without hugepages"),
    );
  }

  return {
    node,
    nodes: topo.nodes.map((n) => n.id),
    nic,
    mainLcore: main,
    workers,
    nodeCpusForControlPlane,
    hugepages,
    mempool: { socket: node, mbufs: d.mempoolMbufs },
    warnings,
    errors,
  };
}

/** Memory DPDK gets with --no-huge (-m). */
export const NO_HUGE_MEM_MB = 512;

function nicName(n: Nic): string {
  if (n.name !== null && n.pci !== null) return `${n.name} (${n.pci})`;
  return n.name ?? n.pci ?? "?";
}

function findNic(topo: Topology, key: string): Nic | undefined {
  const k = key.toLowerCase();
  return topo.nics.find((n) => n.name === key || n.pci?.toLowerCase() === k);
}

/** The NIC the plan follows: --nic, else the first PCI port, else an af_packet/af_xdp iface. */
function pickNic(config: Config, topo: Topology, opts: PlanOptions, errors: string[]): Nic | null {
  const known = topo.nics.map(nicName).join(", ") || "none";
  if (opts.nic !== undefined) {
    const n = findNic(topo, opts.nic);
    if (n === undefined) errors.push(`NIC '${opts.nic}' not found (NICs here: ${known})`);
    return n ?? null;
  }
  const ports = config.dataplane.ports;
  for (const [i, p] of ports.entries()) {
    if (p.pci === undefined) continue;
    const n = findNic(topo, p.pci);
    if (n === undefined) {
      errors.push(
        `dataplane.ports[${i}].pci: no PCI network device ${p.pci} on this machine (NICs here: ${known})`,
      );
    }
    return n ?? null;
  }
  for (const p of ports) {
    const iface = /(?:^|,)iface=([^,]+)/.exec(p.vdev ?? "")?.[1];
    const n = iface === undefined ? undefined : findNic(topo, iface);
    if (n !== undefined) return n;
  }
  return null;
}

function describeCpus(topo: Topology): string {
  return formatCpuList(topo.cpus.map((c) => c.id)) || "none";
}

function checkExplicitWorkers(
  lcores: number[],
  topo: Topology,
  node: number,
  nic: Nic | null,
  errors: string[],
  warnings: string[],
): number[] {
  const byId = new Map(topo.cpus.map((c) => [c.id, c]));
  const online = new Set(topo.online);
  const ok: number[] = [];
  for (const c of lcores) {
    const cpu = byId.get(c);
    if (cpu === undefined) {
      errors.push(
        `dataplane.lcores: cpu ${c} does not exist (this machine has CPUs ${describeCpus(topo)})`,
      );
    } else if (!online.has(c)) {
      errors.push(
        `dataplane.lcores: cpu ${c} is offline (online CPUs: ${formatCpuList(topo.online) || "none"})`,
      );
    } else {
      if (cpu.node !== node) {
        const why = nic === null ? "the data plane's memory" : `the NIC ${nicName(nic)}`;
        warnings.push(
          `dataplane.lcores: cpu ${c} is on node ${cpu.node} but ${why} is on node ${node}; every packet crosses the socket interconnect`,
        );
      }
      ok.push(c);
    }
  }
  for (let i = 0; i < ok.length; i++) {
    for (let j = i + 1; j < ok.length; j++) {
      const a = ok[i] as number;
      const b = ok[j] as number;
      if ((byId.get(a)?.siblings ?? []).includes(b)) {
        warnings.push(
          `dataplane.lcores: cpus ${a} and ${b} are hyper-thread siblings (one physical core); two workers there share one core's execution units`,
        );
      }
    }
  }
  return ok;
}

function checkExplicitMain(
  main: number,
  topo: Topology,
  node: number,
  workers: number[],
  errors: string[],
  warnings: string[],
): number {
  const cpu = topo.cpus.find((c) => c.id === main);
  if (cpu === undefined) {
    errors.push(
      `dataplane.mainLcore: cpu ${main} does not exist (this machine has CPUs ${describeCpus(topo)})`,
    );
    return -1;
  }
  if (!topo.online.includes(main)) {
    errors.push(`dataplane.mainLcore: cpu ${main} is offline`);
    return -1;
  }
  if (workers.includes(main)) {
    errors.push(`dataplane.mainLcore: cpu ${main} is also a worker lcore`);
    return -1;
  }
  if (cpu.node !== node) {
    warnings.push(
      `dataplane.mainLcore: cpu ${main} is on node ${cpu.node}, the data plane on node ${node}`,
    );
  }
  return main;
}

/** Main lcore for explicit workers: same node, not a worker, preferably not a worker's sibling. */
function autoMainAround(
  workers: number[],
  nodeCpus: number[],
  allOnline: number[],
  siblingsOf: (c: number) => number[],
  node: number,
  errors: string[],
  warnings: string[],
): number {
  const taken = new Set(workers);
  const clash = new Set(workers.flatMap(siblingsOf));
  const best =
    nodeCpus.find((c) => !clash.has(c)) ??
    nodeCpus.find((c) => !taken.has(c)) ??
    allOnline.find((c) => !taken.has(c));
  if (best === undefined) {
    errors.push("no CPU is left for the main lcore: every online CPU is a worker lcore");
    return -1;
  }
  if (!nodeCpus.includes(best)) {
    warnings.push(
      `the main lcore ${best} is not on node ${node}: every CPU of node ${node} is a worker`,
    );
  }
  return best;
}

/** N workers, one per physical core of the node, avoiding the main lcore's core if possible. */
function autoWorkers(
  n: number,
  nodeCpus: number[],
  main: number,
  siblingsOf: (c: number) => number[],
  node: number,
  errors: string[],
  warnings: string[],
): number[] {
  const nodeSet = new Set(nodeCpus);
  const cores: number[][] = [];
  const placed = new Set<number>();
  for (const c of nodeCpus) {
    if (placed.has(c)) continue;
    const core = siblingsOf(c).filter((s) => nodeSet.has(s));
    if (!core.includes(c)) core.push(c);
    core.sort((a, b) => a - b);
    for (const s of core) placed.add(s);
    cores.push(core);
  }
  const free = cores.filter((core) => !core.includes(main)).map((core) => core[0] as number);
  const mainCoreSpare = cores.find((core) => core.includes(main))?.filter((c) => c !== main) ?? [];
  if (free.length >= n) return free.slice(0, n);
  if (free.length + (mainCoreSpare.length > 0 ? 1 : 0) >= n) {
    const extra = mainCoreSpare[0] as number;
    warnings.push(
      `worker lcore ${extra} shares a physical core with the main lcore ${main}: node ${node} has no other free core`,
    );
    return [...free, extra].sort((a, b) => a - b);
  }
  const most = free.length + (mainCoreSpare.length > 0 ? 1 : 0);
  errors.push(
    `dataplane.workers: ${n} workers need ${n} physical cores on node ${node} apart from the main lcore ${main}; ` +
      `node ${node} has ${cores.length} core(s) (CPUs ${formatCpuList(nodeCpus) || "none"}), room for ${most} worker(s): ` +
      `lower dataplane.workers${most > 0 ? ` to ${most}` : ""}`,
  );
  return free;
}

/** Node's affinity list: spare CPUs first; else share the main lcore; else workers' siblings. */
function controlPlaneCpus(
  online: number[],
  workers: number[],
  main: number,
  siblingsOf: (c: number) => number[],
  warnings: string[],
): number[] {
  const w = new Set(workers);
  const wsib = new Set(workers.flatMap(siblingsOf));
  const spare = online.filter((c) => !wsib.has(c) && c !== main);
  if (spare.length > 0) return spare;
  const withMain = online.filter((c) => !wsib.has(c));
  if (withMain.length > 0) {
    warnings.push(
      `no spare CPU: Node's threads share cpu ${formatCpuList(withMain)} with the main lcore`,
    );
    return withMain;
  }
  const anyButWorkers = online.filter((c) => !w.has(c));
  if (anyButWorkers.length > 0) {
    warnings.push(
      `no spare core: Node's threads run on cpu ${formatCpuList(anyButWorkers)}, hyper-thread siblings of worker lcores`,
    );
  }
  return anyButWorkers;
}

function planHugepages(
  config: Config,
  topo: Topology,
  node: number,
  errors: string[],
  warnings: string[],
): HugepagePlan {
  const h = config.dataplane.hugepages;
  const pages = h.pagesPerNode;
  const memMb = pages * 2;
  const info = topo.nodes.find((n) => n.id === node)?.hugepages ?? [];
  const freeMb = info.reduce((sum, p) => sum + (p.free * p.sizeKb) / 1024, 0);
  const enough = freeMb >= memMb;
  const base = { node, pages, memMb, freeMb };
  if (h.enabled === false) return { ...base, use: false };
  if (enough) return { ...base, use: true };
  const have = `node ${node} has ${freeMb} MiB of free hugepages, the data plane needs ${memMb} MiB (dataplane.hugepages.pagesPerNode = ${pages} × 2 MiB)`;
  if (h.enabled === true) {
    errors.push(`dataplane.hugepages.enabled is true but ${have}`);
  } else {
    warnings.push(
      `${have}: running without hugepages (--no-huge -m ${NO_HUGE_MEM_MB}), slower and not NUMA-placed`,
    );
  }
  return { ...base, use: false };
}
