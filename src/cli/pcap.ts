/**
 * `tlsfp pcap FILE`: a capture through the native pipeline, one EVE line per
 * handshake to stdout or --eve PATH, a summary on stderr.
 */
import { parseArgs } from "node:util";
import { loadAddon } from "../addon/load.js";
import { type CaptureAnalyzer, isNativeError, type PipelineOptions } from "../addon/native.js";
import { LineWriter } from "./output.js";
import { ProgressBar, shouldShowProgress } from "./progress.js";
import { formatSummary } from "./summary.js";
import { PCAP_USAGE, UsageError } from "./usage.js";

export interface PcapArgs {
  help: boolean;
  file: string;
  eve: string | undefined;
  quiet: boolean;
  options: PipelineOptions;
}

const BATCH = 1024;

function integerArg(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`${flag} needs a whole number, got '${value}'`);
  return Number(value);
}

/** argv after `pcap` → arguments; throws UsageError. */
export function parsePcapArgs(argv: string[]): PcapArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help && positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? "pcap needs a FILE" : "pcap takes one FILE");
  }
  const options: PipelineOptions = {};
  const hello = integerArg("--hello-max-bytes", values["hello-max-bytes"]);
  const flows = integerArg("--max-flows", values["max-flows"]);
  if (hello !== undefined) options.helloMaxBytes = hello;
  if (flows !== undefined) options.maxFlows = flows;
  return {
    help,
    file: positionals[0] ?? "",
    eve: values.eve,
    quiet: values.quiet === true,
    options,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      eve: { type: "string" },
      "hello-max-bytes": { type: "string" },
      "max-flows": { type: "string" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
}

const OPTION_FLAGS: Record<string, string> = {
  helloMaxBytes: "--hello-max-bytes",
  maxFlows: "--max-flows",
};

/** A RangeError of the addon names the option in camelCase; say the flag. */
function optionMessage(e: Error): string {
  return e.message.replace(/option (\w+)/, (m, name: string) => OPTION_FLAGS[name] ?? m);
}

/** "PATH: ENOENT: no such file or directory" (Node's own message repeats the path). */
function outputMessage(eve: string | undefined, e: Error): string {
  return `${eve ?? "stdout"}: ${e.message.replace(/, \w+ '.*'$/, "")}`;
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Runs the command; resolves to the exit status. */
export async function runPcap(argv: string[]): Promise<number> {
  let args: PcapArgs;
  try {
    args = parsePcapArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    say(`tlsfp: ${e.message}`);
    say(PCAP_USAGE);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${PCAP_USAGE}\n`);
    return 0;
  }

  let analyzer: CaptureAnalyzer;
  try {
    analyzer = new (loadAddon().CaptureAnalyzer)(args.file, args.options);
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) {
      say(`tlsfp: ${optionMessage(e)}`);
      return 2;
    }
    // The addon's message already names the file: "FILE: reason".
    say(isNativeError(e) ? `tlsfp: ${e.message}` : `tlsfp: ${(e as Error).message}`);
    return 1;
  }
  try {
    return await analyze(analyzer, args);
  } finally {
    analyzer.close();
  }
}

async function openOutput(eve: string | undefined): Promise<LineWriter> {
  return eve === undefined ? LineWriter.stdout() : LineWriter.file(eve);
}

async function analyze(analyzer: CaptureAnalyzer, args: PcapArgs): Promise<number> {
  let out: LineWriter;
  try {
    out = await openOutput(args.eve);
  } catch (e) {
    say(`tlsfp: ${outputMessage(args.eve, e as Error)}`);
    return 1;
  }
  const started = process.hrtime.bigint();
  const showBar =
    !args.quiet && shouldShowProgress(process.stderr.isTTY === true, analyzer.progress().size);
  const bar = showBar ? new ProgressBar(process.stderr) : undefined;
  let handshakes = 0;
  let failure: string | undefined;
  // The EVE lines come from the addon's C writer (dpdk/export/eve.c, byte for
  // byte src/export/eve.ts's): no JS object per record. Nothing is aggregated.
  const core = new (loadAddon().Aggregates)();
  const options = { eve: true, aggregate: false };
  try {
    for (;;) {
      const { batch, done } = analyzer.nextBatch(core, BATCH, options);
      if (batch.eve !== undefined) await out.write(batch.eve);
      handshakes += batch.n;
      bar?.update(analyzer.progress());
      if (done || out.closed) break;
      await new Promise((r) => setImmediate(r)); // let signals and I/O in between batches
    }
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    // A capture error names its file already; an output error does not.
    failure = isNativeError(e) && e.path !== undefined ? e.message : outputMessage(args.eve, e);
  }
  try {
    await out.end(); // also after a capture error: keep the records before it
  } catch (e) {
    failure ??= outputMessage(args.eve, e as Error);
  }
  bar?.clear();
  if (!args.quiet && !out.closed) {
    const elapsedNs = process.hrtime.bigint() - started;
    say(formatSummary({ file: args.file, counters: analyzer.counters(), handshakes, elapsedNs }));
  }
  if (failure !== undefined) {
    say(`tlsfp: ${failure}`);
    return 1;
  }
  return 0;
}
