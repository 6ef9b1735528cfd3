/**
 * Loads the native addon (native/build/Release/tlsfp.node) once and refuses
 * one whose record layout this TypeScript side does not know.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { packageRoot } from "../paths.js";
import { type NativeAddon, RECORD_ABI, REQUIRED_COUNTERS } from "./native.js";

/** Where `npm run build:native` puts the addon. TLSFP_ADDON overrides it. */
export function addonPath(): string {
  return process.env.TLSFP_ADDON
    ? resolve(process.env.TLSFP_ADDON)
    : join(packageRoot(), "native", "build", "Release", "tlsfp.node");
}

let cached: NativeAddon | undefined;

/** The addon, checked. Throws an Error with a clear remedy when it is missing or stale. */
export function loadAddon(): NativeAddon {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new Error(`the native addon is not built (${path} is missing): run npm run build:native`);
  }
  const require = createRequire(import.meta.url);
  const addon = require(path) as NativeAddon;
  const abi = addon.abi();
  if (abi.recordAbi !== RECORD_ABI) {
    throw new Error(
      `the native addon has record ABI ${abi.recordAbi}, this code knows ${RECORD_ABI}: run npm run build`,
    );
  }
  const missing = REQUIRED_COUNTERS.filter((c) => !abi.counters.includes(c));
  if (missing.length > 0) {
    throw new Error(
      `the native addon lacks counters ${missing.join(", ")}: run npm run build:native`,
    );
  }
  cached = addon;
  return addon;
}
