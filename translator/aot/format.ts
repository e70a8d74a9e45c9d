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
 * - `table`: the shared funcref table of translated code, and `table_base` (an i32 global): where in it
 *   the module's entries go; the runtime grows the table by their number first and fills the jump cache
 *   with their indices;
 * - `fp_arith`, `fp_cmp`, `fp_toint`, `fp_fromint`, `fp_conv`, `fp_class`: IEEE operations with the guest's
 *   rounding modes, NaN rules and exception flags;
 * - `h_<name>`: the helpers the program's IR calls (`h_rdcycle`, `h_rdinstret`, `h_rdtime` ...), only
 *   those it uses. runtime/jit/imports.ts `translationImports` provides every one of them.
 *
 * **Data**: one active data segment per loadable segment with file bytes, at the segment's guest address,
 * holding its `filesz` bytes. The runtime maps every segment (with its permissions, zero-filled up to
 * `memsz`) before instantiating; instantiation then writes the image.
 *
 * **Code map (table)**: one function `() -> i32` per translated entry pc (a region: a piece of a discovered
 * function entered at its start and maybe at further pcs, see discover.ts `functionRegions`); an active
 * element segment writes them into `table` from `table_base` on, in the order of the custom section
 * {@link AOT_ENTRIES_SECTION} (`"isa2wasm.entries"`), which lists their guest pcs (u32 little-endian each).
 * Nothing is exported: 5000 exported functions cost V8 about 35 ms of instantiation, and the runtime takes
 * an entry's JS function from the table only when its dispatcher first enters it. Calling it runs guest
 * code from that pc with the CPU state in memory and returns the pc to continue at; why it returned (jump
 * out of translated code, syscall, fence.i, trap) is in the control block (exits.ts). Translated code
 * chains to other regions through the jump cache without returning. Every instruction it runs is counted
 * in `CTRL.icount` (code translated at run time also counts in `CTRL.icountDyn`).
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
 * 9: region entries are not exported: an active element segment puts them into the shared table from the
 * imported global table_base on, in the order of the section {@link AOT_ENTRIES_SECTION}.
 */
export const AOT_FORMAT = 9;

/**
 * In an ahead-of-time module: the custom section listing the guest pc of each region entry (u32
 * little-endian each), in the order its active element segment writes the entry functions into the shared
 * table from index the imported i32 global {@link AOT_TABLE_BASE} on.
 */
export const AOT_ENTRIES_SECTION = "isa2wasm.entries";
export const AOT_TABLE_BASE = "table_base";

/** The bytes of {@link AOT_ENTRIES_SECTION}. */
export function encodeEntryPcs(pcs: readonly number[]): Uint8Array {
  const out = new Uint8Array(pcs.length * 4);
  const dv = new DataView(out.buffer);
  pcs.forEach((pc, i) => dv.setUint32(i * 4, pc >>> 0, true));
  return out;
}

/** The guest pcs of {@link AOT_ENTRIES_SECTION}'s bytes. */
export function decodeEntryPcs(bytes: ArrayBuffer): number[] {
  if (bytes.byteLength % 4 !== 0) throw new Error(`malformed ${AOT_ENTRIES_SECTION} section`);
  const dv = new DataView(bytes);
  return Array.from({ length: bytes.byteLength / 4 }, (_, i) => dv.getUint32(i * 4, true));
}

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
