/** Node/Deno process entry: wires the CLI to the host process. */
import process from "node:process";
import { main } from "./main.ts";

const io = {
  out: (t: string) => { process.stdout.write(t); },
  err: (t: string) => { process.stderr.write(t); },
  cwd: process.cwd(),
};
main(process.argv.slice(2), io).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`isa2wasm: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 70;
  },
);
