/**
 * Ahead-of-time translation: a whole guest program to one self-contained Wasm module (format.ts).
 *
 * Static discovery (discover.ts) finds the code reachable from the entry point, the function symbols,
 * the init/fini arrays and the code pointers found in data; each discovered function becomes regions
 * (discover.ts functionRegions: one Wasm function each, with registers in locals and its loops, switches
 * and computed gotos inside, split only where calls return), entered at their starts and at every pc
 * where the runtime may resume them. The guest image travels as data segments and the manifest as a
 * custom section. Deterministic: the same program and options give byte-identical output.
 */
import type { Guest } from "../guests/guest.ts";
import { compileRegions } from "../codegen/module.ts";
import type { Region } from "../ir/region.ts";
import type { GuestMemory } from "../../runtime/memory/memory.ts";
import { memoryCodeReader } from "../../runtime/interp/lift.ts";
import { codeRanges, type ProcessImage } from "../../runtime/process/loader.ts";
import { discover, scanCodePointers, functionRegions, type RootKind } from "./discover.ts";
import { analyzeFpEnvironment, fpModelOf, NO_FP_ASSUMPTIONS } from "../ir/fpenv.ts";
import { withFmaSites } from "../codegen/fmasites.ts";
import { AOT_FORMAT, AOT_SECTION, encodeManifest, type AotManifest } from "./format.ts";

/** A program loaded into guest memory (runtime/process/loader.ts), with what discovery starts from. */
export interface ProgramImage {
  guest: Guest;
  mem: GuestMemory;
  image: ProcessImage;
  /** function symbols (empty for stripped programs) */
  functions: number[];
  /** pointers from init/fini arrays */
  initPointers: number[];
  /** allocated, non-executable data (sections when the file has them, else non-executable segments) to scan for code pointers */
  data: Array<{ vaddr: number; bytes: Uint8Array }>;
}

/** Options of {@link translateProgram}. */
export interface TranslateOptions {
  /** binaryen optimisation level 0..3 (default 2) */
  optimize?: number;
  /** the program's file name and size, recorded in the manifest */
  source: { name: string; size: number };
  /** assume nothing of the FP environment (default: what translator/ir/fpenv.ts proves of the program) */
  exactFp?: boolean;
  /**
   * f64 fused multiply-adds as relaxed SIMD's `f64x2.relaxed_madd` inline (codegen/module.ts): faster FP,
   * but the module then runs only on engines with relaxed SIMD whose relaxed_madd is fused (the runtime
   * checks); default: a call to the host's FMA the runtime provides, or the exact emulation (portable)
   */
  relaxedSimdFma?: boolean;
  /** progress reports: phase name and done/total (total 0: unknown) */
  progress?: (phase: "discover" | "lower" | "optimize", done: number, total: number) => void;
}

/** Figures of one translation (for `--stats` and the benchmark report). */
export interface TranslationStats {
  roots: number;
  functions: number;
  blocks: number;
  instructions: number;
  entries: number;
  rejectedFunctions: number;
  /** regions the backend could not lower (they run in the interpreter), with the reason */
  rejected: Array<{ entry: number; reason: string }>;
  discoverMs: number;
  compileMs: number;
  bytes: number;
  /** f64 fused multiply-add calls recorded for the runtime to inline where the engine has a fused one */
  fmaSites: number;
  /** FP code skips the accrued flags / takes the rounding mode as RNE (translator/ir/fpenv.ts), and why not */
  fp: { flagsSkipped: boolean; roundingStatic: boolean; reasons: string[] };
}

/** What discovery found in a program: the regions of its module and figures. */
export interface ProgramRegions {
  regions: Region[];
  roots: number;
  blocks: number;
  instructions: number;
}

/**
 * Discovers the code of `program` (discover.ts) from its entry point, function symbols, init/fini arrays
 * and the code pointers found in its data, and splits it into the regions of its module.
 */
export function discoverRegions(program: ProgramImage, progress?: (blocks: number) => void): ProgramRegions {
  const { guest, mem, image } = program;
  const exec = codeRanges(image);
  const executable = (pc: number) => exec.some((s) => pc >= s.start && pc < s.end);
  const align = guest.insnAlign;
  const roots: Array<{ pc: number; kind: RootKind }> = [{ pc: image.entry, kind: "entry" }];
  for (const pc of program.functions) roots.push({ pc, kind: "symbol" });
  for (const pc of program.initPointers) roots.push({ pc, kind: "init" });
  const wordBytes = guest.addressBits === 64 ? 8 : 4;
  for (const d of program.data) for (const pc of scanCodePointers(d.bytes, wordBytes, guest.endian, align, executable)) roots.push({ pc, kind: "pointer" });
  const found = discover(guest, memoryCodeReader(mem, guest.endian), roots, executable, {
    ...(progress ? { progress } : {}),
    readData32: (addr) => (addr >= 0 && mem.isMapped(addr, 4) ? mem.dv.getInt32(addr, guest.endian === "le") : undefined),
  });
  return { regions: found.functions.flatMap(functionRegions), roots: roots.length, blocks: found.blocks, instructions: found.instructions };
}

/** Translates `program` into a module; returns its bytes and figures. */
export function translateProgram(program: ProgramImage, opts: TranslateOptions): { binary: Uint8Array; stats: TranslationStats } {
  const { guest, mem, image } = program;
  const t0 = performance.now();
  const { regions, roots, blocks, instructions } = discoverRegions(program, (n) => opts.progress?.("discover", n, 0));
  const t1 = performance.now();
  const entries = regions.reduce((n, r) => n + 1 + (r.entries?.length ?? 0), 0);
  // code outside these ranges is checked when the runtime lifts it (runtime/interp/lift.ts checkFpAssumptions)
  const fp = opts.exactFp ? NO_FP_ASSUMPTIONS : analyzeFpEnvironment(guest, memoryCodeReader(mem, guest.endian), codeRanges(image));
  const manifest: AotManifest = {
    format: AOT_FORMAT,
    guest: guest.name,
    image,
    source: opts.source,
    translation: { optimize: opts.optimize ?? 2, functions: regions.length, entries, instructions, discoveryRoots: roots },
    fp: {
      flagsUnobserved: fp.flagsUnobserved, roundingStatic: fp.roundingStatic, proof: [...fp.proof].sort((a, b) => a[0] - b[0]), reasons: fp.reasons,
      relaxedSimdFma: opts.relaxedSimdFma === true,
    },
  };
  const compiled = compileRegions(guest.state, regions, {
    optimize: opts.optimize ?? 2,
    aot: true,
    fpAssumptions: fpModelOf(guest, fp),
    relaxedSimdFma: opts.relaxedSimdFma === true,
    data: image.segments.filter((s) => s.filesz > 0).map((s) => ({ offset: s.vaddr, data: mem.u8.slice(s.vaddr, s.vaddr + s.filesz) })),
    customSections: [{ name: AOT_SECTION, data: encodeManifest(manifest) }],
    progress: (done, total) => {
      opts.progress?.("lower", done + 1, total);
      if (done === total - 1) opts.progress?.("optimize", 0, 1);
    },
  });
  // the fused multiply-add calls the runtime inlines where the engine has a fused one (runtime/aot/fmapatch.ts)
  const { binary, sites: fmaSites } = opts.relaxedSimdFma ? { binary: compiled.binary, sites: 0 } : withFmaSites(compiled.binary);
  return {
    binary,
    stats: {
      roots, functions: regions.length, blocks, instructions, entries,
      rejectedFunctions: compiled.rejected.length, rejected: compiled.rejected,
      discoverMs: Math.round(t1 - t0), compileMs: Math.round(compiled.compileMs), bytes: binary.length, fmaSites,
      fp: { flagsSkipped: fp.flagsUnobserved, roundingStatic: fp.roundingStatic, reasons: fp.reasons },
    },
  };
}
