/**
 * Compiling a translated module's bytes (kept apart from load.ts, which needs the whole runtime, so that a
 * launcher can start it early): where this engine's `f64x2.relaxed_madd` is fused, the module's fused
 * multiply-add calls are made inline first (fmapatch.ts); then WebAssembly.compile.
 *
 * {@link prefetchAotCompile} starts the compilation of bytes a launcher has read before the rest of the
 * program has loaded (the engine compiles on its own threads meanwhile); {@link compileAotBytes} for the
 * same bytes object then picks that compilation up instead of starting another.
 */
import { hardwareFma } from "../jit/hwfma.ts";
import { inlineFmaSites } from "./fmapatch.ts";

/** A compiled translated module and how many fused multiply-add calls were made inline in it. */
export interface CompiledAotBytes {
  module: WebAssembly.Module;
  fmaInlined: number;
}

/** True when `bytes` start with the Wasm magic number and version 1. */
export function isWasmModule(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d && bytes[4] === 1;
}

const started = new WeakMap<Uint8Array, Promise<CompiledAotBytes>>();

/** Starts compiling `bytes` now; {@link compileAotBytes} of the same object takes the result. */
export function prefetchAotCompile(bytes: Uint8Array): void {
  if (started.has(bytes)) return;
  const compiling = compile(bytes);
  compiling.catch(() => { /* reported when compileAotBytes takes it */ });
  started.set(bytes, compiling);
}

/** Compiles `bytes` (or takes the compilation {@link prefetchAotCompile} started); throws a clear Error. */
export function compileAotBytes(bytes: Uint8Array): Promise<CompiledAotBytes> {
  const early = started.get(bytes);
  if (early) {
    started.delete(bytes);
    return early;
  }
  return compile(bytes);
}

async function compile(bytes: Uint8Array): Promise<CompiledAotBytes> {
  if (hardwareFma() !== undefined) {
    // this engine's relaxed_madd is fused: the module's fused multiply-add calls inline (fmapatch.ts)
    try {
      const patched = inlineFmaSites(bytes);
      if (patched.sites > 0) return { module: await WebAssembly.compile(patched.bytes as Uint8Array<ArrayBuffer>), fmaInlined: patched.sites };
    } catch {
      // a site that is not the recorded call, or a patched module the engine rejects: the module as it is
    }
  }
  try {
    return { module: await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), fmaInlined: 0 };
  } catch (e) {
    throw new Error(`not a valid WebAssembly module: ${(e as Error).message} (a module translated with --relaxed-simd-fma needs an engine with relaxed SIMD)`);
  }
}
