/**
 * `isa2wasm translate`: ahead-of-time translation of a static Linux ELF program into one self-contained
 * WebAssembly module (translator/aot/format.ts), which `isa2wasm run` and the embedding API
 * (runtime/embed.ts) run without the ELF file.
 */
import type { CliIO, Command } from "../command.ts";
import { parseGuestProgram } from "../program.ts";
import { InputError, UsageError } from "../errors.ts";
import { ElfError } from "../../translator/elf/elf.ts";
import { programFromElf } from "../../translator/aot/elfimage.ts";
import type { TranslationStats } from "../../translator/aot/translate.ts";

/** Default binaryen optimisation level of `translate` (see the help text for the trade-off). */
export const DEFAULT_OPTIMIZE = 0;

const HELP = `isa2wasm translate: translate a static Linux program (riscv64) ahead of time into one .wasm file

Usage: isa2wasm translate [options] PROGRAM [-o OUT.wasm]

Finds the program's code statically (from the entry point, function symbols, init/fini arrays and code
pointers in data), translates all of it into one WebAssembly module that also holds the program's memory
image, entry point and code map, and writes it to OUT.wasm. Run it with 'isa2wasm run OUT.wasm [ARGS...]'
or embed it (import "isa2wasm/runtime"). Code that discovery missed still runs: in the interpreter, or
translated at run time. The same PROGRAM and options always give a byte-identical module.

Options:
  -o, --output FILE  where to write the module (default: PROGRAM.wasm)
  -O0 .. -O3         binaryen optimisation of the translated code (default -O${DEFAULT_OPTIMIZE}): -O0 none (fastest
                     translation), -O1 a short local clean-up pass list (about 3x the translation
                     time, a module about 18% smaller), -O2/-O3 binaryen's full pipeline (about 15x).
                     The host's Wasm compiler does most of that work anyway: on the crc32 benchmark
                     -O1 code ran no faster than -O0 code
  --progress         show a progress bar on stderr even when stderr is not a terminal
  --no-progress      never show a progress bar (default: shown when stderr is a terminal)
  --exact-fp         keep the FP exception flags and the rounding-mode tests in all FP code. By
                     default, when no instruction of the program reads the flags (a flags save and
                     restore around a quiet comparison does not count) or sets the rounding mode, FP
                     code skips them (much faster FP); --stats says which applied
  --relaxed-simd-fma f64 fused multiply-adds as relaxed SIMD's f64x2.relaxed_madd, inline (faster FP
                     code, e.g. nbody about -20%). The module then runs only where relaxed SIMD's
                     multiply-add is fused (V8 on x86-64 with FMA3 or on arm64; checked when it is
                     loaded). Default: portable code that calls the host's fused multiply-add when the
                     runtime has one, else an exact emulation
  --stats            print the translation's figures as JSON on stderr
  -h, --help         show this help

On success a one-line summary goes to stderr: code found, translation time and output size.
Exit status: 0 on success; 2 for a bad command line, a program that cannot be translated (not an ELF
file, dynamically linked, unsupported CPU) or an output file that cannot be written.
`;

/** The parsed command line of `translate`. */
export interface TranslateArgs {
  program: string;
  output: string;
  optimize: number;
  /** true/false: forced on/off; undefined: when stderr is a terminal */
  progress: boolean | undefined;
  stats: boolean;
  /** assume nothing of the FP environment (TranslateOptions.exactFp) */
  exactFp: boolean;
  /** TranslateOptions.relaxedSimdFma */
  relaxedSimdFma: boolean;
}

/** Parses `translate`'s arguments. */
export function parseTranslateArgs(argv: string[]): TranslateArgs {
  let program: string | undefined, output: string | undefined;
  let optimize = DEFAULT_OPTIMIZE, progress: boolean | undefined, stats = false, exactFp = false, relaxedSimdFma = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      for (const p of argv.slice(i + 1)) {
        if (program !== undefined) throw new UsageError(`unexpected argument '${p}' (one PROGRAM only)`);
        program = p;
      }
      break;
    }
    const o = /^-O([0-9]*)$/.exec(a);
    if (o) {
      const level = o[1] === "" ? 2 : Number(o[1]);
      if (level > 3) throw new UsageError(`-O${o[1]}: the optimisation level is 0 to 3`);
      optimize = level;
    } else if (a === "-o" || a === "--output") {
      if (i + 1 >= argv.length) throw new UsageError(`option ${a} needs a value`);
      output = argv[++i]!;
    } else if (a.startsWith("--output=")) output = a.slice("--output=".length);
    else if (a.startsWith("-o") && a.length > 2 && !a.startsWith("--")) output = a.slice(2);
    else if (a === "--progress") progress = true;
    else if (a === "--no-progress") progress = false;
    else if (a === "--stats") stats = true;
    else if (a === "--exact-fp") exactFp = true;
    else if (a === "--relaxed-simd-fma") relaxedSimdFma = true;
    else if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option ${a}`);
    else {
      if (program !== undefined) throw new UsageError(`unexpected argument '${a}' (one PROGRAM only)`);
      program = a;
    }
  }
  if (program === undefined) throw new UsageError("missing PROGRAM (try 'isa2wasm translate --help')");
  if (output === "") throw new UsageError("-o needs a file name");
  return { program, output: output ?? `${program}.wasm`, optimize, progress, stats, exactFp, relaxedSimdFma };
}

const PHASES = { discover: "finding code", lower: "translating", optimize: "optimising" } as const;

/** A one-line progress bar redrawn in place on stderr (at most ten times a second). */
function progressBar(io: CliIO, width: number) {
  let last = 0, shown = false, lastPhase = "";
  const draw = (phase: keyof typeof PHASES, done: number, total: number) => {
    const now = Date.now();
    if (now - last < 100 && done !== total && phase === lastPhase) return;
    last = now;
    lastPhase = phase;
    const cells = 24;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const bar = total > 0 ? "#".repeat(Math.round(frac * cells)).padEnd(cells, "-") : "~".repeat(cells);
    const count = total > 0 ? `${done}/${total}` : done > 0 ? `${done} blocks` : "";
    const line = `[${bar}] ${total > 0 ? `${Math.round(frac * 100)}%`.padStart(4) : "    "} ${PHASES[phase]} ${count}`;
    io.err(`\r${line.slice(0, width - 1)}\x1b[K`);
    shown = true;
  };
  const clear = () => { if (shown) io.err("\r\x1b[K"); shown = false; };
  return { draw, clear };
}

const size = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** Translates a parsed command line; resolves to the exit code. */
export async function translateFile(t: TranslateArgs, io: CliIO): Promise<{ code: number; stats?: TranslationStats }> {
  const bytes = await io.readFile(t.program);
  const { elf, guest } = parseGuestProgram(bytes, t.program);
  let program;
  try { program = programFromElf(elf, guest); } catch (e) {
    if (e instanceof ElfError) throw new InputError(`${t.program}: ${e.message}`);
    throw e;
  }
  if (!io.writeFile) throw new Error("internal error: this CLI host cannot write files");
  // loaded here, not at the top: it pulls in binaryen (~0.4 s of CPU to load), which every other command
  // (`run` of a translated module or in the interpreter, `info`, `disasm`, `--help`) would pay for otherwise
  const { translateProgram } = await import("../../translator/aot/translate.ts");
  const showProgress = t.progress ?? io.errIsTTY === true;
  const bar = showProgress ? progressBar(io, io.errColumns ?? 80) : undefined;
  const t0 = performance.now();
  const base = t.program.slice(t.program.lastIndexOf("/") + 1);
  let result;
  try {
    result = translateProgram(program, { optimize: t.optimize, exactFp: t.exactFp, relaxedSimdFma: t.relaxedSimdFma, source: { name: base, size: bytes.length }, ...(bar ? { progress: bar.draw } : {}) });
  } finally {
    bar?.clear();
  }
  const ms = performance.now() - t0;
  await io.writeFile(t.output, result.binary);
  const s = result.stats;
  io.err(`${t.program}: ${s.instructions} instructions in ${s.functions} regions (${s.blocks} blocks) translated at -O${t.optimize} ` +
    `in ${(ms / 1000).toFixed(1)} s → ${t.output} (${size(s.bytes)}, from ${size(bytes.length)})\n`);
  if (s.rejected.length > 0) {
    io.err(`${t.program}: ${s.rejected.length} regions left to the interpreter (first at 0x${s.rejected[0]!.entry.toString(16)}: ${s.rejected[0]!.reason})\n`);
  }
  if (t.stats) io.err(`${JSON.stringify({ ...s, totalMs: Math.round(ms) })}\n`);
  return { code: 0, stats: s };
}

export const translateCommand: Command = {
  name: "translate",
  summary: "translate a static Linux ELF program (riscv64) ahead of time into one .wasm module",
  help: HELP,
  async run(args, io) {
    return (await translateFile(parseTranslateArgs(args), io)).code;
  },
};
