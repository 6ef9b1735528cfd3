/** Topology reading: the pure parsers, then the three fixture trees in test/fixtures/sysfs/. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  formatCpuList,
  parseBpffsMounted,
  parseCpuinfoFlags,
  parseCpuList,
  parseHugepageDir,
  parseHugetlbfsMounts,
  parseKernelVersion,
  parseNumaNode,
  pciFromDevicePath,
  readTopology,
} from "../../src/topology/sysfs.js";

const fixtures = join(import.meta.dirname, "..", "fixtures", "sysfs");

describe("parsers", () => {
  it("CPU lists", () => {
    expect(parseCpuList("0-3,8-11\n")).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
    expect(parseCpuList("5")).toEqual([5]);
    expect(parseCpuList("\n")).toEqual([]);
    expect(parseCpuList("3,1,1-2")).toEqual([1, 2, 3]);
    expect(() => parseCpuList("0-x")).toThrow("bad CPU list '0-x'");
    expect(() => parseCpuList("4-2")).toThrow("bad CPU list '4-2'");
    expect(formatCpuList([11, 0, 1, 2, 3, 8, 10])).toBe("0-3,8,10-11");
    expect(formatCpuList([])).toBe("");
  });

  it("cpuinfo flags: the first processor's", () => {
    const text = "processor\t: 0\nflags\t\t: fpu sse4_2 avx2\n\nprocessor\t: 1\nflags\t\t: fpu\n";
    expect(parseCpuinfoFlags(text)).toEqual(["fpu", "sse4_2", "avx2"]);
    expect(parseCpuinfoFlags("Features\t: fp asimd sha2\n")).toEqual(["fp", "asimd", "sha2"]);
    expect(parseCpuinfoFlags("")).toEqual([]);
  });

  it("mounts, kernel version, hugepage dirs, numa_node, PCI address", () => {
    expect(parseBpffsMounted("bpf /sys/fs/bpf bpf rw 0 0\n")).toBe(true);
    expect(parseBpffsMounted("none /sys/fs/bpf tmpfs rw 0 0\n")).toBe(false);
    expect(
      parseHugetlbfsMounts("a /dev/hugepages hugetlbfs rw 0 0\nb /mnt/h1G hugetlbfs x 0 0\n"),
    ).toEqual(["/dev/hugepages", "/mnt/h1G"]);
    expect(parseKernelVersion("6.1.0-18-amd64\n")).toEqual([6, 1]);
    expect(parseKernelVersion("weird")).toBeNull();
    expect(parseHugepageDir("hugepages-1048576kB")).toBe(1048576);
    expect(parseHugepageDir("hugepages")).toBeNull();
    expect(parseNumaNode("1\n")).toEqual([1, 1]);
    expect(parseNumaNode("-1\n")).toEqual([0, -1]);
    expect(parseNumaNode(null)).toEqual([0, -1]);
    expect(pciFromDevicePath("/sys/devices/pci0000:00/0000:00:03.0/virtio0")).toBe("0000:00:03.0");
    expect(pciFromDevicePath("/sys/devices/pci0000:80/0000:80:03.0/0000:81:00.1")).toBe(
      "0000:81:00.1",
    );
    expect(pciFromDevicePath("/sys/devices/virtual/net/veth0")).toBeNull();
  });
});

describe("readTopology on fixtures", () => {
  it("vm-2core: one node, two CPUs, no SMT, a virtio NIC with numa_node -1", () => {
    const t = readTopology(join(fixtures, "vm-2core"));
    expect(t.numa).toBe(true);
    expect(t.online).toEqual([0, 1]);
    expect(t.nodes).toEqual([
      {
        id: 0,
        cpus: [0, 1],
        hugepages: [
          { sizeKb: 2048, total: 512, free: 512 },
          { sizeKb: 1048576, total: 0, free: 0 },
        ],
      },
    ]);
    expect(t.cpus).toEqual([
      { id: 0, node: 0, online: true, siblings: [0] },
      { id: 1, node: 0, online: true, siblings: [1] },
    ]);
    expect(t.nics).toEqual([
      {
        name: "eth0",
        pci: "0000:00:03.0",
        node: 0,
        numaNodeRaw: -1,
        driver: "virtio_net",
        pciDriver: "virtio-pci",
      },
    ]);
    expect(t.cpuFlags).toContain("avx2");
    expect(t.cpuFlags).not.toContain("avx512f");
    expect(t.kernelRelease).toBe("6.1.0-18-amd64");
    expect(t.bpffsMounted).toBe(true);
    expect(t.hugetlbfsMounts).toEqual(["/dev/hugepages"]);
  });

  it("server-2socket-ht: two nodes, siblings N/N+8, NICs on both nodes", () => {
    const t = readTopology(join(fixtures, "server-2socket-ht"));
    expect(t.nodes.map((n) => [n.id, formatCpuList(n.cpus)])).toEqual([
      [0, "0-3,8-11"],
      [1, "4-7,12-15"],
    ]);
    expect(t.cpus.find((c) => c.id === 13)).toEqual({
      id: 13,
      node: 1,
      online: true,
      siblings: [5, 13],
    });
    expect(t.nodes[1]?.hugepages).toEqual([
      { sizeKb: 2048, total: 1024, free: 1000 },
      { sizeKb: 1048576, total: 2, free: 2 },
    ]);
    expect(t.nics).toEqual([
      {
        name: "eno1",
        pci: "0000:02:00.0",
        node: 0,
        numaNodeRaw: 0,
        driver: "igb",
        pciDriver: "igb",
      },
      {
        name: "ens801f1",
        pci: "0000:81:00.1",
        node: 1,
        numaNodeRaw: 1,
        driver: "ixgbe",
        pciDriver: "ixgbe",
      },
      {
        name: null,
        pci: "0000:81:00.0",
        node: 1,
        numaNodeRaw: 1,
        driver: "vfio-pci",
        pciDriver: "vfio-pci",
      },
    ]);
    expect(t.kernelRelease).toBe("4.18.0-513.el8.x86_64");
    expect(t.bpffsMounted).toBe(false);
  });

  it("no-hugepages: no node directory → one node of the online CPUs; cpu 3 offline", () => {
    const t = readTopology(join(fixtures, "no-hugepages"));
    expect(t.numa).toBe(false);
    expect(t.nodes).toEqual([
      { id: 0, cpus: [0, 1, 2], hugepages: [{ sizeKb: 2048, total: 0, free: 0 }] },
    ]);
    expect(t.cpus).toEqual([
      { id: 0, node: 0, online: true, siblings: [0, 2] },
      { id: 1, node: 0, online: true, siblings: [1, 3] },
      { id: 2, node: 0, online: true, siblings: [0, 2] },
      { id: 3, node: 0, online: false, siblings: [3] },
    ]);
    expect(t.nics).toEqual([]);
    expect(t.cpuFlags).not.toContain("avx2");
  });

  it("a missing root reads as an empty machine, and --cpuinfo overrides the flags", () => {
    const t = readTopology(join(fixtures, "does-not-exist"), {
      cpuinfo: join(fixtures, "server-2socket-ht", "proc", "cpuinfo"),
    });
    expect(t.online).toEqual([]);
    expect(t.nics).toEqual([]);
    expect(t.cpuFlags).toContain("avx512f");
  });
});
