/**
 * Loading the YAML configuration: parse, reject unknown keys, fill defaults, validate against
 * ConfigSchema, run the checks the schema cannot express, and resolve relative capture paths.
 * Every problem becomes one line "path: value is not allowed (what is allowed)"; all of them are
 * collected and thrown together as a ConfigError so a user fixes a file in one pass.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { parseDocument } from "yaml";
import { packageRoot } from "../paths.js";
import { type Config, ConfigSchema } from "./schema.js";

/** An invalid configuration: `problems` holds one line per problem, `message` all of them. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid configuration\n  ${problems.join("\n  ")}`);
  }
}

const compiled = TypeCompiler.Compile(ConfigSchema);

/** The shipped, documented configuration file. */
export function defaultConfigPath(): string {
  return join(packageRoot(), "config", "default.yaml");
}

/** Loads and validates FILE, or the built-in defaults when no file is given. */
export function loadConfig(file?: string): Config {
  if (file === undefined) return configFromValue({}, join(packageRoot(), "config"), "defaults");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "No such file or directory" : err.message;
    throw new ConfigError(file, [`cannot read the file: ${why}`]);
  }
  return parseConfig(text, file);
}

/** Parses YAML text; relative capture paths resolve against the directory of `file`. */
export function parseConfig(text: string, file: string): Config {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}: ` : "";
        const what = (e.message.split("\n")[0] as string).replace(
          / at line \d+, column \d+:?$/,
          "",
        );
        return `${where}${what}`;
      }),
    );
  }
  return configFromValue(doc.toJS() ?? {}, dirname(resolve(file)), file);
}

/** Validates an already parsed value (the core of loadConfig; pure apart from path resolution). */
export function configFromValue(raw: unknown, baseDir: string, source: string): Config {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(source, [`the file must be a mapping of sections, not ${show(raw)}`]);
  }
  const input = Value.Clone(raw) as Record<string, unknown>;
  // Capture paths the user wrote are relative to their file; the embedded
  // default's (DEFAULT_PORTS) to this package's config/ directory.
  const userPorts = (input.dataplane as { ports?: unknown } | undefined)?.ports !== undefined;
  const portsDir = userPorts ? baseDir : join(packageRoot(), "config");
  const problems: string[] = [];
  unknownKeys(ConfigSchema, input, "", problems);
  const value = Value.Default(ConfigSchema, input);
  const seen = new Set<string>();
  for (const e of compiled.Errors(value)) {
    const path = dotted(e.path);
    // One line per setting; unknown keys were reported above with a suggestion.
    if (seen.has(path) || e.message === "Unexpected property") continue;
    seen.add(path);
    problems.push(`${path}: ${show(e.value)} is not allowed (${describeAllowed(e.schema)})`);
  }
  if (problems.length === 0) problems.push(...semanticProblems(value as Config));
  if (problems.length > 0) throw new ConfigError(source, problems);
  const config = Value.Clone(value) as Config;
  for (const p of config.dataplane.ports) {
    if (p.vdev !== undefined) p.vdev = resolveVdevPaths(p.vdev, portsDir);
  }
  return config;
}

/** Checks that need more than one value or arithmetic TypeBox cannot express. */
export function semanticProblems(c: Config): string[] {
  const out: string[] = [];
  const d = c.dataplane;
  if ((d.ringSlots & (d.ringSlots - 1)) !== 0) {
    out.push(
      `dataplane.ringSlots: ${d.ringSlots} is not allowed (a power of two from 64 to 16777216)`,
    );
  }
  const port = Number(/:(\d+)$/.exec(c.api.listen)?.[1]);
  if (!(port >= 1 && port <= 65535)) {
    out.push(`api.listen: ${show(c.api.listen)} is not allowed (a port from 1 to 65535)`);
  }
  d.ports.forEach((p, i) => {
    const both = p.vdev !== undefined && p.pci !== undefined;
    const none = p.vdev === undefined && p.pci === undefined;
    if (both || none) {
      out.push(`dataplane.ports[${i}]: ${show(p)} is not allowed (exactly one of vdev or pci)`);
    }
  });
  if (Array.isArray(d.lcores)) {
    const lc: number[] = d.lcores;
    const dup = lc.filter((x, i) => lc.indexOf(x) !== i);
    if (dup.length > 0) {
      out.push(`dataplane.lcores: ${show(lc)} is not allowed (each CPU at most once)`);
    } else if (lc.length !== d.workers) {
      out.push(
        `dataplane.lcores: ${show(lc)} is not allowed (a list of exactly dataplane.workers = ${d.workers} CPU numbers; or set workers: ${lc.length})`,
      );
    }
    if (typeof d.mainLcore === "number" && lc.includes(d.mainLcore)) {
      out.push(
        `dataplane.mainLcore: ${d.mainLcore} is not allowed (a CPU that is not one of the worker lcores ${show(lc)})`,
      );
    }
  }
  return out;
}

/** DPDK pcap vdev arguments whose value is a file: relative ones resolve against baseDir. */
const VDEV_FILE_KEYS = new Set(["rx_pcap", "tx_pcap"]);

export function resolveVdevPaths(vdev: string, baseDir: string): string {
  return vdev
    .split(",")
    .map((part) => {
      const eq = part.indexOf("=");
      if (eq < 0) return part;
      const key = part.slice(0, eq);
      const val = part.slice(eq + 1);
      if (!VDEV_FILE_KEYS.has(key) || val === "" || isAbsolute(val)) return part;
      return `${key}=${join(baseDir, val)}`;
    })
    .join(",");
}

/** Reports keys the schema does not know (with a close name if any); null sections become {}. */
function unknownKeys(schema: TSchema, value: unknown, path: string, out: string[]): void {
  if (schema.type === "array" && Array.isArray(value)) {
    value.forEach((v, i) => {
      unknownKeys(schema.items as TSchema, v, `${path}[${i}]`, out);
    });
    return;
  }
  if (schema.type !== "object" || typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) return;
  const obj = value as Record<string, unknown>;
  const props = schema.properties as Record<string, TSchema>;
  for (const key of Object.keys(obj)) {
    const name = path === "" ? key : `${path}.${key}`;
    const sub = props[key];
    if (sub === undefined) {
      const near = closest(key, Object.keys(props));
      const hint =
        near === undefined ? "" : ` (did you mean ${path === "" ? near : `${path}.${near}`}?)`;
      out.push(`${name}: unknown setting${hint}`);
      delete obj[key];
      continue;
    }
    if (sub.type === "object" && obj[key] === null) {
      delete obj[key]; // an empty YAML section ("hugepages:") means "all defaults"
      continue;
    }
    unknownKeys(sub, obj[key], name, out);
  }
}

/** The known name within edit distance 2 (or differing only in case/underscores), if any. */
export function closest(key: string, names: string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, "");
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const n of names) {
    const d = norm(n) === norm(key) ? 0 : editDistance(key.toLowerCase(), n.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  const limit = key.length <= 4 ? 1 : 2;
  return bestD <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** "/dataplane/ports/0/pci" → "dataplane.ports[0].pci". */
function dotted(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc === "" ? s : `${acc}.${s}`), "");
}

/** A value as the user wrote it, short. */
function show(v: unknown): string {
  if (v === undefined) return "(missing)";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Human text for what a schema accepts. */
export function describeAllowed(schema: TSchema): string {
  if (typeof schema.allowed === "string") return schema.allowed;
  if (schema.anyOf !== undefined) {
    const parts = schema.anyOf as TSchema[];
    if (parts.every((p) => p.const !== undefined)) {
      return `one of ${parts.map((p) => JSON.stringify(p.const)).join(", ")}`;
    }
    return parts.map(describeAllowed).join(" or ");
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  switch (schema.type) {
    case "integer":
    case "number": {
      const what = schema.type === "integer" ? "an integer" : "a number";
      const lo = schema.minimum as number | undefined;
      const hi = schema.maximum as number | undefined;
      if (lo !== undefined && hi !== undefined) return `${what} from ${lo} to ${hi}`;
      if (lo !== undefined) return `${what} ≥ ${lo}`;
      if (hi !== undefined) return `${what} ≤ ${hi}`;
      return what;
    }
    case "string":
      return schema.minLength !== undefined && schema.minLength > 1
        ? `a string of at least ${schema.minLength} characters`
        : "a non-empty string";
    case "boolean":
      return "true or false";
    case "null":
      return "null";
    case "array":
      return `a list of ${describeAllowed(schema.items as TSchema)}`;
    case "object":
      return "a mapping of settings";
    default:
      return "a valid value";
  }
}
