/**
 * Before the suites: make sure dist/ (used by the CLI tests, which spawn
 * `node dist/src/cli/main.js`) is not older than src/. Runs tsc only when needed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const main = join(root, "dist", "src", "cli", "main.js");
  const stale =
    !existsSync(main) ||
    statSync(main).mtimeMs < newestMtime(join(root, "src")) ||
    statSync(main).mtimeMs < statSync(join(root, "tsconfig.json")).mtimeMs;
  if (stale) {
    execFileSync(
      process.execPath,
      [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
      {
        cwd: root,
        stdio: "inherit",
      },
    );
  }
}
