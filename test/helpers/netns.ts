/**
 * Two network namespaces joined by a veth pair, for live tests: traffic
 * never leaves them (ARCHITECTURE.md, "Live-traffic tests run only inside
 * network namespaces the test creates").
 *
 *   tlsfpe2e-<pid>-a: 10.231.<n>.1 on veth te<pid>a
 *   tlsfpe2e-<pid>-b: 10.231.<n>.2 on veth te<pid>b
 *
 * Every process started through it is remembered and bounded by a timeout;
 * destroy() ends only those processes (by PID) and deletes the namespaces.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<ExecResult>;
}

export interface ExecOptions {
  /** Kill (SIGKILL) after this long; default 10 s. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Text for stdin; else stdin is closed at once. */
  input?: string;
}

function ip(args: string[]): void {
  execFileSync("ip", args, { stdio: "pipe", timeout: 10_000 });
}

export class NetnsPair {
  readonly a: string;
  readonly b: string;
  readonly vethA: string;
  readonly vethB: string;
  readonly ipA: string;
  readonly ipB: string;
  private readonly started: Started[] = [];
  private created = false;

  constructor(tag = process.pid) {
    this.a = `tlsfpe2e-${tag}-a`;
    this.b = `tlsfpe2e-${tag}-b`;
    // Interface names are at most 15 bytes.
    const short = String(tag).slice(-7);
    this.vethA = `te${short}a`;
    this.vethB = `te${short}b`;
    const n = (Number(tag) % 250) + 1;
    this.ipA = `10.231.${n}.1`;
    this.ipB = `10.231.${n}.2`;
  }

  /** Creates both namespaces and the veth pair (offloads off: real MTU-sized frames). */
  create(): void {
    ip(["netns", "add", this.a]);
    this.created = true;
    ip(["netns", "add", this.b]);
    ip(["link", "add", this.vethA, "type", "veth", "peer", "name", this.vethB]);
    ip(["link", "set", this.vethA, "netns", this.a]);
    ip(["link", "set", this.vethB, "netns", this.b]);
    for (const [ns, dev, addr] of [
      [this.a, this.vethA, this.ipA],
      [this.b, this.vethB, this.ipB],
    ] as const) {
      ip(["-n", ns, "addr", "add", `${addr}/24`, "dev", dev]);
      ip(["-n", ns, "link", "set", dev, "up"]);
      ip(["-n", ns, "link", "set", "lo", "up"]);
      try {
        execFileSync(
          "ip",
          ["netns", "exec", ns, "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off"],
          { stdio: "pipe", timeout: 10_000 },
        );
      } catch {
        // ethtool missing: larger frames, still correct
      }
    }
  }

  /** Starts cmd inside namespace ns; remembered for destroy(). */
  start(ns: string, cmd: string, args: string[], opts: ExecOptions = {}): Started {
    const child = spawn("ip", ["netns", "exec", ns, cmd, ...args], {
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 10_000);
    const exited = new Promise<ExecResult>((resolve) => {
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout: out, stderr: err, timedOut });
      });
      child.once("error", (e) => {
        clearTimeout(timer);
        resolve({ code: -1, signal: null, stdout: out, stderr: String(e), timedOut });
      });
    });
    const s: Started = { child, stdout: () => out, stderr: () => err, exited };
    this.started.push(s);
    return s;
  }

  /** Runs cmd inside ns to its end (bounded). */
  exec(ns: string, cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.start(ns, cmd, args, opts).exited;
  }

  /** Resolves when `pattern` appears in the process's output; rejects on exit or timeout. */
  async waitFor(s: Started, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(s.stdout()) && !pattern.test(s.stderr())) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) {
        throw new Error(`exited before ${pattern}: ${s.stderr().slice(-500)}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`no ${pattern} within ${timeoutMs} ms: ${s.stderr().slice(-500)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Ends the processes started here (SIGTERM, then SIGKILL) and deletes the namespaces. */
  async destroy(): Promise<void> {
    const alive = this.started.filter(
      (s) => s.child.exitCode === null && s.child.signalCode === null,
    );
    for (const s of alive) s.child.kill("SIGTERM");
    await Promise.race([
      Promise.all(alive.map((s) => s.exited)),
      new Promise((r) => setTimeout(r, 3000)),
    ]);
    for (const s of alive) {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
    }
    if (this.created) {
      for (const ns of [this.a, this.b]) {
        try {
          ip(["netns", "del", ns]);
        } catch {
          // already gone
        }
      }
      this.created = false;
    }
  }
}
