/** Compiles a batch of regions into one Wasm module (binary), with binaryen's optimiser. */
import binaryen from "binaryen";
import type { StateLayout } from "../ir/ir.ts";
import { addRegion, addSupportFunctions, bodyName, declareImports, directTargets, helpersUsed, regionEntries, regionName, UnsupportedIR, EXACT_FP, REGION_TABLE, type DirectTarget, type FpModel, type Region, type Structure } from "./lower.ts";
import { reachableBlocks, separateNestedEntries } from "../ir/region.ts";
import { AOT_ENTRIES_SECTION, AOT_TABLE_BASE, encodeEntryPcs } from "../aot/format.ts";

/** The result of compiling a batch of regions. */
export interface CompiledModule {
  /** the Wasm binary */
  binary: Uint8Array;
  /** entry pcs of the regions compiled, with their export names */
  regions: Array<{ entry: number; name: string }>;
  /** regions left out because their IR cannot be lowered (they stay in the interpreter) */
  rejected: Array<{ entry: number; reason: string }>;
  /** helper imports the module needs (name → signature) */
  helpers: string[];
  /** time spent in binaryen, ms */
  compileMs: number;
}

/** binaryen passes of optimisation level 1: local cleanup that shrinks code cheaply. */
const QUICK_PASSES = [
  "remove-unused-brs", "remove-unused-names", "merge-blocks", "simplify-locals-nostructure", "vacuum",
  "coalesce-locals", "reorder-locals", "optimize-instructions", "vacuum",
];

/** Options of {@link compileRegions}. */
export interface CompileOptions {
  /** binaryen optimisation level 0..3 (default 2) */
  optimize?: number;
  /** validate the module (default true; tests keep it on) */
  validate?: boolean;
  /** active data segments written into the imported memory at instantiation (AOT guest image) */
  data?: ReadonlyArray<{ offset: number; data: Uint8Array }>;
  /** custom sections to add (AOT manifest) */
  customSections?: ReadonlyArray<{ name: string; data: Uint8Array }>;
  /** ahead-of-time module (else its instructions are also counted in CTRL.icountDyn) */
  aot?: boolean;
  /** control-flow structuring (default: the Relooper, falling back to a dispatch loop) */
  structure?: Structure;
  /**
   * what the optimiser works on: "module" (default) every function, support functions included; "regions"
   * only the regions' body functions (the support functions are the same in every module: much cheaper
   * for the many small modules of the dynamic tier)
   */
  scope?: "module" | "regions";
  /**
   * inline fast paths for FP ops (translator/codegen/fpfast.ts; default true): false makes every FP op call
   * the exact helper (tests compare both)
   */
  fpFastPaths?: boolean;
  /** what the program lets FP code assume (translator/ir/fpenv.ts fpModelOf); default: nothing */
  fpAssumptions?: Pick<FpModel, "flagsUnobserved" | "staticRounding">;
  /**
   * f64 fused multiply-adds as relaxed SIMD's `f64x2.relaxed_madd`, inline (default: a call to the host's
   * FMA that the runtime imports, or the emulation). The module then needs relaxed SIMD, and is only right
   * where the engine's relaxed_madd is fused: the dynamic tier uses it when it found so; `translate
   * --relaxed-simd-fma` records it, and the runtime refuses such a module elsewhere.
   */
  relaxedSimdFma?: boolean;
  /** called after each region is lowered (progress display) */
  progress?: (done: number, total: number) => void;
}

/**
 * Compiles `regions` for a guest with state `layout` into one module. In an ahead-of-time module, exits to
 * the entry of another region of the module tail-call it directly (lower.ts DirectTarget); when some region
 * cannot be lowered, the module is compiled again without direct exits (they could name a missing function).
 */
export function compileRegions(layout: StateLayout, regions: Region[], opts: CompileOptions = {}): CompiledModule {
  if (opts.aot) {
    const t0 = performance.now();
    const first = compileOnce(layout, regions, opts, true);
    if (first) return first;
    const again = compileOnce(layout, regions, opts, false)!;
    return { ...again, compileMs: performance.now() - t0 };
  }
  return compileOnce(layout, regions, opts, false)!;
}

/** {@link compileRegions} with or without direct exits; undefined when `useDirect` and a region was rejected. */
function compileOnce(layout: StateLayout, regions: Region[], opts: CompileOptions, useDirect: boolean): CompiledModule | undefined {
  const t0 = performance.now();
  const rejected: CompiledModule["rejected"] = [];
  const compiled: CompiledModule["regions"] = [];
  const m = new binaryen.Module();
  const fp: FpModel = { ...EXACT_FP, ...opts.fpAssumptions, fastPaths: opts.fpFastPaths ?? true, inlineFma: opts.relaxedSimdFma === true };
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.SignExt | binaryen.Features.TailCall |
      binaryen.Features.BulkMemory | binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt |
      (opts.relaxedSimdFma ? binaryen.Features.SIMD128 | binaryen.Features.RelaxedSIMD : 0));
    const helpers = helpersUsed(regions);
    declareImports(m, helpers, opts.data);
    addSupportFunctions(m);
    for (const s of opts.customSections ?? []) m.addCustomSection(s.name, s.data);
    let done = 0;
    const bodies: string[] = [];
    // no loop entered at two entries (the Relooper would dispatch inside it): such entries get their own copies
    const shaped = regions.flatMap(separateNestedEntries);
    const direct = useDirect ? directTargets(shaped) : new Map<number, DirectTarget>();
    const add = (r: Region): boolean => {
      try {
        addRegion(m, layout, r, opts.aot ?? false, opts.structure, fp, direct);
        bodies.push(bodyName(r));
        for (const pc of regionEntries(r)) compiled.push({ entry: pc, name: regionName(pc) });
        return true;
      } catch (e) {
        if (!(e instanceof UnsupportedIR)) throw e;
        rejected.push({ entry: r.entry, reason: e.message });
        return false;
      }
    };
    for (const r of shaped) {
      opts.progress?.(done++, shaped.length);
      if (add(r)) continue;
      if (useDirect) return undefined;
      if (regionEntries(r).length === 1) continue;
      // a multiple-entry region that failed: one single-entry region per entry instead (blocks duplicated)
      rejected.pop();
      for (const pc of regionEntries(r)) add({ entry: pc, blocks: reachableBlocks(r.blocks, pc) });
    }
    if (opts.aot) {
      // the entries go into the shared table at the index the runtime imports (table_base), in the order of
      // a custom section listing their guest pcs: no exports (5000 of them cost V8 35 ms of instantiation)
      m.addGlobalImport(AOT_TABLE_BASE, "env", AOT_TABLE_BASE, binaryen.i32, false);
      m.addActiveElementSegment(REGION_TABLE, "entries", compiled.map((c) => c.name), m.global.get(AOT_TABLE_BASE, binaryen.i32));
      m.addCustomSection(AOT_ENTRIES_SECTION, encodeEntryPcs(compiled.map((c) => c.entry)));
    }
    const level = opts.optimize ?? 2;
    if (opts.scope === "regions" && level > 0) {
      binaryen.setOptimizeLevel(level);
      binaryen.setShrinkLevel(0);
      for (const name of bodies) {
        if (level === 1) m.runPassesOnFunction(name, QUICK_PASSES);
        else m.optimizeFunction(name);
      }
    } else if (level === 1) {
      // a short pipeline for whole programs: the host's Wasm compiler does the heavy optimisation
      binaryen.setOptimizeLevel(1);
      binaryen.setShrinkLevel(0);
      m.runPasses(QUICK_PASSES);
    } else if (level > 1) {
      binaryen.setOptimizeLevel(level);
      binaryen.setShrinkLevel(0);
      m.optimize();
    }
    if (opts.validate !== false && !m.validate()) throw new Error("internal error: generated Wasm module does not validate");
    const binary = m.emitBinary() as Uint8Array;
    return { binary, regions: compiled, rejected, helpers: [...helpers.keys()], compileMs: performance.now() - t0 };
  } finally {
    m.dispose();
  }
}

/** Text form of a compiled region batch (for `--dump-wasm` and tests). */
export function regionsToText(layout: StateLayout, regions: Region[]): string {
  const m = new binaryen.Module();
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.SignExt | binaryen.Features.TailCall | binaryen.Features.BulkMemory);
    declareImports(m, helpersUsed(regions));
    addSupportFunctions(m);
    for (const r of regions) addRegion(m, layout, r);
    return m.emitText();
  } finally {
    m.dispose();
  }
}
