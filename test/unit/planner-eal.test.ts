/** Plan → EAL arguments: --no-pci unless PCI ports, -a per BDF, file prefix, memory on the node. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFromValue } from "../../src/config/load.js";
import { ealArgs } from "../../src/topology/eal.js";
import { plan } from "../../src/topology/planner.js";
import { readTopology } from "../../src/topology/sysfs.js";

const fixtures = join(import.meta.dirname, "..", "fixtures", "sysfs");
const vm = readTopology(join(fixtures, "vm-2core"));
const server = readTopology(join(fixtures, "server-2socket-ht"));
const noHuge = readTopology(join(fixtures, "no-hugepages"));

function cfg(dataplane: Record<string, unknown> = {}) {
  return configFromValue({ dataplane }, "/cfg", "test");
}

describe("ealArgs", () => {
  it("vdev only: --no-pci, file prefix, lcores, socket-mem on node 0", () => {
    const c = cfg({ ports: [{ vdev: "net_pcap0,rx_pcap=demo.pcapng" }] });
    expect(ealArgs(c, plan(c, vm), "t1")).toEqual({
      args: [
        "-l",
        "0,1",
        "--main-lcore",
        "0",
        "--file-prefix",
        "tlsfp-t1",
        "--no-pci",
        "--vdev",
        "net_pcap0,rx_pcap=/cfg/demo.pcapng",
        "--socket-mem",
        "1024",
      ],
      warnings: [],
    });
  });

  it("PCI ports: -a for each and no --no-pci; memory only on node 1", () => {
    const c = cfg({
      workers: 2,
      ports: [{ pci: "0000:81:00.0" }, { pci: "0000:81:00.1" }, { vdev: "net_null0" }],
    });
    const { args, warnings } = ealArgs(c, plan(c, server), "prod");
    expect(args).toEqual([
      "-l",
      "4,5,6",
      "--main-lcore",
      "4",
      "--file-prefix",
      "tlsfp-prod",
      "-a",
      "0000:81:00.0",
      "-a",
      "0000:81:00.1",
      "--vdev",
      "net_null0",
      "--socket-mem",
      "0,1024",
    ]);
    expect(args).not.toContain("--no-pci");
    expect(warnings).toEqual([]);
  });

  it("no hugepages: --no-huge -m 512 with a warning, never --socket-mem", () => {
    const c = cfg();
    const { args, warnings } = ealArgs(c, plan(c, noHuge), "x");
    expect(args.slice(-3)).toEqual(["--no-huge", "-m", "512"]);
    expect(args).toContain("--no-pci");
    expect(args).not.toContain("--socket-mem");
    expect(warnings).toEqual([
      "no hugepages: DPDK runs with --no-huge -m 512 (ordinary 4 KiB pages, slower, memory not placed on node 0)",
    ]);
  });

  it("refuses a bad instance name and a plan with errors", () => {
    const c = cfg();
    expect(() => ealArgs(c, plan(c, vm), "a b")).toThrow(
      "instance name 'a b' is not allowed (1-32 of A-Z a-z 0-9 _ -)",
    );
    const bad = cfg({ workers: 2 });
    expect(() => ealArgs(bad, plan(bad, vm), "x")).toThrow(/^the plan has errors:/);
  });
});
