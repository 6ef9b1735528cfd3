/**
 * Checks of what the data plane is about to be given, made before DPDK
 * starts so that a mistake gets one clear line naming the setting rather
 * than EAL output. Pure apart from the file-system look-ups passed in.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";

/**
 * DPDK virtual-device drivers that can be a tlsfp input, and the PMD library
 * each comes from (Debian's pmds directory). net_pcap and net_af_packet are
 * the tested ones.
 */
export const VDEV_DRIVERS: Record<string, string> = {
  net_pcap: "librte_net_pcap",
  net_af_packet: "librte_net_af_packet",
  net_af_xdp: "librte_net_af_xdp",
  net_tap: "librte_net_tap",
  net_tun: "librte_net_tap",
  net_ring: "librte_net_ring",
  net_null: "librte_net_null",
  net_memif: "librte_net_memif",
  net_vhost: "librte_net_vhost",
  net_virtio_user: "librte_net_virtio",
  net_bonding: "librte_net_bond",
};

/** "net_pcap0,rx_pcap=x" → driver "net_pcap", args {rx_pcap: "x"}. */
export function parseVdev(spec: string): {
  name: string;
  driver: string;
  args: Map<string, string>;
} {
  const [name = "", ...rest] = spec.split(",");
  const driver = name.replace(/[0-9]+$/, "");
  const args = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf("=");
    if (eq > 0) args.set(part.slice(0, eq), part.slice(eq + 1));
    else if (part !== "") args.set(part, "");
  }
  return { name, driver, args };
}

export interface ValidateEnv {
  /** Is the PMD library for this driver installed? (undefined: cannot tell, assume yes) */
  pmdInstalled?: (lib: string) => boolean | undefined;
  fileReadable?: (path: string) => string | undefined;
  ifaceExists?: (name: string) => boolean;
  /** Does a server listen on this unix socket? (undefined: cannot tell, assume yes) */
  unixListening?: (path: string, abstract: boolean) => boolean | undefined;
}

/**
 * A filesystem socket: the file exists and is a socket (works across network
 * namespaces). An abstract one: a listening entry "@path" in /proc/net/unix
 * (abstract names belong to the caller's network namespace, like the data plane's).
 */
export function defaultUnixListening(path: string, abstract: boolean): boolean | undefined {
  if (!abstract) {
    try {
      return statSync(path).isSocket();
    } catch {
      return false;
    }
  }
  let table: string;
  try {
    table = readFileSync("/proc/net/unix", "utf8");
  } catch {
    return undefined;
  }
  const ACCEPTCON = 0x10000;
  return table
    .split("\n")
    .slice(1)
    .some((line) => {
      const f = line.trim().split(/\s+/);
      return (
        f.length >= 8 && (Number.parseInt(f[3] ?? "0", 16) & ACCEPTCON) !== 0 && f[7] === `@${path}`
      );
    });
}

function defaultFileReadable(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return "not a regular file";
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code;
  }
}

/** One problem (without the setting's name) or undefined when the vdev looks runnable. */
export function vdevProblem(spec: string, env: ValidateEnv = {}): string | undefined {
  const { name, driver, args } = parseVdev(spec);
  const lib = VDEV_DRIVERS[driver];
  if (lib === undefined) {
    return `unknown driver '${name === "" ? spec : driver}' (known: ${Object.keys(VDEV_DRIVERS).join(", ")})`;
  }
  if (name === driver) return `'${name}' needs an instance number, e.g. ${driver}0`;
  if (env.pmdInstalled?.(lib) === false) {
    return `the ${driver} driver (${lib}.so) is not installed with DPDK`;
  }
  const readable = env.fileReadable ?? defaultFileReadable;
  const iface = env.ifaceExists ?? ((n: string) => existsSync(`/sys/class/net/${n}`));
  if (driver === "net_pcap") {
    const file = args.get("rx_pcap");
    const rxIface = args.get("rx_iface") ?? args.get("rx_iface_in") ?? args.get("iface");
    if (file === undefined && rxIface === undefined) {
      return "net_pcap needs rx_pcap=FILE (or rx_iface=IFACE)";
    }
    if (file !== undefined) {
      const why = readable(file);
      if (why !== undefined) return `rx_pcap=${file}: ${why}`;
    }
    if (rxIface !== undefined && !iface(rxIface)) return `interface ${rxIface} does not exist`;
  }
  if (driver === "net_af_xdp") {
    const i = args.get("iface");
    if (i === undefined) return "net_af_xdp needs iface=IFACE";
    if (!iface(i)) return `interface ${i} does not exist (in this network namespace)`;
  }
  if (driver === "net_memif" && (args.get("role") ?? "client") === "client") {
    // A memif client connects once, when its port starts: the server must be up.
    const sock = args.get("socket") ?? "/run/memif.sock";
    const abstract = (args.get("socket-abstract") ?? "yes") !== "no";
    const listening = (env.unixListening ?? defaultUnixListening)(sock, abstract);
    if (listening === false) {
      return `no memif server listens on ${abstract ? "the abstract socket " : ""}${sock}: start the peer (role=server${abstract ? "" : ",socket-abstract=no"}) first`;
    }
  }
  if (driver === "net_af_packet") {
    const i = args.get("iface");
    if (i === undefined) return "net_af_packet needs iface=IFACE";
    if (!iface(i)) return `interface ${i} does not exist (in this network namespace)`;
  }
  return undefined;
}

const BDF = /^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\.[0-7]$/;

export function pciProblem(bdf: string): string | undefined {
  return BDF.test(bdf) ? undefined : `'${bdf}' is not a PCI address like 0000:03:00.0`;
}

/** Online CPUs this process may use. */
export function onlineCpus(): number {
  return availableParallelism();
}

export function workersProblem(n: number, cpus = onlineCpus()): string | undefined {
  if (!Number.isInteger(n) || n < 1) return `${n}: a whole number of at least 1`;
  if (n > cpus) return `${n} workers, but this machine has ${cpus} online CPUs for them`;
  return undefined;
}

/** The PMD directory check, for ValidateEnv.pmdInstalled. */
export function pmdInstalledIn(dirs: string[]): (lib: string) => boolean | undefined {
  return (lib) => {
    if (dirs.length === 0) return undefined;
    return dirs.some((d) => existsSync(`${d}/${lib}.so`));
  };
}

/** Debian/Ubuntu's DPDK PMD directories (/usr/lib/<triplet>/dpdk/pmds-N.M). */
export function defaultPmdDirs(): string[] {
  const out: string[] = [];
  for (const base of ["/usr/lib", "/usr/local/lib"]) {
    let triplets: string[];
    try {
      triplets = ["", ...readdirSync(base)];
    } catch {
      continue;
    }
    for (const t of triplets) {
      const dpdk = `${base}${t === "" ? "" : `/${t}`}/dpdk`;
      try {
        for (const p of readdirSync(dpdk)) if (p.startsWith("pmds-")) out.push(`${dpdk}/${p}`);
      } catch {
        // not there
      }
    }
  }
  return out;
}
