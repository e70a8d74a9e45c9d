/** Compiles a batch of regions into one Wasm module (binary), with binaryen's optimiser. */
import binaryen from "binaryen";
import type { StateLayout } from "../ir/ir.ts";
import { addRegion, addSupportFunctions, declareImports, helpersUsed, regionEntries, regionName, UnsupportedIR, type Region } from "./lower.ts";

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
  /** ahead-of-time module: its instructions are also counted in CTRL.icountAot */
  aot?: boolean;
  /** called after each region is lowered (progress display) */
  progress?: (done: number, total: number) => void;
}

/** Compiles `regions` for a guest with state `layout` into one module. */
export function compileRegions(layout: StateLayout, regions: Region[], opts: CompileOptions = {}): CompiledModule {
  const t0 = performance.now();
  const rejected: CompiledModule["rejected"] = [];
  const compiled: CompiledModule["regions"] = [];
  const m = new binaryen.Module();
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.SignExt | binaryen.Features.TailCall |
      binaryen.Features.BulkMemory | binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt);
    const helpers = helpersUsed(regions);
    declareImports(m, helpers, opts.data);
    addSupportFunctions(m);
    for (const s of opts.customSections ?? []) m.addCustomSection(s.name, s.data);
    let done = 0;
    for (const r of regions) {
      opts.progress?.(done++, regions.length);
      try {
        addRegion(m, layout, r, opts.aot ?? false);
        for (const pc of regionEntries(r)) compiled.push({ entry: pc, name: regionName(pc) });
      } catch (e) {
        if (!(e instanceof UnsupportedIR)) throw e;
        rejected.push({ entry: r.entry, reason: e.message });
      }
    }
    const level = opts.optimize ?? 2;
    if (level > 0) {
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
