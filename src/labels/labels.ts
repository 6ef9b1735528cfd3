/**
 * Known-fingerprint labels: the shipped database (config/labels/tlsfp-labels.json,
 * built by scripts/make-labels.py from the real-client fixtures) and importers
 * for user files: ja4db-style JSON and a plain CSV.
 *
 * Only JA4 and JA3 (and JA3S) values become labels; the other JA4+ fields of a
 * ja4db entry (ja4s, ja4h, ja4x, ja4t, ...) are ignored.
 */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { packageRoot } from "../paths.js";
import type { FingerprintKind, FingerprintLabel } from "../store/types.js";

/** One label as the store takes it. */
export interface LabelEntry {
  kind: FingerprintKind;
  value: string;
  label: FingerprintLabel;
}

/** A label file that does not parse; the message names the file and line. */
export class LabelImportError extends Error {
  override name = "LabelImportError";
}

const KINDS: readonly FingerprintKind[] = ["ja4", "ja3", "ja3s", "sni", "ja4_sni"];
const JA4_RE = /^[tqd][0-9a-z]{2}[di][0-9]{4}[0-9a-zA-Z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/;
const MD5_RE = /^[0-9a-f]{32}$/;

/** Where the shipped labels live. */
export function shippedLabelsPath(): string {
  return join(packageRoot(), "config", "labels", "tlsfp-labels.json");
}

/** Checks a value's shape for its kind; returns an error text or null. */
function badValue(kind: FingerprintKind, value: string): string | null {
  if (kind === "ja4" && !JA4_RE.test(value)) return `'${value}' is not a JA4 fingerprint`;
  if ((kind === "ja3" || kind === "ja3s") && !MD5_RE.test(value)) {
    return `'${value}' is not a ${kind.toUpperCase()} hash (32 lowercase hex digits)`;
  }
  if (value === "") return "empty value";
  return null;
}

interface ShippedFile {
  version: number;
  labels: { kind: string; value: string; application: string; notes?: string }[];
}

/** The shipped database (source "tlsfp"); path overridable for tests. */
export function loadShippedLabels(path = shippedLabelsPath()): LabelEntry[] {
  const data = JSON.parse(readFileSync(path, "utf8")) as ShippedFile;
  if (data.version !== 1 || !Array.isArray(data.labels)) {
    throw new LabelImportError(`${path}: not a tlsfp labels file (version 1)`);
  }
  return data.labels.map((l, i) => {
    const kind = l.kind as FingerprintKind;
    const bad = KINDS.includes(kind) ? badValue(kind, l.value) : `unknown kind '${l.kind}'`;
    if (bad !== null) throw new LabelImportError(`${path}: label ${i + 1}: ${bad}`);
    const label: FingerprintLabel = { application: l.application, source: "tlsfp" };
    if (l.notes !== undefined) label.notes = l.notes;
    return { kind, value: l.value, label };
  });
}

/** Line (1-based) of the n-th top-level array element's opening brace, for error messages. */
function objectLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      if (depth === 1 && c === "{") lines.push(line);
      depth++;
    } else if (c === "]" || c === "}") depth--;
  }
  return lines;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

/**
 * ja4db-style JSON: an array of objects with application / library / device /
 * os / user_agent_string / certificate_authority / verified / notes and the
 * fingerprints ja4_fingerprint and ja3_fingerprint (ja4s_fingerprint etc. are
 * ignored). Entries without a JA4 or JA3 are skipped; an entry with one but
 * nothing to name it by is an error.
 */
export function parseJa4dbJson(text: string, source: string): LabelEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new LabelImportError(`${source}: not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new LabelImportError(`${source}: expected a JSON array`);
  const lines = objectLines(text);
  const out: LabelEntry[] = [];
  data.forEach((item: unknown, i) => {
    const where = `${source}:${lines[i] ?? "?"}: entry ${i + 1}`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw new LabelImportError(`${where}: expected an object`);
    }
    const o = item as Record<string, unknown>;
    const fps: [FingerprintKind, string | undefined][] = [
      ["ja4", str(o.ja4_fingerprint)],
      ["ja3", str(o.ja3_fingerprint)],
    ];
    if (fps.every(([, v]) => v === undefined)) return;
    const app = str(o.application) ?? str(o.library) ?? str(o.device) ?? str(o.user_agent_string);
    if (app === undefined) {
      throw new LabelImportError(
        `${where}: no application, library, device or user_agent_string to name it by`,
      );
    }
    const extra: string[] = [];
    const lib = str(o.library);
    if (lib !== undefined && lib !== app) extra.push(`library: ${lib}`);
    for (const k of ["device", "os", "certificate_authority", "notes"] as const) {
      const v = str(o[k]);
      if (v !== undefined && v !== app) extra.push(`${k}: ${v}`);
    }
    if (o.verified === true) extra.push("verified");
    for (const [kind, value] of fps) {
      if (value === undefined) continue;
      const v = kind === "ja3" ? value.toLowerCase() : value;
      const bad = badValue(kind, v);
      if (bad !== null) throw new LabelImportError(`${where}: ${kind}_fingerprint: ${bad}`);
      const label: FingerprintLabel = { application: app, source };
      if (extra.length > 0) label.notes = extra.join("; ");
      out.push({ kind, value: v, label });
    }
  });
  return out;
}

/** Splits one CSV line (RFC 4180 quoting, no embedded newlines). */
function csvFields(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let f = "";
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            f += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        f += line[i];
        i++;
      }
      fields.push(f);
      if (i === line.length) return fields;
      if (line[i] !== ",") return null;
      i++;
    } else {
      const j = line.indexOf(",", i);
      if (j < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, j));
      i = j + 1;
    }
  }
}

/** CSV with a header row `kind,value,application,notes` (notes optional, columns by name). */
export function parseLabelsCsv(text: string, source: string): LabelEntry[] {
  const lines = text.split(/\r?\n/);
  const header = csvFields(lines[0] ?? "")?.map((h) => h.trim().toLowerCase());
  if (header === undefined) throw new LabelImportError(`${source}:1: bad header`);
  const col = (name: string) => header.indexOf(name);
  for (const need of ["kind", "value", "application"]) {
    if (col(need) < 0) {
      throw new LabelImportError(
        `${source}:1: the header needs a '${need}' column (kind,value,application,notes)`,
      );
    }
  }
  const out: LabelEntry[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line.trim() === "" || line.startsWith("#")) continue;
    const where = `${source}:${n + 1}`;
    const f = csvFields(line);
    if (f === null) throw new LabelImportError(`${where}: unbalanced quotes`);
    const kind = (f[col("kind")] ?? "").trim() as FingerprintKind;
    const raw = (f[col("value")] ?? "").trim();
    const value = kind === "ja3" || kind === "ja3s" ? raw.toLowerCase() : raw;
    const application = (f[col("application")] ?? "").trim();
    if (!KINDS.includes(kind)) {
      throw new LabelImportError(`${where}: unknown kind '${kind}' (one of ${KINDS.join(", ")})`);
    }
    const bad = badValue(kind, value);
    if (bad !== null) throw new LabelImportError(`${where}: ${bad}`);
    if (application === "") throw new LabelImportError(`${where}: empty application`);
    const label: FingerprintLabel = { application, source };
    const notes = col("notes") >= 0 ? (f[col("notes")] ?? "").trim() : "";
    if (notes !== "") label.notes = notes;
    out.push({ kind, value, label });
  }
  return out;
}

/** A label file by its extension: .json (ja4db-style or tlsfp's own) or .csv. Source = file name. */
export function importLabelsFile(path: string): LabelEntry[] {
  const text = readFileSync(path, "utf8");
  const source = basename(path);
  if (/\.csv$/i.test(path)) return parseLabelsCsv(text, source);
  if (/\.json$/i.test(path)) {
    if (/^\s*\{/.test(text)) {
      return loadShippedLabels(path).map((e) => ({ ...e, label: { ...e.label, source } }));
    }
    return parseJa4dbJson(text, source);
  }
  throw new LabelImportError(`${path}: unknown label file type (expected .json or .csv)`);
}
