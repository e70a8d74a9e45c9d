/**
 * A direct IR evaluator: walks a block's ops with every integer as a bigint. It has the same contract as a
 * compiled block (compile.ts: a {@link BlockFunction} over a {@link BlockContext}), is written
 * independently of the code generator, and serves two purposes:
 * - the fallback where generating code is not allowed (`new Function` blocked by a Content Security
 *   Policy), chosen automatically by the interpreter;
 * - a differential-testing oracle for the compiled form.
 * It is several times slower than compiled blocks.
 */
import type { BinOp, Block, Op, StateLayout, Ty, UnOp } from "../../translator/ir/ir.ts";
import { FLAG_INDEX, evalFlag, flagKindWord } from "../../translator/ir/flags.ts";
import { fpArith, fpClass, fpCompare, fpConvert, fpToInt, intToFp } from "../fp/softfloat.ts";
import type { BlockContext, BlockFunction } from "./compile.ts";
import type { HelperTable } from "./helpers.ts";

const wideTy = (ty: Ty) => ty === "i64" || ty === "f64";
const bits = (ty: Ty) => (wideTy(ty) ? 64 : 32);

/** Builds an evaluating {@link BlockFunction} for `block`. */
export function evaluator(block: Block, layout: StateLayout, helpers: HelperTable): BlockFunction {
  for (const op of block.ops) {
    if (op.op === "call" && typeof helpers[op.helper] !== "function") throw new Error(`unknown runtime helper "${op.helper}"`);
  }
  return (c) => evaluate(block, layout, helpers, c);
}

function evaluate(block: Block, layout: StateLayout, helpers: HelperTable, c: BlockContext): number {
  const v: bigint[] = new Array(block.temps.length).fill(0n);
  const pending = new Map<number, bigint>();
  const w = (t: number) => bits(block.temps[t]!);
  /** stores a value into temp t in its canonical signed form */
  const def = (t: number, x: bigint) => { v[t] = BigInt.asIntN(w(t), x); };
  const readSlot = (s: number): bigint => {
    const p = pending.get(s);
    if (p !== undefined) return p;
    const slot = layout.slots[s]!;
    return wideTy(slot.ty) ? c.S[slot.offset / 8]! : BigInt(c.W[slot.offset / 4]!);
  };
  const flush = () => {
    for (const [s, x] of pending) {
      const slot = layout.slots[s]!;
      if (wideTy(slot.ty)) c.S[slot.offset / 8] = BigInt.asIntN(64, x);
      else c.W[slot.offset / 4] = Number(BigInt.asIntN(32, x));
    }
    pending.clear();
  };
  const fpBits = (t: number, fmt: "f32" | "f64") => BigInt.asUintN(fmt === "f32" ? 32 : 64, v[t]!);
  const accrue = (s: number, f: number) => { pending.set(s, readSlot(s) | BigInt(f)); };
  /** checks an access; returns the address or undefined after recording a fault */
  const access = (addrTemp: number, size: number, write: boolean, k: number): number | undefined => {
    const a = BigInt.asUintN(64, v[addrTemp]!) & (w(addrTemp) === 32 ? 0xffffffffn : 0xffffffffffffffffn);
    const need = write ? 2 : 1;
    if (a + BigInt(size) <= 0x100000000n) {
      const n = Number(a);
      let ok = true;
      for (let p = n >>> 12; p <= (n + size - 1) >>> 12; p++) if (((c.P[p] ?? 0) & need) === 0) ok = false;
      if (ok) return n;
    }
    c.k = k; c.fa = Number(a); c.fw = write ? 1 : 0;
    return undefined;
  };
  let k = -1;
  for (const op of block.ops) {
    switch (op.op) {
      case "insn": flush(); k++; break;
      case "const": def(op.dst, BigInt(op.value)); break;
      case "get": def(op.dst, readSlot(op.slot)); break;
      case "set": pending.set(op.slot, v[op.value]!); break;
      case "bin": def(op.dst, binOp(op.bin, bits(op.ty), v[op.a]!, v[op.b]!)); break;
      case "un": def(op.dst, unOp(op.un, bits(op.ty), v[op.a]!)); break;
      case "conv": def(op.dst, op.conv === "zext" ? BigInt.asUintN(32, v[op.a]!) : v[op.a]!); break;
      case "select": def(op.dst, v[op.cond] !== 0n ? v[op.a]! : v[op.b]!); break;
      case "load": {
        const a = access(op.addr, op.size, false, k);
        if (a === undefined) return -1;
        let x = 0n;
        for (let i = 0; i < op.size; i++) {
          const byte = BigInt(c.dv.getUint8(a + i));
          x |= op.endian === "le" ? byte << BigInt(8 * i) : byte << BigInt(8 * (op.size - 1 - i));
        }
        def(op.dst, op.signed ? BigInt.asIntN(op.size * 8, x) : x);
        break;
      }
      case "store": {
        if (op.cond !== undefined && v[op.cond] === 0n) break;
        const a = access(op.addr, op.size, true, k);
        if (a === undefined) return -1;
        const x = BigInt.asUintN(64, v[op.value]!);
        for (let i = 0; i < op.size; i++) {
          const shift = op.endian === "le" ? 8 * i : 8 * (op.size - 1 - i);
          c.dv.setUint8(a + i, Number((x >> BigInt(shift)) & 0xffn));
        }
        if (c.mem.codePages.size !== 0) c.mem.wrote(a, op.size);
        break;
      }
      case "trapif":
        if (v[op.cond] !== 0n) { c.k = k; c.sig = op.signal; c.code = op.code; return -2; }
        break;
      case "farith": {
        const r = fpArith(op.fmt, op.fop, fpBits(op.a, op.fmt), op.b === undefined ? 0n : fpBits(op.b, op.fmt),
          op.c === undefined ? 0n : fpBits(op.c, op.fmt), Number(v[op.rm]), op.nan);
        def(op.dst, r.bits); accrue(op.flags, r.flags);
        break;
      }
      case "fcmp": {
        const r = fpCompare(op.fmt, op.cmp, fpBits(op.a, op.fmt), fpBits(op.b, op.fmt));
        def(op.dst, BigInt(r.value)); accrue(op.flags, r.flags);
        break;
      }
      case "ftoint": {
        const r = fpToInt(op.fmt, fpBits(op.a, op.fmt), op.width, op.signed, Number(v[op.rm]));
        def(op.dst, r.value); accrue(op.flags, r.flags);
        break;
      }
      case "inttof": {
        const x = op.signed ? v[op.a]! : BigInt.asUintN(w(op.a), v[op.a]!);
        const r = intToFp(op.fmt, x, Number(v[op.rm]));
        def(op.dst, r.bits); accrue(op.flags, r.flags);
        break;
      }
      case "fconv": {
        const r = fpConvert(op.fmt, fpBits(op.a, op.fmt === "f64" ? "f32" : "f64"), Number(v[op.rm]), op.nan);
        def(op.dst, r.bits); accrue(op.flags, r.flags);
        break;
      }
      case "fclass": def(op.dst, BigInt(fpClass(op.fmt, fpBits(op.a, op.fmt)))); break;
      case "setflags": {
        const g = layout.flagGroups[op.group]!;
        pending.set(g.kind, BigInt(flagKindWord(op.kind, op.width)));
        pending.set(g.a, v[op.a]!);
        pending.set(g.b, v[op.b]!);
        pending.set(g.x, op.x === undefined ? 0n : v[op.x]!);
        break;
      }
      case "getflag": {
        const g = layout.flagGroups[op.group]!;
        def(op.dst, BigInt(evalFlag(Number(readSlot(g.kind)), readSlot(g.a), readSlot(g.b), readSlot(g.x), FLAG_INDEX[op.flag])));
        break;
      }
      case "call": {
        c.k = k;
        const args = op.args.map((t) => (wideTy(block.temps[t]!) ? v[t]! : Number(v[t]!)));
        const r = helpers[op.helper]!(...args);
        if (op.dst !== undefined) def(op.dst, BigInt(r as number | bigint));
        break;
      }
      default: throw new Error(`unknown IR op ${(op as Op).op}`);
    }
  }
  flush();
  const x = block.exit;
  switch (x.kind) {
    case "jump": case "call": return x.target;
    case "branch": return v[x.cond] !== 0n ? x.taken : x.fallthrough;
    case "indirect": return Number(BigInt.asUintN(w(x.target), v[x.target]!));
    case "runtime": case "trap": return -3;
  }
}

/** An integer binary op on w-bit values (operands in any representation; result before normalisation). */
function binOp(op: BinOp, w: number, a: bigint, b: bigint): bigint {
  const W = BigInt(w);
  const s = (x: bigint) => BigInt.asIntN(w, x), u = (x: bigint) => BigInt.asUintN(w, x);
  const sh = u(b) % W;
  const t = (x: boolean) => (x ? 1n : 0n);
  switch (op) {
    case "add": return a + b;
    case "sub": return a - b;
    case "mul": return a * b;
    case "mulhs": return (s(a) * s(b)) >> W;
    case "mulhu": return (u(a) * u(b)) >> W;
    case "mulhsu": return (s(a) * u(b)) >> W;
    case "divs": return s(b) === 0n ? -1n : s(a) / s(b);
    case "divu": return u(b) === 0n ? -1n : u(a) / u(b);
    case "rems": return s(b) === 0n ? a : s(a) % s(b);
    case "remu": return u(b) === 0n ? a : u(a) % u(b);
    case "and": return a & b;
    case "or": return a | b;
    case "xor": return a ^ b;
    case "shl": return a << sh;
    case "shrs": return s(a) >> sh;
    case "shru": return u(a) >> sh;
    case "rotl": return (u(a) << sh) | (u(a) >> ((W - sh) % W));
    case "rotr": return (u(a) >> sh) | u(u(a) << ((W - sh) % W));
    case "eq": return t(u(a) === u(b));
    case "ne": return t(u(a) !== u(b));
    case "lts": return t(s(a) < s(b));
    case "les": return t(s(a) <= s(b));
    case "gts": return t(s(a) > s(b));
    case "ges": return t(s(a) >= s(b));
    case "ltu": return t(u(a) < u(b));
    case "leu": return t(u(a) <= u(b));
    case "gtu": return t(u(a) > u(b));
    case "geu": return t(u(a) >= u(b));
  }
}

/** An integer unary op on w-bit values. */
function unOp(op: UnOp, w: number, a: bigint): bigint {
  const u = BigInt.asUintN(w, a);
  const count = (pred: (i: number) => boolean, from: number, step: number) => {
    let n = 0;
    for (let i = from; i >= 0 && i < w && pred(i); i += step) n++;
    return BigInt(n);
  };
  const bit = (i: number) => ((u >> BigInt(i)) & 1n) === 1n;
  const rev = (n: number) => {
    let r = 0n;
    for (let i = 0; i < n; i++) r = (r << 8n) | ((u >> BigInt(8 * i)) & 0xffn);
    return r;
  };
  switch (op) {
    case "neg": return -a;
    case "not": return ~a;
    case "clz": return count((i) => !bit(i), w - 1, -1);
    case "ctz": return count((i) => !bit(i), 0, 1);
    case "popcnt": { let n = 0n; for (let i = 0; i < w; i++) if (bit(i)) n++; return n; }
    case "eqz": return u === 0n ? 1n : 0n;
    case "sext8": return BigInt.asIntN(8, a);
    case "sext16": return BigInt.asIntN(16, a);
    case "sext32": return BigInt.asIntN(32, a);
    case "zext8": return a & 0xffn;
    case "zext16": return a & 0xffffn;
    case "zext32": return BigInt.asUintN(32, a);
    case "bswap16": return rev(2);
    case "bswap32": return rev(4);
    case "bswap64":
      if (w !== 64) throw new Error("bswap64 on an i32");
      return rev(8);
  }
}
