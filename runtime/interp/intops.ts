/**
 * Integer operations of the IR that have no single JavaScript operator, with the exact semantics of
 * translator/ir/ir.ts. i32 values are JS numbers holding a signed 32-bit integer; i64 values are bigints
 * holding a signed 64-bit integer (BigInt.asIntN(64, ...) normal form). Generated block code calls these.
 */

const M64 = 0xffffffffffffffffn;

/** High 32 bits of the signed×signed product. */
export function mulhs32(a: number, b: number): number { return Number((BigInt(a) * BigInt(b)) >> 32n) | 0; }
/** High 32 bits of the unsigned×unsigned product. */
export function mulhu32(a: number, b: number): number { return Number((BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n) | 0; }
/** High 32 bits of the signed×unsigned product. */
export function mulhsu32(a: number, b: number): number { return Number((BigInt(a) * BigInt(b >>> 0)) >> 32n) | 0; }
/** High 64 bits of the signed×signed product. */
export function mulhs64(a: bigint, b: bigint): bigint { return BigInt.asIntN(64, (a * b) >> 64n); }
/** High 64 bits of the unsigned×unsigned product. */
export function mulhu64(a: bigint, b: bigint): bigint { return BigInt.asIntN(64, ((a & M64) * (b & M64)) >> 64n); }
/** High 64 bits of the signed×unsigned product. */
export function mulhsu64(a: bigint, b: bigint): bigint { return BigInt.asIntN(64, (a * (b & M64)) >> 64n); }

/** Rotate left by b mod 32. */
export function rotl32(a: number, b: number): number { const s = b & 31; return s === 0 ? a : (a << s) | (a >>> (32 - s)); }
/** Rotate right by b mod 32. */
export function rotr32(a: number, b: number): number { const s = b & 31; return s === 0 ? a : (a >>> s) | (a << (32 - s)); }
/** Rotate left by b mod 64. */
export function rotl64(a: bigint, b: bigint): bigint {
  const s = b & 63n, u = a & M64;
  return s === 0n ? a : BigInt.asIntN(64, (u << s) | (u >> (64n - s)));
}
/** Rotate right by b mod 64. */
export function rotr64(a: bigint, b: bigint): bigint {
  const s = b & 63n, u = a & M64;
  return s === 0n ? a : BigInt.asIntN(64, (u >> s) | (u << (64n - s)));
}

/** Count trailing zeros (32 for 0). */
export function ctz32(a: number): number { return a === 0 ? 32 : 31 - Math.clz32(a & -a); }
/** Population count. */
export function popcnt32(a: number): number {
  let v = a - ((a >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
/** Count leading zeros of a 64-bit value (64 for 0). */
export function clz64(a: bigint): bigint {
  const hi = Number((a >> 32n) & 0xffffffffn), lo = Number(a & 0xffffffffn);
  return BigInt(hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo));
}
/** Count trailing zeros of a 64-bit value (64 for 0). */
export function ctz64(a: bigint): bigint {
  const hi = Number((a >> 32n) & 0xffffffffn) | 0, lo = Number(a & 0xffffffffn) | 0;
  return BigInt(lo !== 0 ? ctz32(lo) : 32 + ctz32(hi));
}
/** Population count of a 64-bit value. */
export function popcnt64(a: bigint): bigint {
  return BigInt(popcnt32(Number((a >> 32n) & 0xffffffffn) | 0) + popcnt32(Number(a & 0xffffffffn) | 0));
}

/** Reverses the low 2 bytes; higher bits become zero. */
export function bswap16(a: number): number { return ((a & 0xff) << 8) | ((a >>> 8) & 0xff); }
/** Reverses the 4 bytes. */
export function bswap32(a: number): number {
  return ((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24);
}
/** Reverses the 8 bytes. */
export function bswap64(a: bigint): bigint {
  const hi = Number((a >> 32n) & 0xffffffffn) | 0, lo = Number(a & 0xffffffffn) | 0;
  return BigInt.asIntN(64, (BigInt(bswap32(lo) >>> 0) << 32n) | BigInt(bswap32(hi) >>> 0));
}
