/**
 * `tlsfp doctor`: can this machine run the data plane with this config, and if not, what to do.
 * Reads the config, the sysfs/procfs topology and the plan; prints the topology, hugepages,
 * CPU features, NIC bindings, AF_XDP support, the plan with its EAL arguments, and a "to fix"
 * list with concrete commands. It only reads: it never changes the system.
 * Exit status: 0 runnable, 1 something blocks running (or the config is invalid), 2 usage.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { ealArgs } from "../topology/eal.js";
import { type Plan, plan } from "../topology/planner.js";
import {
  formatCpuList,
  type Nic,
  parseKernelVersion,
  readTopology,
  type Topology,
  USERSPACE_DRIVERS,
} from "../topology/sysfs.js";

export const DOCTOR_USAGE = `Usage: tlsfp doctor [options]

Checks whether this machine can run the data plane with the given config: prints the
NUMA topology, hugepages per node, CPU features, NIC driver bindings, AF_XDP support, the
lcore/memory plan with its DPDK EAL arguments, and what to fix. Changes nothing.

Options:
  --config FILE     the configuration file (default: built-in defaults = config/default.yaml)
  --sysfs ROOT      read sys/ and proc/ below ROOT instead of / (for tests and other hosts)
  --cpuinfo FILE    read CPU flags from FILE (default ROOT/proc/cpuinfo)
  --nic NAME|BDF    plan for this NIC (default: the first PCI port of the config)
  --instance NAME   instance name for --file-prefix tlsfp-NAME (default "main")
  --json            one JSON object instead of text
  -h, --help        show this help

Exit status: 0 runnable, 1 something blocks running, 2 usage error.`;

/** A CPU flag the data plane cares about and what uses it. */
export const CPU_FEATURES: { flag: string; name: string; use: string; required: boolean }[] = [
  {
    flag: "sse4_2",
    name: "SSE4.2",
    use: "required by DPDK's x86 build (CRC32 hashing of RSS and flow tables)",
    required: true,
  },
  {
    flag: "avx2",
    name: "AVX2",
    use: "SNI/ALPN pattern matching fast path (scalar fallback without it)",
    required: false,
  },
  {
    flag: "avx512f",
    name: "AVX-512F",
    use: "DPDK's optional AVX-512 driver paths; tlsfp's own code does not need it",
    required: false,
  },
  {
    flag: "sha_ni",
    name: "SHA-NI",
    use: "SHA-256 of JA4's cipher/extension hashes (OpenSSL uses it when present)",
    required: false,
  },
];

export interface Fix {
  problem: string;
  /** Shell commands or instructions, in order. */
  commands: string[];
  /** True when the data plane cannot start until this is fixed. */
  blocking: boolean;
}

export interface DoctorReport {
  config: string;
  topology: Topology;
  cpuFeatures: { flag: string; name: string; present: boolean | null; use: string }[];
  nics: (Nic & { binding: "dpdk" | "kernel" | "none"; port: number | null })[];
  afXdp: { supported: boolean; kernel: string | null; bpffs: boolean; reasons: string[] };
  plan: Plan;
  eal: string[] | null;
  warnings: string[];
  fixes: Fix[];
  runnable: boolean;
}

/** Drivers with which DPDK drives the NIC without unbinding it from the kernel. */
const BIFURCATED = ["mlx5_core", "mlx4_core"];

function binding(n: Nic): "dpdk" | "kernel" | "none" {
  const d = n.pciDriver ?? n.driver;
  if (d === null) return "none";
  return USERSPACE_DRIVERS.includes(d) ? "dpdk" : "kernel";
}

function hugepageSysfsPath(topo: Topology, node: number): string {
  return topo.numa
    ? `/sys/devices/system/node/node${node}/hugepages/hugepages-2048kB/nr_hugepages`
    : "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages";
}

/** Everything doctor knows, as data (pure given its arguments and the file checks below). */
export function diagnose(
  config: Config,
  configSource: string,
  topo: Topology,
  opts: { nic?: string; instance: string },
): DoctorReport {
  const fixes: Fix[] = [];
  const p = plan(config, topo, opts.nic === undefined ? {} : { nic: opts.nic });
  const warnings = [...p.warnings];

  // CPU features: unknown when cpuinfo gave no flags (not x86, or not readable).
  const flags = new Set(topo.cpuFlags);
  const x86 = flags.has("sse2");
  const cpuFeatures = CPU_FEATURES.map((f) => ({
    flag: f.flag,
    name: f.name,
    present: x86 ? flags.has(f.flag) : null,
    use: f.use,
  }));
  if (x86 && !flags.has("sse4_2")) {
    fixes.push({
      problem: "the CPU has no SSE4.2, which DPDK's x86 build requires",
      commands: [
        "run on a CPU with SSE4.2 (any x86-64 since 2008), or in a VM expose it (e.g. QEMU -cpu host)",
      ],
      blocking: true,
    });
  }

  // NIC bindings, and whether each configured PCI port is usable by DPDK.
  const portOf = (n: Nic) => {
    const i = config.dataplane.ports.findIndex(
      (pt) => pt.pci !== undefined && pt.pci.toLowerCase() === n.pci?.toLowerCase(),
    );
    return i < 0 ? null : i;
  };
  const nics = topo.nics.map((n) => ({ ...n, binding: binding(n), port: portOf(n) }));
  for (const n of nics) {
    if (n.port === null || n.binding === "dpdk") continue;
    const drv = n.pciDriver ?? n.driver;
    if (drv !== null && BIFURCATED.includes(drv)) continue;
    const who = n.name === null ? n.pci : `${n.name} (${n.pci})`;
    fixes.push({
      problem: `dataplane.ports[${n.port}]: ${who} is bound to ${drv === null ? "no driver" : `the kernel driver ${drv}`}, not to vfio-pci; DPDK cannot use it`,
      commands: [
        "modprobe vfio-pci",
        ...(n.name === null ? [] : [`ip link set ${n.name} down`]),
        `dpdk-devbind.py --bind=vfio-pci ${n.pci}   # the interface leaves the kernel: not your management NIC`,
      ],
      blocking: true,
    });
  }

  // AF_XDP: kernel ≥ 5.4 (need_wakeup, shared umem). bpffs is not required: without it
  // libxdp loads its redirect program alone, without the multi-program dispatcher
  // (checked on a 6.18 kernel with Debian's DPDK 22.11, test/e2e/sources.test.ts).
  const kv = topo.kernelRelease === null ? null : parseKernelVersion(topo.kernelRelease);
  const blockers: string[] = [];
  if (kv === null) blockers.push("kernel version unknown");
  else if (kv[0] < 5 || (kv[0] === 5 && kv[1] < 4)) {
    blockers.push(`kernel ${kv[0]}.${kv[1]} is older than 5.4`);
  }
  const reasons = topo.bpffsMounted ? blockers : [...blockers, "/sys/fs/bpf is not mounted"];
  const afXdp = {
    supported: blockers.length === 0,
    kernel: topo.kernelRelease,
    bpffs: topo.bpffsMounted,
    reasons,
  };
  const usesAfXdp = config.dataplane.ports.some((pt) => pt.vdev?.startsWith("net_af_xdp"));
  if (!topo.bpffsMounted && (kv === null || kv[0] > 5 || (kv[0] === 5 && kv[1] >= 4))) {
    fixes.push({
      problem:
        "/sys/fs/bpf is not mounted: net_af_xdp still works, but libxdp cannot use its dispatcher, so no other XDP program can share the interface",
      commands: ["mount -t bpf bpf /sys/fs/bpf"],
      blocking: false,
    });
  }
  if (usesAfXdp && !afXdp.supported) {
    fixes.push({
      problem: `a net_af_xdp port is configured but AF_XDP is not usable: ${blockers.join(", ")}`,
      commands: ["use a kernel ≥ 5.4, or a net_af_packet port instead"],
      blocking: true,
    });
  }

  // Capture files of pcap vdevs must exist.
  config.dataplane.ports.forEach((pt, i) => {
    const file = /(?:^|,)rx_pcap=([^,]+)/.exec(pt.vdev ?? "")?.[1];
    if (file !== undefined && !existsSync(file)) {
      fixes.push({
        problem: `dataplane.ports[${i}].vdev: the capture ${file} does not exist`,
        commands: ["point rx_pcap= at an existing pcap/pcapng file"],
        blocking: true,
      });
    }
  });

  // Hugepages: plan chose --no-huge (auto) or cannot run (true); say how to reserve them.
  const hp = p.hugepages;
  if (!hp.use && config.dataplane.hugepages.enabled !== false) {
    const cur = topo.nodes.find((n) => n.id === hp.node)?.hugepages.find((h) => h.sizeKb === 2048);
    const missing = Math.ceil((hp.memMb - hp.freeMb) / 2);
    const target = (cur?.total ?? 0) + Math.max(missing, 0);
    fixes.push({
      problem: `node ${hp.node} has ${hp.freeMb} MiB of free hugepages, the plan needs ${hp.memMb} MiB`,
      commands: [
        `echo ${target} > ${hugepageSysfsPath(topo, hp.node)}`,
        ...(topo.hugetlbfsMounts.length === 0
          ? ["mkdir -p /dev/hugepages", "mount -t hugetlbfs nodev /dev/hugepages"]
          : []),
      ],
      blocking: config.dataplane.hugepages.enabled === true,
    });
  } else if (hp.use && topo.hugetlbfsMounts.length === 0) {
    fixes.push({
      problem: "hugepages are reserved but no hugetlbfs is mounted",
      commands: ["mkdir -p /dev/hugepages", "mount -t hugetlbfs nodev /dev/hugepages"],
      blocking: true,
    });
  }

  for (const e of p.errors) fixes.push({ problem: e, commands: [], blocking: true });

  let eal: string[] | null = null;
  if (p.errors.length === 0) {
    const r = ealArgs(config, p, opts.instance);
    eal = r.args;
    // The planner already explained an automatic fallback to --no-huge; say it once.
    if (!p.warnings.some((w) => w.includes("--no-huge"))) warnings.push(...r.warnings);
  }
  return {
    config: configSource,
    topology: topo,
    cpuFeatures,
    nics,
    afXdp,
    plan: p,
    eal,
    warnings,
    fixes,
    runnable: !fixes.some((f) => f.blocking),
  };
}

/** The human-readable report, one line per fact. */
export function formatReport(r: DoctorReport): string {
  const t = r.topology;
  const out: string[] = [];
  const line = (s = "") => out.push(s);
  line(`tlsfp doctor: config ${r.config}, system root ${t.root}`);
  line();
  line("Topology");
  if (!t.numa) line("  no NUMA information in sysfs: one node assumed");
  for (const n of t.nodes) {
    const on = n.cpus.filter((c) => t.online.includes(c));
    const cores = new Set(
      t.cpus.filter((c) => on.includes(c.id)).map((c) => formatCpuList(c.siblings)),
    );
    const off = n.cpus.filter((c) => !t.online.includes(c));
    line(
      `  node ${n.id}: cpus ${formatCpuList(n.cpus) || "none"}, ${cores.size} physical core(s)` +
        (off.length > 0 ? `, offline ${formatCpuList(off)}` : ""),
    );
  }
  const pairs = [
    ...new Set(t.cpus.filter((c) => c.siblings.length > 1).map((c) => formatCpuList(c.siblings))),
  ];
  line(`  hyper-thread siblings: ${pairs.length === 0 ? "none" : pairs.join(" ")}`);
  line();
  line("Hugepages");
  for (const n of t.nodes) {
    const hs = n.hugepages.map((h) => `${h.sizeKb}kB ${h.free} free of ${h.total}`);
    line(`  node ${n.id}: ${hs.length === 0 ? "none" : hs.join(", ")}`);
  }
  line(
    `  hugetlbfs: ${t.hugetlbfsMounts.length === 0 ? "not mounted" : t.hugetlbfsMounts.join(" ")}`,
  );
  line();
  line("CPU features");
  for (const f of r.cpuFeatures) {
    const state = f.present === null ? "unknown" : f.present ? "present" : "absent";
    line(`  ${f.name.padEnd(9)} ${state.padEnd(8)} ${f.use}`);
  }
  line();
  line("NICs");
  if (r.nics.length === 0) line("  none with a device (only virtual interfaces)");
  for (const n of r.nics) {
    const bind =
      n.binding === "dpdk"
        ? `${n.pciDriver} (DPDK-ready)`
        : n.binding === "kernel"
          ? `kernel driver ${n.driver ?? n.pciDriver}${n.pciDriver !== null && n.pciDriver !== n.driver ? ` on ${n.pciDriver}` : ""}`
          : "no driver";
    const numa = n.numaNodeRaw < 0 ? `node ${n.node} (sysfs ${n.numaNodeRaw})` : `node ${n.node}`;
    const port = n.port === null ? "" : `  <- dataplane.ports[${n.port}]`;
    line(`  ${(n.name ?? "-").padEnd(10)} ${(n.pci ?? "-").padEnd(12)}  ${numa}  ${bind}${port}`);
  }
  line();
  line("AF_XDP");
  line(
    `  kernel ${r.afXdp.kernel ?? "unknown"}, /sys/fs/bpf ${r.afXdp.bpffs ? "mounted" : "not mounted"}: ` +
      (r.afXdp.supported
        ? r.afXdp.bpffs
          ? "net_af_xdp usable"
          : "net_af_xdp usable (libxdp without its dispatcher: one XDP program per interface)"
        : `not usable (${r.afXdp.reasons.join(", ")})`),
  );
  line();
  const p = r.plan;
  line("Plan");
  const why =
    p.nic === null
      ? "no PCI port: the first node with CPUs"
      : `the NUMA node of ${p.nic.name ?? p.nic.pci}${p.nic.name !== null && p.nic.pci !== null ? ` (${p.nic.pci})` : ""}`;
  line(`  node ${p.node} (${why})`);
  line(`  main lcore ${p.mainLcore < 0 ? "none" : p.mainLcore}`);
  line(`  workers ${formatCpuList(p.workers) || "none"}`);
  const cp = formatCpuList(p.nodeCpusForControlPlane);
  line(`  Node threads: cpus ${cp || "none"}${cp ? ` (taskset -c ${cp})` : ""}`);
  line(`  mempool: ${p.mempool.mbufs} mbufs on socket ${p.mempool.socket}`);
  line(
    p.hugepages.use
      ? `  memory: ${p.hugepages.memMb} MiB of hugepages on node ${p.hugepages.node}`
      : "  memory: no hugepages (--no-huge -m 512)",
  );
  line(`  EAL: ${r.eal === null ? "(none: the plan has errors)" : r.eal.join(" ")}`);
  if (r.warnings.length > 0) {
    line();
    line("Warnings");
    for (const w of r.warnings) line(`  - ${w}`);
  }
  line();
  line("To fix");
  if (r.fixes.length === 0) line("  nothing");
  for (const f of r.fixes) {
    line(`  - [${f.blocking ? "blocks" : "advice"}] ${f.problem}`);
    for (const c of f.commands) line(`      ${c}`);
  }
  line();
  const blocking = r.fixes.filter((f) => f.blocking).length;
  line(
    r.runnable ? "Result: runnable (exit 0)" : `Result: blocked by ${blocking} problem(s) (exit 1)`,
  );
  return `${out.join("\n")}\n`;
}

/** `tlsfp doctor`; resolves to the exit status. */
export async function runDoctor(argv: string[]): Promise<number> {
  let values: {
    config?: string;
    sysfs?: string;
    cpuinfo?: string;
    nic?: string;
    instance?: string;
    json?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string" },
        sysfs: { type: "string" },
        cpuinfo: { type: "string" },
        nic: { type: "string" },
        instance: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    process.stderr.write(`tlsfp doctor: ${(e as Error).message}\n${DOCTOR_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  const instance = values.instance ?? "main";
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(instance)) {
    process.stderr.write(
      `tlsfp doctor: --instance '${instance}' is not allowed (1-32 of A-Z a-z 0-9 _ -)\n`,
    );
    return 2;
  }
  const root = values.sysfs ?? "/";
  if (!existsSync(join(root, "sys"))) {
    process.stderr.write(`tlsfp doctor: ${root}: no sys/ directory below it\n`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(values.config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`tlsfp doctor: ${e.message}\n`);
    return 1;
  }
  const topo = readTopology(root, values.cpuinfo === undefined ? {} : { cpuinfo: values.cpuinfo });
  const report = diagnose(config, values.config ?? "built-in defaults", topo, {
    instance,
    ...(values.nic === undefined ? {} : { nic: values.nic }),
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.runnable ? 0 : 1;
}
