/** Node/Deno process entry: wires the CLI to the host process. */
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import process from "node:process";
import { InputError } from "./errors.ts";
import { main } from "./main.ts";
import { enableRelaxedSimd } from "../runtime/host/node.ts";

/** Readable reasons for the usual file errors (the rest keep Node's message). */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file or directory", EISDIR: "is a directory", EACCES: "permission denied", ENOTDIR: "not a directory",
};

const io = {
  out: (t: string) => { process.stdout.write(t); },
  err: (t: string) => { process.stderr.write(t); },
  cwd: process.cwd(),
  async readFile(path: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(resolve(io.cwd, path)));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      const reason = typeof code === "string" && FILE_ERRORS[code] ? FILE_ERRORS[code] : e instanceof Error ? e.message : String(e);
      throw new InputError(`${path}: cannot read: ${reason}`);
    }
  },
  async writeFile(path: string, data: Uint8Array): Promise<void> {
    try {
      await writeFile(resolve(io.cwd, path), data);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      const reason = typeof code === "string" && FILE_ERRORS[code] ? FILE_ERRORS[code] : e instanceof Error ? e.message : String(e);
      throw new InputError(`${path}: cannot write: ${reason}`);
    }
  },
  errIsTTY: process.stderr.isTTY === true,
  errColumns: process.stderr.columns,
};
enableRelaxedSimd();
main(process.argv.slice(2), io).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`isa2wasm: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 70;
  },
);
