#!/usr/bin/env node
/** The `tlsfp` command: subcommand dispatch. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runLabels } from "../labels/cli.js";
import { packageRoot } from "../paths.js";
import { runDoctor } from "./doctor.js";
import { runPcap } from "./pcap.js";
import { runRun } from "./run.js";
import { MAIN_USAGE } from "./usage.js";

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  pcap: runPcap,
  run: runRun,
  doctor: runDoctor,
  labels: runLabels,
};

function version(): string {
  const pkg = readFileSync(join(packageRoot(), "package.json"), "utf8");
  return (JSON.parse(pkg) as { version: string }).version;
}

/** Runs tlsfp with argv (without node and script); resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) {
    return (COMMANDS[first] as Command)(rest);
  }
  let values: { help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "V" } },
    }));
  } catch (e) {
    process.stderr.write(`tlsfp: ${(e as Error).message}\n${MAIN_USAGE}\n`);
    return 2;
  }
  if (values.version) {
    process.stdout.write(`tlsfp ${version()}\n`);
    return 0;
  }
  if (values.help) {
    process.stdout.write(`${MAIN_USAGE}\n`);
    return 0;
  }
  const what = first === undefined ? "no command given" : `unknown command '${first}'`;
  process.stderr.write(`tlsfp: ${what}\n${MAIN_USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tlsfp: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
