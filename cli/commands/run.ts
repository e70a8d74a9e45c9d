/** `isa2wasm run`: runs a static Linux ELF program for another CPU, with the host's standard streams. */
import process from "node:process";
import { resolve } from "node:path";
import type { CliIO, Command } from "../command.ts";
import { parseGuestProgram } from "../program.ts";
import { InputError, UsageError } from "../errors.ts";
import { ElfError } from "../../translator/elf/elf.ts";
import { guestByName } from "../../translator/guests/index.ts";
import type { HostAdapter } from "../../runtime/host/host.ts";
import { denoApi, denoHost } from "../../runtime/host/deno.ts";
import { nodeHost } from "../../runtime/host/node.ts";
import { exitCode, GuestProcess, type ExecutionTier, type TierParts } from "../../runtime/process/process.ts";
import { dynamicTier, type CompileRegions } from "../../runtime/jit/tier.ts";
import { ArgumentsTooLong } from "../../runtime/process/stack.ts";
import { isWasmModule } from "../../runtime/aot/compile.ts";

const HELP = `isa2wasm run: run a statically linked Linux program for riscv64 (ppc32 to come)

Usage: isa2wasm run [options] PROGRAM [ARGS...]

PROGRAM is an ELF executable, or a module made from one by 'isa2wasm translate' (recognised by the
WebAssembly magic number): that runs its ahead-of-time translated code, and whatever code discovery
missed in the interpreter and, with the dynamic tier, translated at run time.

The guest gets this process's standard input, output and error; its exit status becomes ours (a guest
killed by signal N exits with 128+N after a one-line message, as qemu-user prints it). Options end at
PROGRAM: everything after it is passed to the guest.

Options:
  --tier=dynamic|interp  execution tier. dynamic (the default): code that runs often is translated to
                         WebAssembly at run time (regions of hot blocks, compiled with binaryen), the
                         rest is interpreted. interp: the interpreter only (starts faster; does not
                         load the translator)
  --no-jit               no translation at run time (--tier=interp): an ELF program is interpreted; a
                         translated module runs its own code and interprets the rest
  --stats                print counters as JSON on stderr at exit: guest instructions by tier
                         (interp, dynamic, aot), blocks lifted and compiled to JavaScript, syscalls
                         (total, by name, unknown), wall time in ms, guest MIPS; with the dynamic
                         tier also the share of instructions run in translated code, regions
                         compiled and rejected, Wasm modules, translate (binaryen) and Wasm compile
                         ms, code-map lookups and misses, jump-cache lookups and hits (direct,
                         indirect, return) with the indirect-jump and return hit rates, and
                         invalidations (translations dropped after guest code was written)
  --exact-fp             keep the FP exception flags and rounding-mode tests in code translated at run
                         time even when the program never reads the flags or sets the mode (see
                         'isa2wasm translate --help'; a translated module keeps what it was made with)
  --strace               print each syscall on stderr (qemu -strace style)
  --strict               an unknown syscall kills the guest (default: it returns ENOSYS, with a warning)
  --map HOST:GUEST[:ro]  make host directory HOST visible as GUEST in the guest (repeatable;
                         :ro = read-only). Default: the current directory at its own path, read-write.
                         The guest sees no other host file.
  --cwd GUEST            the guest's working directory (default: the current directory when it is
                         mapped, else the first mapping)
  --env NAME=VALUE       set a guest environment variable (repeatable)
  --clear-env            start from an empty environment (default: the host's environment, as qemu-user)
  --seed N               seed AT_RANDOM and getrandom for repeatable runs (default: secure random bytes)
  -h, --help             show this help

Exit status: the guest's; 128+N when killed by signal N; 2 for a bad command line or a program that
cannot be loaded (malformed, dynamically linked, unsupported CPU).
`;

/** A directory mapping from --map. */
export interface Mount { host: string; guest: string; readonly: boolean }

/** The parsed command line of `run`. */
export interface RunArgs {
  program: string;
  args: string[];
  tier: "interp" | "dynamic";
  stats: boolean;
  strace: boolean;
  strict: boolean;
  /** code translated at run time assumes nothing of the FP environment (DynamicTierOptions.fpEnvironment) */
  exactFp: boolean;
  mounts: Mount[];
  cwd: string;
  env: string[];
  seed?: bigint;
}

const VALUED = new Set(["tier", "map", "cwd", "env", "seed"]);

/**
 * Parses `run`'s arguments. `hostCwd` is the host's current directory (absolute), `hostEnv` the host's
 * environment as NAME=VALUE strings.
 */
export function parseRunArgs(argv: string[], hostCwd: string, hostEnv: string[]): RunArgs {
  const o = { tier: "dynamic" as RunArgs["tier"], stats: false, strace: false, strict: false, clearEnv: false, exactFp: false };
  const maps: Mount[] = [];
  const envSet: string[] = [];
  let cwd: string | undefined, seed: bigint | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") { i++; break; }
    if (!a.startsWith("--")) break;
    const eq = a.indexOf("=");
    const name = a.slice(2, eq >= 0 ? eq : undefined);
    let value: string | undefined;
    if (VALUED.has(name)) {
      if (eq >= 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i]!;
      else throw new UsageError(`option --${name} needs a value`);
    } else if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
    switch (name) {
      case "tier":
        if (value !== "interp" && value !== "dynamic") throw new UsageError(`--tier must be interp or dynamic, not '${value}'`);
        o.tier = value;
        break;
      case "no-jit": o.tier = "interp"; break;
      case "stats": o.stats = true; break;
      case "strace": o.strace = true; break;
      case "strict": o.strict = true; break;
      case "exact-fp": o.exactFp = true; break;
      case "clear-env": o.clearEnv = true; break;
      case "map": maps.push(parseMap(value!, hostCwd)); break;
      case "cwd":
        if (!value!.startsWith("/")) throw new UsageError(`--cwd needs an absolute guest path, not '${value}'`);
        cwd = value;
        break;
      case "env":
        if (!/^[^=]+=/.test(value!)) throw new UsageError(`--env needs NAME=VALUE, not '${value}'`);
        envSet.push(value!);
        break;
      case "seed":
        if (!/^(0x[0-9a-f]+|\d+)$/i.test(value!)) throw new UsageError(`--seed needs a non-negative integer, not '${value}'`);
        seed = BigInt(value!);
        break;
      default: throw new UsageError(`unknown option --${name}`);
    }
  }
  const program = argv[i];
  if (program === undefined) throw new UsageError("missing PROGRAM (try 'isa2wasm run --help')");
  const mounts = maps.length > 0 ? maps : [{ host: hostCwd, guest: hostCwd, readonly: false }];
  const env = new Map<string, string>();
  for (const e of [...(o.clearEnv ? [] : hostEnv), ...envSet]) env.set(e.slice(0, e.indexOf("=")), e);
  return {
    program, args: argv.slice(i + 1), tier: o.tier, stats: o.stats, strace: o.strace, strict: o.strict, exactFp: o.exactFp, mounts,
    cwd: cwd ?? guestPathOf(hostCwd, mounts) ?? mounts[0]!.guest, env: [...env.values()], ...(seed !== undefined ? { seed } : {}),
  };
}

/** Parses HOST:GUEST[:ro] (HOST relative to `hostCwd`). */
function parseMap(spec: string, hostCwd: string): Mount {
  const parts = spec.split(":");
  const readonly = parts.length === 3 && parts[2] === "ro";
  if (parts.length !== 2 && !readonly) throw new UsageError(`--map needs HOST:GUEST or HOST:GUEST:ro, not '${spec}'`);
  const [host, guest] = parts as [string, string];
  if (host === "" || !guest.startsWith("/")) throw new UsageError(`--map needs a host directory and an absolute guest path, not '${spec}'`);
  return { host: resolve(hostCwd, host), guest: guest.length > 1 ? guest.replace(/\/+$/, "") : guest, readonly };
}

/** The guest path of host path `hostPath` through the mounts (the deepest mount wins), if mapped. */
function guestPathOf(hostPath: string, mounts: Mount[]): string | undefined {
  let best: { m: Mount; len: number } | undefined;
  for (const m of mounts) {
    const root = m.host.replace(/\/+$/, "");
    if ((hostPath === root || hostPath.startsWith(root + "/") || root === "") && (!best || root.length > best.len)) best = { m, len: root.length };
  }
  if (!best) return undefined;
  const rest = hostPath.slice(best.len);
  return best.m.guest === "/" ? (rest === "" ? "/" : rest) : best.m.guest + rest;
}

/** Loads the region compiler (translator/codegen, with binaryen) for the dynamic tier. */
async function loadRegionCompiler(): Promise<CompileRegions> {
  return (await import("../../translator/codegen/module.ts")).compileRegions;
}

/** Runs a parsed command line with the given host (the real process's, or a test's). */
export async function runProgram(r: RunArgs, io: CliIO, host: HostAdapter): Promise<number> {
  const bytes = await io.readFile(r.program);
  if (isWasmModule(bytes)) return runTranslated(r, io, host, bytes);
  const { elf, guest } = parseGuestProgram(bytes, r.program);
  let tier: ((p: TierParts) => ExecutionTier) | undefined;
  if (r.tier === "dynamic") {
    // binaryen takes a while to load: only once code gets hot (a short run never needs it)
    tier = dynamicTier(undefined, { loadCompiler: loadRegionCompiler, fpEnvironment: r.exactFp ? "exact" : "analyse" });
  }
  let proc: GuestProcess;
  try {
    proc = new GuestProcess({
      guest, elf, argv: [r.program, ...r.args], env: r.env,
      execfn: r.program, execPath: guestPathOf(resolve(io.cwd, r.program), r.mounts) ?? resolve(io.cwd, r.program),
      host, mounts: r.mounts, cwd: r.cwd, strict: r.strict,
      ...(r.seed !== undefined ? { seed: r.seed } : {}),
      ...(r.strace ? { strace: (line: string) => io.err(`${line}\n`) } : {}),
      warn: (line: string) => io.err(`${line}\n`),
      ...(tier ? { tier } : {}),
    });
  } catch (e) {
    if (e instanceof ElfError || e instanceof ArgumentsTooLong) throw new InputError(`${r.program}: ${e.message}`);
    throw e;
  }
  const end = await proc.runAsync();
  if (end.kind === "killed" && end.message !== "") io.err(`${end.message}\n`);
  if (r.stats) io.err(`${JSON.stringify({ tier: r.tier, ...proc.stats() })}\n`);
  return exitCode(end);
}

/** Runs a module made by `isa2wasm translate` (runtime/aot), as {@link runProgram} runs an ELF file. */
async function runTranslated(r: RunArgs, io: CliIO, host: HostAdapter, bytes: Uint8Array): Promise<number> {
  const { compileAotModule, aotProcessParts } = await import("../../runtime/aot/load.ts");
  let program;
  try { program = await compileAotModule(bytes); } catch (e) { throw new InputError(`${r.program}: ${(e as Error).message}`); }
  const guest = guestByName(program.manifest.guest);
  if (!guest) throw new InputError(`${r.program}: ${program.manifest.guest} programs are not supported`);
  // code discovery missed is translated at run time once it gets hot (binaryen is loaded then), else interpreted
  const parts = aotProcessParts(program, undefined, r.tier === "dynamic" ? { loadCompiler: loadRegionCompiler } : {});
  let proc: GuestProcess;
  try {
    proc = new GuestProcess({
      guest, elf: parts.load, tier: parts.tier, argv: [r.program, ...r.args], env: r.env,
      execfn: r.program, execPath: guestPathOf(resolve(io.cwd, r.program), r.mounts) ?? resolve(io.cwd, r.program),
      host, mounts: r.mounts, cwd: r.cwd, strict: r.strict,
      ...(r.seed !== undefined ? { seed: r.seed } : {}),
      ...(r.strace ? { strace: (line: string) => io.err(`${line}\n`) } : {}),
      warn: (line: string) => io.err(`${line}\n`),
    });
  } catch (e) {
    if (e instanceof ArgumentsTooLong) throw new InputError(`${r.program}: ${e.message}`);
    throw e;
  }
  await parts.install();
  const end = await proc.runAsync();
  if (end.kind === "killed" && end.message !== "") io.err(`${end.message}\n`);
  if (r.stats) io.err(`${JSON.stringify({ tier: r.tier === "dynamic" ? "aot+dynamic" : "aot", ...proc.stats(), fmaInlined: program.fmaInlined })}\n`);
  return exitCode(end);
}

export const runCommand: Command = {
  name: "run",
  summary: "run a static Linux ELF program (riscv64), translating hot code to WebAssembly as it runs",
  help: HELP,
  async run(args, io) {
    const hostEnv = Object.entries(process.env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
    const r = parseRunArgs(args, resolve(io.cwd), hostEnv);
    return runProgram(r, io, denoApi() ? denoHost() : nodeHost());
  },
};
