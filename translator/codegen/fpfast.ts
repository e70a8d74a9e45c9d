/**
 * Inline fast paths for IR floating-point ops in translated code.
 *
 * The IR's FP ops have exact IEEE-754 semantics including the accrued exception flags, which the runtime's
 * FP helpers compute (a call from Wasm into JS per operation). Most guest FP code runs in round-to-nearest
 * on normal numbers with the inexact flag already set (it is sticky and nearly every computation sets it
 * early). In that state the only flag an add, sub, mul, div, sqrt or fused multiply-add can raise is NX, so
 * the correctly rounded result of the native Wasm instruction is the whole effect. Each fast path computes
 * that result and a condition proving it: rounding mode RNE, NX already accrued (or the result provably
 * exact), and a result far enough from the subnormal and overflow ranges that no other flag is possible
 * (exponent field ≥ 2 excludes results tiny before rounding that round up to the smallest normal, since
 * tininess is detected after rounding). When the condition fails, the caller runs the exact helper.
 *
 * Comparisons, min/max and conversions are exact whenever no operand is NaN and the value is in range.
 * The f64 fused multiply-add (no fused Wasm instruction exists) calls the host's FMA when the runtime
 * imports a fused one (relaxed SIMD, see runtime/jit/hwfma.ts), otherwise it uses the error-free emulation of
 * runtime/jit/fastfp.ts (Boldo and Melquiond's rounding to odd), under the same range conditions.
 */
import binaryen from "binaryen";
import { Rounding, type FpArith, type FpCmp, type FpFormat, type NanPolicy } from "../ir/ir.ts";
import { HW_FMA_IMPORT } from "../../runtime/jit/hwfma.ts";

type X = binaryen.ExpressionRef;

/**
 * What the lowering gives the fast paths: the module, fresh locals, and whether the program never reads the
 * accrued flags (translator/ir/fpenv.ts; the caller then passes "NX accrued" as constant 1). Without flags
 * to keep exact, a result needs the helper only when it is a NaN (RISC-V's canonical NaN, PowerPC's
 * propagation): Wasm rounds subnormal and overflowing results as IEEE 754 does.
 */
export interface FpContext {
  m: binaryen.Module; scratch(ty: binaryen.Type): number; flagsUnobserved?: boolean;
  /**
   * f64 fused multiply-adds use relaxed SIMD's `f64x2.relaxed_madd` inline (the module needs relaxed SIMD,
   * and whoever runs it must have checked that the engine's is fused: runtime/jit/hwfma.ts)
   */
  inlineFma?: boolean;
  /**
   * f64 results of the flag-free (`total`) paths may be left as whatever NaN Wasm gives: the caller makes
   * them canonical before anything but another NaN-propagating op sees them (translator/codegen/lower.ts)
   */
  rawNaN?: boolean;
}

/**
 * A fast path: statements to run first, then `ok` (i32) decides whether `value` is the exact result.
 * `hot`, when given, is a cheaper sufficient condition for the common state (RNE, NX accrued, a safe result)
 * without inner branches: the caller tests it first and evaluates `ok` only when it fails.
 */
export interface FastPath {
  pre: X[]; ok: X; value: X; hot?: X;
  /**
   * When given (flags unobserved, canonical NaNs), the op's result in every case, with no `ok` test:
   * `slow()` is the exact helper's result, for the cases the native op does not give (another rounding
   * mode; the FMA emulation's out-of-range cases).
   */
  total?: (slow: () => X) => X;
}

/** The common state, a fast path's `hot` condition: RNE, NX accrued and a safe result (`safe`, i32). */
const commonState = (m: binaryen.Module, rm: () => X, nx: () => X, safe: X): X => m.i32.and(m.i32.and(m.i32.eqz(rm()), nx()), safe);

/** Veltkamp splitting constant for doubles: 2^27 + 1. */
const SPLIT = 134217729;

/** i32 1 when the biased exponent of the f64 bits `v` is within [lo, hi]. */
function exp64In(m: binaryen.Module, v: X, lo: number, hi: number): X {
  const e = m.i64.and(m.i64.shr_u(v, m.i64.const(52n)), m.i64.const(0x7ffn));
  return m.i64.le_u(m.i64.sub(e, m.i64.const(BigInt(lo))), m.i64.const(BigInt(hi - lo)));
}
/** i32 1 when the biased exponent of the f32 bits `v` is within [lo, hi]. */
function exp32In(m: binaryen.Module, v: X, lo: number, hi: number): X {
  const e = m.i32.and(m.i32.shr_u(v, m.i32.const(23)), m.i32.const(0xff));
  return m.i32.le_u(m.i32.sub(e, m.i32.const(lo)), m.i32.const(hi - lo));
}
/** Normal results that cannot have been tiny before rounding or overflowed: exponent field in [2, max-1]. */
const safe64 = (m: binaryen.Module, v: X) => exp64In(m, v, 2, 0x7fe);
const safe32 = (m: binaryen.Module, v: X) => exp32In(m, v, 2, 0xfe);
const notNaN64 = (m: binaryen.Module, v: X) => m.i64.le_u(m.i64.and(v, m.i64.const(0x7fffffffffffffffn)), m.i64.const(0x7ff0000000000000n));
const notNaN32 = (m: binaryen.Module, v: X) => m.i32.le_u(m.i32.and(v, m.i32.const(0x7fffffff)), m.i32.const(0x7f800000));
/** A result the native op gives exactly with its flags: safe64/safe32, or any non-NaN when the flags are unobserved. */
const resultOk64 = (cx: FpContext, v: X) => (cx.flagsUnobserved ? notNaN64(cx.m, v) : safe64(cx.m, v));
const resultOk32 = (cx: FpContext, v: X) => (cx.flagsUnobserved ? notNaN32(cx.m, v) : safe32(cx.m, v));
/** `rne` when the rounding mode `rm` is RNE, else `other()`: no test when rm is a constant. */
function ifRne(m: binaryen.Module, rm: X, rne: X, other: () => X): X {
  if (binaryen.getExpressionId(rm) === binaryen.ConstId) return (binaryen.getExpressionInfo(rm) as binaryen.ConstInfo).value === Rounding.RNE ? rne : other();
  return m.if(m.i32.eqz(rm), rne, other());
}
const CANONICAL_NAN64 = 0x7ff8000000000000n, CANONICAL_NAN32 = 0x7fc00000;
/** The bits `v` (a local's read: evaluated twice), or the canonical NaN when they are a NaN. */
export const canonical64 = (m: binaryen.Module, v: () => X) => m.select(notNaN64(m, v()), v(), m.i64.const(CANONICAL_NAN64));
const canonical32 = (m: binaryen.Module, v: () => X) => m.select(notNaN32(m, v()), v(), m.i32.const(CANONICAL_NAN32));
const isZero64 = (m: binaryen.Module, v: X) => m.i64.eqz(m.i64.shl(v, m.i64.const(1n)));
const isZero32 = (m: binaryen.Module, v: X) => m.i32.eqz(m.i32.shl(v, m.i32.const(1)));

/**
 * The fast path of `farith`, or undefined when there is none. `arg(i)` gives operand i's bits (i64 for
 * f64, i32 for f32), `rm` the rounding mode (i32), `nx` whether NX is already accrued (i32 0/1).
 */
export function fastArith(cx: FpContext, fmt: FpFormat, fop: FpArith, arg: (i: 0 | 1 | 2) => X, rm: () => X, nx: () => X, nan: NanPolicy = "canonical"): FastPath | undefined {
  const m = cx.m;
  const total = cx.flagsUnobserved === true && nan === "canonical";
  if (fop === "madd") return fmt === "f64" ? fma64(cx, arg, rm, nx, total) : fma32(cx, arg, rm, nx);
  const f64 = fmt === "f64";
  const bits = f64 ? binaryen.i64 : binaryen.i32;
  const F = f64 ? m.f64 : m.f32;
  const d = binaryen.f64;
  const g = (l: number) => m.local.get(l, d);
  // operands as doubles (f32 values widen exactly), the native result's bits in r
  const x = cx.scratch(d), y = cx.scratch(d), r = cx.scratch(bits);
  const widen = (i: 0 | 1) => (f64 ? m.f64.reinterpret(arg(i)) : m.f64.promote(m.f32.reinterpret(arg(i))));
  const pre: X[] = [m.local.set(x, widen(0))];
  if (fop !== "sqrt") pre.push(m.local.set(y, widen(1)));
  const get = () => m.local.get(r, bits);
  const res = () => (f64 ? m.f64.reinterpret(get()) : m.f64.promote(m.f32.reinterpret(get()))); // the result as a double
  const narrow = (v: X) => (f64 ? v : m.f32.demote(v)); // doubles are exact here for f32 operands
  const toBits = (v: X) => (f64 ? m.i64.reinterpret(v) : m.i32.reinterpret(v));
  const safe = (v: X) => (f64 ? resultOk64(cx, v) : resultOk32(cx, v));
  const isZero = (v: X) => (f64 ? isZero64(m, v) : isZero32(m, v));
  const base = () => m.i32.and(m.i32.eqz(rm()), safe(get()));
  // ok when NX is already accrued, else only when the exactness test proves the result exact
  const okWith = (exact: () => X) => m.i32.and(base(), m.if(nx(), m.i32.const(1), exact()));
  const hot = () => commonState(m, rm, nx, safe(get()));
  // without flags: the native result in RNE (a NaN made canonical), the helper in other modes
  const anyResult = total ? (slow: () => X) => ifRne(m, rm(), f64 ? (cx.rawNaN ? get() : canonical64(m, get)) : canonical32(m, get), slow) : undefined;
  const withTotal = (p: FastPath): FastPath => (anyResult ? { ...p, total: anyResult } : p);
  switch (fop) {
    case "add": case "sub": {
      const yy = fop === "add" ? y : cx.scratch(d);
      if (fop === "sub") pre.push(m.local.set(yy, m.f64.neg(g(y))));
      // f64: the native sum; f32: the f64 sum of the widened operands, rounded once more (exact for +: 53 ≥ 2·24+2)
      const s = cx.scratch(d);
      pre.push(m.local.set(s, m.f64.add(g(x), g(yy))));
      pre.push(m.local.set(r, toBits(narrow(g(s)))));
      // exact: no error in the double sum (TwoSum) and, for f32, no rounding to f32
      const exact = () => {
        const zero = m.call(support(m, "fpx_sum_exact"), [g(x), g(yy), g(s)], binaryen.i32);
        return f64 ? zero : m.i32.and(zero, m.f64.eq(res(), g(s)));
      };
      // a zero sum of finite operands is exact (and +0 in RNE, as Wasm gives)
      return withTotal({ pre, ok: m.i32.and(m.i32.eqz(rm()), m.i32.or(isZero(get()), m.i32.and(safe(get()), m.if(nx(), m.i32.const(1), exact())))), value: get(), hot: hot() });
    }
    case "mul": {
      const p = cx.scratch(d);
      pre.push(m.local.set(p, m.f64.mul(g(x), g(y))), m.local.set(r, toBits(narrow(g(p)))));
      // f32: the double product is exact, so exact iff rounding to f32 was; f64: Dekker's error term is zero
      const exact = () => (f64 ? m.call(support(m, "fpx_prod_exact"), [g(x), g(y), g(p)], binaryen.i32) : m.f64.eq(res(), g(p)));
      return withTotal({ pre, ok: okWith(exact), value: get(), hot: hot() });
    }
    case "div": {
      pre.push(m.local.set(r, toBits(F.div(F.reinterpret(arg(0)), F.reinterpret(arg(1))))));
      // exact iff q·b = a exactly (f32: q·b is exact in double)
      const exact = () => {
        if (!f64) return m.f64.eq(m.f64.mul(res(), g(y)), g(x));
        return m.call(support(m, "fpx_div_exact"), [g(x), g(y), res()], binaryen.i32);
      };
      return withTotal({ pre, ok: okWith(exact), value: get(), hot: hot() });
    }
    case "sqrt": {
      pre.push(m.local.set(r, toBits(F.sqrt(F.reinterpret(arg(0))))));
      const exact = () => {
        if (!f64) return m.f64.eq(m.f64.mul(res(), res()), g(x));
        return m.call(support(m, "fpx_sqrt_exact"), [g(x), res()], binaryen.i32);
      };
      return withTotal({ pre, ok: okWith(exact), value: get(), hot: hot() });
    }
    case "min": case "max": {
      // without NaN operands Wasm's min/max are RISC-V's (-0 < +0) and raise nothing
      const v = fop === "min" ? F.min(F.reinterpret(arg(0)), F.reinterpret(arg(1))) : F.max(F.reinterpret(arg(0)), F.reinterpret(arg(1)));
      pre.push(m.local.set(r, toBits(v)));
      return { pre, ok: m.i32.and(m.f64.eq(g(x), g(x)), m.f64.eq(g(y), g(y))), value: get() };
    }
  }
  return undefined;
}

/** Knuth's TwoSum error of s = a + b (locals): a + b = s + error exactly, for finite a, b without overflow. */
function twoSumErr(cx: FpContext, a: number, b: number, s: number): { set: X; value: X } {
  const m = cx.m, d = binaryen.f64;
  const g = (l: number) => m.local.get(l, d);
  const bb = cx.scratch(d);
  return {
    set: m.local.set(bb, m.f64.sub(g(s), g(a))),
    value: m.f64.add(m.f64.sub(g(a), m.f64.sub(g(s), g(bb))), m.f64.sub(g(b), g(bb))),
  };
}

/** Statements setting `err` to Dekker's product error: a·b = p + err exactly, for |a|, |b| in [2^-450, 2^450). */
function twoProductErr(cx: FpContext, a: number, b: number, p: number, err: number): X[] {
  const m = cx.m, d = binaryen.f64;
  const g = (l: number) => m.local.get(l, d);
  const [t, ah, al, bh, bl] = [cx.scratch(d), cx.scratch(d), cx.scratch(d), cx.scratch(d), cx.scratch(d)];
  // Veltkamp splitting into 26-bit halves
  const split = (x: number, h: number, l: number) => [
    m.local.set(t, m.f64.mul(m.f64.const(SPLIT), g(x))),
    m.local.set(h, m.f64.sub(g(t), m.f64.sub(g(t), g(x)))),
    m.local.set(l, m.f64.sub(g(x), g(h))),
  ];
  return [...split(a, ah, al), ...split(b, bh, bl), m.local.set(err, m.f64.add(
    m.f64.add(m.f64.add(m.f64.sub(m.f64.mul(g(ah), g(bh)), g(p)), m.f64.mul(g(ah), g(bl))), m.f64.mul(g(al), g(bh))),
    m.f64.mul(g(al), g(bl))))];
}

/** i32: the product p = a·b (locals) was exact. */
function twoProductExact(cx: FpContext, a: number, b: number, p: number): X {
  const m = cx.m, e = cx.scratch(binaryen.f64);
  const dekker = m.block(null, [...twoProductErr(cx, a, b, p, e), m.f64.eq(m.local.get(e, binaryen.f64), m.f64.const(0))], binaryen.i32);
  return m.if(fewBits(cx, a, b), m.i32.const(1), dekker);
}

/**
 * i32: the significands of the normal doubles in locals a and b have at most 53 significant bits between
 * them (trailing zeros of the 53-bit significands add up to 53 or more), so their product is exact unless
 * it leaves the normal range (the callers test the factors' ranges). Cheaper than Dekker's error term.
 */
function fewBits(cx: FpContext, a: number, b: number): X {
  const m = cx.m;
  const tz = (l: number) => m.i64.ctz(m.i64.or(m.i64.reinterpret(m.local.get(l, binaryen.f64)), m.i64.const(1n << 52n)));
  return m.i64.ge_u(m.i64.add(tz(a), tz(b)), m.i64.const(53n));
}

/**
 * The host's fused multiply-add, imported by every translation module (runtime/jit/hwfma.ts): the function
 * and an i32 global that is 1 when the function rounds once (then f64 fused multiply-adds call it instead
 * of running the emulation).
 */
export const HW_FMA = HW_FMA_IMPORT;

/**
 * f64 a*b + c: the host's fused multiply-add when the runtime found one, else the exact emulation (both one
 * call). The emulation gives a NaN outside the ranges where it is exact, so for both the conditions are
 * RNE, a safe result (invalid operations give NaN, overflow infinity: both fail) and NX accrued or the
 * result proved exact.
 */
function fma64(cx: FpContext, arg: (i: 0 | 1 | 2) => X, rm: () => X, nx: () => X, total: boolean): FastPath {
  const m = cx.m;
  const d = binaryen.f64;
  const r = cx.scratch(binaryen.i64);
  const [a, b, c] = [cx.scratch(d), cx.scratch(d), cx.scratch(d)];
  const g = (l: number) => m.local.get(l, d);
  const rb = () => m.local.get(r, binaryen.i64);
  const operands = [m.local.set(a, m.f64.reinterpret(arg(0))), m.local.set(b, m.f64.reinterpret(arg(1))), m.local.set(c, m.f64.reinterpret(arg(2)))];
  // binaryen.js has no builder for relaxed_madd: the C API's SIMDTernary with its opcode
  const api = binaryen as unknown as { _BinaryenSIMDTernary(mod: number, op: number, a: X, b: X, c: X): X; RelaxedMaddVecF64x2: number };
  const relaxedMadd = () => m.f64x2.extract_lane(api._BinaryenSIMDTernary(m.ptr, api.RelaxedMaddVecF64x2,
    m.f64x2.splat(g(a)), m.f64x2.splat(g(b)), m.f64x2.splat(g(c))), 0);
  const hostFma = () => m.i64.reinterpret(cx.inlineFma ? relaxedMadd() : m.call(HW_FMA.fn, [g(a), g(b), g(c)], d));
  // whether the host's FMA runs: known when inline, else the runtime's global
  const fused = () => (cx.inlineFma ? m.i32.const(1) : m.global.get(HW_FMA.fused, binaryen.i32));
  const emulated = () => m.call(support(m, "fpx_fma_emulated"), [g(a), g(b), g(c)], binaryen.i64);
  if (total) {
    // without flags: the host's FMA (a NaN made canonical), else the emulation, the helper where it is not exact
    const host = () => m.block(null, [m.local.set(r, hostFma()), cx.rawNaN ? rb() : canonical64(m, rb)], binaryen.i64);
    const value = (slow: () => X) => (cx.inlineFma ? host()
      : m.if(fused(), host(), m.block(null, [m.local.set(r, emulated()), m.if(notNaN64(m, rb()), rb(), slow())], binaryen.i64)));
    return { pre: operands, ok: m.i32.const(0), value: rb(), total: (slow) => ifRne(m, rm(), value(slow), slow) };
  }
  const pre = [...operands, m.local.set(r, cx.inlineFma ? hostFma() : m.if(fused(), hostFma(), emulated()))];
  const exact = m.call(support(m, "fpx_fma_exact"), [g(a), g(b), g(c), m.f64.reinterpret(rb())], binaryen.i32);
  return {
    pre, ok: m.i32.and(m.i32.and(m.i32.eqz(rm()), resultOk64(cx, rb())), m.if(nx(), m.i32.const(1), exact)), value: rb(),
    hot: commonState(m, rm, nx, resultOk64(cx, rb())),
  };
}

/**
 * Support functions, added to a module once when first used: the exactness proofs (taken only while NX is
 * not yet accrued) and the FMA emulation stay out of line, so the common path of every FP op stays short.
 */
const SUPPORT: Record<string, { params: binaryen.Type[]; result: binaryen.Type; body: (cx: FpContext) => X }> = {
  // (a, b, s = a + b) → the sum was exact
  fpx_sum_exact: {
    params: [binaryen.f64, binaryen.f64, binaryen.f64], result: binaryen.i32,
    body: (cx) => {
      const e = twoSumErr(cx, 0, 1, 2);
      return cx.m.block(null, [e.set, cx.m.f64.eq(e.value, cx.m.f64.const(0))], binaryen.i32);
    },
  },
  // (a, b, p = a·b) → the product was exact (factors in [2^-450, 2^450), where Dekker's error is exact)
  fpx_prod_exact: {
    params: [binaryen.f64, binaryen.f64, binaryen.f64], result: binaryen.i32,
    body: (cx) => cx.m.i32.and(cx.m.i32.and(inRange(cx, 0), inRange(cx, 1)), twoProductExact(cx, 0, 1, 2)),
  },
  // (x, y, q = x / y) → the quotient was exact: q·y = x exactly
  fpx_div_exact: {
    params: [binaryen.f64, binaryen.f64, binaryen.f64], result: binaryen.i32,
    body: (cx) => {
      const m = cx.m, p = cx.scratch(binaryen.f64);
      const g = (l: number) => m.local.get(l, binaryen.f64);
      return m.block(null, [m.local.set(p, m.f64.mul(g(2), g(1))),
        m.i32.and(m.i32.and(m.i32.and(inRange(cx, 0), inRange(cx, 1)), m.f64.eq(g(p), g(0))), twoProductExact(cx, 2, 1, p))], binaryen.i32);
    },
  },
  // (x, q = sqrt x) → the root was exact: q·q = x exactly
  fpx_sqrt_exact: {
    params: [binaryen.f64, binaryen.f64], result: binaryen.i32,
    body: (cx) => {
      const m = cx.m, p = cx.scratch(binaryen.f64);
      const g = (l: number) => m.local.get(l, binaryen.f64);
      return m.block(null, [m.local.set(p, m.f64.mul(g(1), g(1))),
        m.i32.and(m.i32.and(inRange(cx, 0), m.f64.eq(g(p), g(0))), twoProductExact(cx, 1, 1, p))], binaryen.i32);
    },
  },
  // (a, b, c) → the bits of a·b + c rounded once, or a NaN where the emulation is not exact
  fpx_fma_emulated: { params: [binaryen.f64, binaryen.f64, binaryen.f64], result: binaryen.i64, body: fmaEmulated },
  // (a, b, c, r = fma(a, b, c)) → r is exact: the product exact (Dekker) and then the sum (TwoSum)
  fpx_fma_exact: {
    params: [binaryen.f64, binaryen.f64, binaryen.f64, binaryen.f64], result: binaryen.i32,
    body: (cx) => {
      const m = cx.m, d = binaryen.f64;
      const g = (l: number) => m.local.get(l, d);
      const [p, sum] = [cx.scratch(d), cx.scratch(d)];
      const t = twoSumErr(cx, p, 2, sum);
      return m.block(null, [
        m.local.set(p, m.f64.mul(g(0), g(1))),
        m.local.set(sum, m.f64.add(g(p), g(2))),
        t.set,
        m.i32.and(m.i32.and(factorsOk(cx, 0, 1), twoProductExact(cx, 0, 1, p)),
          m.i32.and(m.f64.eq(g(sum), g(3)), m.f64.eq(t.value, m.f64.const(0)))),
      ], binaryen.i32);
    },
  },
};

const added = new WeakMap<binaryen.Module, Set<string>>();
/** The name of support function `name`, added to `m` on first use. */
function support(m: binaryen.Module, name: keyof typeof SUPPORT): string {
  let names = added.get(m);
  if (!names) { names = new Set(); added.set(m, names); }
  if (!names.has(name)) {
    names.add(name);
    const f = SUPPORT[name]!;
    const vars: binaryen.Type[] = [];
    const cx: FpContext = { m, scratch: (ty) => { vars.push(ty); return f.params.length + vars.length - 1; } };
    const body = f.body(cx);
    m.addFunction(name, binaryen.createType(f.params), f.result, vars, body);
  }
  return name;
}

/** i32 1 when the f64 local `l` has an exponent within [2^-450, 2^450) (Dekker's product error is exact). */
const inRange = (cx: FpContext, l: number) => exp64In(cx.m, cx.m.i64.reinterpret(cx.m.local.get(l, binaryen.f64)), 1023 - 450, 1023 + 449);
/** Factors whose product error is exact: a zero factor (an exact ±0 product) or both in range. */
function factorsOk(cx: FpContext, a: number, b: number): X {
  const m = cx.m;
  const zero = (l: number) => isZero64(m, m.i64.reinterpret(m.local.get(l, binaryen.f64)));
  return m.i32.or(m.i32.or(zero(a), zero(b)), m.i32.and(inRange(cx, a), inRange(cx, b)));
}

/**
 * f64 a*b + c (params 0-2), one rounding: TwoProduct and TwoSum, the low parts added with rounding to odd,
 * then summed; a NaN outside the ranges where the error terms are exact.
 */
function fmaEmulated(cx: FpContext): X {
  const m = cx.m;
  const d = binaryen.f64;
  const g = (l: number) => m.local.get(l, d);
  const [a, b, c] = [0, 1, 2];
  const [uh, ul, th, tl, vh, vl] = Array.from({ length: 6 }, () => cx.scratch(d)) as [number, number, number, number, number, number];
  const vbits = cx.scratch(binaryen.i64);
  const body: X[] = [
    m.local.set(uh, m.f64.mul(g(a), g(b))),
    ...twoProductErr(cx, a, b, uh, ul), // a*b = uh + ul exactly
    m.local.set(th, m.f64.add(g(c), g(uh))),
  ];
  let e = twoSumErr(cx, c, uh, th); // c + uh = th + tl exactly
  body.push(e.set, m.local.set(tl, e.value), m.local.set(vh, m.f64.add(g(tl), g(ul))));
  e = twoSumErr(cx, tl, ul, vh);
  body.push(e.set, m.local.set(vl, e.value));
  // round vh to odd: if inexact and its last bit is 0, step one ulp toward the error's side
  const vb = () => m.local.get(vbits, binaryen.i64);
  body.push(m.local.set(vbits, m.i64.reinterpret(g(vh))));
  const away = m.i32.eq(m.f64.gt(g(vl), m.f64.const(0)), m.f64.gt(g(vh), m.f64.const(0)));
  body.push(m.if(m.i32.and(m.f64.ne(g(vl), m.f64.const(0)), m.i64.eqz(m.i64.and(vb(), m.i64.const(1n)))),
    m.local.set(vbits, m.i64.add(vb(), m.select(away, m.i64.const(1n), m.i64.const(-1n))))));
  const rbits = cx.scratch(binaryen.i64);
  body.push(m.local.set(rbits, m.i64.reinterpret(m.f64.add(g(th), m.f64.reinterpret(vb())))));
  // ranges under which the error terms are exact (runtime/jit/fastfp.ts fma64): |a|, |b| in [2^-450, 2^450)
  // or a zero factor, c zero or in [2^-900, 2^1000), the result in [2^-900, 2^1000) (so never zero: signs
  // of zero take the helper)
  const wide = (x: X) => exp64In(m, x, 1023 - 900, 1023 + 999);
  const cb = () => m.i64.reinterpret(g(c));
  const rb = () => m.local.get(rbits, binaryen.i64);
  const inRanges = m.i32.and(m.i32.and(factorsOk(cx, a, b), m.i32.or(isZero64(m, cb()), wide(cb()))), wide(rb()));
  body.push(m.select(inRanges, rb(), m.i64.const(0x7ff8000000000000n)));
  return m.block(null, body, binaryen.i64);
}

/** f32 a*b + c: the f64 product of two f32 values is exact; when adding c in f64 is exact too, one f32 rounding remains. */
function fma32(cx: FpContext, arg: (i: 0 | 1 | 2) => X, rm: () => X, nx: () => X): FastPath {
  const m = cx.m;
  const d = binaryen.f64;
  const [p, c, s, bb] = [cx.scratch(d), cx.scratch(d), cx.scratch(d), cx.scratch(d)];
  const g = (l: number) => m.local.get(l, d);
  const r = cx.scratch(binaryen.i32);
  const pre: X[] = [
    m.local.set(p, m.f64.mul(m.f64.promote(m.f32.reinterpret(arg(0))), m.f64.promote(m.f32.reinterpret(arg(1))))),
    m.local.set(c, m.f64.promote(m.f32.reinterpret(arg(2)))),
    m.local.set(s, m.f64.add(g(p), g(c))),
    m.local.set(bb, m.f64.sub(g(s), g(p))),
    m.local.set(r, m.i32.reinterpret(m.f32.demote(g(s)))),
  ];
  const exactSum = m.f64.eq(m.f64.add(m.f64.sub(g(p), m.f64.sub(g(s), g(bb))), m.f64.sub(g(c), g(bb))), m.f64.const(0));
  // exactSum is false for infinite or NaN sums (the error is NaN), which then take the helper
  const exactR = m.f64.eq(m.f64.promote(m.f32.reinterpret(m.local.get(r, binaryen.i32))), g(s));
  const ok = m.i32.and(m.i32.and(m.i32.eqz(rm()), m.i32.or(nx(), exactR)), m.i32.and(exactSum, resultOk32(cx, m.local.get(r, binaryen.i32))));
  return { pre, ok, value: m.local.get(r, binaryen.i32) };
}

/** The fast path of `fcmp`: native comparison when neither operand is NaN (no flag can be raised then). */
export function fastCompare(cx: FpContext, fmt: FpFormat, cmp: FpCmp, a: () => X, b: () => X): FastPath {
  const m = cx.m;
  const F = fmt === "f64" ? m.f64 : m.f32;
  const va = () => F.reinterpret(a()), vb = () => F.reinterpret(b());
  const value = cmp === "eq" ? F.eq(va(), vb())
    : cmp === "lt" || cmp === "ltq" ? F.lt(va(), vb())
    : cmp === "le" || cmp === "leq" ? F.le(va(), vb())
    : m.i32.const(0);
  // with the flags unobserved, NaN operands give Wasm's value too (0), except for unord
  const ok = cx.flagsUnobserved && cmp !== "unord" ? m.i32.const(1) : m.i32.and(F.eq(va(), va()), F.eq(vb(), vb()));
  return { pre: [], ok, value };
}

/**
 * The fast path of `ftoint` for RNE, RTZ, RDN and RUP: the rounded value in range of the integer type (NaN
 * fails the range test), and either NX already accrued or the value integral.
 */
export function fastToInt(cx: FpContext, fmt: FpFormat, a: () => X, width: 32 | 64, signed: boolean, rm: () => X, nx: () => X): FastPath {
  const m = cx.m;
  const d = binaryen.f64;
  const x = cx.scratch(d), y = cx.scratch(d);
  const g = (l: number) => m.local.get(l, d);
  const rml = cx.scratch(binaryen.i32);
  const mode = () => m.local.get(rml, binaryen.i32);
  const pre: X[] = [
    m.local.set(x, fmt === "f64" ? m.f64.reinterpret(a()) : m.f64.promote(m.f32.reinterpret(a()))),
    m.local.set(rml, rm()),
    m.local.set(y, m.select(m.i32.eq(mode(), m.i32.const(Rounding.RTZ)), m.f64.trunc(g(x)),
      m.select(m.i32.eq(mode(), m.i32.const(Rounding.RDN)), m.f64.floor(g(x)),
        m.select(m.i32.eq(mode(), m.i32.const(Rounding.RUP)), m.f64.ceil(g(x)), m.f64.nearest(g(x)))))),
  ];
  // exclusive upper bounds are powers of two, exactly representable
  const lo = signed ? -(2 ** (width - 1)) : 0;
  const hiEx = signed ? 2 ** (width - 1) : 2 ** width;
  const inRange = m.i32.and(m.f64.ge(g(y), m.f64.const(lo)), m.f64.lt(g(y), m.f64.const(hiEx)));
  const known = m.i32.le_u(mode(), m.i32.const(Rounding.RUP));
  const ok = m.i32.and(m.i32.and(known, inRange), m.i32.or(nx(), m.f64.eq(g(y), g(x))));
  const value = width === 64
    ? (signed ? m.i64.trunc_s_sat.f64(g(y)) : m.i64.trunc_u_sat.f64(g(y)))
    : (signed ? m.i32.trunc_s_sat.f64(g(y)) : m.i32.trunc_u_sat.f64(g(y)));
  return { pre, ok, value };
}

/**
 * The fast path of `inttof`: exact when the integer has at most the format's significand bits (any rounding
 * mode), otherwise the native conversion rounds to nearest-even, valid with RNE and NX accrued.
 * `a` is an i32 or i64 (`wide`) integer.
 */
export function fastFromInt(cx: FpContext, fmt: FpFormat, a: () => X, wide: boolean, signed: boolean, rm: () => X, nx: () => X): FastPath {
  const m = cx.m;
  const f64 = fmt === "f64";
  const F = f64 ? m.f64 : m.f32;
  const conv = wide ? (signed ? F.convert_s.i64(a()) : F.convert_u.i64(a())) : (signed ? F.convert_s.i32(a()) : F.convert_u.i32(a()));
  const value = f64 ? m.i64.reinterpret(conv) : m.i32.reinterpret(conv);
  const p = f64 ? 53 : 24;
  if (!wide && f64) return { pre: [], ok: m.i32.const(1), value }; // every i32/u32 is exact in f64
  let exact: X;
  if (wide) {
    exact = signed
      ? m.i64.le_u(m.i64.add(a(), m.i64.const(1n << BigInt(p))), m.i64.const(1n << BigInt(p + 1)))
      : m.i64.le_u(a(), m.i64.const(1n << BigInt(p)));
  } else {
    exact = signed
      ? m.i32.le_u(m.i32.add(a(), m.i32.const(1 << p)), m.i32.const(1 << (p + 1)))
      : m.i32.le_u(a(), m.i32.const(1 << p));
  }
  return { pre: [], ok: m.i32.or(exact, m.i32.and(m.i32.eqz(rm()), nx())), value };
}

/**
 * The fast path of `fconv` (`fmt` is the destination): widening is exact for non-NaN values; narrowing
 * rounds to nearest-even and needs RNE, a safe f32 result and NX accrued or an exact result.
 */
export function fastConvert(cx: FpContext, fmt: FpFormat, a: () => X, rm: () => X, nx: () => X, nan: NanPolicy = "canonical"): FastPath {
  const m = cx.m;
  const total = cx.flagsUnobserved === true && nan === "canonical";
  if (fmt === "f64") {
    const v = () => m.f32.reinterpret(a());
    const value = m.i64.reinterpret(m.f64.promote(v()));
    if (total) {
      const w = cx.scratch(binaryen.i64);
      return { pre: [m.local.set(w, value)], ok: m.i32.const(1), value: m.local.get(w, binaryen.i64), total: () => canonical64(m, () => m.local.get(w, binaryen.i64)) };
    }
    return { pre: [], ok: m.f32.eq(v(), v()), value };
  }
  const r = cx.scratch(binaryen.f32);
  const x = () => m.f64.reinterpret(a());
  const rf = () => m.local.get(r, binaryen.f32);
  const pre = [m.local.set(r, m.f32.demote(x()))];
  const ok = m.i32.and(m.i32.and(m.i32.eqz(rm()), resultOk32(cx, m.i32.reinterpret(rf()))), m.i32.or(nx(), m.f64.eq(m.f64.promote(rf()), x())));
  if (total) return { pre, ok, value: m.i32.reinterpret(rf()), total: (slow) => ifRne(m, rm(), canonical32(m, () => m.i32.reinterpret(rf())), slow) };
  return { pre, ok, value: m.i32.reinterpret(rf()) };
}
