/**
 * The machine's topology as the planner needs it, read from a sysfs/procfs root ("/" on a real
 * machine, a fixture directory in tests): NUMA nodes and their CPUs, hyper-thread siblings,
 * hugepages per node, network devices (netdevs and PCI network functions) with their NUMA node
 * and driver, CPU flags, kernel release and whether bpffs is mounted. The parse* functions are
 * pure; readTopology() is the only function doing I/O. Nothing here writes anything.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { basename, join } from "node:path";

export interface Hugepages {
  sizeKb: number;
  total: number;
  free: number;
}

export interface NumaNode {
  id: number;
  /** Every CPU sysfs lists for the node, online or not. */
  cpus: number[];
  hugepages: Hugepages[];
}

export interface Cpu {
  id: number;
  node: number;
  online: boolean;
  /** The CPUs sharing this CPU's physical core, itself included (just [id] when unknown). */
  siblings: number[];
}

/** Drivers that hand a PCI function to user space (DPDK). */
export const USERSPACE_DRIVERS = ["vfio-pci", "uio_pci_generic", "igb_uio"];

export interface Nic {
  /** Kernel interface name, null for a PCI function with no netdev (e.g. bound to vfio-pci). */
  name: string | null;
  /** PCI address (BDF), null for virtual interfaces. */
  pci: string | null;
  /** NUMA node; sysfs -1 ("no affinity") becomes 0, the raw value is kept in numaNodeRaw. */
  node: number;
  numaNodeRaw: number;
  /** The netdev's driver (device/driver), e.g. virtio_net, ixgbe; null when none. */
  driver: string | null;
  /** The PCI function's driver (/sys/bus/pci/devices/BDF/driver), e.g. vfio-pci, virtio-pci. */
  pciDriver: string | null;
}

export interface Topology {
  root: string;
  /** False when /sys/devices/system/node is absent (kernel without NUMA): one synthetic node 0. */
  numa: boolean;
  nodes: NumaNode[];
  cpus: Cpu[];
  online: number[];
  nics: Nic[];
  cpuFlags: string[];
  kernelRelease: string | null;
  bpffsMounted: boolean;
  /** Mount points of hugetlbfs (DPDK needs one to use hugepages). */
  hugetlbfsMounts: string[];
}

/** "0-3,8,10-11" → [0,1,2,3,8,10,11]; an empty or blank list → []. Throws on garbage. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  const t = text.trim();
  if (t === "") return out;
  for (const part of t.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) throw new Error(`bad CPU list '${t}'`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new Error(`bad CPU list '${t}'`);
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** [0,1,2,3,8,10,11] → "0-3,8,10-11" (the form taskset and DPDK's -l accept). */
export function formatCpuList(cpus: readonly number[]): string {
  const s = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && (s[j + 1] as number) === (s[j] as number) + 1) j++;
    parts.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The flags of the first processor in /proc/cpuinfo ("flags" on x86, "Features" on arm64). */
export function parseCpuinfoFlags(text: string): string[] {
  for (const line of text.split("\n")) {
    const m = /^(flags|Features)\s*:\s*(.*)$/.exec(line);
    if (m !== null) return (m[2] as string).trim().split(/\s+/).filter(Boolean);
  }
  return [];
}

/** True when /proc/mounts lists a bpf filesystem at /sys/fs/bpf. */
export function parseBpffsMounted(mounts: string): boolean {
  return mounts.split("\n").some((l) => {
    const f = l.split(/\s+/);
    return f[1] === "/sys/fs/bpf" && f[2] === "bpf";
  });
}

/** Mount points of every hugetlbfs in /proc/mounts. */
export function parseHugetlbfsMounts(mounts: string): string[] {
  return mounts
    .split("\n")
    .map((l) => l.split(/\s+/))
    .filter((f) => f[2] === "hugetlbfs" && f[1] !== undefined)
    .map((f) => f[1] as string);
}

/** "6.1.0-18-amd64" → [6, 1]; null when unparsable. */
export function parseKernelVersion(release: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(release.trim());
  return m === null ? null : [Number(m[1]), Number(m[2])];
}

/** "hugepages-2048kB" → 2048; null for other names. */
export function parseHugepageDir(name: string): number | null {
  const m = /^hugepages-(\d+)kB$/.exec(name);
  return m === null ? null : Number(m[1]);
}

/** sysfs numa_node text → [node to use, raw value]; -1 or garbage → node 0. */
export function parseNumaNode(text: string | null): [number, number] {
  const raw = text === null ? -1 : Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(raw) || raw < 0) return [0, Number.isInteger(raw) ? raw : -1];
  return [raw, raw];
}

const BDF = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i;

/** The last path component that is a PCI address (a virtio netdev sits below its PCI function). */
export function pciFromDevicePath(path: string): string | null {
  const parts = path.split("/").filter((p) => BDF.test(p));
  return parts.length === 0 ? null : (parts[parts.length - 1] as string);
}

// ---- I/O below ----

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function list(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}

function linkName(path: string): string | null {
  try {
    return basename(readlinkSync(path));
  } catch {
    return null;
  }
}

function readInt(path: string): number {
  const t = read(path);
  const n = t === null ? Number.NaN : Number.parseInt(t.trim(), 10);
  return Number.isFinite(n) ? n : 0;
}

function readHugepages(dir: string): Hugepages[] {
  const out: Hugepages[] = [];
  for (const name of list(dir)) {
    const sizeKb = parseHugepageDir(name);
    if (sizeKb === null) continue;
    out.push({
      sizeKb,
      total: readInt(join(dir, name, "nr_hugepages")),
      free: readInt(join(dir, name, "free_hugepages")),
    });
  }
  return out.sort((a, b) => a.sizeKb - b.sizeKb);
}

function readNics(root: string): Nic[] {
  const nics: Nic[] = [];
  const seen = new Set<string>();
  const pciDir = join(root, "sys/bus/pci/devices");
  const netDir = join(root, "sys/class/net");
  for (const name of list(netDir)) {
    const dev = join(netDir, name, "device");
    if (!existsSync(dev)) continue; // lo, bridges, veth, ifb: no device
    let real: string;
    try {
      real = realpathSync(dev);
    } catch {
      continue;
    }
    const pci = pciFromDevicePath(real);
    const pciPath = pci === null ? null : join(pciDir, pci);
    const numa = read(join(dev, "numa_node")) ?? (pciPath && read(join(pciPath, "numa_node")));
    const [node, raw] = parseNumaNode(numa ?? null);
    if (pci !== null) seen.add(pci);
    nics.push({
      name,
      pci,
      node,
      numaNodeRaw: raw,
      driver: linkName(join(dev, "driver")),
      pciDriver: pciPath === null ? null : linkName(join(pciPath, "driver")),
    });
  }
  // PCI network functions without a netdev: typically already bound to vfio-pci for DPDK.
  for (const bdf of list(pciDir)) {
    if (seen.has(bdf)) continue;
    const cls = read(join(pciDir, bdf, "class"));
    if (cls === null || !/^0x02/.test(cls.trim())) continue;
    const [node, raw] = parseNumaNode(read(join(pciDir, bdf, "numa_node")));
    const drv = linkName(join(pciDir, bdf, "driver"));
    nics.push({ name: null, pci: bdf, node, numaNodeRaw: raw, driver: drv, pciDriver: drv });
  }
  return nics;
}

/**
 * Reads the topology below `root` ("/" for this machine). Missing files mean "absent".
 * `cpuinfo` overrides where the CPU flags come from (default ROOT/proc/cpuinfo).
 */
export function readTopology(root = "/", opts: { cpuinfo?: string } = {}): Topology {
  const cpuDir = join(root, "sys/devices/system/cpu");
  const nodeDir = join(root, "sys/devices/system/node");
  const online = parseCpuList(read(join(cpuDir, "online")) ?? "");
  const nodeNames = list(nodeDir).filter((n) => /^node\d+$/.test(n));
  const numa = nodeNames.length > 0;
  const nodes: NumaNode[] = numa
    ? nodeNames.map((n) => ({
        id: Number(n.slice(4)),
        cpus: parseCpuList(read(join(nodeDir, n, "cpulist")) ?? ""),
        hugepages: readHugepages(join(nodeDir, n, "hugepages")),
      }))
    : [
        {
          id: 0,
          cpus: online,
          hugepages: readHugepages(join(root, "sys/kernel/mm/hugepages")),
        },
      ];
  nodes.sort((a, b) => a.id - b.id);
  const present = parseCpuList(read(join(cpuDir, "present")) ?? "");
  const ids = [...new Set([...present, ...online, ...nodes.flatMap((n) => n.cpus)])].sort(
    (a, b) => a - b,
  );
  const onlineSet = new Set(online);
  const cpus: Cpu[] = ids.map((id) => {
    const sib = read(join(cpuDir, `cpu${id}`, "topology/thread_siblings_list"));
    const siblings = sib === null ? [id] : parseCpuList(sib);
    return {
      id,
      node: nodes.find((n) => n.cpus.includes(id))?.id ?? 0,
      online: onlineSet.has(id),
      siblings: siblings.includes(id) ? siblings : [id, ...siblings].sort((a, b) => a - b),
    };
  });
  const mounts = read(join(root, "proc/mounts")) ?? "";
  return {
    root,
    numa,
    nodes,
    cpus,
    online,
    nics: readNics(root),
    cpuFlags: parseCpuinfoFlags(read(opts.cpuinfo ?? join(root, "proc/cpuinfo")) ?? ""),
    kernelRelease: read(join(root, "proc/sys/kernel/osrelease"))?.trim() ?? null,
    bpffsMounted: parseBpffsMounted(mounts),
    hugetlbfsMounts: parseHugetlbfsMounts(mounts),
  };
}
