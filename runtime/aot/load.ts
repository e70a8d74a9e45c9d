/**
 * Loading an ahead-of-time translated module (translator/aot/format.ts) without the translator: compile
 * it, read its manifest, map the guest image and install its code in a {@link DynamicExecutor}.
 */
import { AOT_ENTRIES_SECTION, AOT_SECTION, decodeEntryPcs, decodeManifest, type AotManifest } from "../../translator/aot/format.ts";
import { alignDown, alignUp, PAGE_SIZE, PROT_EXEC, type GuestMemory } from "../memory/memory.ts";
import { DynamicTier, type CompileRegions, type DynamicTierOptions } from "../jit/tier.ts";
import type { ProgramLoader, TierParts } from "../process/process.ts";
import { hardwareFma } from "../jit/hwfma.ts";
import { compileAotBytes } from "./compile.ts";
export { isWasmModule } from "./compile.ts";

/** A compiled translated module and what it holds. */
export interface AotProgram {
  manifest: AotManifest;
  module: WebAssembly.Module;
  /** entry pcs in the order the module puts their functions into the shared table (the code map) */
  entries: Array<{ entry: number; name: string }>;
  /** fused multiply-add calls made inline when the module was compiled (fmapatch.ts) */
  fmaInlined: number;
}


/**
 * Compiles a translated module (or takes one compiled already) and reads its manifest; throws an Error
 * with a clear message otherwise.
 */
export async function compileAotModule(source: Uint8Array | WebAssembly.Module): Promise<AotProgram> {
  let module: WebAssembly.Module;
  let fmaInlined = 0;
  if (source instanceof WebAssembly.Module) module = source;
  else ({ module, fmaInlined } = await compileAotBytes(source));
  const sections = WebAssembly.Module.customSections(module, AOT_SECTION);
  if (sections.length !== 1) throw new Error(`this WebAssembly module was not made by \`isa2wasm translate\` (no "${AOT_SECTION}" section)`);
  const manifest = decodeManifest(sections[0]!);
  if (manifest.fp.relaxedSimdFma && hardwareFma() === undefined) {
    throw new Error("this module was translated with --relaxed-simd-fma, and this engine's f64x2.relaxed_madd does not round once (or relaxed SIMD is off): translate the program again without it");
  }
  const listed = WebAssembly.Module.customSections(module, AOT_ENTRIES_SECTION);
  if (listed.length !== 1) throw new Error(`malformed isa2wasm module: no "${AOT_ENTRIES_SECTION}" section`);
  const entries: AotProgram["entries"] = decodeEntryPcs(listed[0]!).map((entry) => ({ entry, name: `r${entry.toString(16)}` }));
  return { manifest, module, entries, fmaInlined };
}

/** Maps the program's segments (zero-filled, with their permissions); the data segments fill them in at install. */
export function mapAotImage(program: AotProgram, mem: GuestMemory): void {
  // a page shared by two segments gets the union of their permissions
  const pages = new Map<number, number>();
  for (const s of program.manifest.image.segments) {
    for (let p = alignDown(s.vaddr); p < alignUp(s.vaddr + s.memsz); p += PAGE_SIZE) pages.set(p, (pages.get(p) ?? 0) | s.prot);
  }
  for (const [page, prot] of [...pages].sort((x, y) => x[0] - y[0])) mem.map(page, PAGE_SIZE, prot);
}

/** Installs the program's translated code in a dynamic tier (after {@link mapAotImage}). */
export async function installAotProgram(program: AotProgram, exec: DynamicTier): Promise<void> {
  const code = program.manifest.image.segments.filter((s) => s.prot & PROT_EXEC).map((s) => ({ start: s.vaddr, end: s.vaddr + s.memsz }));
  const fp = program.manifest.fp;
  exec.assumeFp({ flagsUnobserved: fp.flagsUnobserved, roundingStatic: fp.roundingStatic, proof: new Map(fp.proof), reasons: fp.reasons });
  await exec.installModule(program.module, program.entries, code);
}

/**
 * What a {@link GuestProcess} needs to run a translated program: `load` maps its image (as the ELF loader
 * would), `tier` builds the execution tier (translated code first, then dynamic translation when a
 * compiler is given, else the interpreter), and `install` instantiates the module once the process is
 * built (its data segments then fill in the image).
 */
export function aotProcessParts(program: AotProgram, compile?: CompileRegions, opts: DynamicTierOptions = {}): {
  load: ProgramLoader;
  tier: (p: TierParts) => DynamicTier;
  install: () => Promise<void>;
} {
  let tier: DynamicTier | undefined;
  return {
    load: (mem) => { mapAotImage(program, mem); return structuredClone(program.manifest.image); },
    // the module's manifest says what its code assumes of the FP environment (installAotProgram)
    tier: (parts) => (tier = new DynamicTier(parts, compile, { ...opts, fpEnvironment: "exact" })),
    install: async () => {
      if (!tier) throw new Error("internal error: the process was not built before its code was installed");
      await installAotProgram(program, tier);
    },
  };
}
