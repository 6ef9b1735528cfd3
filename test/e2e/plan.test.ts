/**
 * The pure parts of `tlsfp run` and the supervisor, checked without DPDK (so
 * these run as any user): data plane argv, hugepage decisions, setting
 * checks, region file matching.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lcorePlacement, parseRunArgs, planRun } from "../../src/cli/run.js";
import { UsageError } from "../../src/cli/usage.js";
import { configFromValue, loadConfig } from "../../src/config/load.js";
import { decideHugepages, pagesWanted } from "../../src/dataplane/hugepages.js";
import { dataplaneArgs, filePrefix } from "../../src/dataplane/process.js";
import { findRegion, hugetlbfsMounts, leftovers } from "../../src/dataplane/region.js";
import { parseVdev, vdevProblem, workersProblem } from "../../src/dataplane/validate.js";
import { readTopology } from "../../src/topology/sysfs.js";

const base = { instance: "t1", workers: 1, vdevs: ["net_null0"], pcis: [], noHuge: false };

describe("dataplaneArgs", () => {
  it("names no PCI device unless one is given (the data plane then passes --no-pci)", () => {
    const a = dataplaneArgs(base);
    expect(a).toEqual(["--instance", "t1", "--workers", "1", "--vdev", "net_null0"]);
    expect(a.some((x) => x.includes("pci") || x === "-a" || x.startsWith("--allow"))).toBe(false);
    expect(dataplaneArgs({ ...base, pcis: ["0000:03:00.0"] })).toContain("0000:03:00.0");
  });

  it("passes every tunable and refuses an instance name the prefix cannot carry", () => {
    const a = dataplaneArgs({
      ...base,
      noHuge: true,
      cpus: [0, 1],
      ringSlots: 64,
      maxFlows: 10,
      idleBackoff: false,
    });
    expect(a.join(" ")).toBe(
      "--instance t1 --workers 1 --vdev net_null0 --no-huge --cpus 0,1 --ring-slots 64 --max-flows 10 --idle-backoff off",
    );
    expect(() => dataplaneArgs({ ...base, instance: "a-b" })).toThrow(RangeError);
    expect(filePrefix("t1", 42)).toBe("tlsfp-t1-42");
  });
});

describe("decideHugepages", () => {
  const s = { isRoot: false, total: 0, free: 0, mounts: [] as string[] };
  it("uses free mounted pages, reserves as root, falls back (or refuses) otherwise", () => {
    expect(decideHugepages({ ...s, free: 500, mounts: ["/dev/hugepages"] }, 100, "auto")).toEqual({
      action: "use",
    });
    expect(decideHugepages({ ...s, isRoot: true, free: 10 }, 100, "auto")).toEqual({
      action: "reserve",
      pages: 90,
      mount: true,
    });
    const fb = decideHugepages(s, 100, "auto");
    expect(fb.action).toBe("no-huge");
    expect(fb.action === "no-huge" && fb.warning).toMatch(/needs root: running with --no-huge/);
    const err = decideHugepages(s, 100, "require");
    expect(err.action === "error" && err.message).toMatch(
      /^--huge: 0 free 2 MB hugepages, 100 wanted/,
    );
    expect(decideHugepages({ ...s, isRoot: true }, 100, "off")).toEqual({ action: "no-huge" });
    // 1 worker, 1 port: 128 MB + a 4095-mbuf pool (10 MB) + 160 MB.
    expect(pagesWanted(1)).toBe(149);
    // 3 non-RSS ports, 2 workers: the pool needs 65535 mbufs (160 MB) — the
    // case that once failed with "mbuf pool ... Cannot allocate memory".
    expect(pagesWanted(2, 3)).toBe(Math.ceil((128 + (65536 * 2.5) / 1024 + 320) / 2));
    expect(pagesWanted(2, 3)).toBeGreaterThan(pagesWanted(2, 1));
  });
});

describe("setting checks", () => {
  it("vdevs", () => {
    expect(parseVdev("net_pcap0,rx_pcap=/x,infinite_rx=1")).toEqual({
      name: "net_pcap0",
      driver: "net_pcap",
      args: new Map([
        ["rx_pcap", "/x"],
        ["infinite_rx", "1"],
      ]),
    });
    expect(vdevProblem("net_bogus0")).toMatch(/^unknown driver 'net_bogus'/);
    expect(vdevProblem("net_pcap,rx_pcap=/x")).toMatch(/needs an instance number/);
    expect(vdevProblem("net_pcap0,rx_pcap=/nonexistent")).toBe(
      "rx_pcap=/nonexistent: no such file",
    );
    expect(vdevProblem("net_af_packet0")).toBe("net_af_packet needs iface=IFACE");
    expect(vdevProblem("net_af_packet0,iface=lo")).toBeUndefined();
    expect(vdevProblem("net_pcap0,rx_pcap=/x", { pmdInstalled: () => false })).toMatch(
      /not installed/,
    );
  });

  it("workers", () => {
    expect(workersProblem(3, 2)).toBe("3 workers, but this machine has 2 online CPUs for them");
    expect(workersProblem(2, 2)).toBeUndefined();
  });

  it("flags over config, each problem naming its setting", () => {
    const config = loadConfig();
    const p = planRun(
      parseRunArgs(["--workers", "4096", "--vdev", "net_x0", "--no-huge"]),
      config,
      7,
    );
    expect(p.problems).toEqual([
      expect.stringMatching(/^--vdev net_x0: unknown driver 'net_x'/),
      expect.stringMatching(/^--workers: 4096 workers, but this machine has \d+ online CPUs/),
    ]);
    expect(p.spec.instance).toBe("run7");
    expect(p.hugepages).toBe("off");
    expect(p.eve).toBe("-");
    const q = planRun(parseRunArgs(["--eve", "/tmp/x", "--huge"]), config);
    expect(q.spec.vdevs).toEqual(config.dataplane.ports.map((x) => x.vdev));
    expect(q.spec.pcis).toEqual([]);
    expect(q.hugepages).toBe("require");
    expect(q.eve).toBe("/tmp/x");
    expect(() => parseRunArgs(["--duration", "0"])).toThrow(UsageError);
    expect(() => parseRunArgs(["--huge", "--no-huge"])).toThrow(/contradict/);
    expect(() => parseRunArgs(["--api", "nope"])).toThrow(/HOST:PORT/);
  });
});

describe("region files", () => {
  it("hugetlbfs mounts come from /proc/mounts", () => {
    const m = "none / overlay rw 0 0\nnodev /dev/hugepages hugetlbfs rw,pagesize=2M 0 0\n";
    expect(hugetlbfsMounts(m)).toEqual(["/dev/hugepages"]);
  });

  it("a prefix matches its own files only", () => {
    const d = mkdtempSync(join(tmpdir(), "tlsfp-region-"));
    try {
      for (const f of ["tlsfp-a-12.shm", "tlsfp-a-123.shm", "tlsfp-a-12map_0", "tlsfp-b-12.shm"]) {
        writeFileSync(join(d, f), "");
      }
      mkdirSync(join(d, "other"));
      expect(findRegion("tlsfp-a-12", [d])).toBe(join(d, "tlsfp-a-12.shm"));
      expect(leftovers("tlsfp-a-12", [d]).sort()).toEqual(
        [join(d, "tlsfp-a-12.shm"), join(d, "tlsfp-a-12map_0")].sort(),
      );
      expect(findRegion("tlsfp-c-1", [d])).toBeUndefined();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe("lcorePlacement", () => {
  const sysfs = join(import.meta.dirname, "..", "fixtures", "sysfs");
  const server = readTopology(join(sysfs, "server-2socket-ht"));
  const vm = readTopology(join(sysfs, "vm-2core"));
  const place = (dataplane: Record<string, unknown>, topo = server) => {
    const config = configFromValue({ dataplane }, "/cfg", "test");
    // (its problems are this machine's, e.g. too few CPUs for 3 workers: not checked here)
    const plan = planRun(parseRunArgs(["--vdev", "net_null0"]), config);
    return lcorePlacement(plan, config, topo);
  };

  it("planned lcores: the planner's, Node's threads off them", () => {
    expect(place({ workers: 1 }, vm)).toEqual({
      cpus: [0, 1],
      nodeCpus: [0],
      notes: ["planner: no spare CPU: Node's threads share cpu 0 with the main lcore"],
      warnings: [],
      errors: [],
    });
  });

  it("explicit lcores are kept and checked; the main lcore and Node go clear of them", () => {
    const p = place({ workers: 3, lcores: [5, 13, 0], ports: [{ pci: "0000:81:00.0" }] });
    expect(p.errors).toEqual([]);
    expect(p.cpus).toEqual([4, 5, 13, 0]);
    expect(p.warnings).toEqual([
      "planner: dataplane.lcores: cpu 0 is on node 0 but the NIC 0000:81:00.0 is on node 1; every packet crosses the socket interconnect",
      "planner: dataplane.lcores: cpus 5 and 13 are hyper-thread siblings (one physical core); two workers there share one core's execution units",
    ]);
    // Node never on a worker, nor on a worker's hyper-thread sibling
    expect(p.nodeCpus?.length).toBeGreaterThan(0);
    for (const c of [5, 13, 0, 8]) expect(p.nodeCpus).not.toContain(c);
  });

  it("explicit lcores that cannot run are bad settings", () => {
    expect(place({ workers: 2, lcores: [1, 99] }, vm).errors).toEqual([
      "dataplane.lcores: cpu 99 does not exist (this machine has CPUs 0-1)",
    ]);
  });
});
