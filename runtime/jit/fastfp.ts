/**
 * Fast paths of IEEE-754 arithmetic on JavaScript doubles, for round-to-nearest-even and operands whose
 * results are far from overflow and underflow: the common case of guest FP code. Each returns the exact
 * IEEE result and whether it is inexact (the only flag such operations can raise), or `undefined` when
 * the operands fall outside the proven range — the caller then uses the soft-float library.
 *
 * Exactness is decided with error-free transformations (Knuth's TwoSum, Dekker's TwoProduct with
 * Veltkamp splitting), and the fused multiply-add uses Boldo and Melquiond's emulation with rounding to
 * odd ("Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd", IEEE TC
 * 2008), valid without underflow or overflow. f32 operations are computed in f64 and rounded once more,
 * which is exact for +, -, ×, ÷ and √ because 53 ≥ 2·24 + 2 (Figueroa's double-rounding theorem).
 */

/** The result of a fast path: `value` (a double; for f32, a double holding an f32 value) and inexactness. */
export interface FastResult { value: number; inexact: boolean }

const SPLIT = 134217729; // 2^27 + 1
/** Magnitudes inside which products, quotients and their error terms neither overflow nor underflow. */
const LO = 2 ** -450, HI = 2 ** 450;
/** Result magnitudes accepted: well inside the normal range. */
const RLO = 2 ** -900, RHI = 2 ** 1000;
const F32_RLO = 2 ** -125, F32_RHI = 2 ** 127;

const inRange = (x: number) => { const m = Math.abs(x); return m >= LO && m <= HI; };
const resultOk = (r: number) => { const m = Math.abs(r); return m >= RLO && m <= RHI; };
const result32Ok = (r: number) => { const m = Math.abs(r); return m >= F32_RLO && m <= F32_RHI; };

/** Error of a + b rounded: a + b = s + err exactly (any finite a, b without overflow). */
function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/** Error of a * b rounded to p: a * b = p + err exactly (|a|, |b| in [LO, HI]). */
function twoProductErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1; // index of the low word

/** x rounded to odd given the error e of its computation: if inexact and x is even, the neighbour toward e. */
function roundToOdd(x: number, e: number): number {
  if (e === 0) return x;
  f64[0] = x;
  if ((u32[LOW]! & 1) !== 0) return x;
  const away = (e > 0) === (x > 0); // move away from zero?
  if (away) u32[LOW] = u32[LOW]! + 1; // even: no carry
  else if (u32[LOW] === 0) { u32[LOW] = 0xffffffff; u32[1 - LOW] = u32[1 - LOW]! - 1; } else u32[LOW] = u32[LOW]! - 1;
  return f64[0]!;
}

/** f64 a + b (RNE). */
export function add64(a: number, b: number): FastResult | undefined {
  const s = a + b;
  if (!resultOk(s) || !Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  return { value: s, inexact: twoSumErr(a, b, s) !== 0 };
}

/** f64 a * b (RNE). */
export function mul64(a: number, b: number): FastResult | undefined {
  if (!inRange(a) || !inRange(b)) return undefined;
  const p = a * b;
  return { value: p, inexact: twoProductErr(a, b, p) !== 0 };
}

/** f64 a / b (RNE). */
export function div64(a: number, b: number): FastResult | undefined {
  if (!inRange(a) || !inRange(b)) return undefined;
  const q = a / b;
  const p = q * b;
  return { value: q, inexact: p !== a || twoProductErr(q, b, p) !== 0 };
}

/** f64 √a (RNE). */
export function sqrt64(a: number): FastResult | undefined {
  if (!(a >= LO && a <= HI)) return undefined;
  const s = Math.sqrt(a);
  const p = s * s;
  return { value: s, inexact: p !== a || twoProductErr(s, s, p) !== 0 };
}

/** f64 a * b + c with one rounding (RNE). */
export function fma64(a: number, b: number, c: number): FastResult | undefined {
  if (!inRange(a) || !inRange(b) || (c !== 0 && !(Math.abs(c) >= RLO && Math.abs(c) <= RHI))) return undefined;
  const uh = a * b, ul = twoProductErr(a, b, uh);
  const th = c + uh, tl = twoSumErr(c, uh, th);
  const vh = tl + ul, vl = twoSumErr(tl, ul, vh);
  const v = roundToOdd(vh, vl);
  const r = th + v;
  if (!resultOk(r)) return undefined;
  return { value: r, inexact: vl !== 0 || twoSumErr(th, v, r) !== 0 };
}

/** f32 a + b (RNE); operands are f32 values held in doubles. */
export function add32(a: number, b: number): FastResult | undefined {
  const s = a + b;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  const r = Math.fround(s);
  if (!result32Ok(r)) return undefined;
  return { value: r, inexact: r !== s || twoSumErr(a, b, s) !== 0 };
}

/** f32 a * b (RNE): the f64 product of two f32 values is exact. */
export function mul32(a: number, b: number): FastResult | undefined {
  const p = a * b;
  if (!Number.isFinite(p)) return undefined;
  const r = Math.fround(p);
  if (!result32Ok(r)) return undefined;
  return { value: r, inexact: r !== p };
}

/** f32 a / b (RNE). */
export function div32(a: number, b: number): FastResult | undefined {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  const r = Math.fround(a / b);
  if (!result32Ok(r)) return undefined;
  return { value: r, inexact: r * b !== a }; // r * b is exact (24 × 24 bits)
}

/** f32 √a (RNE). */
export function sqrt32(a: number): FastResult | undefined {
  if (!(a > 0) || !Number.isFinite(a)) return undefined;
  const r = Math.fround(Math.sqrt(a));
  if (!result32Ok(r)) return undefined;
  return { value: r, inexact: r * r !== a };
}

/** f32 a * b + c with one rounding (RNE): only when the f64 sum of the exact product and c is exact. */
export function fma32(a: number, b: number, c: number): FastResult | undefined {
  const p = a * b;
  const s = p + c;
  if (!Number.isFinite(s) || twoSumErr(p, c, s) !== 0) return undefined;
  const r = Math.fround(s);
  if (!result32Ok(r)) return undefined;
  return { value: r, inexact: r !== s };
}
