/**
 * The embedding API (`import { loadProgram, runProgram } from "isa2wasm/runtime"`): runs a program
 * translated with `isa2wasm translate` in Node, Deno or a browser, with the caller's argv, environment,
 * standard streams and file system.
 *
 * It never loads the translator (binaryen): code that ahead-of-time discovery missed runs in the
 * interpreter, unless the caller injects a region compiler (`compile`, e.g. translator/codegen's
 * compileRegions bound to the guest's state layout) for dynamic translation.
 *
 * ```ts
 * import { loadProgram, runProgram, MemoryFileSystem } from "isa2wasm/runtime";
 * const program = await loadProgram(await (await fetch("hello.wasm")).arrayBuffer());
 * const { exitCode } = await runProgram(program, { argv: ["hello"], stdout: (b) => console.log(new TextDecoder().decode(b)) });
 * ```
 */
import { aotProcessParts, compileAotModule, isWasmModule, type AotProgram } from "./aot/load.ts";
import type { CompileRegions } from "./jit/tier.ts";
import { blockingSleep, HostError, webRandomBytes, type HostAdapter, type HostFileSystem, type HostStdio, type WindowSize } from "./host/host.ts";
import { MemoryFileSystem } from "./host/memory.ts";
import { exitCode, GuestProcess, type ProcessStats } from "./process/process.ts";
import { guestByName } from "../translator/guests/index.ts";

export { MemoryFileSystem } from "./host/memory.ts";
export { HostError } from "./host/host.ts";
export type { HostFileSystem, HostStat, HostOpenFlags, HostDirEntry, HostHandle } from "./host/host.ts";
export type { AotProgram as TranslatedProgram } from "./aot/load.ts";
export type { AotManifest } from "../translator/aot/format.ts";
export type { CompileRegions } from "./jit/tier.ts";
export type { ProcessStats } from "./process/process.ts";

/**
 * Compiles a translated module and reads its manifest. Accepts the module's bytes or an already compiled
 * `WebAssembly.Module`; throws an Error with a one-line message when it is not an isa2wasm module.
 */
export async function loadProgram(source: Uint8Array | ArrayBuffer | WebAssembly.Module): Promise<AotProgram> {
  if (source instanceof WebAssembly.Module) return compileAotModule(source);
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  if (!isWasmModule(bytes)) throw new Error("not a WebAssembly module (translate the program with `isa2wasm translate` first)");
  return compileAotModule(bytes);
}

/** Standard input: all of it at once (bytes or UTF-8 text), or a callback returning the next chunk (null: end of input). */
export type StdinSource = Uint8Array | string | (() => Uint8Array | string | null);

/** Options of {@link runProgram}. */
export interface RunOptions {
  /** argv as the guest sees it, argv[0] included (default: the translated file's name) */
  argv?: string[];
  /** environment, as NAME=VALUE strings or an object (default: empty) */
  env?: string[] | Record<string, string>;
  /** standard input (default: empty) */
  stdin?: StdinSource;
  /** receive what the guest writes to standard output and error (default: discarded) */
  stdout?: (data: Uint8Array) => void;
  stderr?: (data: Uint8Array) => void;
  /** report the standard streams as a terminal of this size (default: not a terminal) */
  terminal?: WindowSize;
  /**
   * the file system the guest sees (runtime/host/host.ts HostFileSystem: paths are absolute host paths of
   * this adapter); default: a fresh {@link MemoryFileSystem}
   */
  fs?: HostFileSystem;
  /** guest directories backed by directories of `fs` (default: `fs`'s root as the guest's root, read-write) */
  mounts?: Array<{ host: string; guest: string; readonly?: boolean }>;
  /** the guest's working directory (default "/") */
  cwd?: string;
  /** seed for AT_RANDOM and getrandom, for repeatable runs (default: crypto.getRandomValues) */
  seed?: bigint;
  /**
   * dynamic translation of code the module lacks: translator/codegen/module.ts `compileRegions` (loads
   * binaryen); default none, the interpreter runs it
   */
  compile?: CompileRegions;
  /** each syscall, qemu -strace style */
  strace?: (line: string) => void;
  /** runtime warnings (unknown syscalls ...) */
  warn?: (line: string) => void;
}

/** How a run ended. */
export interface RunResult {
  /** the exit status a shell would see: the guest's, or 128 + signal when it was killed */
  exitCode: number;
  /** the signal that killed the guest, and the message qemu-user would print */
  signal?: number;
  message?: string;
  /** instructions by tier (aot, dynamic, interp), syscalls, wall time */
  stats: ProcessStats;
}

/** Runs a translated program to its end. The guest runs synchronously inside this call (after instantiation). */
export async function runProgram(program: AotProgram, opts: RunOptions = {}): Promise<RunResult> {
  const guest = guestByName(program.manifest.guest);
  if (!guest) throw new Error(`this runtime cannot run ${program.manifest.guest} programs`);
  const fs = opts.fs ?? new MemoryFileSystem();
  const start = globalThis.performance.now();
  const mono = (): bigint => BigInt(Math.round((globalThis.performance.now() - start) * 1e6));
  const host: HostAdapter = {
    fs,
    stdio: new CallbackStdio(opts.stdin, opts.stdout, opts.stderr, opts.terminal ?? null),
    realtimeNs: () => BigInt(Date.now()) * 1_000_000n,
    monotonicNs: mono,
    cpuTimeNs: mono,
    sleep: blockingSleep,
    randomBytes: webRandomBytes,
    ids: { pid: 1000, ppid: 999, uid: 1000, gid: 1000 },
  };
  const env = Array.isArray(opts.env) ? opts.env : Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const argv = opts.argv ?? [program.manifest.source.name];
  const parts = aotProcessParts(program, opts.compile);
  const proc = new GuestProcess({
    guest, elf: parts.load, tier: parts.tier, argv, env, host,
    mounts: (opts.mounts ?? [{ host: "/", guest: "/" }]).map((m) => ({ host: m.host, guest: m.guest, readonly: m.readonly ?? false })),
    cwd: opts.cwd ?? "/",
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.strace ? { strace: opts.strace } : {}),
    ...(opts.warn ? { warn: opts.warn } : {}),
  });
  await parts.install();
  const end = proc.run();
  return end.kind === "exit"
    ? { exitCode: exitCode(end), stats: proc.stats() }
    : { exitCode: exitCode(end), signal: end.signal, message: end.message, stats: proc.stats() };
}

/** Standard streams through the caller's callbacks. */
class CallbackStdio implements HostStdio {
  private pending: Uint8Array = new Uint8Array(0);
  private ended = false;
  constructor(
    private readonly stdin: StdinSource | undefined,
    private readonly out: ((data: Uint8Array) => void) | undefined,
    private readonly err: ((data: Uint8Array) => void) | undefined,
    private readonly terminal: WindowSize | null,
  ) {
    if (stdin === undefined) this.ended = true;
    else if (typeof stdin !== "function") { this.pending = bytes(stdin); this.ended = true; }
  }
  read(buf: Uint8Array): number {
    while (this.pending.length === 0 && !this.ended) {
      const chunk = (this.stdin as () => Uint8Array | string | null)();
      if (chunk === null) this.ended = true;
      else this.pending = bytes(chunk);
    }
    const n = Math.min(buf.length, this.pending.length);
    buf.set(this.pending.subarray(0, n));
    this.pending = this.pending.subarray(n);
    return n;
  }
  write(fd: 1 | 2, buf: Uint8Array): void {
    const sink = fd === 1 ? this.out : this.err;
    if (sink) {
      try { sink(buf.slice()); } catch (e) { throw new HostError("EIO", e instanceof Error ? e.message : String(e)); }
    }
  }
  isTerminal(): boolean { return this.terminal !== null; }
  windowSize(): WindowSize | null { return this.terminal; }
}

const bytes = (x: Uint8Array | string): Uint8Array => (typeof x === "string" ? new TextEncoder().encode(x) : x);
