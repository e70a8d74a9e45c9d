/**
 * Compiles one lifted IR block into a specialised JavaScript function (generated source, `new Function`),
 * which V8/SpiderMonkey/JSC then optimise like hand-written code. This is the interpreter's executable form.
 *
 * Value representation: i32/f32 temps are JS numbers holding a signed 32-bit integer (f32 as its bit
 * pattern); i64/f64 temps are bigints in signed 64-bit normal form (`BigInt.asIntN(64, x)`), which V8
 * lowers to machine int64 arithmetic in optimised code. Temps become `const` locals; guest state slots
 * are read through typed-array views over the state block, cached in locals within the block.
 *
 * Precise state: `set`s (and flag records, FP flag accrual) of an instruction are buffered and written to
 * the state only when the next instruction starts or the block ends, so a fault or `trapif` leaves the
 * state exactly as it was before the faulting instruction.
 *
 * The generated function takes a {@link BlockContext} and returns the next guest pc (>= 0), or one of the
 * {@link BlockResult} codes, with details in the context.
 */
import type { Block, Flag, Op, SetFlags, Slot, StateLayout, Temp, Ty } from "../../translator/ir/ir.ts";
import { FLAG_INDEX, evalFlag, flagKindWord } from "../../translator/ir/flags.ts";
import { fpArith, fpClass, fpCompare, fpConvert, fpToInt, intToFp } from "../fp/softfloat.ts";
import type { GuestMemory } from "../memory/memory.ts";
import type { HelperTable } from "./helpers.ts";
import * as intops from "./intops.ts";

/** Negative results of a compiled block (a non-negative result is the next pc). */
export const enum BlockResult {
  /** a load or store faulted at instruction `k`: address `fa`, `fw` = 1 for a write */
  Fault = -1,
  /** a `trapif` fired at instruction `k`: signal `sig`, code `code` */
  Trap = -2,
  /** the block ran to its end and its exit is a runtime request or a trap (see Block.exit) */
  Special = -3,
}

/** Mutable state shared by the interpreter and its compiled blocks. */
export interface BlockContext {
  /** the state block as i64 words */
  S: BigInt64Array;
  /** the state block as i32 words */
  W: Int32Array;
  /** all of linear memory */
  dv: DataView;
  /** per-page protection bits (GuestMemory.prot) */
  P: Uint8Array;
  mem: GuestMemory;
  /** index of the instruction executing (set before helper calls) or stopped at (fault, trap) */
  k: number;
  /** fault address and kind (0 read, 1 write) */
  fa: number;
  fw: number;
  /** signal and code of a fired trapif */
  sig: number;
  code: number;
}

/** A compiled block. */
export type BlockFunction = (c: BlockContext) => number;

const isWide = (ty: Ty): boolean => ty === "i64" || ty === "f64";

/** Library the generated code closes over. */
function library(helpers: HelperTable) {
  return { ...intops, evalFlag, fpArith, fpClass, fpCompare, fpConvert, fpToInt, intToFp, H: helpers };
}

/** Generates the JavaScript source of a block's function body (exported for inspection and tests). */
export function blockSource(block: Block, layout: StateLayout, helpers: HelperTable): string {
  return new BlockCodegen(block, layout, helpers).generate();
}

/** Compiles a block into a function over a {@link BlockContext}. */
export function compileBlock(block: Block, layout: StateLayout, helpers: HelperTable): BlockFunction {
  const body = blockSource(block, layout, helpers);
  const lib = library(helpers);
  const names = Object.keys(lib).filter((n) => n !== "H");
  const factory = new Function("L", `"use strict";\nconst { ${names.join(", ")} } = L;\nconst H = L.H;\n` +
    `return function block_${block.pc.toString(16)}(c) {\n${body}\n};`);
  return factory(lib) as BlockFunction;
}

class BlockCodegen {
  private readonly out: string[] = [];
  /** JS expression holding each slot's current value (after this block's sets so far) */
  private readonly cur = new Map<Slot, string>();
  /** slots set by the current instruction, not yet written to the state */
  private readonly pending = new Map<Slot, string>();
  private k = -1;
  private vars = 0;
  /** flag records set earlier in this block, by group */
  private readonly knownFlags = new Map<number, SetFlags>();

  constructor(private readonly block: Block, private readonly layout: StateLayout, private readonly helpers: HelperTable) {}

  generate(): string {
    this.emit("const S = c.S, W = c.W, dv = c.dv, P = c.P, CP = c.mem.codePages;");
    const dead = deadFlagRecords(this.block, this.layout);
    this.block.ops.forEach((op, i) => {
      if (dead.has(i)) this.emit(`// dead flag record of group ${(op as SetFlags).group}`);
      else this.op(op);
    });
    this.exit();
    return this.out.join("\n");
  }

  private emit(line: string): void { this.out.push(line); }
  private fresh(prefix: string): string { return `${prefix}${this.vars++}`; }
  private t(temp: Temp): string {
    if (temp < 0 || temp >= this.block.temps.length) throw new Error(`block 0x${this.block.pc.toString(16)}: no temp ${temp}`);
    return `t${temp}`;
  }
  private wide(temp: Temp): boolean { return isWide(this.block.temps[temp]!); }
  /** A condition temp (i32 per ir.ts; an i64 one is accepted too) as a JS boolean expression. */
  private truth(temp: Temp): string { return `${this.t(temp)} !== ${this.wide(temp) ? "0n" : "0"}`; }

  /** Reads a slot (from the block's cache or the state). */
  private get(slot: Slot): string {
    const have = this.cur.get(slot);
    if (have !== undefined) return have;
    const s = this.layout.slots[slot];
    if (!s) throw new Error(`block 0x${this.block.pc.toString(16)}: no state slot ${slot}`);
    const v = this.fresh("s");
    this.emit(isWide(s.ty) ? `let ${v} = S[${s.offset / 8}];` : `let ${v} = W[${s.offset / 4}];`);
    this.cur.set(slot, v);
    return v;
  }
  /**
   * A flag of a record set earlier in this block, as an inline expression over the record's temps (the
   * rules of flags.ts specialised to the kind and width); undefined where only the generic rule applies.
   */
  private inlineFlag(r: SetFlags, flag: Flag): string | undefined {
    const a = this.t(r.a), b = this.t(r.b);
    const narrow = !this.wide(r.a) && !this.wide(r.b);
    const so = r.x === undefined ? "0" : this.wide(r.x) ? `Number(${this.t(r.x)} & 1n)` : `(${this.t(r.x)} & 1)`;
    if (r.kind === "bits") {
      if (this.wide(r.a)) return undefined;
      const bit = { lt: 3, gt: 2, eq: 1, so: 0, un: 0 }[flag as string];
      return bit === undefined ? "0" : `(${a} >> ${bit}) & 1`;
    }
    if (r.kind !== "cmps" && r.kind !== "cmpu") return undefined;
    if (flag === "so" || flag === "un") return so;
    if (flag === "ca" || flag === "ov") return "0";
    let x: string, y: string;
    if (r.width === 32 && narrow) {
      [x, y] = r.kind === "cmps" ? [a, b] : [`(${a} >>> 0)`, `(${b} >>> 0)`];
    } else {
      const big = (t: Temp) => (this.wide(t) ? this.t(t) : `BigInt(${this.t(t)})`);
      const conv = r.kind === "cmps" ? "asIntN" : "asUintN";
      [x, y] = [`BigInt.${conv}(${r.width}, ${big(r.a)})`, `BigInt.${conv}(${r.width}, ${big(r.b)})`];
    }
    const rel = flag === "lt" ? "<" : flag === "gt" ? ">" : "===";
    return `${x} ${rel} ${y} ? 1 : 0`;
  }

  /** Buffers a slot write until the end of the current instruction. */
  private set(slot: Slot, expr: string): void {
    for (const g of this.knownFlags.keys()) {
      // a write to a record slot (setflags re-records its group afterwards) makes the known record stale
      const grp = this.layout.flagGroups[g]!;
      if (slot === grp.kind || slot === grp.a || slot === grp.b || slot === grp.x) this.knownFlags.delete(g);
    }
    this.cur.set(slot, expr);
    this.pending.set(slot, expr);
  }
  private flush(): void {
    for (const [slot, v] of this.pending) {
      const s = this.layout.slots[slot]!;
      this.emit(isWide(s.ty) ? `S[${s.offset / 8}] = ${v};` : `W[${s.offset / 4}] = ${v};`);
    }
    this.pending.clear();
  }

  /** A temp as an unsigned bigint bit pattern of FP format `fmt`. */
  private fpArg(temp: Temp, fmt: "f32" | "f64"): string {
    const t = this.t(temp);
    if (!this.wide(temp)) return `BigInt(${t} >>> 0)`;
    return `BigInt.asUintN(${fmt === "f32" ? 32 : 64}, ${t})`;
  }
  /** Converts a bigint expression to the representation of temp `dst`. */
  private fromBig(dst: Temp, expr: string): string {
    return this.wide(dst) ? `BigInt.asIntN(64, ${expr})` : `Number(BigInt.asIntN(32, ${expr}))`;
  }
  private accrue(flags: Slot, expr: string): void {
    const v = this.fresh("f");
    this.emit(`const ${v} = ${this.get(flags)} | ${expr};`);
    this.set(flags, v);
  }

  /** Address expression (a number) of an access, and the fault-address expression. */
  private address(temp: Temp): { a: string; exact: string } {
    const a = this.fresh("a");
    const t = this.t(temp);
    if (this.wide(temp)) {
      this.emit(`const ${a} = Number(${t});`);
      return { a, exact: `Number(BigInt.asUintN(64, ${t}))` };
    }
    this.emit(`const ${a} = ${t} >>> 0;`);
    return { a, exact: a };
  }
  private accessCheck(a: string, exact: string, size: number, bit: number, write: boolean): string {
    const last = size > 1 ? ` || (P[(${a} + ${size - 1}) >>> 12] & ${bit}) === 0` : "";
    return `if (!(${a} >= 0 && ${a} < 4294967296) || (P[${a} >>> 12] & ${bit}) === 0${last}) ` +
      `{ c.k = ${this.k}; c.fa = ${exact}; c.fw = ${write ? 1 : 0}; return -1; }`;
  }

  private op(op: Op): void {
    const T = (x: Temp) => this.t(x);
    switch (op.op) {
      case "insn":
        this.flush();
        this.k++;
        return;
      case "const": {
        const v = op.value;
        if (isWide(op.ty)) this.emit(`const ${T(op.dst)} = ${BigInt.asIntN(64, BigInt(v))}n;`);
        else this.emit(`const ${T(op.dst)} = ${Number(v) | 0};`);
        return;
      }
      case "get": {
        const sty = this.layout.slots[op.slot]?.ty;
        if (sty === undefined || isWide(sty) !== this.wide(op.dst)) throw new Error(`get of slot ${op.slot} into a ${this.block.temps[op.dst]} temp`);
        this.emit(`const ${T(op.dst)} = ${this.get(op.slot)};`);
        return;
      }
      case "set": {
        const sty = this.layout.slots[op.slot]?.ty;
        if (sty === undefined || isWide(sty) !== this.wide(op.value)) throw new Error(`set of slot ${op.slot} from a ${this.block.temps[op.value]} temp`);
        this.set(op.slot, T(op.value));
        return;
      }
      case "bin": this.emit(`const ${T(op.dst)} = ${op.ty === "i64" ? bin64(op.bin, T(op.a), T(op.b)) : bin32(op.bin, T(op.a), T(op.b))};`); return;
      case "un": this.emit(`const ${T(op.dst)} = ${op.ty === "i64" ? un64(op.un, T(op.a)) : un32(op.un, T(op.a))};`); return;
      case "conv": {
        const a = T(op.a);
        const e = op.conv === "wrap" ? `Number(BigInt.asIntN(32, ${a}))` : op.conv === "sext" ? `BigInt(${a})` : `BigInt(${a} >>> 0)`;
        this.emit(`const ${T(op.dst)} = ${e};`);
        return;
      }
      case "select": this.emit(`const ${T(op.dst)} = ${this.truth(op.cond)} ? ${T(op.a)} : ${T(op.b)};`); return;
      case "load": {
        const { a, exact } = this.address(op.addr);
        this.emit(this.accessCheck(a, exact, op.size, 1, false));
        const le = op.endian === "le";
        let e: string;
        if (op.ty === "i32") {
          if (op.size === 8) throw new Error("8-byte load into an i32 temp");
          e = op.size === 1 ? `dv.${op.signed ? "getInt8" : "getUint8"}(${a})`
            : op.size === 2 ? `dv.${op.signed ? "getInt16" : "getUint16"}(${a}, ${le})`
            : `dv.getInt32(${a}, ${le})`;
        } else {
          e = op.size === 8 ? `dv.getBigInt64(${a}, ${le})`
            : op.size === 1 ? `BigInt(dv.${op.signed ? "getInt8" : "getUint8"}(${a}))`
            : `BigInt(dv.${op.signed ? "getInt" : "getUint"}${op.size * 8}(${a}, ${le}))`;
        }
        this.emit(`const ${T(op.dst)} = ${e};`);
        return;
      }
      case "store": {
        if (op.cond !== undefined) this.emit(`if (${this.truth(op.cond)}) {`);
        const { a, exact } = this.address(op.addr);
        this.emit(this.accessCheck(a, exact, op.size, 2, true));
        const le = op.endian === "le";
        const v = T(op.value);
        let st: string;
        if (this.wide(op.value)) {
          st = op.size === 8 ? `dv.setBigInt64(${a}, ${v}, ${le})`
            : op.size === 4 ? `dv.setInt32(${a}, Number(BigInt.asIntN(32, ${v})), ${le})`
            : op.size === 2 ? `dv.setUint16(${a}, Number(${v} & 0xffffn), ${le})`
            : `dv.setUint8(${a}, Number(${v} & 0xffn))`;
        } else {
          if (op.size === 8) throw new Error("8-byte store of an i32 temp");
          st = op.size === 4 ? `dv.setInt32(${a}, ${v}, ${le})` : op.size === 2 ? `dv.setInt16(${a}, ${v}, ${le})` : `dv.setInt8(${a}, ${v})`;
        }
        this.emit(`${st};`);
        this.emit(`if (CP.size !== 0) c.mem.wrote(${a}, ${op.size});`);
        if (op.cond !== undefined) this.emit("}");
        return;
      }
      case "trapif":
        this.emit(`if (${this.truth(op.cond)}) { c.k = ${this.k}; c.sig = ${op.signal}; c.code = ${op.code}; return -2; }`);
        return;
      case "farith": {
        const r = this.fresh("r");
        const b = op.b === undefined ? "0n" : this.fpArg(op.b, op.fmt);
        const cc = op.c === undefined ? "0n" : this.fpArg(op.c, op.fmt);
        this.emit(`const ${r} = fpArith("${op.fmt}", "${op.fop}", ${this.fpArg(op.a, op.fmt)}, ${b}, ${cc}, ${T(op.rm)}, "${op.nan}");`);
        this.emit(`const ${T(op.dst)} = ${this.fromBig(op.dst, `${r}.bits`)};`);
        this.accrue(op.flags, `${r}.flags`);
        return;
      }
      case "fcmp": {
        const r = this.fresh("r");
        this.emit(`const ${r} = fpCompare("${op.fmt}", "${op.cmp}", ${this.fpArg(op.a, op.fmt)}, ${this.fpArg(op.b, op.fmt)});`);
        this.emit(`const ${T(op.dst)} = ${this.wide(op.dst) ? `BigInt(${r}.value)` : `${r}.value`};`);
        this.accrue(op.flags, `${r}.flags`);
        return;
      }
      case "ftoint": {
        const r = this.fresh("r");
        this.emit(`const ${r} = fpToInt("${op.fmt}", ${this.fpArg(op.a, op.fmt)}, ${op.width}, ${op.signed}, ${T(op.rm)});`);
        this.emit(`const ${T(op.dst)} = ${this.fromBig(op.dst, `${r}.value`)};`);
        this.accrue(op.flags, `${r}.flags`);
        return;
      }
      case "inttof": {
        const r = this.fresh("r");
        const a = T(op.a);
        const v = this.wide(op.a) ? (op.signed ? a : `BigInt.asUintN(64, ${a})`) : (op.signed ? `BigInt(${a})` : `BigInt(${a} >>> 0)`);
        this.emit(`const ${r} = intToFp("${op.fmt}", ${v}, ${T(op.rm)});`);
        this.emit(`const ${T(op.dst)} = ${this.fromBig(op.dst, `${r}.bits`)};`);
        this.accrue(op.flags, `${r}.flags`);
        return;
      }
      case "fconv": {
        const r = this.fresh("r");
        const src = op.fmt === "f64" ? "f32" : "f64";
        this.emit(`const ${r} = fpConvert("${op.fmt}", ${this.fpArg(op.a, src)}, ${T(op.rm)}, "${op.nan}");`);
        this.emit(`const ${T(op.dst)} = ${this.fromBig(op.dst, `${r}.bits`)};`);
        this.accrue(op.flags, `${r}.flags`);
        return;
      }
      case "fclass": {
        const e = `fpClass("${op.fmt}", ${this.fpArg(op.a, op.fmt)})`;
        this.emit(`const ${T(op.dst)} = ${this.wide(op.dst) ? `BigInt(${e})` : e};`);
        return;
      }
      case "setflags": {
        const g = this.layout.flagGroups[op.group];
        if (!g) throw new Error(`block 0x${this.block.pc.toString(16)}: no flag group ${op.group}`);
        const big = (x: Temp) => (this.wide(x) ? T(x) : `BigInt(${T(x)})`);
        const a = this.fresh("fa"), b = this.fresh("fb"), x = this.fresh("fx");
        this.emit(`const ${a} = ${big(op.a)}, ${b} = ${big(op.b)}, ${x} = ${op.x === undefined ? "0n" : big(op.x)};`);
        this.set(g.kind, String(flagKindWord(op.kind, op.width)));
        this.set(g.a, a);
        this.set(g.b, b);
        this.set(g.x, x);
        this.knownFlags.set(op.group, op);
        return;
      }
      case "getflag": {
        const g = this.layout.flagGroups[op.group];
        if (!g) throw new Error(`block 0x${this.block.pc.toString(16)}: no flag group ${op.group}`);
        const known = this.knownFlags.get(op.group);
        const e = (known && this.inlineFlag(known, op.flag))
          ?? `evalFlag(${this.get(g.kind)}, ${this.get(g.a)}, ${this.get(g.b)}, ${this.get(g.x)}, ${FLAG_INDEX[op.flag]})`;
        this.emit(`const ${T(op.dst)} = ${this.wide(op.dst) ? `BigInt(${e})` : e};`);
        return;
      }
      case "call": {
        if (typeof this.helpers[op.helper] !== "function") throw new Error(`unknown runtime helper "${op.helper}"`);
        this.emit(`c.k = ${this.k};`);
        const call = `H[${JSON.stringify(op.helper)}](${op.args.map(T).join(", ")})`;
        if (op.dst === undefined) { this.emit(`${call};`); return; }
        this.emit(`const ${T(op.dst)} = ${this.wide(op.dst) ? `BigInt.asIntN(64, BigInt(${call}))` : `Number(${call}) | 0`};`);
        return;
      }
    }
  }

  private exit(): void {
    this.flush();
    const x = this.block.exit;
    switch (x.kind) {
      case "jump": case "call": this.emit(`return ${x.target};`); return;
      case "branch": this.emit(`return ${this.truth(x.cond)} ? ${x.taken} : ${x.fallthrough};`); return;
      case "indirect":
        this.emit(this.wide(x.target) ? `return Number(BigInt.asUintN(64, ${this.t(x.target)}));` : `return ${this.t(x.target)} >>> 0;`);
        return;
      case "runtime": case "trap": this.emit("return -3;"); return;
    }
  }
}

/**
 * Indices of `setflags` ops whose record is overwritten by a later `setflags` of the same group in the
 * same block before anything can observe it: no `getflag` of the group, no read or write of its slots,
 * and no op that can leave the block early (load, store, trapif) in between. Such records are never
 * evaluated or stored (dead-flag elimination).
 */
export function deadFlagRecords(block: Block, layout: StateLayout): Set<number> {
  const dead = new Set<number>();
  /** per group: index of a setflags not yet observed since it was made, and its instruction number */
  const open = new Map<number, { op: number; insn: number }>();
  /**
   * records killed by a setflags of the current instruction that belong to earlier instructions: they are
   * dead only if the current instruction completes (a fault later in it discards the newer record)
   */
  let tentative: number[] = [];
  const groupOf = new Map<Slot, number>();
  layout.flagGroups.forEach((g, i) => { for (const s of [g.kind, g.a, g.b, g.x]) groupOf.set(s, i); });
  let insn = -1;
  block.ops.forEach((op, i) => {
    switch (op.op) {
      case "insn":
        for (const t of tentative) dead.add(t);
        tentative = [];
        insn++;
        break;
      case "setflags": {
        const prev = open.get(op.group);
        if (prev !== undefined) (prev.insn === insn ? dead.add(prev.op) : tentative.push(prev.op));
        open.set(op.group, { op: i, insn });
        break;
      }
      case "getflag": open.delete(op.group); break;
      case "get": case "set": {
        const g = groupOf.get(op.slot);
        if (g !== undefined) open.delete(g);
        break;
      }
      case "load": case "store": case "trapif":
        open.clear();
        tentative = [];
        break;
      default: break;
    }
  });
  for (const t of tentative) dead.add(t);
  return dead;
}

/** JS expression of an i32 binary op (operands are int32 numbers). */
function bin32(op: string, a: string, b: string): string {
  switch (op) {
    case "add": return `(${a} + ${b}) | 0`;
    case "sub": return `(${a} - ${b}) | 0`;
    case "mul": return `Math.imul(${a}, ${b})`;
    case "mulhs": return `mulhs32(${a}, ${b})`;
    case "mulhu": return `mulhu32(${a}, ${b})`;
    case "mulhsu": return `mulhsu32(${a}, ${b})`;
    // total division (ir.ts): x/0 = -1, MIN/-1 = MIN, x%0 = x, MIN%-1 = 0 (JS gives -0, |0 makes it 0)
    case "divs": return `${b} === 0 ? -1 : (${a} === -2147483648 && ${b} === -1) ? ${a} : (${a} / ${b}) | 0`;
    case "divu": return `${b} === 0 ? -1 : ((${a} >>> 0) / (${b} >>> 0)) | 0`;
    case "rems": return `${b} === 0 ? ${a} : (${a} % ${b}) | 0`;
    case "remu": return `${b} === 0 ? ${a} : ((${a} >>> 0) % (${b} >>> 0)) | 0`;
    case "and": return `${a} & ${b}`;
    case "or": return `${a} | ${b}`;
    case "xor": return `${a} ^ ${b}`;
    // JS shifts use the amount mod 32, as the IR requires
    case "shl": return `${a} << ${b}`;
    case "shrs": return `${a} >> ${b}`;
    case "shru": return `(${a} >>> ${b}) | 0`;
    case "rotl": return `rotl32(${a}, ${b})`;
    case "rotr": return `rotr32(${a}, ${b})`;
    case "eq": return `${a} === ${b} ? 1 : 0`;
    case "ne": return `${a} !== ${b} ? 1 : 0`;
    case "lts": return `${a} < ${b} ? 1 : 0`;
    case "les": return `${a} <= ${b} ? 1 : 0`;
    case "gts": return `${a} > ${b} ? 1 : 0`;
    case "ges": return `${a} >= ${b} ? 1 : 0`;
    case "ltu": return `(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`;
    case "leu": return `(${a} >>> 0) <= (${b} >>> 0) ? 1 : 0`;
    case "gtu": return `(${a} >>> 0) > (${b} >>> 0) ? 1 : 0`;
    case "geu": return `(${a} >>> 0) >= (${b} >>> 0) ? 1 : 0`;
  }
  throw new Error(`unknown i32 binary op ${op}`);
}

/** JS expression of an i64 binary op (operands are bigints in signed 64-bit form). */
function bin64(op: string, a: string, b: string): string {
  const u = (x: string) => `BigInt.asUintN(64, ${x})`;
  const w = (x: string) => `BigInt.asIntN(64, ${x})`;
  switch (op) {
    case "add": return w(`${a} + ${b}`);
    case "sub": return w(`${a} - ${b}`);
    case "mul": return w(`${a} * ${b}`);
    case "mulhs": return `mulhs64(${a}, ${b})`;
    case "mulhu": return `mulhu64(${a}, ${b})`;
    case "mulhsu": return `mulhsu64(${a}, ${b})`;
    // total division: x/0 = -1, MIN/-1 wraps to MIN, x%0 = x, MIN%-1 = 0
    case "divs": return `${b} === 0n ? -1n : ${w(`${a} / ${b}`)}`;
    case "divu": return `${b} === 0n ? -1n : ${w(`${u(a)} / ${u(b)}`)}`;
    case "rems": return `${b} === 0n ? ${a} : ${a} % ${b}`;
    case "remu": return `${b} === 0n ? ${a} : ${w(`${u(a)} % ${u(b)}`)}`;
    case "and": return `${a} & ${b}`;
    case "or": return `${a} | ${b}`;
    case "xor": return `${a} ^ ${b}`;
    case "shl": return w(`${a} << (${b} & 63n)`);
    case "shrs": return `${a} >> (${b} & 63n)`;
    case "shru": return w(`${u(a)} >> (${b} & 63n)`);
    case "rotl": return `rotl64(${a}, ${b})`;
    case "rotr": return `rotr64(${a}, ${b})`;
    case "eq": return `${a} === ${b} ? 1 : 0`;
    case "ne": return `${a} !== ${b} ? 1 : 0`;
    case "lts": return `${a} < ${b} ? 1 : 0`;
    case "les": return `${a} <= ${b} ? 1 : 0`;
    case "gts": return `${a} > ${b} ? 1 : 0`;
    case "ges": return `${a} >= ${b} ? 1 : 0`;
    case "ltu": return `${u(a)} < ${u(b)} ? 1 : 0`;
    case "leu": return `${u(a)} <= ${u(b)} ? 1 : 0`;
    case "gtu": return `${u(a)} > ${u(b)} ? 1 : 0`;
    case "geu": return `${u(a)} >= ${u(b)} ? 1 : 0`;
  }
  throw new Error(`unknown i64 binary op ${op}`);
}

/** JS expression of an i32 unary op. */
function un32(op: string, a: string): string {
  switch (op) {
    case "neg": return `(-${a}) | 0`;
    case "not": return `~${a}`;
    case "clz": return `Math.clz32(${a})`;
    case "ctz": return `ctz32(${a})`;
    case "popcnt": return `popcnt32(${a})`;
    case "eqz": return `${a} === 0 ? 1 : 0`;
    case "sext8": return `(${a} << 24) >> 24`;
    case "sext16": return `(${a} << 16) >> 16`;
    case "sext32": case "zext32": return a;
    case "zext8": return `${a} & 0xff`;
    case "zext16": return `${a} & 0xffff`;
    case "bswap16": return `bswap16(${a})`;
    case "bswap32": return `bswap32(${a})`;
  }
  throw new Error(`unknown or invalid i32 unary op ${op}`);
}

/** JS expression of an i64 unary op. */
function un64(op: string, a: string): string {
  switch (op) {
    case "neg": return `BigInt.asIntN(64, -${a})`;
    case "not": return `~${a}`;
    case "clz": return `clz64(${a})`;
    case "ctz": return `ctz64(${a})`;
    case "popcnt": return `popcnt64(${a})`;
    case "eqz": return `${a} === 0n ? 1 : 0`;
    case "sext8": return `BigInt.asIntN(8, ${a})`;
    case "sext16": return `BigInt.asIntN(16, ${a})`;
    case "sext32": return `BigInt.asIntN(32, ${a})`;
    case "zext8": return `${a} & 0xffn`;
    case "zext16": return `${a} & 0xffffn`;
    case "zext32": return `${a} & 0xffffffffn`;
    case "bswap16": return `BigInt(bswap16(Number(${a} & 0xffffn)))`;
    case "bswap32": return `BigInt(bswap32(Number(${a} & 0xffffffffn)) >>> 0)`;
    case "bswap64": return `bswap64(${a})`;
  }
  throw new Error(`unknown i64 unary op ${op}`);
}
