/**
 * The host's fused multiply-add, when it has one translated code can trust.
 *
 * Wasm has no exact fused multiply-add; relaxed SIMD's `f64x2.relaxed_madd` is either fused (one rounding,
 * what RISC-V's fmadd.d computes) or a separate multiply and add, at the engine's choice. V8 fuses it on
 * x86-64 CPUs with FMA3 and on arm64. Translated code imports `fma_f64` and the i32 global `fma_fused`: when
 * the global is 1 the function is a single-rounding FMA and the fused multiply-add fast path calls it;
 * when 0 (no relaxed SIMD, or an unfused one) translated code keeps its exact emulation
 * (translator/codegen/fpfast.ts) and never calls the function.
 *
 * The helper is a tiny Wasm module written out byte by byte here, so the runtime needs neither binaryen
 * nor a Wasm text parser.
 */

/** (module (func (export "fma") (param f64 f64 f64) (result f64)
 *    (f64x2.extract_lane 0 (f64x2.relaxed_madd (f64x2.splat (local.get 0)) (f64x2.splat (local.get 1)) (f64x2.splat (local.get 2)))))) */
export const RELAXED_FMA_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7c, 0x7c, 0x7c, 0x01, 0x7c, // type section: (f64 f64 f64) -> f64
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x07, 0x01, 0x03, 0x66, 0x6d, 0x61, 0x00, 0x00, // export section: "fma" = function 0
  0x0a, 0x16, 0x01, 0x14, 0x00, // code section: one body of 20 bytes, no locals
  0x20, 0x00, 0xfd, 0x14, // local.get 0, f64x2.splat
  0x20, 0x01, 0xfd, 0x14, // local.get 1, f64x2.splat
  0x20, 0x02, 0xfd, 0x14, // local.get 2, f64x2.splat
  0xfd, 0x87, 0x02, // f64x2.relaxed_madd (0xfd 263)
  0xfd, 0x21, 0x00, // f64x2.extract_lane 0
  0x0b, // end
]);

/** What translated code imports for it: the function and the i32 global that says whether it is fused. */
export const HW_FMA_IMPORT = { module: "env", fn: "fma_f64", fused: "fma_fused" } as const;

export type Fma = (a: number, b: number, c: number) => number;

/** Operands whose fused and unfused results differ, with the fused one (one rounding). */
const PROBES: Array<[number, number, number, number]> = [
  // (1 + 2^-27)^2 - (1 + 2^-26) = 2^-54 exactly; rounding the product first loses it and gives 0
  [1 + 2 ** -27, 1 + 2 ** -27, -(1 + 2 ** -26), 2 ** -54],
  // (1 + 2^-30)^2 - 1 = 2^-29 + 2^-60 (exact in one rounding); unfused: 2^-29
  [1 + 2 ** -30, 1 + 2 ** -30, -1, 2 ** -29 + 2 ** -60],
];

/** Whether `fma` computes a*b + c with one rounding on operands where a separate multiply and add differ. */
export function isFused(fma: Fma): boolean {
  for (const [a, b, c, want] of PROBES) {
    if (!Object.is(fma(a, b, c), want)) return false;
    if (!Object.is(fma(-a, b, -c), -want)) return false;
  }
  // an exact zero sum is +0 in round-to-nearest
  return Object.is(fma(2, 3, -6), 0);
}

let cached: Fma | null | undefined;

/** The host's fused multiply-add, or undefined when relaxed SIMD is missing or not fused. */
export function hardwareFma(): Fma | undefined {
  if (cached === undefined) {
    cached = null;
    try {
      if (WebAssembly.validate(RELAXED_FMA_MODULE)) {
        const fma = new WebAssembly.Instance(new WebAssembly.Module(RELAXED_FMA_MODULE)).exports.fma as Fma;
        if (isFused(fma)) cached = fma;
      }
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}
