/**
 * The logger the data-plane modules write to. Any object with these three
 * methods taking a string will do (fastify's pino logger does).
 */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** "tlsfp: warning: ..." lines on stderr; info lines only when verbose. */
export function stderrLogger(opts: { verbose?: boolean } = {}): Logger {
  const put = (line: string) => process.stderr.write(`${line}\n`);
  return {
    info: (msg) => {
      if (opts.verbose) put(`tlsfp: ${msg}`);
    },
    warn: (msg) => put(`tlsfp: warning: ${msg}`),
    error: (msg) => put(`tlsfp: error: ${msg}`),
  };
}

/** Drops everything (tests). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
