/** Config loading: defaults, the shipped default.yaml, and exact error messages. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  closest,
  configFromValue,
  defaultConfigPath,
  loadConfig,
  parseConfig,
  resolveVdevPaths,
} from "../../src/config/load.js";

const root = join(import.meta.dirname, "..", "..");

/** The problem lines for YAML text, or [] when it is valid. */
function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, "/etc/tlsfp/test.yaml");
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
}

describe("defaults", () => {
  it("built-in defaults", () => {
    const c = loadConfig();
    expect(c.dataplane).toEqual({
      workers: 1,
      lcores: "auto",
      mainLcore: "auto",
      burst: 32,
      ringSlots: 4096,
      mempoolMbufs: 8191,
      hugepages: { enabled: "auto", pagesPerNode: 512 },
      idleBackoff: true,
      helloMaxBytes: 16384,
      maxFlows: 16384,
      ports: [{ vdev: `net_pcap0,rx_pcap=${join(root, "config", "demo.pcapng")}` }],
    });
    expect(c.api).toEqual({ listen: "127.0.0.1:8080", token: null });
    expect(c.store).toEqual({
      path: "tlsfp.db",
      historyMax: 100000,
      retentionDays: 30,
      flushIntervalMs: 1000,
      preallocPairs: 1048576,
    });
    expect(c.eve).toEqual({ path: null, rotate: { maxBytes: 104857600, intervalSeconds: 0 } });
    expect(c.log).toEqual({ level: "info" });
  });

  it("config/default.yaml is exactly the built-in defaults", () => {
    expect(defaultConfigPath()).toBe(join(root, "config", "default.yaml"));
    expect(loadConfig(defaultConfigPath())).toEqual(loadConfig());
  });

  it("an empty file, an empty section and a partial section keep the defaults", () => {
    expect(parseConfig("", "/x/a.yaml").dataplane.workers).toBe(1);
    const c = parseConfig("dataplane:\n  hugepages:\n  workers: 3\napi:\n", "/x/a.yaml");
    expect(c.dataplane.workers).toBe(3);
    expect(c.dataplane.hugepages).toEqual({ enabled: "auto", pagesPerNode: 512 });
    expect(c.api.listen).toBe("127.0.0.1:8080");
  });

  it("explicit lcores, PCI ports, a token", () => {
    const c = parseConfig(
      [
        "dataplane:",
        "  workers: 2",
        "  lcores: [4, 5]",
        "  mainLcore: 12",
        "  ports:",
        "    - pci: 0000:81:00.0",
        "api:",
        "  token: 0123456789abcdef",
      ].join("\n"),
      "/x/a.yaml",
    );
    expect(c.dataplane.lcores).toEqual([4, 5]);
    expect(c.dataplane.mainLcore).toBe(12);
    expect(c.dataplane.ports).toEqual([{ pci: "0000:81:00.0" }]);
    expect(c.api.token).toBe("0123456789abcdef");
  });

  it("relative capture paths resolve against the config file's directory", () => {
    const c = parseConfig(
      "dataplane:\n  ports:\n    - vdev: net_pcap0,rx_pcap=x.pcap\n",
      "/etc/t/a.yaml",
    );
    expect(c.dataplane.ports).toEqual([{ vdev: "net_pcap0,rx_pcap=/etc/t/x.pcap" }]);
    expect(resolveVdevPaths("net_pcap0,rx_pcap=/abs.pcap,tx_pcap=o.pcap,infinite_rx=1", "/d")).toBe(
      "net_pcap0,rx_pcap=/abs.pcap,tx_pcap=/d/o.pcap,infinite_rx=1",
    );
    expect(resolveVdevPaths("net_af_packet0,iface=eth1", "/d")).toBe("net_af_packet0,iface=eth1");
  });
});

describe("errors: path, bad value, what is allowed", () => {
  it("out of range integer", () => {
    expect(problems("dataplane:\n  workers: 0\n")).toEqual([
      "dataplane.workers: 0 is not allowed (an integer ≥ 1)",
    ]);
    expect(problems("dataplane:\n  burst: 2000\n")).toEqual([
      "dataplane.burst: 2000 is not allowed (an integer from 1 to 1024)",
    ]);
    expect(problems("store:\n  preallocPairs: -1\n")).toEqual([
      "store.preallocPairs: -1 is not allowed (an integer from 0 to 100000000)",
    ]);
  });

  it("wrong type, enum, union, pattern", () => {
    expect(problems("dataplane:\n  workers: two\n")).toEqual([
      'dataplane.workers: "two" is not allowed (an integer ≥ 1)',
    ]);
    expect(problems("log:\n  level: loud\n")).toEqual([
      'log.level: "loud" is not allowed (one of "fatal", "error", "warn", "info", "debug", "trace")',
    ]);
    expect(problems("dataplane:\n  hugepages:\n    enabled: yes please\n")).toEqual([
      'dataplane.hugepages.enabled: "yes please" is not allowed ("auto", true or false)',
    ]);
    expect(problems("dataplane:\n  ports:\n    - pci: 81:00.0\n")).toEqual([
      'dataplane.ports[0].pci: "81:00.0" is not allowed (a PCI address like "0000:03:00.0")',
    ]);
    expect(problems("api:\n  token: short\n")).toEqual([
      'api.token: "short" is not allowed (null or a string of at least 16 characters)',
    ]);
    expect(problems("dataplane:\n  lcores: [1, -2]\n")).toEqual([
      'dataplane.lcores: [1,-2] is not allowed ("auto" or a list of CPU numbers, e.g. [2, 4])',
    ]);
  });

  it("unknown keys, with a suggestion when one is close", () => {
    expect(problems("dataplane:\n  wokers: 2\n")).toEqual([
      "dataplane.wokers: unknown setting (did you mean dataplane.workers?)",
    ]);
    expect(problems("dataplane:\n  ring_slots: 1024\n")).toEqual([
      "dataplane.ring_slots: unknown setting (did you mean dataplane.ringSlots?)",
    ]);
    expect(problems("stor:\n  path: x.db\nfrobnicate: 1\n")).toEqual([
      "stor: unknown setting (did you mean store?)",
      "frobnicate: unknown setting",
    ]);
    expect(
      problems("dataplane:\n  ports:\n    - vdev: net_null0\n      pcie: 0000:01:00.0\n"),
    ).toEqual(["dataplane.ports[0].pcie: unknown setting (did you mean dataplane.ports[0].pci?)"]);
  });

  it("checks the schema cannot express", () => {
    expect(problems("dataplane:\n  ringSlots: 5000\n")).toEqual([
      "dataplane.ringSlots: 5000 is not allowed (a power of two from 64 to 16777216)",
    ]);
    expect(problems("dataplane:\n  ports:\n    - {}\n")).toEqual([
      "dataplane.ports[0]: {} is not allowed (exactly one of vdev or pci)",
    ]);
    expect(problems("dataplane:\n  lcores: [2, 4]\n")).toEqual([
      "dataplane.lcores: [2,4] is not allowed (a list of exactly dataplane.workers = 1 CPU numbers; or set workers: 2)",
    ]);
    expect(problems("dataplane:\n  workers: 2\n  lcores: [2, 2]\n")).toEqual([
      "dataplane.lcores: [2,2] is not allowed (each CPU at most once)",
    ]);
    expect(problems("dataplane:\n  workers: 2\n  lcores: [2, 3]\n  mainLcore: 3\n")).toEqual([
      "dataplane.mainLcore: 3 is not allowed (a CPU that is not one of the worker lcores [2,3])",
    ]);
  });

  it("listen port range", () => {
    expect(problems('api:\n  listen: "[::1]:8443"\n')).toEqual([]);
    expect(problems("api:\n  listen: 0.0.0.0:70000\n")).toEqual([
      'api.listen: "0.0.0.0:70000" is not allowed (a port from 1 to 65535)',
    ]);
    expect(problems("api:\n  listen: localhost\n")).toEqual([
      'api.listen: "localhost" is not allowed (HOST:PORT, e.g. "127.0.0.1:8080" or "[::1]:8080")',
    ]);
  });

  it("all problems at once, in the message too", () => {
    try {
      parseConfig("dataplane:\n  workers: 0\n  burst: 0\n", "/etc/tlsfp/test.yaml");
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe(
        [
          "/etc/tlsfp/test.yaml: invalid configuration",
          "  dataplane.workers: 0 is not allowed (an integer ≥ 1)",
          "  dataplane.burst: 0 is not allowed (an integer from 1 to 1024)",
        ].join("\n"),
      );
    }
  });

  it("YAML syntax errors, duplicate keys, not a mapping, missing file", () => {
    const dup = problems("log:\n  level: info\n  level: warn\n");
    expect(dup).toHaveLength(1);
    expect(dup[0]).toMatch(/^line 3, column 3: Map keys must be unique/);
    expect(problems("dataplane: [\n")[0]).toMatch(/^line \d+, column \d+: /);
    expect(problems("- a\n- b\n")).toEqual([
      'the file must be a mapping of sections, not ["a","b"]',
    ]);
    expect(() => configFromValue(7, "/", "x")).toThrow(ConfigError);
    expect(() => loadConfig("/nonexistent/tlsfp.yaml")).toThrow(
      "/nonexistent/tlsfp.yaml: invalid configuration\n  cannot read the file: No such file or directory",
    );
  });

  it("closest()", () => {
    expect(closest("workrs", ["workers", "burst"])).toBe("workers");
    expect(closest("MAIN_LCORE", ["mainLcore", "lcores"])).toBe("mainLcore");
    expect(closest("xyz", ["workers"])).toBeUndefined();
  });
});
