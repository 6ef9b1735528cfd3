/**
 * The end-to-end suite (root + DPDK): `npx vitest run --config test/e2e/vitest.config.ts`.
 * Files run one after another: each starts a data plane and two CPUs are all CI has.
 */
import { join } from "node:path";
import { defineConfig } from "vitest/config";

const root = join(import.meta.dirname, "..", "..");

export default defineConfig({
  test: {
    root,
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
