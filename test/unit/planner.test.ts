/** The lcore/NUMA planner on the fixture topologies (pure: config + topology in, plan out). */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFromValue } from "../../src/config/load.js";
import { plan } from "../../src/topology/planner.js";
import { readTopology } from "../../src/topology/sysfs.js";

const fixtures = join(import.meta.dirname, "..", "fixtures", "sysfs");
const vm = readTopology(join(fixtures, "vm-2core"));
const server = readTopology(join(fixtures, "server-2socket-ht"));
const noHuge = readTopology(join(fixtures, "no-hugepages"));

/** A config from a partial `dataplane` section. */
function cfg(dataplane: Record<string, unknown> = {}) {
  return configFromValue({ dataplane }, "/cfg", "test");
}
const NIC1 = [{ pci: "0000:81:00.0" }];

describe("2-core VM", () => {
  it("main 0, worker 1, Node on cpu 0 with a warning, hugepages on node 0", () => {
    const p = plan(cfg(), vm);
    expect(p).toMatchObject({
      node: 0,
      nic: null,
      mainLcore: 0,
      workers: [1],
      nodeCpusForControlPlane: [0],
      hugepages: { node: 0, pages: 512, memMb: 1024, freeMb: 1024, use: true },
      mempool: { socket: 0, mbufs: 8191 },
      errors: [],
    });
    expect(p.warnings).toEqual(["no spare CPU: Node's threads share cpu 0 with the main lcore"]);
  });

  it("two workers do not fit", () => {
    const p = plan(cfg({ workers: 2 }), vm);
    expect(p.errors).toEqual([
      "dataplane.workers: 2 workers need 2 physical cores on node 0 apart from the main lcore 0; node 0 has 2 core(s) (CPUs 0-1), room for 1 worker(s): lower dataplane.workers to 1",
    ]);
  });

  it("impossible explicit lcores: a CPU that does not exist", () => {
    const p = plan(cfg({ workers: 2, lcores: [1, 99] }), vm);
    expect(p.errors).toEqual([
      "dataplane.lcores: cpu 99 does not exist (this machine has CPUs 0-1)",
    ]);
    expect(p.workers).toEqual([1]);
  });

  it("explicit main lcore that does not exist", () => {
    const p = plan(cfg({ mainLcore: 7 }), vm);
    expect(p.errors).toEqual([
      "dataplane.mainLcore: cpu 7 does not exist (this machine has CPUs 0-1)",
    ]);
    expect(p.mainLcore).toBe(-1);
  });

  it("--nic eth0 (numa_node -1 on a one-node machine: no warning)", () => {
    const p = plan(cfg(), vm, { nic: "eth0" });
    expect(p.nic?.name).toBe("eth0");
    expect(p.node).toBe(0);
    expect(p.warnings).toEqual(["no spare CPU: Node's threads share cpu 0 with the main lcore"]);
    expect(plan(cfg(), vm, { nic: "eth9" }).errors).toEqual([
      "NIC 'eth9' not found (NICs here: eth0 (0000:00:03.0))",
    ]);
  });
});

describe("2-socket server with hyper-threads, capture NIC on node 1", () => {
  it("workers on node 1, one per physical core, Node off workers and their siblings", () => {
    const p = plan(cfg({ workers: 3, ports: NIC1 }), server);
    expect(p).toMatchObject({
      node: 1,
      nic: { pci: "0000:81:00.0", node: 1 },
      mainLcore: 4,
      workers: [5, 6, 7],
      nodeCpusForControlPlane: [0, 1, 2, 3, 8, 9, 10, 11, 12],
      hugepages: { node: 1, memMb: 1024, freeMb: 4048, use: true },
      mempool: { socket: 1, mbufs: 8191 },
      warnings: [],
      errors: [],
    });
  });

  it("the same via --nic, by name or BDF", () => {
    expect(plan(cfg({ workers: 2 }), server, { nic: "ens801f1" }).workers).toEqual([5, 6]);
    expect(plan(cfg({ workers: 2 }), server, { nic: "0000:81:00.0" }).node).toBe(1);
    expect(plan(cfg({ workers: 2 }), server, { nic: "eno1" }).workers).toEqual([1, 2]);
  });

  it("no two workers on siblings: the 4th worker takes the main lcore's sibling, with a warning", () => {
    const p = plan(cfg({ workers: 4, ports: NIC1 }), server);
    expect(p.workers).toEqual([5, 6, 7, 12]);
    expect(p.errors).toEqual([]);
    expect(p.warnings).toEqual([
      "worker lcore 12 shares a physical core with the main lcore 4: node 1 has no other free core",
    ]);
    expect(plan(cfg({ workers: 5, ports: NIC1 }), server).errors).toEqual([
      "dataplane.workers: 5 workers need 5 physical cores on node 1 apart from the main lcore 4; node 1 has 4 core(s) (CPUs 4-7,12-15), room for 4 worker(s): lower dataplane.workers to 4",
    ]);
  });

  it("explicit lcores on siblings and on the other node: warnings, main picked clear of them", () => {
    const p = plan(cfg({ workers: 3, lcores: [5, 13, 0], ports: NIC1 }), server);
    expect(p.errors).toEqual([]);
    expect(p.workers).toEqual([5, 13, 0]);
    expect(p.mainLcore).toBe(4);
    expect(p.warnings).toEqual([
      "dataplane.lcores: cpu 0 is on node 0 but the NIC 0000:81:00.0 is on node 1; every packet crosses the socket interconnect",
      "dataplane.lcores: cpus 5 and 13 are hyper-thread siblings (one physical core); two workers there share one core's execution units",
    ]);
  });

  it("explicit main lcore on a worker's sibling: warning", () => {
    const p = plan(cfg({ workers: 1, lcores: [6], mainLcore: 14, ports: NIC1 }), server);
    expect(p.errors).toEqual([]);
    expect(p.warnings).toEqual([
      "worker lcore 6 shares a physical core with the main lcore 14 (hyper-thread siblings)",
    ]);
  });

  it("a PCI port that is not on this machine", () => {
    const p = plan(cfg({ ports: [{ pci: "0000:99:00.0" }] }), server);
    expect(p.errors).toEqual([
      "dataplane.ports[0].pci: no PCI network device 0000:99:00.0 on this machine (NICs here: eno1 (0000:02:00.0), ens801f1 (0000:81:00.1), 0000:81:00.0)",
    ]);
  });

  it("not enough hugepages with enabled: true is an error", () => {
    const p = plan(cfg({ ports: NIC1, hugepages: { enabled: true, pagesPerNode: 4096 } }), server);
    expect(p.errors).toEqual([
      "dataplane.hugepages.enabled is true but node 1 has 4048 MiB of free hugepages, the data plane needs 8192 MiB (dataplane.hugepages.pagesPerNode = 4096 × 2 MiB)",
    ]);
  });
});

describe("machine without hugepages (and without NUMA in sysfs)", () => {
  it("falls back to --no-huge with a warning; workers avoid the main lcore's core", () => {
    const p = plan(cfg(), noHuge);
    expect(p).toMatchObject({
      node: 0,
      mainLcore: 0,
      workers: [1],
      nodeCpusForControlPlane: [2],
      hugepages: { node: 0, freeMb: 0, use: false },
      errors: [],
    });
    expect(p.warnings).toEqual([
      "node 0 has 0 MiB of free hugepages, the data plane needs 1024 MiB (dataplane.hugepages.pagesPerNode = 512 × 2 MiB): running without hugepages (--no-huge -m 512), slower and not NUMA-placed",
    ]);
  });

  it("hugepages disabled: no warning from the planner", () => {
    const p = plan(cfg({ hugepages: { enabled: false } }), noHuge);
    expect(p.hugepages.use).toBe(false);
    expect(p.warnings).toEqual([]);
  });

  it("an offline CPU is an error", () => {
    expect(plan(cfg({ lcores: [3] }), noHuge).errors).toEqual([
      "dataplane.lcores: cpu 3 is offline (online CPUs: 0-2)",
    ]);
  });

  it("a mempool too big for --no-huge is an error", () => {
    expect(plan(cfg({ mempoolMbufs: 262143 }), noHuge).errors).toEqual([
      "dataplane.mempoolMbufs: 262143 mbufs need about 640 MiB, more than the 512 MiB the data plane gets without hugepages",
    ]);
  });
});
