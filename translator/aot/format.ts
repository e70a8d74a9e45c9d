/**
 * The AOT module format: what `isa2wasm translate` writes and the runtime (runtime/aot/) reads. Pure data,
 * no binaryen, so that running a translated module never loads the translator.
 *
 * A translated module is an ordinary Wasm module that
 * - imports `env.memory` (the guest's linear memory, identity-mapped guest addresses), `env.table` (the
 *   shared funcref table of region functions) and the runtime functions of runtime/jit/imports.ts
 *   (`mem_load`, `mem_store`, `fp_*`, and `h_<name>` helpers);
 * - holds the guest image as active data segments at the guest addresses (the file bytes of every
 *   loadable segment; the rest of each segment is zero-filled by the runtime's mapping);
 * - exports one function `r<hex pc>: () -> i32` per translated entry pc (the code map; see
 *   translator/codegen/exits.ts for the calling contract);
 * - carries a custom section named {@link AOT_SECTION} whose payload is UTF-8 JSON of type
 *   {@link AotManifest}.
 */
import type { GuestName } from "../guests/guest.ts";
import type { ProcessImage } from "../../runtime/process/loader.ts";

/** Name of the custom section holding the manifest. */
export const AOT_SECTION = "isa2wasm";
/** Version of the manifest format; the runtime refuses other versions. */
export const AOT_FORMAT = 1;

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
  return m;
}
