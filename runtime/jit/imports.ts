/**
 * The JavaScript functions translated code imports (module "env"): FP operations through the softfloat
 * library (one definition of IEEE semantics, shared with the interpreter) and the runtime helpers.
 * The numeric codes match translator/codegen/lower.ts FP_CODES; they are repeated here as data so that
 * running translated code never loads binaryen.
 */
import { add32, add64, div32, div64, fma32, fma64, mul32, mul64, sqrt32, sqrt64, type FastResult } from "./fastfp.ts";
import { fpArith, fpClass, fpCompare, fpConvert, fpToInt, intToFp } from "../fp/softfloat.ts";
import type { FpArith, FpCmp, FpFormat, NanPolicy } from "../../translator/ir/ir.ts";
import { CONTROL_BASE, type GuestMemory } from "../memory/memory.ts";
import { CTRL } from "../../translator/codegen/exits.ts";
import { hardwareFma, HW_FMA_IMPORT } from "./hwfma.ts";

const FMT: FpFormat[] = ["f32", "f64"];
const ARITH: FpArith[] = ["add", "sub", "mul", "div", "sqrt", "madd", "min", "max"];
const CMP: FpCmp[] = ["eq", "lt", "le", "ltq", "leq", "unord"];
const NAN: NanPolicy[] = ["canonical", "propagate"];

/** Runtime helpers callable from IR `call` ops, by name; each takes and returns numbers/bigints. */
export type HelperTable = Record<string, (...args: Array<number | bigint>) => number | bigint | void>;

/** The NX (inexact) flag bit. */
const FP_INEXACT = 1;

/** RNE fast paths by IR op code (FP_CODES.arith order: add sub mul div sqrt madd min max). */
function fastArith64(op: number, a: number, b: number, c: number): FastResult | undefined {
  switch (op) {
    case 0: return add64(a, b);
    case 1: return add64(a, -b);
    case 2: return mul64(a, b);
    case 3: return div64(a, b);
    case 4: return sqrt64(a);
    case 5: return fma64(a, b, c);
    default: return undefined;
  }
}
function fastArith32(op: number, a: number, b: number, c: number): FastResult | undefined {
  switch (op) {
    case 0: return add32(a, b);
    case 1: return add32(a, -b);
    case 2: return mul32(a, b);
    case 3: return div32(a, b);
    case 4: return sqrt32(a);
    case 5: return fma32(a, b, c);
    default: return undefined;
  }
}

/** How translation modules are linked. */
export interface ImportOptions {
  /** offer the host's fused multiply-add when it has one (default true; false keeps the exact emulation) */
  hardwareFma?: boolean;
}

/**
 * Builds the import object for translation modules: guest memory, the shared region table, FP (with the
 * host's fused multiply-add when there is one) and helpers.
 */
export function translationImports(mem: GuestMemory, table: WebAssembly.Table, helpers: HelperTable, opts: ImportOptions = {}): WebAssembly.Imports {
  const fma = opts.hardwareFma === false ? undefined : hardwareFma();
  const flagsAt = CONTROL_BASE + CTRL.fpflags;
  let f64s = new Float64Array(mem.memory.buffer, CONTROL_BASE, 16);
  let f32s = new Float32Array(mem.memory.buffer, CONTROL_BASE, 32);
  const setFlags = (f: number) => { mem.dv.setInt32(flagsAt, f, true); };
  const mask = (fmt: number, v: bigint) => (fmt === 0 ? BigInt.asUintN(32, v) : BigInt.asUintN(64, v));
  const env: Record<string, unknown> = {
    memory: mem.memory,
    table,
    // never called while fma_fused is 0
    [HW_FMA_IMPORT.fn]: fma ?? (() => NaN),
    [HW_FMA_IMPORT.fused]: new WebAssembly.Global({ value: "i32", mutable: false }, fma ? 1 : 0),
    // operands at CTRL.fpa/fpb/fpc, result to CTRL.fpr; returns the IEEE flags raised
    fp_arith(fmt: number, op: number, rm: number, nan: number): number {
      const base = CONTROL_BASE;
      if (f64s.buffer !== mem.memory.buffer) { f64s = new Float64Array(mem.memory.buffer, base, 16); f32s = new Float32Array(mem.memory.buffer, base, 32); }
      if (rm === 0) {
        const fast = fmt === 1
          ? fastArith64(op, f64s[CTRL.fpa / 8]!, f64s[CTRL.fpb / 8]!, f64s[CTRL.fpc / 8]!)
          : fastArith32(op, f32s[CTRL.fpa / 4]!, f32s[CTRL.fpb / 4]!, f32s[CTRL.fpc / 4]!);
        if (fast !== undefined) {
          if (fmt === 1) f64s[CTRL.fpr / 8] = fast.value;
          else { f32s[CTRL.fpr / 4] = fast.value; f32s[CTRL.fpr / 4 + 1] = 0; }
          return fast.inexact ? FP_INEXACT : 0;
        }
      }
      const dv = mem.dv;
      const get = (off: number) => mask(fmt, dv.getBigUint64(base + off, true));
      const r = fpArith(FMT[fmt]!, ARITH[op]!, get(CTRL.fpa), get(CTRL.fpb), get(CTRL.fpc), rm, NAN[nan]!);
      dv.setBigUint64(base + CTRL.fpr, BigInt.asUintN(64, r.bits), true);
      return r.flags;
    },
    fp_cmp(fmt: number, cmp: number, a: bigint, b: bigint): number {
      const r = fpCompare(FMT[fmt]!, CMP[cmp]!, mask(fmt, a), mask(fmt, b));
      setFlags(r.flags);
      return r.value;
    },
    fp_toint(fmt: number, a: bigint, width: number, signed: number, rm: number): bigint {
      const r = fpToInt(FMT[fmt]!, mask(fmt, a), width as 32 | 64, signed !== 0, rm);
      setFlags(r.flags);
      return BigInt.asIntN(64, r.value);
    },
    fp_fromint(fmt: number, a: bigint, signed: number, width: number, rm: number): bigint {
      const value = signed ? BigInt.asIntN(width, a) : BigInt.asUintN(width, a);
      const r = intToFp(FMT[fmt]!, value, rm);
      setFlags(r.flags);
      return BigInt.asIntN(64, r.bits);
    },
    fp_conv(fmt: number, a: bigint, rm: number, nan: number): bigint {
      const r = fpConvert(FMT[fmt]!, mask(1 - fmt, a), rm, NAN[nan]!);
      setFlags(r.flags);
      return BigInt.asIntN(64, r.bits);
    },
    fp_class(fmt: number, a: bigint): number {
      return fpClass(FMT[fmt]!, mask(fmt, a));
    },
  };
  for (const [name, fn] of Object.entries(helpers)) env[`h_${name}`] = fn;
  return { env: env as WebAssembly.ModuleImports };
}
