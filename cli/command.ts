import { UsageError } from "./errors.ts";

/** The shape of one CLI command. */
export interface Command {
  name: string;
  /** one line for the command list */
  summary: string;
  /** full help text printed by `isa2wasm NAME --help` */
  help: string;
  /** runs the command; resolves to the process exit code */
  run(args: string[], io: CliIO): Promise<number>;
}

/** What commands may use of the host process: output streams, the working directory and file reading. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  /** Reads a whole file (relative paths from `cwd`); throws an InputError saying why it cannot be read. */
  readFile(path: string): Promise<Uint8Array>;
  /** Writes a whole file (relative paths from `cwd`); throws an InputError saying why it cannot be written. */
  writeFile?(path: string, data: Uint8Array): Promise<void>;
  /** stderr is a terminal (progress bars), and its width in columns */
  errIsTTY?: boolean;
  errColumns?: number;
}

/** Splits argv into options (--name, --name=value, --name value for names in `valued`) and positionals. */
export function parseArgs(args: string[], valued: string[] = [], stopAtFirstPositional = false) {
  const opts = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") { rest.push(...args.slice(i + 1)); break; }
    if (a.startsWith("-") && a !== "-") {
      const eq = a.indexOf("=");
      const name = (eq >= 0 ? a.slice(0, eq) : a).replace(/^--?/, "");
      if (eq >= 0) opts.set(name, a.slice(eq + 1));
      else if (valued.includes(name)) {
        if (i + 1 >= args.length) throw new UsageError(`option --${name} needs a value`);
        opts.set(name, args[++i]!);
      } else opts.set(name, true);
      continue;
    }
    rest.push(a);
    if (stopAtFirstPositional) { rest.push(...args.slice(i + 1)); break; }
  }
  return { opts, rest };
}
