/**
 * The addon shows wire names (SNI, ALPN) as text: printable ASCII as is, a
 * backslash as \\, other bytes as \xNN. This turns such a name back into bytes.
 */
export function nameToBytes(name: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as string;
    if (c !== "\\") {
      out.push(c.charCodeAt(0));
    } else if (name[i + 1] === "\\") {
      out.push(0x5c);
      i += 1;
    } else if (name[i + 1] === "x") {
      out.push(Number.parseInt(name.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      throw new Error(`bad escape in ${JSON.stringify(name)}`);
    }
  }
  return Uint8Array.from(out);
}

export function nameToHex(name: string): string {
  return Buffer.from(nameToBytes(name)).toString("hex");
}
