/**
 * Plan → DPDK EAL arguments. Pure. Safety rules from docs/architecture.md ("Safety on shared
 * machines"): `--no-pci` unless PCI ports are configured, and then only those are allow-listed
 * with `-a BDF` (DPDK must never take the host's own NIC); every instance has its own
 * `--file-prefix` so instances and tests never share hugepage files or runtime sockets.
 */
import type { Config } from "../config/schema.js";
import { NO_HUGE_MEM_MB, type Plan } from "./planner.js";

export interface EalArgs {
  args: string[];
  warnings: string[];
}

const INSTANCE = /^[A-Za-z0-9_-]{1,32}$/;

/** The EAL argument list for `plan`; `instance` names this tlsfp instance (file prefix). */
export function ealArgs(config: Config, plan: Plan, instance: string): EalArgs {
  if (!INSTANCE.test(instance)) {
    throw new Error(`instance name '${instance}' is not allowed (1-32 of A-Z a-z 0-9 _ -)`);
  }
  if (plan.errors.length > 0) {
    throw new Error(`the plan has errors:\n  ${plan.errors.join("\n  ")}`);
  }
  const warnings: string[] = [];
  const lcores = [plan.mainLcore, ...plan.workers];
  const args = [
    "-l",
    lcores.join(","),
    "--main-lcore",
    String(plan.mainLcore),
    "--file-prefix",
    `tlsfp-${instance}`,
  ];
  const pci = config.dataplane.ports.flatMap((p) => (p.pci === undefined ? [] : [p.pci]));
  if (pci.length === 0) args.push("--no-pci");
  for (const bdf of pci) args.push("-a", bdf);
  for (const p of config.dataplane.ports) if (p.vdev !== undefined) args.push("--vdev", p.vdev);
  if (plan.hugepages.use) {
    // One value per socket up to the plan's node: "0,1024" puts 1 GiB on node 1 only.
    const maxNode = Math.max(plan.node, ...plan.nodes);
    const mem = Array.from({ length: maxNode + 1 }, (_, n) =>
      n === plan.node ? plan.hugepages.memMb : 0,
    );
    args.push("--socket-mem", mem.join(","));
  } else {
    args.push("--no-huge", "-m", String(NO_HUGE_MEM_MB));
    warnings.push(
      `no hugepages: DPDK runs with --no-huge -m ${NO_HUGE_MEM_MB} (ordinary 4 KiB pages, slower, memory not placed on node ${plan.node})`,
    );
  }
  return { args, warnings };
}
