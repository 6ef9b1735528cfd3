/**
 * `tlsfp labels`: known-fingerprint labels from the command line.
 *
 *   tlsfp labels check FILE...     parse the files, say how many labels each holds
 *   tlsfp labels import FILE...    store them as user labels (they replace shipped ones)
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.js";
import { openStore } from "../store/store.js";
import { importLabelsFile, type LabelEntry, LabelImportError } from "./labels.js";

export const LABELS_USAGE = `Usage: tlsfp labels check FILE...
       tlsfp labels import FILE... [--store PATH] [--config FILE]

Known-fingerprint labels. FILE is ja4db-style JSON (an array of objects with
application, library, device, os, ..., ja4_fingerprint, ja3_fingerprint) or
CSV with a header row kind,value,application,notes (kind: ja4, ja3, ja3s, sni,
ja4_sni). 'import' stores them in the store's database, where they replace
the shipped labels (config/labels/tlsfp-labels.json) of the same value.

Options:
  --store PATH   the SQLite store (default: store.path of the configuration)
  --config FILE  the configuration file to take store.path from
  -h, --help     show this help

Exit status: 0 done, 1 a file does not parse (the message names its line), 2 usage error.`;

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Runs the command; resolves to the exit status. */
export async function runLabels(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    say(`tlsfp: ${(e as Error).message}`);
    say(LABELS_USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(`${LABELS_USAGE}\n`);
    return 0;
  }
  const [action, ...files] = positionals;
  if ((action !== "check" && action !== "import") || files.length === 0) {
    say(
      action === undefined || action === "check" || action === "import"
        ? "tlsfp: labels needs an action and at least one FILE"
        : `tlsfp: unknown labels action '${action}'`,
    );
    say(LABELS_USAGE);
    return 2;
  }
  const all: LabelEntry[] = [];
  for (const file of files) {
    try {
      const got = importLabelsFile(file);
      all.push(...got);
      process.stdout.write(`${file}: ${got.length} labels\n`);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      say(
        `tlsfp: ${e instanceof LabelImportError ? err.message : `${file}: ${err.message.replace(/^\w+: /, "")}`}`,
      );
      return 1;
    }
  }
  if (action === "check") return 0;
  let path: string;
  try {
    path = values.store ?? loadConfig(values.config).store.path;
  } catch (e) {
    say(`tlsfp: ${(e as Error).message}`);
    return 1;
  }
  try {
    const store = openStore({ path, flushIntervalMs: 0 });
    try {
      const n = store.putLabels(all);
      process.stdout.write(`${path}: ${n} labels stored\n`);
    } finally {
      store.close();
    }
  } catch (e) {
    say(`tlsfp: ${path}: ${(e as Error).message}`);
    return 1;
  }
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      store: { type: "string" },
      config: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
