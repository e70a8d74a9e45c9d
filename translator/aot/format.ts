/**
 * The AOT module format: what `isa2wasm translate` writes and the runtime (runtime/aot/load.ts,
 * runtime/embed.ts) reads. Pure data, no binaryen, so that running a translated module never loads the
 * translator.
 *
 * A translated module is an ordinary WebAssembly module (MVP + sign-extension, non-trapping float-to-int,
 * bulk memory, mutable globals and tail calls) made of:
 *
 * **Imports** (all from module `"env"`):
 * - `memory`: the guest's linear memory (runtime/memory/memory.ts; guest address = Wasm address, the
 *   low 64 KiB hold the control block, the jump cache and the CPU state, see translator/codegen/exits.ts;
 *   the page map that memory accesses test lives at PAGE_MAP_BASE);
 * - `table`: the shared funcref table of translated code; the runtime appends the module's entries to it
 *   and fills the jump cache with their indices;
 * - `fp_arith`, `fp_cmp`, `fp_toint`, `fp_fromint`, `fp_conv`, `fp_class`: IEEE operations with the guest's
 *   rounding modes, NaN rules and exception flags;
 * - `h_<name>`: the helpers the program's IR calls (`h_rdcycle`, `h_rdinstret`, `h_rdtime` ...), only
 *   those it uses. runtime/jit/imports.ts `translationImports` provides every one of them.
 *
 * **Data**: one active data segment per loadable segment with file bytes, at the segment's guest address,
 * holding its `filesz` bytes. The runtime maps every segment (with its permissions, zero-filled up to
 * `memsz`) before instantiating; instantiation then writes the image.
 *
 * **Code map (exports)**: one function `r<pc in lower-case hex>: () -> i32` per translated entry pc (a
 * region: a piece of a discovered function entered at its start and maybe at further pcs, see discover.ts
 * `functionRegions`). Calling it
 * runs guest code from that pc with the CPU state in memory and returns the pc to continue at; why it
 * returned (jump out of translated code, syscall, fence.i, trap) is in the control block (exits.ts).
 * Translated code chains to other regions through the jump cache without returning. Every instruction it
 * runs is counted in `CTRL.icount` (code translated at run time also counts in `CTRL.icountDyn`). Other exports (`body_<pc>`) are internal.
 *
 * **Manifest**: a custom section named {@link AOT_SECTION} (`"isa2wasm"`) whose payload is the UTF-8 JSON
 * of an {@link AotManifest} (`format`, `guest`, `image`: entry point, segments, program headers, TLS, brk;
 * `source`: file name and size; `translation`: optimisation level and counts). Keys are written in a fixed
 * order and nothing in the module depends on time or paths, so the same program and options always give a
 * byte-identical module.
 *
 * **Fused multiply-add sites**: a custom section `"isa2wasm.fma"` (runtime/aot/fmapatch.ts) lists where the
 * code calls the imported `fma_f64`; where the engine's relaxed SIMD multiply-add is fused, the runtime
 * makes those calls inline before compiling the module. A module without it runs the same, with the calls.
 *
 * Code that discovery did not find is not in the code map: the runtime interprets it (and, given a region
 * compiler, translates it at run time), so a module never fails for lack of code.
 */
import type { GuestName } from "../guests/guest.ts";
import type { ProcessImage } from "../../runtime/process/loader.ts";

/** Name of the custom section holding the manifest. */
export const AOT_SECTION = "isa2wasm";
/**
 * Version of the module format (manifest and the runtime interface its code relies on); the runtime refuses
 * other versions. 2: memory checks read the per-page map at PAGE_MAP_BASE, and accesses the map does not
 * allow leave with ExitKind.Slow (1: a 64 KiB-chunk map and the mem_load/mem_store imports). 3: the jump
 * cache is two-way set-associative (exits.ts). 4: multi-byte accesses test the page map's "this page and the
 * next" bits (PAGE_FAST_READ2, PAGE_FAST_WRITE2). 5: the page map's write bits imply reads (access groups,
 * codegen/access.ts) and the jump-cache counters are misses and hits (CTRL.chain). 6: modules import the
 * host's fused multiply-add (fma_f64, fma_fused; runtime/jit/hwfma.ts). 7: the manifest records the FP
 * assumptions the code was translated with (translator/ir/fpenv.ts). 8: guest calls whose return site is in
 * the caller's region are Wasm calls, with a call depth and return sites in the control block (exits.ts).
 */
export const AOT_FORMAT = 8;

/** The manifest: everything the runtime needs to start the process without the ELF file. */
export interface AotManifest {
  format: typeof AOT_FORMAT;
  guest: GuestName;
  /**
   * the loaded program as runtime/process/loader.ts describes it: entry, segments (the module's data
   * segment at each segment's vaddr holds its `filesz` file bytes), auxv inputs, initial brk
   */
  image: ProcessImage;
  /** the translated program: file name, size, and how it was translated */
  source: { name: string; size: number };
  translation: { optimize: number; functions: number; entries: number; instructions: number; discoveryRoots: number };
  /**
   * what the translated code assumes of the FP environment (translator/ir/fpenv.ts FpAssumptions; the proof
   * as [pc, encoding] pairs): the runtime translates with the same assumptions and checks code it lifts
   */
  fp: {
    flagsUnobserved: boolean; roundingStatic: boolean; proof: Array<[number, number]>; reasons: string[];
    /** f64 fused multiply-adds are relaxed SIMD's relaxed_madd inline: runs only where that is fused */
    relaxedSimdFma: boolean;
  };
}

/** Encodes a manifest for the custom section (stable key order: deterministic output). */
export function encodeManifest(m: AotManifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m));
}

/** Decodes and checks a manifest; throws an Error with a clear message when it is not one. */
export function decodeManifest(bytes: ArrayBuffer | Uint8Array): AotManifest {
  let m: AotManifest;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes)) as AotManifest;
  } catch {
    throw new Error(`the "${AOT_SECTION}" section of this module is not valid JSON`);
  }
  if (m.format !== AOT_FORMAT) throw new Error(`unsupported isa2wasm module format ${String(m.format)} (this runtime reads format ${AOT_FORMAT}); translate the program again`);
  if (m.guest !== "riscv64" && m.guest !== "ppc32") throw new Error(`unknown guest "${String(m.guest)}" in isa2wasm module`);
  if (typeof m.image !== "object" || !Array.isArray(m.image.segments) || typeof m.image.entry !== "number") throw new Error("malformed isa2wasm module manifest");
  if (typeof m.fp !== "object" || typeof m.fp.flagsUnobserved !== "boolean" || typeof m.fp.roundingStatic !== "boolean" || !Array.isArray(m.fp.proof)) {
    throw new Error("malformed isa2wasm module manifest (fp)");
  }
  return m;
}
