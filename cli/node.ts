/** Node/Deno process entry: wires the CLI to the host process. */
import { readFile, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { InputError } from "./errors.ts";
import { enableRelaxedSimd } from "../runtime/host/node.ts";
import { isWasmModule, prefetchAotCompile } from "../runtime/aot/compile.ts";

/** Readable reasons for the usual file errors (the rest keep Node's message). */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file or directory", EISDIR: "is a directory", EACCES: "permission denied", ENOTDIR: "not a directory",
};

/** A plain Uint8Array over a Buffer's bytes, not a copy (copying an 11 MiB module costs this host 45 ms). */
function bytesOf(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const io = {
  out: (t: string) => { process.stdout.write(t); },
  err: (t: string) => { process.stderr.write(t); },
  cwd: process.cwd(),
  async readFile(path: string): Promise<Uint8Array> {
    const early = prefetched?.path === resolve(io.cwd, path) ? await prefetched.bytes : undefined;
    if (early) return early;
    try {
      return bytesOf(await readFile(resolve(io.cwd, path)));
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

/**
 * `run [options] PROGRAM.wasm ...`: reads the translated module and starts compiling it (the engine does so
 * on its own threads) while the rest of the CLI loads, about 0.1 s of start-up; io.readFile then returns
 * those bytes and the run picks the compilation up (runtime/aot/compile.ts). Only a head start: a file that
 * cannot be read or is no Wasm module is left to the command, which reads it again and reports the error.
 */
function prefetch(args: string[]): { path: string; bytes: Promise<Uint8Array | undefined> } | undefined {
  if (args[0] !== "run") return undefined;
  const program = args.slice(1).find((a) => !a.startsWith("-") && a.endsWith(".wasm"));
  if (program === undefined) return undefined;
  const path = resolve(io.cwd, program);
  let u8: Uint8Array;
  try { u8 = bytesOf(readFileSync(path)); } catch { return undefined; }
  if (!isWasmModule(u8)) return undefined;
  prefetchAotCompile(u8);
  return { path, bytes: Promise.resolve(u8) };
}

enableRelaxedSimd();
const prefetched = prefetch(process.argv.slice(2));
const { main } = await import("./main.ts");
main(process.argv.slice(2), io).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`isa2wasm: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 70;
  },
);
