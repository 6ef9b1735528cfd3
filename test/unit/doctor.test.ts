/** `tlsfp doctor` end to end on the fixture trees: spawns `node dist/src/cli/main.js doctor`. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const main = join(root, "dist", "src", "cli", "main.js");
const fixtures = join(root, "test", "fixtures", "sysfs");
const dir = mkdtempSync(join(tmpdir(), "tlsfp-doctor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function doctor(...args: string[]) {
  const r = spawnSync(process.execPath, [main, "doctor", ...args], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.split("\n") };
}

function config(name: string, yaml: string): string {
  const f = join(dir, name);
  writeFileSync(f, yaml);
  return f;
}

const tree = (name: string) => join(fixtures, name);

describe("tlsfp doctor", () => {
  it("2-core VM, default config: runnable, main 0, worker 1, Node on cpu 0", () => {
    const r = doctor("--sysfs", tree("vm-2core"));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        "  node 0: cpus 0-1, 2 physical core(s)",
        "  hyper-thread siblings: none",
        "  node 0: 2048kB 512 free of 512, 1048576kB 0 free of 0",
        "  SSE4.2    present  required by DPDK's x86 build (CRC32 hashing of RSS and flow tables)",
        "  AVX-512F  absent   DPDK's optional AVX-512 driver paths; tlsfp's own code does not need it",
        "  eth0       0000:00:03.0  node 0 (sysfs -1)  kernel driver virtio_net on virtio-pci",
        "  kernel 6.1.0-18-amd64, /sys/fs/bpf mounted: net_af_xdp usable",
        "  main lcore 0",
        "  workers 1",
        "  Node threads: cpus 0 (taskset -c 0)",
        "  memory: 1024 MiB of hugepages on node 0",
        "  - no spare CPU: Node's threads share cpu 0 with the main lcore",
        "  nothing",
        "Result: runnable (exit 0)",
      ]),
    );
    const eal = r.lines.find((l) => l.startsWith("  EAL: "));
    expect(eal).toContain("--no-pci");
    expect(eal).toContain("--file-prefix tlsfp-main");
  });

  it("2-socket server, capture NIC on node 1 bound to vfio-pci: everything on node 1", () => {
    const f = config("node1.yaml", "dataplane:\n  workers: 3\n  ports:\n    - pci: 0000:81:00.0\n");
    const r = doctor("--sysfs", tree("server-2socket-ht"), "--config", f, "--instance", "t");
    expect(r.code).toBe(0);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        "  hyper-thread siblings: 0,8 1,9 2,10 3,11 4,12 5,13 6,14 7,15",
        "  node 1: 2048kB 1000 free of 1024, 1048576kB 2 free of 2",
        "  -          0000:81:00.0  node 1  vfio-pci (DPDK-ready)  <- dataplane.ports[0]",
        "  ens801f1   0000:81:00.1  node 1  kernel driver ixgbe",
        "  kernel 4.18.0-513.el8.x86_64, /sys/fs/bpf not mounted: not usable (kernel 4.18 is older than 5.4, /sys/fs/bpf is not mounted)",
        "  node 1 (the NUMA node of 0000:81:00.0)",
        "  main lcore 4",
        "  workers 5-7",
        "  Node threads: cpus 0-3,8-12 (taskset -c 0-3,8-12)",
        "  mempool: 8191 mbufs on socket 1",
        "  memory: 1024 MiB of hugepages on node 1",
        "  EAL: -l 4,5,6,7 --main-lcore 4 --file-prefix tlsfp-t -a 0000:81:00.0 --socket-mem 0,1024",
        "Result: runnable (exit 0)",
      ]),
    );
  });

  it("a PCI port still on its kernel driver blocks, with the bind commands", () => {
    const f = config("kernel.yaml", "dataplane:\n  ports:\n    - pci: 0000:81:00.1\n");
    const r = doctor("--sysfs", tree("server-2socket-ht"), "--config", f);
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        "  - [blocks] dataplane.ports[0]: ens801f1 (0000:81:00.1) is bound to the kernel driver ixgbe, not to vfio-pci; DPDK cannot use it",
        "      modprobe vfio-pci",
        "      ip link set ens801f1 down",
        "      dpdk-devbind.py --bind=vfio-pci 0000:81:00.1   # the interface leaves the kernel: not your management NIC",
        "Result: blocked by 1 problem(s) (exit 1)",
      ]),
    );
  });

  it("no hugepages: runnable with --no-huge, says how to reserve them", () => {
    const r = doctor("--sysfs", tree("no-hugepages"));
    expect(r.code).toBe(0);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        "  no NUMA information in sysfs: one node assumed",
        "  node 0: cpus 0-2, 2 physical core(s)",
        "  node 0: 2048kB 0 free of 0",
        "  none with a device (only virtual interfaces)",
        "  memory: no hugepages (--no-huge -m 512)",
        "  - [advice] node 0 has 0 MiB of free hugepages, the plan needs 1024 MiB",
        "      echo 512 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages",
        "Result: runnable (exit 0)",
      ]),
    );
    expect(r.lines.filter((l) => l.includes("--no-huge -m 512)"))).toHaveLength(2);
    const eal = r.lines.find((l) => l.startsWith("  EAL: "));
    const demo = join(root, "config", "demo.pcapng");
    expect(eal?.endsWith(`--no-pci --vdev net_pcap0,rx_pcap=${demo} --no-huge -m 512`)).toBe(true);
  });

  it("hugepages required but missing: blocks", () => {
    const f = config(
      "huge.yaml",
      "dataplane:\n  hugepages:\n    enabled: true\n  ports:\n    - vdev: net_null0\n",
    );
    const r = doctor("--sysfs", tree("no-hugepages"), "--config", f);
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        "  - [blocks] node 0 has 0 MiB of free hugepages, the plan needs 1024 MiB",
        "  EAL: (none: the plan has errors)",
      ]),
    );
  });

  it("impossible lcores: blocks and names the CPU", () => {
    const f = config(
      "lcores.yaml",
      "dataplane:\n  workers: 2\n  lcores: [1, 99]\n  ports:\n    - vdev: net_null0\n",
    );
    const r = doctor("--sysfs", tree("vm-2core"), "--config", f);
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        "  - [blocks] dataplane.lcores: cpu 99 does not exist (this machine has CPUs 0-1)",
        "  EAL: (none: the plan has errors)",
        "Result: blocked by 1 problem(s) (exit 1)",
      ]),
    );
  });

  it("a CPU without SSE4.2 blocks (--cpuinfo)", () => {
    const ci = join(dir, "cpuinfo");
    writeFileSync(ci, "processor\t: 0\nflags\t\t: fpu sse sse2 ssse3\n");
    const r = doctor("--sysfs", tree("vm-2core"), "--cpuinfo", ci);
    expect(r.code).toBe(1);
    expect(r.lines).toContain(
      "  SSE4.2    absent   required by DPDK's x86 build (CRC32 hashing of RSS and flow tables)",
    );
    expect(r.lines).toContain(
      "  - [blocks] the CPU has no SSE4.2, which DPDK's x86 build requires",
    );
  });

  it("--json", () => {
    const f = config("node1.yaml", "dataplane:\n  workers: 2\n  ports:\n    - pci: 0000:81:00.0\n");
    const r = doctor("--sysfs", tree("server-2socket-ht"), "--config", f, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.runnable).toBe(true);
    expect(j.plan.node).toBe(1);
    expect(j.plan.workers).toEqual([5, 6]);
    expect(j.plan.nodeCpusForControlPlane).toEqual([0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 15]);
    expect(
      j.cpuFeatures.map((x: { flag: string; present: boolean }) => [x.flag, x.present]),
    ).toEqual([
      ["sse4_2", true],
      ["avx2", true],
      ["avx512f", true],
      ["sha_ni", false],
    ]);
    expect(j.eal).toContain("--socket-mem");
  });

  it("an invalid config: exit 1, the problems on stderr", () => {
    const f = config("bad.yaml", "dataplane:\n  workers: 0\n  wokers: 1\n");
    const r = doctor("--sysfs", tree("vm-2core"), "--config", f);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `tlsfp doctor: ${f}: invalid configuration\n` +
        "  dataplane.wokers: unknown setting (did you mean dataplane.workers?)\n" +
        "  dataplane.workers: 0 is not allowed (an integer ≥ 1)\n",
    );
  });

  it("usage errors exit 2", () => {
    expect(doctor("--bogus").code).toBe(2);
    expect(doctor("extra").code).toBe(2);
    const r = doctor("--sysfs", join(dir, "nothing-here"));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `tlsfp doctor: ${join(dir, "nothing-here")}: no sys/ directory below it\n`,
    );
    expect(doctor("--help").code).toBe(0);
  });
});
