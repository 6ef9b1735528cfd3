/** The addon for the tests: the same loader the CLI uses (so the ABI check runs). */
import { loadAddon } from "../../src/addon/load.js";
import type { NativeAddon } from "../../src/addon/native.js";

export const addon: NativeAddon = loadAddon();
