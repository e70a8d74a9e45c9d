/** The isa2wasm command line: dispatches to the commands in ./commands. */
import type { CliIO, Command } from "./command.ts";
import { InputError, UsageError } from "./errors.ts";
import { infoCommand } from "./commands/info.ts";
import { runCommand } from "./commands/run.ts";
import { translateCommand } from "./commands/translate.ts";
import { disasmCommand } from "./commands/disasm.ts";

export const VERSION = "0.1.0";

export const COMMANDS: Command[] = [runCommand, translateCommand, disasmCommand, infoCommand];

export function usage(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return `isa2wasm ${VERSION}: run and translate Linux ELF binaries for other CPUs (riscv64, ppc32) as WebAssembly

Usage: isa2wasm <command> [options] [args]

Commands:
${lines.join("\n")}

Run 'isa2wasm <command> --help' for a command's options.
`;
}

/** Runs the CLI with `argv` (without node and script path); resolves to the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") { io.out(`${VERSION}\n`); return 0; }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`isa2wasm: unknown command '${name}' (try 'isa2wasm --help')\n`);
    return 2;
  }
  if (args[0] === "--help" || args[0] === "-h") { io.out(cmd.help); return 0; }
  try {
    return await cmd.run(args, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) { io.err(`isa2wasm ${name}: ${oneLine(e.message)}\n`); return 2; }
    throw e;
  }
}

/** Escapes control characters (a file name or a string from a file may hold newlines) so a message stays one line. */
export function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
