/**
 * `tlsfp run`: the appliance. Starts the DPDK data plane under the
 * supervisor, drains its record rings continuously into EVE lines, shows a
 * live status line on a terminal, and stops cleanly after --duration or at
 * SIGINT/SIGTERM: SIGTERM to the data plane, wait for STOPPED, drain the
 * rings to empty, check that it left no files behind, exit 0.
 *
 * Settings come from --config FILE (src/config) with the flags on top; with
 * no port anywhere it replays the bundled demo capture through net_pcap.
 * Every setting is checked before DPDK starts: a bad one is one line naming
 * it, exit status 2.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { FastifyInstance } from "fastify";
import { loadAddon } from "../addon/load.js";
import type { RecordBatch } from "../addon/native.js";
import { buildApp } from "../api/app.js";
import { type IngestStats, idleStats, type StatsSource } from "../api/types.js";
import { ConfigError, loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { pinControlPlane } from "../dataplane/affinity.js";
import {
  HugepageError,
  type HugepagePlan,
  pagesWanted,
  prepareHugepages,
} from "../dataplane/hugepages.js";
import { type Logger, stderrLogger } from "../dataplane/log.js";
import {
  checkDataplaneBinary,
  type DataplaneSpec,
  dataplaneBinary,
  INSTANCE_PATTERN,
} from "../dataplane/process.js";
import { Supervisor } from "../dataplane/supervisor.js";
import {
  defaultPmdDirs,
  pciProblem,
  pmdInstalledIn,
  vdevProblem,
  workersProblem,
} from "../dataplane/validate.js";
import { EveFileWriter } from "../export/eve-file.js";
import { packageRoot } from "../paths.js";
import { openStore } from "../store/store.js";
import type { FingerprintStore } from "../store/types.js";
import { plan as planLcores } from "../topology/planner.js";
import { readTopology, type Topology } from "../topology/sysfs.js";
import { LineWriter } from "./output.js";
import { formatSummary } from "./summary.js";
import { UsageError } from "./usage.js";

export const RUN_USAGE = `Usage: tlsfp run [options]

Starts the DPDK data plane and writes one EVE JSON line per TLS/QUIC
handshake it sees. Without --vdev/--pci (and no ports in --config) it
replays the bundled demo capture (config/demo.pcapng) through net_pcap.

Options:
  --config FILE        YAML configuration (see docs); the flags below override it
  --vdev SPEC          a DPDK virtual device, repeatable, e.g.
                       net_pcap0,rx_pcap=FILE  net_af_packet0,iface=eth1
  --pci BDF            a PCI NIC to take (DPDK never probes PCI otherwise)
  --workers N          worker lcores (default 1; at most the online CPUs)
  --eve PATH|-         EVE lines to PATH, or - for stdout (default stdout)
  --duration SECONDS   stop after this long (default: at Ctrl-C / SIGTERM)
  --no-huge            run without hugepages
  --huge               require hugepages (reserved as root when none are free)
  --api HOST:PORT      serve the query API there (default from config, 127.0.0.1:8080)
  --no-api             do not serve the API
  --store PATH         the fingerprint store's SQLite file, or :memory: (default from
                       config, tlsfp.db)
  --instance NAME      instance name, [A-Za-z0-9_] (default run<pid>)
  -q, --quiet          no status line, no summary
  -v, --verbose        log the data plane's messages
  -h, --help           show this help

Exit status: 0 stopped cleanly, 1 the data plane could not run, 2 a bad setting.`;

export interface RunArgs {
  help: boolean;
  config: string | undefined;
  vdevs: string[];
  pcis: string[];
  workers: number | undefined;
  eve: string | undefined;
  durationS: number | undefined;
  noHuge: boolean;
  huge: boolean;
  api: string | undefined;
  noApi: boolean;
  store: string | undefined;
  instance: string | undefined;
  quiet: boolean;
  verbose: boolean;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      config: { type: "string" },
      vdev: { type: "string", multiple: true },
      pci: { type: "string", multiple: true },
      workers: { type: "string" },
      eve: { type: "string" },
      duration: { type: "string" },
      "no-huge": { type: "boolean" },
      huge: { type: "boolean" },
      api: { type: "string" },
      "no-api": { type: "boolean" },
      store: { type: "string" },
      instance: { type: "string" },
      quiet: { type: "boolean", short: "q" },
      verbose: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** argv after `run` → arguments; throws UsageError. */
export function parseRunArgs(argv: string[]): RunArgs {
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse(argv));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let workers: number | undefined;
  if (values.workers !== undefined) {
    if (!/^[0-9]+$/.test(values.workers) || Number(values.workers) < 1) {
      throw new UsageError(`--workers needs a whole number of at least 1, got '${values.workers}'`);
    }
    workers = Number(values.workers);
  }
  let durationS: number | undefined;
  if (values.duration !== undefined) {
    durationS = Number(values.duration);
    if (!/^[0-9]*\.?[0-9]+$/.test(values.duration) || !(durationS > 0)) {
      throw new UsageError(`--duration needs a number of seconds > 0, got '${values.duration}'`);
    }
  }
  if (values["no-huge"] && values.huge) throw new UsageError("--huge and --no-huge contradict");
  if (
    values.api !== undefined &&
    !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/.test(values.api)
  ) {
    throw new UsageError(`--api needs HOST:PORT, e.g. 127.0.0.1:8080, got '${values.api}'`);
  }
  if (values.api !== undefined && values["no-api"])
    throw new UsageError("--api and --no-api contradict");
  if (values.store !== undefined && values.store === "")
    throw new UsageError("--store needs a PATH");
  if (values.instance !== undefined && !INSTANCE_PATTERN.test(values.instance)) {
    throw new UsageError(`--instance needs 1-32 of [A-Za-z0-9_], got '${values.instance}'`);
  }
  return {
    help: values.help === true,
    config: values.config,
    vdevs: values.vdev ?? [],
    pcis: values.pci ?? [],
    workers,
    eve: values.eve,
    durationS,
    noHuge: values["no-huge"] === true,
    huge: values.huge === true,
    api: values.api,
    noApi: values["no-api"] === true,
    store: values.store,
    instance: values.instance,
    quiet: values.quiet === true,
    verbose: values.verbose === true,
  };
}

/** The bundled capture `tlsfp run` replays when no port is configured. */
export function demoVdev(): string {
  return `net_pcap0,rx_pcap=${join(packageRoot(), "config", "demo.pcapng")}`;
}

export interface RunPlan {
  spec: DataplaneSpec;
  hugepages: "auto" | "off" | "require";
  /** "-" for stdout. */
  eve: string;
  /** The SIEM export: a rotating EVE file (config `eve`), when set and --eve is not given. */
  eveRotate: { path: string; maxBytes: number; intervalSeconds: number } | null;
  /** HOST:PORT, or null: no API. */
  api: string | null;
  store: string;
  /** "setting: problem" lines; empty = runnable. */
  problems: string[];
}

const MAX_DATAPLANE_RING_SLOTS = 1 << 20;
const MAX_DATAPLANE_BURST = 256;

/** Flags over config → what to start, with every problem found. Pure apart from file checks. */
export function planRun(args: RunArgs, config: Config, pid = process.pid): RunPlan {
  const d = config.dataplane;
  const problems: string[] = [];
  const fromFlags = args.vdevs.length > 0 || args.pcis.length > 0;
  const ports: { setting: string; vdev?: string; pci?: string }[] = fromFlags
    ? [
        ...args.vdevs.map((v) => ({ setting: `--vdev ${v}`, vdev: v })),
        ...args.pcis.map((p) => ({ setting: `--pci ${p}`, pci: p })),
      ]
    : d.ports.map((p, i) => ({
        setting: `dataplane.ports[${i}]${p.vdev !== undefined ? ".vdev" : ".pci"}`,
        ...p,
      }));
  const env = { pmdInstalled: pmdInstalledIn(defaultPmdDirs()) };
  for (const p of ports) {
    const why = p.vdev !== undefined ? vdevProblem(p.vdev, env) : pciProblem(p.pci ?? "");
    if (why !== undefined) problems.push(`${p.setting}: ${why}`);
  }
  const workers = args.workers ?? d.workers;
  const wp = workersProblem(workers);
  if (wp !== undefined)
    problems.push(`${args.workers !== undefined ? "--workers" : "dataplane.workers"}: ${wp}`);
  if (d.ringSlots > MAX_DATAPLANE_RING_SLOTS) {
    problems.push(
      `dataplane.ringSlots: ${d.ringSlots} is more than the data plane's ${MAX_DATAPLANE_RING_SLOTS}`,
    );
  }
  if (d.burst > MAX_DATAPLANE_BURST) {
    problems.push(
      `dataplane.burst: ${d.burst} is more than the data plane's ${MAX_DATAPLANE_BURST}`,
    );
  }
  let cpus: number[] | undefined;
  if (Array.isArray(d.lcores)) {
    const main = typeof d.mainLcore === "number" ? d.mainLcore : (d.lcores[0] as number);
    cpus = [main, ...d.lcores];
  }
  const hugepages = args.noHuge
    ? "off"
    : args.huge
      ? "require"
      : d.hugepages.enabled === "auto"
        ? "auto"
        : d.hugepages.enabled
          ? "require"
          : "off";
  const spec: DataplaneSpec = {
    instance: args.instance ?? `run${pid}`,
    workers,
    vdevs: ports.flatMap((p) => (p.vdev !== undefined ? [p.vdev] : [])),
    pcis: ports.flatMap((p) => (p.pci !== undefined ? [p.pci] : [])),
    noHuge: hugepages === "off",
    ringSlots: d.ringSlots,
    maxFlows: d.maxFlows,
    helloMaxBytes: d.helloMaxBytes,
    idleBackoff: d.idleBackoff,
  };
  if (cpus !== undefined) spec.cpus = cpus;
  return {
    spec,
    hugepages,
    eve: args.eve ?? (config.eve.path ? config.eve.path : "-"),
    eveRotate:
      args.eve === undefined && config.eve.path
        ? { path: config.eve.path, ...config.eve.rotate }
        : null,
    api: args.noApi ? null : (args.api ?? config.api.listen),
    store: args.store ?? config.store.path,
    problems,
  };
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The configuration: --config FILE, else the defaults with the demo capture as port. */
function configFor(args: RunArgs): Config {
  const config = loadConfig(args.config);
  if (args.config === undefined) config.dataplane.ports = [{ vdev: demoVdev() }];
  return config;
}

/** Runs the command; resolves to the exit status. */
export async function runRun(argv: string[]): Promise<number> {
  let args: RunArgs;
  try {
    args = parseRunArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    say(`tlsfp: ${e.message}`);
    say(RUN_USAGE);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${RUN_USAGE}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = configFor(args);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    say(`tlsfp: ${e.message}`);
    return 2;
  }
  const plan = planRun(args, config);
  if (plan.problems.length > 0) {
    for (const p of plan.problems) say(`tlsfp: ${p}`);
    return 2;
  }
  const logger = stderrLogger({ verbose: args.verbose });
  const lcoreErrors = placeLcores(plan, config, logger);
  if (lcoreErrors.length > 0) {
    for (const e of lcoreErrors) say(`tlsfp: ${e}`);
    return 2;
  }
  let addon: ReturnType<typeof loadAddon>;
  try {
    checkDataplaneBinary(dataplaneBinary());
    addon = loadAddon();
    if (typeof addon.RegionReader !== "function") {
      throw new Error(
        "the native addon has no RegionReader (built before tlsfp run): run npm run build:native",
      );
    }
  } catch (e) {
    say(`tlsfp: ${(e as Error).message}`);
    return 1;
  }

  let out: EveSink;
  try {
    if (plan.eveRotate) out = rotatingSink(plan.eveRotate);
    else out = plan.eve === "-" ? LineWriter.stdout() : await LineWriter.file(plan.eve);
  } catch (e) {
    say(`tlsfp: --eve ${plan.eve}: ${(e as Error).message.replace(/, \w+ '.*'$/, "")}`);
    return 1;
  }

  // The store and the API come up before DPDK: a port in use is a bad
  // setting like any other.
  let services: Services;
  try {
    services = await startServices(plan, config);
  } catch (e) {
    say(`tlsfp: ${(e as Error).message}`);
    await out.end().catch(() => {});
    return 2;
  }
  if (services.app !== undefined && !args.quiet)
    say(`tlsfp: API on http://${plan.api}/ (docs at /docs)`);

  let huge: HugepagePlan | undefined;
  const ports = plan.spec.vdevs.length + plan.spec.pcis.length;
  // Without hugepages (asked for, or forced by the data plane) EAL memory is
  // ordinary memory of this size: the same estimate, at least DPDK's 512 MB.
  plan.spec.memMb = Math.max(512, 2 * pagesWanted(plan.spec.workers, ports));
  try {
    huge = prepareHugepages(plan.spec.workers, ports, plan.hugepages, logger);
    plan.spec.noHuge = huge.noHuge;
    return await runSupervised(plan, args, addon, out, logger, services);
  } catch (e) {
    if (!(e instanceof HugepageError)) throw e;
    say(`tlsfp: ${e.message}`);
    await out.end().catch(() => {});
    return 2;
  } finally {
    huge?.restore();
    await services.close();
  }
}

/** Where the lcores and Node's threads go, and what to tell about it (lcorePlacement). */
export interface LcorePlacement {
  /** [main lcore, ...workers] for the data plane; undefined: it places them itself. */
  cpus: number[] | undefined;
  /** CPUs for Node's threads; undefined: leave Node where it is. */
  nodeCpus: number[] | undefined;
  notes: string[];
  warnings: string[];
  /** Explicit lcores that cannot run: bad settings (exit 2). */
  errors: string[];
}

/**
 * Lcore placement from the NUMA planner (src/topology): main lcore and
 * workers on the NIC's node, one worker per physical core, Node's threads
 * off the workers' cores.
 *
 * Lcores pinned in the config (dataplane.lcores) are kept, but checked by
 * the planner like any plan: what cannot run (a CPU that does not exist or
 * is offline) is a bad setting; what only runs slower (another NUMA node
 * than the NIC, two workers on hyper-thread siblings) is a warning; Node's
 * threads are kept off them all the same.
 *
 * Without explicit lcores, what the planner cannot place (e.g. more workers
 * than spare cores) only runs slower, so it is a warning and the data plane
 * places the lcores itself (our CPU affinity, shared if need be).
 */
export function lcorePlacement(plan: RunPlan, config: Config, topo: Topology): LcorePlacement {
  const explicit = plan.spec.cpus;
  const c = { ...config, dataplane: { ...config.dataplane, workers: plan.spec.workers } };
  const p = planLcores(c, topo);
  const out: LcorePlacement = {
    cpus: explicit,
    nodeCpus: undefined,
    notes: p.warnings.map((w) => `planner: ${w}`),
    warnings: [],
    errors: [],
  };
  if (explicit !== undefined) {
    // The planner's warnings about pinned lcores are the user's to fix.
    out.warnings = out.notes;
    out.notes = [];
    if (p.errors.length > 0) {
      out.errors = p.errors;
    } else {
      // The main lcore as configured, or the planner's choice clear of the
      // workers and their siblings (mainLcore: auto).
      out.cpus = [p.mainLcore, ...p.workers];
      out.nodeCpus = p.nodeCpusForControlPlane;
    }
    return out;
  }
  if (p.errors.length === 0 && p.mainLcore >= 0) {
    out.cpus = [p.mainLcore, ...p.workers];
    out.nodeCpus = p.nodeCpusForControlPlane;
  } else {
    out.warnings = p.errors.map((e) => `${e} (lcores left to the data plane)`);
  }
  return out;
}

/** lcorePlacement on this machine, applied; returns the errors (bad settings). */
function placeLcores(plan: RunPlan, config: Config, logger: Logger): string[] {
  let placed: LcorePlacement;
  try {
    placed = lcorePlacement(plan, config, readTopology());
  } catch (e) {
    logger.warn(`lcore planner: ${(e as Error).message} (lcores left as they are)`);
    return [];
  }
  for (const n of placed.notes) logger.info(n);
  for (const w of placed.warnings) logger.warn(w);
  if (placed.errors.length > 0) return placed.errors;
  if (placed.cpus !== undefined) plan.spec.cpus = placed.cpus;
  // Node's threads off the worker cores (see src/dataplane/affinity.ts for
  // the 2-vCPU case); the data plane pins its lcores itself.
  if (placed.nodeCpus !== undefined) pinControlPlane(loadAddon, placed.nodeCpus, logger);
  return [];
}

/** The fingerprint store, and the query API over it (unless --no-api). */
interface Services {
  store: FingerprintStore;
  app: FastifyInstance | undefined;
  ingest: IngestStats;
  /** Where the API gets the data plane's stats; set once the supervisor exists. */
  setStats(fn: StatsSource): void;
  close(): Promise<void>;
}

async function startServices(plan: RunPlan, config: Config): Promise<Services> {
  let store: FingerprintStore;
  try {
    store = openStore({
      path: plan.store,
      historyMax: config.store.historyMax,
      retentionDays: config.store.retentionDays,
      flushIntervalMs: config.store.flushIntervalMs,
      preallocPairs: config.store.preallocPairs,
      onFlushError: (e) => say(`tlsfp: warning: store ${plan.store}: ${e.message}`),
    });
  } catch (e) {
    throw new Error(`--store ${plan.store}: ${(e as Error).message}`);
  }
  const ingest: IngestStats = { records: 0, batches: 0, errors: 0, lastBatchAt: 0 };
  let stats: StatsSource | undefined;
  let app: FastifyInstance | undefined;
  const closeStore = () => {
    try {
      store.close();
    } catch (e) {
      say(`tlsfp: warning: store ${plan.store}: ${(e as Error).message}`);
    }
  };
  if (plan.api !== null) {
    const colon = plan.api.lastIndexOf(":");
    const host = plan.api.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
    const port = Number(plan.api.slice(colon + 1));
    try {
      app = await buildApp({
        store,
        stats: () => stats?.() ?? { ...idleStats(), ingest: { ...ingest } },
        ...(config.api.token !== null ? { token: config.api.token } : {}),
      });
      await app.listen({ host, port });
    } catch (e) {
      await app?.close().catch(() => {});
      closeStore();
      throw new Error(`--api ${plan.api}: ${(e as Error).message}`);
    }
  }
  return {
    store,
    app,
    ingest,
    setStats: (fn) => {
      stats = fn;
    },
    close: async () => {
      await app?.close().catch(() => {});
      closeStore();
    },
  };
}

async function runSupervised(
  plan: RunPlan,
  args: RunArgs,
  addon: ReturnType<typeof loadAddon>,
  out: EveSink,
  logger: Logger,
  services: Services,
): Promise<number> {
  const sup = new Supervisor({ spec: plan.spec, addon, logger });
  services.setStats(() => {
    const s = sup.stats();
    return {
      dataplane: {
        running: s.running,
        restarts: s.restarts,
        heartbeatAgeMs: s.heartbeatAgeMs,
        counters: s.counters,
        ringDepth: s.ringDepth,
        drops: s.drops.total,
        cyclesPerPacket: s.cyclesPerPacket,
      },
      ingest: { ...services.ingest },
    };
  });
  const started = process.hrtime.bigint();
  // Stop at --duration, SIGINT or SIGTERM (whichever first). The handlers
  // go in before the data plane starts: a signal during its start-up stops
  // it in order once it is up, rather than killing us and orphaning it.
  let stopRequested = false;
  let wake: (() => void) | undefined;
  const requestStop = () => {
    stopRequested = true;
    wake?.();
  };
  process.on("SIGINT", requestStop);
  process.on("SIGTERM", requestStop);
  const unhook = () => {
    process.off("SIGINT", requestStop);
    process.off("SIGTERM", requestStop);
  };
  try {
    await sup.start();
  } catch (e) {
    unhook();
    say(`tlsfp: ${(e as Error).message}`);
    await out.end().catch(() => {});
    return 1;
  }
  logger.info(`running: ${plan.spec.vdevs.concat(plan.spec.pcis).join(" ")}`);
  const timer =
    args.durationS !== undefined ? setTimeout(requestStop, args.durationS * 1000) : undefined;

  const status = !args.quiet && process.stderr.isTTY === true ? new StatusLine() : undefined;
  let handshakes = 0;
  let failure: string | undefined;
  const store = services.store;
  const EVE = { eve: true };
  // Batches are aggregated by the addon as it drains them (no JS object per
  // record); their EVE lines come from the addon's C writer.
  const write = async (batches: RecordBatch[]) => {
    if (batches.length === 0) return;
    const ingest = services.ingest;
    let lines = "";
    for (const b of batches) {
      handshakes += b.n;
      try {
        store.ingestBatch(b);
        ingest.records += b.n;
        ingest.batches++;
        ingest.lastBatchAt = Date.now();
      } catch (e) {
        ingest.errors++;
        logger.warn(`store: ${(e as Error).message}`);
      }
      lines += b.eve?.toString("utf8") ?? "";
    }
    await out.write(lines);
  };
  try {
    while (!stopRequested && !out.closed) {
      const batches = sup.drainBatches(store.aggregates, 4096, EVE);
      await write(batches);
      status?.update(sup, handshakes);
      if (batches.length === 0) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 10);
        });
        wake = undefined;
      } else {
        await new Promise((r) => setImmediate(r));
      }
    }
    // A data plane that is down at the end after restarts (a crash loop, a
    // port that fails every time) is a failed run, not a quiet exit 0.
    const atStop = sup.stats();
    if (!atStop.running && atStop.restarts > 0)
      failure = `the data plane was not running at the end, after ${atStop.restarts} restart(s): see the log above (-v for its own messages)`;
    await sup.stop();
    // Everything the data plane committed is in the rings now: drain to empty.
    for (;;) {
      const batches = sup.drainBatches(store.aggregates, 4096, EVE);
      if (batches.length === 0) break;
      await write(batches);
    }
  } catch (e) {
    failure = (e as Error).message;
    await sup.stop().catch(() => {});
  } finally {
    if (timer) clearTimeout(timer);
    unhook();
    status?.clear();
  }
  const stats = sup.stats();
  sup.close();
  try {
    await out.end();
  } catch (e) {
    failure ??= `--eve ${plan.eve}: ${(e as Error).message}`;
  }
  const left = sup.leftovers();
  if (left.length > 0) {
    // A clean stop leaves nothing; say so if it did, then tidy up (only
    // paths named by this run's own prefixes).
    logger.warn(`the data plane left files behind: ${left.join(", ")}`);
    sup.removeLeftovers();
  }
  if (!args.quiet) {
    say(
      formatSummary({
        file: plan.spec.vdevs.concat(plan.spec.pcis).join(" "),
        counters: stats.counters,
        handshakes,
        elapsedNs: process.hrtime.bigint() - started,
      }),
    );
    say(
      `tlsfp: data plane: ${stats.restarts} restart(s), drops: ${stats.drops.total} ` +
        `(records ${stats.drops.records}, nic ${stats.drops.imissed}, mbufs ${stats.drops.rxNombuf}, ` +
        `distribution ${stats.drops.distDrops})`,
    );
  }
  if (failure !== undefined) {
    say(`tlsfp: ${failure}`);
    return 1;
  }
  return 0;
}

/** Where EVE lines go: stdout or a plain file (LineWriter), or a rotating file. */
interface EveSink {
  readonly closed: boolean;
  write(text: string): Promise<void>;
  end(): Promise<void>;
}

/**
 * The config's `eve` export: size- and time-rotated files that Filebeat or
 * Vector ship unchanged (src/export/eve-file.ts never cuts a line).
 */
function rotatingSink(r: NonNullable<RunPlan["eveRotate"]>): EveSink {
  const file = new EveFileWriter({
    path: r.path,
    size: r.maxBytes > 0 ? `${r.maxBytes}B` : "100M",
    ...(r.intervalSeconds > 0 ? { interval: `${r.intervalSeconds}s` } : {}),
  });
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    async write(text: string) {
      if (!file.writeLines(text)) await file.drained();
    },
    async end() {
      closed = true;
      await file.close();
    },
  };
}

/** One line on a terminal, redrawn every second: rates and drops. */
class StatusLine {
  private last = { at: Date.now(), packets: 0, handshakes: 0 };
  private shown = false;

  update(sup: Supervisor, handshakes: number): void {
    const now = Date.now();
    if (now - this.last.at < 1000) return;
    const s = sup.stats();
    const packets = s.counters.packets ?? 0;
    const secs = (now - this.last.at) / 1000;
    const pps = Math.round((packets - this.last.packets) / secs);
    const hps = Math.round((handshakes - this.last.handshakes) / secs);
    this.last = { at: now, packets, handshakes };
    const state = s.running ? "running" : s.state;
    process.stderr.write(
      `\r${state}: ${pps} packets/s, ${hps} handshakes/s, ${handshakes} handshakes, ` +
        `drops ${s.drops.total}, restarts ${s.restarts}\x1b[K`,
    );
    this.shown = true;
  }

  clear(): void {
    if (this.shown) process.stderr.write("\r\x1b[K");
  }
}
