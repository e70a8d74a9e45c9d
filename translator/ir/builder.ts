/** Builds IR blocks: allocates typed temps and appends ops. Lifters speak to this, never to arrays directly. */
import type {
  BinOp, Block, ConvOp, Endian, Exit, FlagKind, Flag, Op, Signal, Slot, Temp, Ty, UnOp,
} from "./ir.ts";

export class BlockBuilder {
  readonly ops: Op[] = [];
  readonly temps: Ty[] = [];
  exit: Exit | undefined;
  ninsns = 0;
  /** address just past the last instruction added */
  end: number;

  constructor(readonly pc: number, private readonly slotTypes: readonly Ty[]) {
    this.end = pc;
  }

  /** Allocates a new temp of type `ty`. */
  temp(ty: Ty): Temp {
    this.temps.push(ty);
    return this.temps.length - 1;
  }

  /** Marks the start of the guest instruction at `pc` (size in bytes). */
  insn(pc: number, size: number): void {
    this.ops.push({ op: "insn", pc, size });
    this.ninsns++;
    this.end = pc + size;
  }

  const(ty: Ty, value: number | bigint): Temp {
    const dst = this.temp(ty);
    if ((ty === "i64" || ty === "f64") !== (typeof value === "bigint")) {
      throw new Error(`const of type ${ty} needs a ${ty === "i64" || ty === "f64" ? "bigint" : "number"}`);
    }
    this.ops.push({ op: "const", dst, ty, value });
    return dst;
  }
  i32(value: number): Temp { return this.const("i32", value | 0); }
  i64(value: bigint): Temp { return this.const("i64", BigInt.asIntN(64, value)); }

  get(slot: Slot): Temp {
    const dst = this.temp(this.slotTypes[slot]!);
    this.ops.push({ op: "get", dst, slot });
    return dst;
  }
  set(slot: Slot, value: Temp): void {
    this.ops.push({ op: "set", slot, value });
  }

  bin(ty: "i32" | "i64", bin: BinOp, a: Temp, b: Temp): Temp {
    const cmp = bin === "eq" || bin === "ne" || bin.startsWith("lt") || bin.startsWith("le") || bin.startsWith("gt") || bin.startsWith("ge");
    const dst = this.temp(cmp ? "i32" : ty);
    this.ops.push({ op: "bin", dst, ty, bin, a, b });
    return dst;
  }
  un(ty: "i32" | "i64", un: UnOp, a: Temp): Temp {
    const dst = this.temp(un === "eqz" ? "i32" : ty);
    this.ops.push({ op: "un", dst, ty, un, a });
    return dst;
  }
  conv(conv: ConvOp, a: Temp): Temp {
    const dst = this.temp(conv === "wrap" ? "i32" : "i64");
    this.ops.push({ op: "conv", dst, conv, a });
    return dst;
  }
  select(ty: Ty, cond: Temp, a: Temp, b: Temp): Temp {
    const dst = this.temp(ty);
    this.ops.push({ op: "select", dst, ty, cond, a, b });
    return dst;
  }
  load(ty: "i32" | "i64", addr: Temp, size: 1 | 2 | 4 | 8, signed: boolean, endian: Endian): Temp {
    const dst = this.temp(ty);
    this.ops.push({ op: "load", dst, ty, addr, size, signed, endian });
    return dst;
  }
  store(addr: Temp, value: Temp, size: 1 | 2 | 4 | 8, endian: Endian, cond?: Temp): void {
    this.ops.push(cond === undefined
      ? { op: "store", addr, value, size, endian }
      : { op: "store", addr, value, size, endian, cond });
  }
  setFlags(group: number, kind: FlagKind, width: 32 | 64, a: Temp, b: Temp, x?: Temp): void {
    this.ops.push(x === undefined
      ? { op: "setflags", group, kind, width, a, b }
      : { op: "setflags", group, kind, width, a, b, x });
  }
  getFlag(group: number, flag: Flag): Temp {
    const dst = this.temp("i32");
    this.ops.push({ op: "getflag", dst, group, flag });
    return dst;
  }
  trapIf(cond: Temp, signal: Signal, code = 0): void {
    this.ops.push({ op: "trapif", cond, signal, code });
  }
  call(helper: string, args: Temp[], ty?: Ty): Temp | undefined {
    if (ty === undefined) {
      this.ops.push({ op: "call", helper, args });
      return undefined;
    }
    const dst = this.temp(ty);
    this.ops.push({ op: "call", dst, ty, helper, args });
    return dst;
  }
  /** Appends any op whose dst (if any) was allocated with {@link temp}. */
  push(op: Op): void {
    this.ops.push(op);
  }

  /** Ends the block. */
  finish(exit: Exit): Block {
    if (this.exit) throw new Error("block already finished");
    this.exit = exit;
    return { pc: this.pc, end: this.end, ops: this.ops, exit, temps: this.temps, ninsns: this.ninsns };
  }
}
