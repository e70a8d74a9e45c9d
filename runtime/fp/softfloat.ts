/**
 * Exact IEEE-754 binary32/binary64 arithmetic on bit patterns, shared by the interpreter and translated
 * code (one definition of the guests' FP semantics).
 *
 * Values travel as unsigned bit patterns in bigints (f32 in the low 32 bits). Every operation unpacks its
 * operands to sign, integer significand and exponent, computes the exact result (a big integer, or a
 * quotient/root with a sticky bit below all significant bits), and rounds it once in {@link roundPack}:
 * all five rounding modes, tininess detected after rounding (RISC-V, the default) or before rounding
 * (PowerPC, see {@link Tininess}), and the five exception flags. Fused multiply-add and square root are
 * therefore exact by construction.
 *
 * The common cases take exact shortcuts on JavaScript doubles first: round-to-nearest-even arithmetic
 * through the error-free fast paths of runtime/jit/fastfp.ts, and conversions and comparisons whose
 * operands are plain numbers in range. Everything else goes through the exact path.
 *
 * NaN results follow a {@link NanPolicy}: `canonical` (RISC-V) gives the canonical quiet NaN; `propagate`
 * (PowerPC) gives the first NaN operand, quieted, or the default NaN (equal to the canonical one) when an
 * invalid operation creates a NaN. Signaling NaN operands raise NV.
 *
 * Tested against RISC-V instructions under qemu-riscv64 and PowerPC instructions under qemu-ppc
 * (vectors/generate.mjs), cross-checked against x86-64 hardware.
 */
import type { FpArith, FpCmp, FpFormat, NanPolicy } from "../../translator/ir/ir.ts";
import { add32, add64, div32, div64, fma32, fma64, mul32, mul64, sqrt32, sqrt64, type FastResult } from "../jit/fastfp.ts";

// Flag bits and rounding modes as translator/ir/ir.ts FpFlag and Rounding (repeated as plain numbers so
// this module has no runtime dependency on the IR module).
const NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;
const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;

/**
 * When underflow detects a tiny result: `after` rounding (IEEE 754 7.5 a; RISC-V, x86 SSE) or `before`
 * rounding (7.5 b; PowerPC: Power ISA Book I 4.4.4, "Tiny" is detected before rounding). UF is raised
 * for a tiny result only when it is also inexact (exceptions disabled), in both cases.
 */
export type Tininess = "after" | "before";

/** Result of an operation producing FP bits: the unsigned bit pattern and the exception flags raised. */
export interface FpResult { bits: bigint; flags: number }
/** Result of a comparison: 0/1 and the exception flags raised. */
export interface FpCompareResult { value: number; flags: number }
/** Result of a conversion to integer: the integer (sign-extended from `width` bits) and the flags raised. */
export interface FpIntResult { value: bigint; flags: number }

/** Parameters of a binary interchange format. */
interface Format {
  /** precision in bits, hidden bit included */
  readonly p: number;
  /** exponent of the smallest normal number */
  readonly emin: number;
  /** biased exponent field of infinities and NaNs */
  readonly expMax: number;
  readonly expMaxBig: bigint;
  readonly bias: number;
  /** p - 1 as a bigint: width of the fraction field */
  readonly fracBits: bigint;
  readonly fracMask: bigint;
  readonly signBit: bigint;
  readonly quietBit: bigint;
  readonly inf: bigint;
  readonly maxFinite: bigint;
  /** canonical (RISC-V) = default (PowerPC) quiet NaN */
  readonly defaultNaN: bigint;
}

function format(p: number, expBits: number): Format {
  const fracBits = BigInt(p - 1);
  const expMax = (1 << expBits) - 1;
  const bias = (expMax >> 1);
  const inf = BigInt(expMax) << fracBits;
  return {
    p, emin: 1 - bias, expMax, expMaxBig: BigInt(expMax), bias, fracBits,
    fracMask: (1n << fracBits) - 1n,
    signBit: 1n << BigInt(p - 1 + expBits),
    quietBit: 1n << (fracBits - 1n),
    inf,
    maxFinite: inf - 1n,
    defaultNaN: inf | (1n << (fracBits - 1n)),
  };
}

const F32 = format(24, 8);
const F64 = format(53, 11);
const fmtOf = (fmt: FpFormat): Format => (fmt === "f32" ? F32 : F64);

/** Number of significant bits of a non-negative bigint (0 for 0). */
function bitLength(x: bigint): number {
  let n = 0;
  while (x >= 0x20_0000_0000_0000n) { x >>= 52n; n += 52; } // until x < 2^53, exact as a double
  const d = Number(x);
  return d < 0x1_0000_0000 ? n + 32 - Math.clz32(d) : n + 64 - Math.clz32(Math.floor(d / 0x1_0000_0000));
}

function checkRounding(rm: number): void {
  if (!(rm >= RNE && rm <= RMM && Number.isInteger(rm))) throw new RangeError(`invalid FP rounding mode ${rm}`);
}

const enum Kind { Zero, Finite, Inf, NaN }

/** An unpacked operand: value = (-1)^neg · sig · 2^exp for finite values. */
interface Unpacked { kind: Kind; neg: boolean; sig: bigint; exp: number }

function unpack(F: Format, bits: bigint): Unpacked {
  const neg = (bits & F.signBit) !== 0n;
  const e = Number((bits >> F.fracBits) & F.expMaxBig);
  const frac = bits & F.fracMask;
  if (e === F.expMax) return { kind: frac === 0n ? Kind.Inf : Kind.NaN, neg, sig: frac, exp: 0 };
  if (e === 0) return { kind: frac === 0n ? Kind.Zero : Kind.Finite, neg, sig: frac, exp: F.emin - (F.p - 1) };
  return { kind: Kind.Finite, neg, sig: frac | (1n << F.fracBits), exp: e - F.bias - (F.p - 1) };
}

const isNaNBits = (F: Format, bits: bigint) => (bits & ~F.signBit) > F.inf;
const isSignaling = (F: Format, bits: bigint) => isNaNBits(F, bits) && (bits & F.quietBit) === 0n;
const signed = (F: Format, neg: boolean, mag: bigint) => (neg ? mag | F.signBit : mag);

/**
 * The NaN result of an operation with NaN operands (listed in precedence order): NV if any is signaling;
 * the canonical NaN, or the first NaN operand quieted.
 */
function nanResult(F: Format, nan: NanPolicy, operands: bigint[]): FpResult {
  let flags = 0, first: bigint | undefined;
  for (const x of operands) {
    if (!isNaNBits(F, x)) continue;
    if ((x & F.quietBit) === 0n) flags = NV;
    first ??= x;
  }
  return { bits: nan === "canonical" || first === undefined ? F.defaultNaN : first | F.quietBit, flags };
}

const invalid = (F: Format): FpResult => ({ bits: F.defaultNaN, flags: NV });

/**
 * Rounds `sig` (> 0) right by `shift` (> 0) bits in mode rm for a value of sign `neg`: the rounded quotient
 * and whether bits were lost.
 */
function roundShift(sig: bigint, shift: number, rm: number, neg: boolean): { q: bigint; inexact: boolean } {
  const s = BigInt(shift);
  let q = sig >> s;
  const rem = sig - (q << s);
  if (rem === 0n) return { q, inexact: false };
  const half = 1n << (s - 1n);
  let up: boolean;
  switch (rm) {
    case RNE: up = rem > half || (rem === half && (q & 1n) === 1n); break;
    case RTZ: up = false; break;
    case RDN: up = neg; break;
    case RUP: up = !neg; break;
    default: up = rem >= half; break; // RMM
  }
  if (up) q += 1n;
  return { q, inexact: true };
}

/**
 * Rounds the exact value (-1)^neg · sig · 2^exp (sig > 0) to format F in mode rm and packs it, detecting
 * tininess after rounding unless `before`. A caller
 * whose value is not exact passes a sig whose lowest bit is a sticky bit lying below the round bit of any
 * result (at least two bits below the precision of a normal result).
 */
function roundPack(F: Format, neg: boolean, sig: bigint, exp: number, rm: number, before = false): FpResult {
  const top = exp + bitLength(sig) - 1; // exponent of the leading bit
  const ulpMin = F.emin - (F.p - 1); // exponent of the subnormal unit
  let lsb = Math.max(top - (F.p - 1), ulpMin);
  let q: bigint, flags = 0;
  if (lsb <= exp) {
    q = sig << BigInt(exp - lsb);
  } else {
    const r = roundShift(sig, lsb - exp, rm, neg);
    q = r.q;
    if (r.inexact) {
      flags = NX;
      // tiny: the exact value is below 2^emin (before rounding), or (after rounding) that value rounded to
      // p bits with an unbounded exponent is; only a value in [2^(emin-1), 2^emin) can tell them apart
      let tiny = top < F.emin;
      const unboundedShift = top - (F.p - 1) - exp;
      if (!before && top === F.emin - 1 && unboundedShift > 0) tiny = roundShift(sig, unboundedShift, rm, neg).q >> BigInt(F.p) === 0n;
      if (tiny) flags |= UF;
    }
  }
  if (q >> BigInt(F.p) !== 0n) { q >>= 1n; lsb += 1; } // carry out of rounding: q was 2^p
  if (q === 0n) return { bits: signed(F, neg, 0n), flags };
  if (q >> F.fracBits === 0n) return { bits: signed(F, neg, q), flags }; // subnormal (lsb is ulpMin)
  const biased = lsb + (F.p - 1) + F.bias;
  if (biased >= F.expMax) {
    const toInf = rm === RNE || rm === RMM || (rm === RDN && neg) || (rm === RUP && !neg);
    return { bits: signed(F, neg, toInf ? F.inf : F.maxFinite), flags: OF | NX };
  }
  return { bits: signed(F, neg, (BigInt(biased) << F.fracBits) | (q & F.fracMask)), flags };
}

/** Exact sum of two finite nonzero terms (-1)^n·s·2^e, rounded. */
function sumRound(F: Format, an: boolean, as: bigint, ae: number, bn: boolean, bs: bigint, be: number, rm: number, before: boolean): FpResult {
  // A term far below the other only acts as a sticky bit: replace it by a smaller stand-in with the same
  // sign so that the shifts stay short. With L the larger term (a multiple of 2^eL, leading bit at tL),
  // rounding boundaries of L ± s are multiples of 2^g, g = min(eL, tL - p - 1); any |s| < 2^g rounds alike.
  const at = ae + bitLength(as) - 1, bt = be + bitLength(bs) - 1;
  if (at > bt) {
    const g = Math.min(ae, at - F.p - 1);
    if (bt < g) { bs = 1n; be = g - 1; }
  } else if (bt > at) {
    const g = Math.min(be, bt - F.p - 1);
    if (at < g) { as = 1n; ae = g - 1; }
  }
  const e = Math.min(ae, be);
  const x = as << BigInt(ae - e), y = bs << BigInt(be - e);
  const sum = (an ? -x : x) + (bn ? -y : y);
  if (sum === 0n) return { bits: rm === RDN ? F.signBit : 0n, flags: 0 };
  return sum < 0n ? roundPack(F, true, -sum, e, rm, before) : roundPack(F, false, sum, e, rm, before);
}

function add(F: Format, a: bigint, b: bigint, negB: boolean, rm: number, nan: NanPolicy, before: boolean): FpResult {
  if (isNaNBits(F, a) || isNaNBits(F, b)) return nanResult(F, nan, [a, b]);
  const x = unpack(F, a), y = unpack(F, b);
  const yn = y.neg !== negB;
  if (x.kind === Kind.Inf) return y.kind === Kind.Inf && x.neg !== yn ? invalid(F) : { bits: a, flags: 0 };
  if (y.kind === Kind.Inf) return { bits: signed(F, yn, F.inf), flags: 0 };
  if (y.kind === Kind.Zero) {
    if (x.kind !== Kind.Zero) return { bits: a, flags: 0 };
    return { bits: signed(F, x.neg === yn ? yn : rm === RDN, 0n), flags: 0 };
  }
  if (x.kind === Kind.Zero) return { bits: signed(F, yn, b & ~F.signBit), flags: 0 };
  return sumRound(F, x.neg, x.sig, x.exp, yn, y.sig, y.exp, rm, before);
}

function mul(F: Format, a: bigint, b: bigint, rm: number, nan: NanPolicy, before: boolean): FpResult {
  if (isNaNBits(F, a) || isNaNBits(F, b)) return nanResult(F, nan, [a, b]);
  const x = unpack(F, a), y = unpack(F, b);
  const neg = x.neg !== y.neg;
  if (x.kind === Kind.Inf || y.kind === Kind.Inf) {
    return x.kind === Kind.Zero || y.kind === Kind.Zero ? invalid(F) : { bits: signed(F, neg, F.inf), flags: 0 };
  }
  if (x.kind === Kind.Zero || y.kind === Kind.Zero) return { bits: signed(F, neg, 0n), flags: 0 };
  return roundPack(F, neg, x.sig * y.sig, x.exp + y.exp, rm, before);
}

function div(F: Format, a: bigint, b: bigint, rm: number, nan: NanPolicy, before: boolean): FpResult {
  if (isNaNBits(F, a) || isNaNBits(F, b)) return nanResult(F, nan, [a, b]);
  const x = unpack(F, a), y = unpack(F, b);
  const neg = x.neg !== y.neg;
  if (x.kind === Kind.Inf) return y.kind === Kind.Inf ? invalid(F) : { bits: signed(F, neg, F.inf), flags: 0 };
  if (y.kind === Kind.Inf) return { bits: signed(F, neg, 0n), flags: 0 };
  if (y.kind === Kind.Zero) return x.kind === Kind.Zero ? invalid(F) : { bits: signed(F, neg, F.inf), flags: DZ };
  if (x.kind === Kind.Zero) return { bits: signed(F, neg, 0n), flags: 0 };
  // quotient with at least p + 2 bits, then a sticky bit below it
  const k = Math.max(0, F.p + 2 + bitLength(y.sig) - bitLength(x.sig));
  const n = x.sig << BigInt(k);
  const q = n / y.sig;
  const sticky = q * y.sig === n ? 0n : 1n;
  return roundPack(F, neg, (q << 1n) | sticky, x.exp - y.exp - k - 1, rm, before);
}

/** Integer square root: the largest r with r² ≤ n (n ≥ 0). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration from an overestimate decreases monotonically to the floor of the root
  let x = 1n << BigInt((bitLength(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

function sqrt(F: Format, a: bigint, rm: number, nan: NanPolicy, before: boolean): FpResult {
  if (isNaNBits(F, a)) return nanResult(F, nan, [a]);
  const x = unpack(F, a);
  if (x.kind === Kind.Zero) return { bits: a, flags: 0 };
  if (x.neg) return invalid(F);
  if (x.kind === Kind.Inf) return { bits: a, flags: 0 };
  // scale so that the exponent is even and the root has at least p + 2 bits, then a sticky bit
  let s = Math.max(0, 2 * (F.p + 2) - bitLength(x.sig));
  if (((x.exp - s) & 1) !== 0) s += 1;
  const n = x.sig << BigInt(s);
  const r = isqrt(n);
  const sticky = r * r === n ? 0n : 1n;
  return roundPack(F, false, (r << 1n) | sticky, (x.exp - s) / 2 - 1, rm, before);
}

/**
 * Fused a·b + c. With the `propagate` policy NaN operands take precedence in the order a, c, b (PowerPC
 * fmadd: FRA, FRB, FRC with a = FRA, b = FRC, c = FRB). ∞·0 raises NV even when c is a quiet NaN.
 */
function madd(F: Format, a: bigint, b: bigint, c: bigint, rm: number, nan: NanPolicy, before: boolean): FpResult {
  const x = unpack(F, a), y = unpack(F, b), z = unpack(F, c);
  const infTimesZero = (x.kind === Kind.Inf && y.kind === Kind.Zero) || (x.kind === Kind.Zero && y.kind === Kind.Inf);
  if (x.kind === Kind.NaN || y.kind === Kind.NaN || z.kind === Kind.NaN) {
    const r = nanResult(F, nan, [a, c, b]);
    return infTimesZero ? { bits: r.bits, flags: r.flags | NV } : r;
  }
  if (infTimesZero) return invalid(F);
  const pn = x.neg !== y.neg;
  if (x.kind === Kind.Inf || y.kind === Kind.Inf) {
    return z.kind === Kind.Inf && z.neg !== pn ? invalid(F) : { bits: signed(F, pn, F.inf), flags: 0 };
  }
  if (z.kind === Kind.Inf) return { bits: c, flags: 0 };
  if (x.kind === Kind.Zero || y.kind === Kind.Zero) {
    if (z.kind !== Kind.Zero) return { bits: c, flags: 0 };
    return { bits: signed(F, pn === z.neg ? pn : rm === RDN, 0n), flags: 0 };
  }
  if (z.kind === Kind.Zero) return roundPack(F, pn, x.sig * y.sig, x.exp + y.exp, rm, before);
  return sumRound(F, pn, x.sig * y.sig, x.exp + y.exp, z.neg, z.sig, z.exp, rm, before);
}

// ---- doubles ↔ bit patterns ----
const F64_BUF = new Float64Array(1), U64_BUF = new BigUint64Array(F64_BUF.buffer);
const F32_BUF = new Float32Array(1), U32_BUF = new Uint32Array(F32_BUF.buffer);
/** The value of bit pattern `bits` as a double (signaling NaNs may come back quieted: check NaNs first). */
function toDouble(fmt: FpFormat, bits: bigint): number {
  if (fmt === "f64") { U64_BUF[0] = bits; return F64_BUF[0]!; }
  U32_BUF[0] = Number(bits); return F32_BUF[0]!;
}
/** The bit pattern of `x` (a non-NaN value representable in `fmt`). */
function toBits(fmt: FpFormat, x: number): bigint {
  if (fmt === "f64") { F64_BUF[0] = x; return U64_BUF[0]!; }
  F32_BUF[0] = x; return BigInt(U32_BUF[0]!);
}

/** IEEE 754-2019 minimumNumber / maximumNumber (RISC-V fmin/fmax): -0 < +0, one NaN operand ignored. */
function minMax(fmt: FpFormat, a: bigint, b: bigint, max: boolean, nan: NanPolicy): FpResult {
  const F = fmtOf(fmt);
  const x = toDouble(fmt, a), y = toDouble(fmt, b);
  if (x !== x || y !== y) {
    if (x !== x && y !== y) return nanResult(F, nan, [a, b]);
    const flags = isSignaling(F, a) || isSignaling(F, b) ? NV : 0;
    return { bits: x !== x ? b : a, flags };
  }
  // equal values differ in bits only for zeros of opposite signs
  const aFirst = x < y || (x === y && (a & F.signBit) !== 0n);
  return { bits: aFirst !== max ? a : b, flags: 0 };
}

/** Round-to-nearest-even result of `fop` on doubles when a proven fast path applies. */
function fastArith(fmt: FpFormat, fop: FpArith, a: number, b: number, c: number): FastResult | undefined {
  if (fmt === "f64") {
    switch (fop) {
      case "add": return add64(a, b);
      case "sub": return add64(a, -b);
      case "mul": return mul64(a, b);
      case "div": return div64(a, b);
      case "sqrt": return sqrt64(a);
      case "madd": return fma64(a, b, c);
      default: return undefined;
    }
  }
  switch (fop) {
    case "add": return add32(a, b);
    case "sub": return add32(a, -b);
    case "mul": return mul32(a, b);
    case "div": return div32(a, b);
    case "sqrt": return sqrt32(a);
    case "madd": return fma32(a, b, c);
    default: return undefined;
  }
}

/**
 * IEEE arithmetic `fop` on bit patterns of format `fmt` (see translator/ir/ir.ts FArith): `b` is ignored by
 * sqrt and `c` is used by madd only; `rm` is a Rounding (0-4; min and max ignore it). Throws a RangeError
 * for another rounding mode. Tininess is detected after rounding unless `tininess` says otherwise.
 */
export function fpArith(fmt: FpFormat, fop: FpArith, a: bigint, b: bigint, c: bigint, rm: number, nan: NanPolicy, tininess: Tininess = "after"): FpResult {
  if (rm === RNE) {
    const fast = fastArith(fmt, fop, toDouble(fmt, a), toDouble(fmt, b), toDouble(fmt, c));
    if (fast !== undefined) return { bits: toBits(fmt, fast.value), flags: fast.inexact ? NX : 0 };
  }
  return fpArithExact(fmt, fop, a, b, c, rm, nan, tininess);
}

/** {@link fpArith} computed by the exact path only: the reference for testing fast paths. */
export function fpArithExact(fmt: FpFormat, fop: FpArith, a: bigint, b: bigint, c: bigint, rm: number, nan: NanPolicy, tininess: Tininess = "after"): FpResult {
  const F = fmtOf(fmt), before = tininess === "before";
  switch (fop) {
    case "min": return minMax(fmt, a, b, false, nan);
    case "max": return minMax(fmt, a, b, true, nan);
    default: break;
  }
  checkRounding(rm);
  switch (fop) {
    case "add": return add(F, a, b, false, rm, nan, before);
    case "sub": return add(F, a, b, true, rm, nan, before);
    case "mul": return mul(F, a, b, rm, nan, before);
    case "div": return div(F, a, b, rm, nan, before);
    case "sqrt": return sqrt(F, a, rm, nan, before);
    case "madd": return madd(F, a, b, c, rm, nan, before);
  }
}

/**
 * Compares a and b (see translator/ir/ir.ts FCompare): `eq`, `ltq`, `leq` and `unord` are quiet (NV only
 * for a signaling NaN operand), `lt` and `le` signal NV for any NaN operand. Unordered operands give 0,
 * except for `unord`.
 */
export function fpCompare(fmt: FpFormat, cmp: FpCmp, a: bigint, b: bigint): FpCompareResult {
  const x = toDouble(fmt, a), y = toDouble(fmt, b);
  if (x !== x || y !== y) {
    const F = fmtOf(fmt);
    const signaling = cmp === "lt" || cmp === "le" || isSignaling(F, a) || isSignaling(F, b);
    return { value: cmp === "unord" ? 1 : 0, flags: signaling ? NV : 0 };
  }
  let r: boolean;
  switch (cmp) {
    case "eq": r = x === y; break;
    case "lt": case "ltq": r = x < y; break;
    case "le": case "leq": r = x <= y; break;
    case "unord": r = false; break;
  }
  return { value: r ? 1 : 0, flags: 0 };
}

/**
 * Converts `a` to a `width`-bit signed or unsigned integer, rounded with `rm` (RISC-V fcvt.w/wu/l/lu): a
 * rounded value out of range saturates to the nearest bound and NaN to the maximum, raising NV (and not
 * NX); otherwise NX when inexact. The value is returned sign-extended from `width` bits (so fcvt.wu of a
 * large value gives a negative number, as RISC-V writes it to a 64-bit register).
 */
export function fpToInt(fmt: FpFormat, a: bigint, width: 32 | 64, signed: boolean, rm: number): FpIntResult {
  checkRounding(rm);
  const d = toDouble(fmt, a);
  if (Math.abs(d) < 2 ** 52) { // false for NaN; floor(d), floor(d) + 1 and d - floor(d) are exact
    const f = Math.floor(d), frac = d - f;
    let up = false;
    if (frac !== 0) {
      switch (rm) {
        case RNE: up = frac > 0.5 || (frac === 0.5 && f % 2 !== 0); break;
        case RTZ: up = d < 0; break;
        case RDN: up = false; break;
        case RUP: up = true; break;
        default: up = frac > 0.5 || (frac === 0.5 && d > 0); break; // RMM
      }
    }
    const r = up ? f + 1 : f;
    const inRange = signed ? width === 64 || (r >= -(2 ** 31) && r < 2 ** 31) : r >= 0 && (width === 64 || r < 2 ** 32);
    if (inRange) return { value: BigInt.asIntN(width, BigInt(r)), flags: frac !== 0 ? NX : 0 };
  }
  const F = fmtOf(fmt);
  const w = BigInt(width);
  const max = signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n;
  const min = signed ? -(1n << (w - 1n)) : 0n;
  const saturate = (toMax: boolean): FpIntResult => ({ value: BigInt.asIntN(width, toMax ? max : min), flags: NV });
  const x = unpack(F, a);
  switch (x.kind) {
    case Kind.NaN: return saturate(true);
    case Kind.Inf: return saturate(!x.neg);
    case Kind.Zero: return { value: 0n, flags: 0 };
    default: break;
  }
  if (x.exp + bitLength(x.sig) > width + 1) return saturate(!x.neg); // |a| ≥ 2^(width+1)
  let mag: bigint, flags = 0;
  if (x.exp >= 0) {
    mag = x.sig << BigInt(x.exp);
  } else {
    const r = roundShift(x.sig, -x.exp, rm, x.neg);
    mag = r.q;
    if (r.inexact) flags = NX;
  }
  const v = x.neg ? -mag : mag;
  if (v > max || v < min) return saturate(!x.neg);
  return { value: BigInt.asIntN(width, v), flags };
}

const EXACT_INT = 1n << 53n;

/** Converts the exact integer `v` to format `fmt`, rounded with `rm` (NX when inexact). */
export function intToFp(fmt: FpFormat, v: bigint, rm: number): FpResult {
  checkRounding(rm);
  if (v >= -EXACT_INT && v <= EXACT_INT) { // exact as a double
    const n = Number(v);
    if (fmt === "f64") return { bits: toBits("f64", n), flags: 0 };
    const r = Math.fround(n);
    if (r === n) return { bits: toBits("f32", r), flags: 0 };
    if (rm === RNE) return { bits: toBits("f32", r), flags: NX };
  }
  const F = fmtOf(fmt);
  return v < 0n ? roundPack(F, true, -v, 0, rm) : roundPack(F, false, v, 0, rm);
}

/** Converts `a` from the other format to `dstFmt` (f32 ↔ f64), rounded with `rm` (tininess as in fpArith). */
export function fpConvert(dstFmt: FpFormat, a: bigint, rm: number, nan: NanPolicy, tininess: Tininess = "after"): FpResult {
  checkRounding(rm);
  const d = toDouble(dstFmt === "f64" ? "f32" : "f64", a);
  if (d === d) { // not NaN: widening is exact; narrowing when fround is exact, or inexact but normal in RNE
    if (dstFmt === "f64") return { bits: toBits("f64", d), flags: 0 };
    const r = Math.fround(d);
    if (r === d) return { bits: toBits("f32", r), flags: 0 };
    const m = Math.abs(r);
    if (rm === RNE && m >= 2 ** -126 && m !== Infinity) return { bits: toBits("f32", r), flags: NX };
  }
  const D = fmtOf(dstFmt), S = dstFmt === "f64" ? F32 : F64;
  const x = unpack(S, a);
  switch (x.kind) {
    case Kind.NaN: {
      const flags = (a & S.quietBit) === 0n ? NV : 0;
      if (nan === "canonical") return { bits: D.defaultNaN, flags };
      // keep the sign and the high payload bits, quieted
      const payload = D.fracBits > S.fracBits ? x.sig << (D.fracBits - S.fracBits) : x.sig >> (S.fracBits - D.fracBits);
      return { bits: signed(D, x.neg, D.inf | D.quietBit | payload), flags };
    }
    case Kind.Inf: return { bits: signed(D, x.neg, D.inf), flags: 0 };
    case Kind.Zero: return { bits: signed(D, x.neg, 0n), flags: 0 };
    default: return roundPack(D, x.neg, x.sig, x.exp, rm, tininess === "before");
  }
}

/**
 * RISC-V fclass: one bit set, 0 -∞, 1 negative normal, 2 negative subnormal, 3 -0, 4 +0, 5 positive
 * subnormal, 6 positive normal, 7 +∞, 8 signaling NaN, 9 quiet NaN.
 */
export function fpClass(fmt: FpFormat, a: bigint): number {
  const F = fmtOf(fmt);
  const neg = (a & F.signBit) !== 0n, mag = a & ~F.signBit;
  if (mag > F.inf) return (a & F.quietBit) === 0n ? 1 << 8 : 1 << 9;
  if (mag === F.inf) return neg ? 1 << 0 : 1 << 7;
  if (mag === 0n) return neg ? 1 << 3 : 1 << 4;
  const subnormal = mag >> F.fracBits === 0n;
  return neg ? (subnormal ? 1 << 2 : 1 << 1) : (subnormal ? 1 << 5 : 1 << 6);
}
