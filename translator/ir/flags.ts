/**
 * Lazy condition codes: the one definition of how a flag group's record yields each {@link Flag}.
 *
 * A flag group (ir.ts {@link FlagGroup}) holds a record of four state slots: `kind` (i32 kind word), `a`, `b`
 * and `x` (i64). `setflags` stores the record; `getflag` computes one flag from it. The kind word is the
 * kind's {@link FLAG_KIND_CODE} in the low byte, plus {@link FLAG_WIDTH_64} when the record's width is 64
 * (width 32 otherwise); kind word 0 means "never set" and yields 0 for every flag.
 *
 * Rules (PowerPC manual semantics; `w` = width, `sA`/`sB` = a/b as signed w-bit, `uA`/`uB` = unsigned):
 * - `cmps`: lt = sA < sB, gt = sA > sB, eq = sA == sB, so = un = x & 1; ca = ov = 0.
 * - `cmpu`: lt = uA < uB, gt = uA > uB, eq = uA == uB, so = un = x & 1; ca = ov = 0.
 * - `bits`: a holds a CR field's 4 bits: lt = bit 3 (8), gt = bit 2 (4), eq = bit 1 (2), so = un = bit 0 (1);
 *   ca = ov = 0.
 * - `addc`: the sum s = uA + uB + (x & 1) computed exactly; ca = s >> w (carry out of bit w-1);
 *   ov = signed overflow, i.e. sA + sB + (x & 1) lies outside [-2^(w-1), 2^(w-1)); lt/gt/eq compare the
 *   w-bit signed result (s mod 2^w) with 0; so = un = 0.
 * - `fcmp`: a and b are IEEE-754 binary64 bit patterns: un = either is NaN; otherwise lt/gt/eq compare the
 *   numeric values (-0 == +0); when un, lt = gt = eq = 0; so = un; ca = ov = 0.
 *
 * These are pure functions over bigint so the Wasm backend can mirror each rule with i64 operations.
 */
import { FLAG_KIND_CODE, type Flag, type FlagKind } from "./ir.ts";

/** Added to a kind code in the kind slot when the record's width is 64. */
export const FLAG_WIDTH_64 = 0x100;

/** Numeric index of each flag, as passed to {@link evalFlag}. */
export const FLAG_INDEX: Record<Flag, number> = { lt: 0, gt: 1, eq: 2, so: 3, un: 4, ca: 5, ov: 6 };

/** The kind word stored in a flag group's kind slot for a record of `kind` at `width`. */
export function flagKindWord(kind: FlagKind, width: 32 | 64): number {
  return FLAG_KIND_CODE[kind] | (width === 64 ? FLAG_WIDTH_64 : 0);
}

const F64_EXP = 0x7ff0000000000000n;
const F64_MAN = 0x000fffffffffffffn;
const isNaN64 = (bits: bigint): boolean => (bits & F64_EXP) === F64_EXP && (bits & F64_MAN) !== 0n;
const f64Box = new Float64Array(1);
const u64Box = new BigUint64Array(f64Box.buffer);
const f64 = (bits: bigint): number => {
  u64Box[0] = BigInt.asUintN(64, bits);
  return f64Box[0]!;
};

/**
 * The 4-bit PowerPC CR field (LT=8, GT=4, EQ=2, SO/UN=1) described by a record; for `addc` records this
 * is the comparison of the signed result with 0 (SO = 0).
 */
export function flagField(kindWord: number, a: bigint, b: bigint, x: bigint): number {
  const code = kindWord & 0xff;
  const w = kindWord & FLAG_WIDTH_64 ? 64 : 32;
  const so = Number(x & 1n);
  switch (code) {
    case 1: { // cmps
      const sa = BigInt.asIntN(w, a), sb = BigInt.asIntN(w, b);
      return (sa < sb ? 8 : sa > sb ? 4 : 2) | so;
    }
    case 2: { // cmpu
      const ua = BigInt.asUintN(w, a), ub = BigInt.asUintN(w, b);
      return (ua < ub ? 8 : ua > ub ? 4 : 2) | so;
    }
    case 3: return Number(a & 15n);
    case 4: { // addc
      const r = BigInt.asIntN(w, a + b + (x & 1n));
      return r < 0n ? 8 : r > 0n ? 4 : 2;
    }
    case 5: { // fcmp
      if (isNaN64(a) || isNaN64(b)) return 1;
      const fa = f64(a), fb = f64(b);
      return fa < fb ? 8 : fa > fb ? 4 : 2;
    }
    default: return 0;
  }
}

/** Carry out of `a + b + (x & 1)` at the record's width (1 = carry). */
export function flagCarry(kindWord: number, a: bigint, b: bigint, x: bigint): number {
  if ((kindWord & 0xff) !== 4) return 0;
  const w = kindWord & FLAG_WIDTH_64 ? 64 : 32;
  return Number((BigInt.asUintN(w, a) + BigInt.asUintN(w, b) + (x & 1n)) >> BigInt(w));
}

/** Signed overflow of `a + b + (x & 1)` at the record's width (1 = overflow). */
export function flagOverflow(kindWord: number, a: bigint, b: bigint, x: bigint): number {
  if ((kindWord & 0xff) !== 4) return 0;
  const w = kindWord & FLAG_WIDTH_64 ? 64 : 32;
  const s = BigInt.asIntN(w, a) + BigInt.asIntN(w, b) + (x & 1n);
  const lim = 1n << BigInt(w - 1);
  return s < -lim || s >= lim ? 1 : 0;
}

/** One flag (0/1) of a record; `flag` is a {@link FLAG_INDEX} value. */
export function evalFlag(kindWord: number, a: bigint, b: bigint, x: bigint, flag: number): number {
  switch (flag) {
    case 0: return (flagField(kindWord, a, b, x) >> 3) & 1;
    case 1: return (flagField(kindWord, a, b, x) >> 2) & 1;
    case 2: return (flagField(kindWord, a, b, x) >> 1) & 1;
    case 3: case 4: return flagField(kindWord, a, b, x) & 1;
    case 5: return flagCarry(kindWord, a, b, x);
    case 6: return flagOverflow(kindWord, a, b, x);
    default: throw new RangeError(`flag index ${flag}`);
  }
}
