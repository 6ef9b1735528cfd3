/**
 * The data plane process (dpdk/app: tlsfp-dataplane): its arguments, spawning
 * it, and what it says.
 *
 * Safety rules (ARCHITECTURE.md, "Safety on shared machines") hold by
 * construction here and in the data plane: no PCI device is ever named unless
 * the caller listed it (the data plane then passes --no-pci to the EAL), and
 * every process gets its own DPDK file prefix, tlsfp-<instance>-<pid>.
 *
 * stdout of the data plane: "tlsfp-dataplane: region PATH (...)" once its
 * shared-memory region exists, then "... running: ...", and "... stopped" at
 * the end. stderr (its own and the EAL's warnings) goes to the logger.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { packageRoot } from "../paths.js";
import type { Logger } from "./log.js";

/** What one data plane process is asked to do. */
export interface DataplaneSpec {
  /** [A-Za-z0-9_], 1..32 characters: the region and DPDK prefix are tlsfp-<instance>-<pid>. */
  instance: string;
  workers: number;
  /** DPDK virtual devices, e.g. "net_pcap0,rx_pcap=FILE", "net_af_packet0,iface=eth1". */
  vdevs: string[];
  /** PCI devices to allow-list; empty: PCI is never probed (--no-pci). */
  pcis: string[];
  /** Run without hugepages. */
  noHuge: boolean;
  /** EAL memory in MB when without hugepages (data plane default 512). */
  memMb?: number;
  /** CPUs for the lcores (main first, then the workers); default: the process affinity. */
  cpus?: number[];
  /** Records per worker ring, a power of two (data plane default 2048). */
  ringSlots?: number;
  maxFlows?: number;
  helloMaxBytes?: number;
  reasmMaxBytes?: number;
  /** Sleep when idle (default on); off spins for lowest latency. */
  idleBackoff?: boolean;
  /** Stop after this many seconds (the data plane's own timer). */
  durationS?: number;
  /** Where to create the region (default: hugetlbfs, else /dev/shm). */
  shmDir?: string;
}

export const INSTANCE_PATTERN = /^[A-Za-z0-9_]{1,32}$/;

/** The data plane's argv (without the program). Pure. */
export function dataplaneArgs(spec: DataplaneSpec): string[] {
  if (!INSTANCE_PATTERN.test(spec.instance)) {
    throw new RangeError(`instance '${spec.instance}': 1-32 of [A-Za-z0-9_]`);
  }
  const args = ["--instance", spec.instance, "--workers", String(spec.workers)];
  for (const v of spec.vdevs) args.push("--vdev", v);
  // Only devices the user named; with none the data plane gives the EAL --no-pci.
  for (const p of spec.pcis) args.push("--pci", p);
  if (spec.noHuge) args.push("--no-huge");
  if (spec.memMb !== undefined) args.push("--mem", String(spec.memMb));
  if (spec.cpus !== undefined && spec.cpus.length > 0) args.push("--cpus", spec.cpus.join(","));
  if (spec.ringSlots !== undefined) args.push("--ring-slots", String(spec.ringSlots));
  if (spec.maxFlows !== undefined) args.push("--max-flows", String(spec.maxFlows));
  if (spec.helloMaxBytes !== undefined) args.push("--hello-max-bytes", String(spec.helloMaxBytes));
  if (spec.reasmMaxBytes !== undefined) args.push("--reasm-max-bytes", String(spec.reasmMaxBytes));
  if (spec.idleBackoff !== undefined) args.push("--idle-backoff", spec.idleBackoff ? "on" : "off");
  if (spec.durationS !== undefined) args.push("--duration", String(spec.durationS));
  if (spec.shmDir !== undefined) args.push("--shm-dir", spec.shmDir);
  return args;
}

/** The DPDK file prefix (and region file name) of the data plane process `pid`. */
export function filePrefix(instance: string, pid: number): string {
  return `tlsfp-${instance}-${pid}`;
}

/** tlsfp-dataplane as `npm run build:native` builds it; TLSFP_DATAPLANE overrides. */
export function dataplaneBinary(): string {
  if (process.env.TLSFP_DATAPLANE) return resolve(process.env.TLSFP_DATAPLANE);
  return join(packageRoot(), "native", "build", "dpdk", "app", "tlsfp-dataplane");
}

/** The binary, or an Error with the remedy. */
export function checkDataplaneBinary(path = dataplaneBinary()): string {
  if (!existsSync(path)) {
    throw new Error(
      `the data plane is not built (${path} is missing): run npm run build:native (it needs libdpdk-dev)`,
    );
  }
  return path;
}

let setpriv: string | null | undefined;

/**
 * [cmd, args] that run bin so that it outlives no parent and no pipe: SIGTERM
 * as its parent-death signal (setpriv, when it can), and SIGPIPE ignored (an
 * ignored signal stays ignored across exec), so that a data plane whose
 * stdout reader died still stops cleanly instead of dying at its next line.
 * The PID stays the data plane's: each step execs the next.
 */
export function withParentDeathSignal(bin: string, args: string[]): [string, string[]] {
  if (setpriv === undefined) {
    setpriv = null;
    for (const p of ["/usr/bin/setpriv", "/bin/setpriv"]) {
      try {
        if (execFileSync(p, ["--help"], { encoding: "utf8" }).includes("--pdeathsig")) {
          setpriv = p;
          break;
        }
      } catch {
        // not there
      }
    }
  }
  const ignorePipe = ["/bin/sh", "-c", 'trap "" PIPE; exec "$0" "$@"', bin, ...args];
  return setpriv === null
    ? [ignorePipe[0] as string, ignorePipe.slice(1)]
    : [setpriv, ["--pdeathsig", "SIGTERM", "--", ...ignorePipe]];
}

export interface DataplaneExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const KEEP_LINES = 20;

/**
 * One running tlsfp-dataplane. Events: "region" (path), "running", "exit"
 * (DataplaneExit). Sent SIGTERM if this Node process exits first.
 */
export class DataplaneProcess extends EventEmitter {
  readonly pid: number;
  readonly prefix: string;
  regionPath: string | undefined;
  running = false;
  exit: DataplaneExit | undefined;
  /** The last lines it wrote to stderr, for error messages. */
  readonly lastErrors: string[] = [];
  private readonly exited: Promise<DataplaneExit>;
  /** We are exiting without having stopped it: SIGTERM, so it still stops cleanly on its own. */
  private readonly killOnExit = () => {
    if (this.exit === undefined) this.child.kill("SIGTERM");
  };

  private constructor(
    private readonly child: ChildProcess,
    readonly spec: DataplaneSpec,
    private readonly logger: Logger,
  ) {
    super();
    if (child.pid === undefined) throw new Error("the data plane did not start");
    this.pid = child.pid;
    this.prefix = filePrefix(spec.instance, child.pid);
    this.exited = new Promise((res) => {
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        process.off("exit", this.killOnExit);
        this.emit("exit", this.exit);
        res(this.exit);
      });
    });
    process.on("exit", this.killOnExit);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (l) =>
      this.onStdout(l),
    );
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (l) =>
      this.onStderr(l),
    );
  }

  /** Spawns the data plane; rejects when the binary cannot be executed. */
  static async start(
    spec: DataplaneSpec,
    logger: Logger,
    binary?: string,
  ): Promise<DataplaneProcess> {
    const bin = checkDataplaneBinary(binary);
    // Its own process group: a terminal's Ctrl-C reaches only us, and we
    // stop it in order (SIGTERM, wait for STOPPED, drain). Should we die
    // without that (SIGKILL, OOM), the kernel sends it SIGTERM (setpriv
    // --pdeathsig, kept across its exec), so it never outlives us holding
    // hugepages and a port.
    const [cmd, argv] = withParentDeathSignal(bin, dataplaneArgs(spec));
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    await new Promise<void>((res, rej) => {
      child.once("spawn", res);
      child.once("error", rej);
    });
    const dp = new DataplaneProcess(child, spec, logger);
    logger.info(`data plane pid ${dp.pid}: ${bin} ${dataplaneArgs(spec).join(" ")}`);
    return dp;
  }

  private onStdout(line: string): void {
    const text = line.replace(/^tlsfp-dataplane: /, "");
    const region = /^region (\S+)/.exec(text);
    if (region?.[1] !== undefined) {
      this.regionPath = region[1];
      this.emit("region", this.regionPath);
    } else if (text.startsWith("running")) {
      this.running = true;
      this.emit("running");
    }
    this.logger.info(`data plane ${this.pid}: ${text}`);
  }

  private onStderr(line: string): void {
    const text = line.replace(/^tlsfp-dataplane: /, "").trimEnd();
    if (text === "") return;
    this.lastErrors.push(text);
    if (this.lastErrors.length > KEEP_LINES) this.lastErrors.shift();
    this.logger.warn(`data plane ${this.pid}: ${text}`);
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Resolves when the process has exited. */
  waitExit(): Promise<DataplaneExit> {
    return this.exited;
  }

  /** SIGTERM (a clean stop: workers flush, state STOPPED) or SIGKILL. */
  signal(sig: "SIGTERM" | "SIGKILL"): void {
    if (this.alive) this.child.kill(sig);
  }

  /** SIGTERM, then SIGKILL after timeoutMs; resolves with how it ended. */
  async stop(timeoutMs = 10_000): Promise<DataplaneExit> {
    if (!this.alive) return this.exited;
    this.signal("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((res) => {
      timer = setTimeout(() => {
        this.logger.warn(`data plane ${this.pid} did not stop within ${timeoutMs} ms: SIGKILL`);
        this.signal("SIGKILL");
        res();
      }, timeoutMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }

  /** "exit code 1" / "killed by SIGKILL", and its last stderr line if any. */
  describeExit(): string {
    const e = this.exit;
    if (e === undefined) return "still running";
    const how = e.signal !== null ? `killed by ${e.signal}` : `exit code ${e.code}`;
    const last = this.lastErrors.at(-1);
    return last !== undefined ? `${how}: ${last}` : how;
  }
}
