/**
 * Random IR programs over the test guest (testguest.ts), for differential tests between executors and
 * tiers: integer ops, conversions, selects, loads and stores (mostly into the data area, sometimes
 * anywhere, so faults happen), lazy flags, conditional traps and branches; each program ends in a syscall.
 */
import type { BinOp, ConvOp, FlagKind, Temp, UnOp } from "../../translator/ir/ir.ts";
import type { BlockBuilder } from "../../translator/ir/builder.ts";
import { DATA, TEST_STATE, type TestInsn, type TestMachine } from "./testguest.ts";

/** xorshift32 PRNG: deterministic programs. */
export function prng(seed: number) {
  let x = seed | 0 || 1;
  const next = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
  return { int: (n: number) => next() % n, pick: <T>(xs: readonly T[]) => xs[next() % xs.length]! };
}

const BIN: BinOp[] = ["add", "sub", "mul", "mulhs", "mulhu", "mulhsu", "divs", "divu", "rems", "remu", "and", "or", "xor",
  "shl", "shrs", "shru", "rotl", "rotr", "eq", "ne", "lts", "ltu", "les", "leu", "gts", "gtu", "ges", "geu"];
const UN32: UnOp[] = ["neg", "not", "clz", "ctz", "popcnt", "eqz", "sext8", "sext16", "sext32", "zext8", "zext16", "zext32", "bswap16", "bswap32"];
const UN64: UnOp[] = [...UN32, "bswap64"];
const CONV: ConvOp[] = ["wrap", "sext", "zext"];
const KINDS: FlagKind[] = ["cmps", "cmpu", "bits", "addc"];
const CONSTS = [0n, 1n, -1n, 2n, 31n, 32n, 63n, 64n, 0x7fffffffn, -0x80000000n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x123456789abcdef0n, 0xffn, 0x8000n];

/** A program of `length` random instructions, the same for the same seed. */
export function randomProgram(seed: number, length: number): TestInsn[] {
  const program: TestInsn[] = [];
  for (let n = 0; n < length; n++) {
    const last = n === length - 1;
    program.push((b: BlockBuilder, pc: number) => {
      const r = prng(seed * 7919 + n); // inside: every lift of this instruction emits the same IR
      const i64s: Temp[] = [], i32s: Temp[] = [];
      const val = (ty: "i32" | "i64"): Temp => {
        const pool = ty === "i64" ? i64s : i32s;
        if (pool.length > 0 && r.int(3) > 0) return r.pick(pool);
        const t = r.int(2) === 0
          ? b.get(TEST_STATE.slot(`${ty === "i64" ? "r" : "w"}${r.int(8)}`))
          : ty === "i64" ? b.i64(r.pick(CONSTS)) : b.i32(Number(BigInt.asIntN(32, r.pick(CONSTS))));
        pool.push(t);
        return t;
      };
      const steps = 1 + r.int(6);
      for (let s = 0; s < steps; s++) {
        const ty = r.int(2) === 0 ? "i32" : "i64";
        switch (r.int(10)) {
          case 0: case 1: case 2: { const t = b.bin(ty, r.pick(BIN), val(ty), val(ty)); (b.temps[t] === "i64" ? i64s : i32s).push(t); break; }
          case 3: { const t = b.un(ty, r.pick(ty === "i64" ? UN64 : UN32), val(ty)); (b.temps[t] === "i64" ? i64s : i32s).push(t); break; }
          case 4: { const c = r.pick(CONV); const t = b.conv(c, val(c === "wrap" ? "i64" : "i32")); (c === "wrap" ? i32s : i64s).push(t); break; }
          case 5: { const t = b.select(ty, val("i32"), val(ty), val(ty)); (ty === "i64" ? i64s : i32s).push(t); break; }
          case 6: { // load from the data area (or occasionally anywhere: faults)
            const size = r.pick([1, 2, 4, 8] as const);
            const addr = r.int(8) === 0 ? val("i64") : b.bin("i64", "add", b.bin("i64", "and", val("i64"), b.i64(0xfffn)), b.i64(BigInt(DATA)));
            const t = b.load(size === 8 ? "i64" : ty, addr, size, r.int(2) === 0, r.int(2) === 0 ? "le" : "be");
            (b.temps[t] === "i64" ? i64s : i32s).push(t);
            break;
          }
          case 7: {
            const size = r.pick([1, 2, 4, 8] as const);
            const addr = r.int(8) === 0 ? val("i64") : b.bin("i64", "add", b.bin("i64", "and", val("i64"), b.i64(0xfffn)), b.i64(BigInt(DATA)));
            b.store(addr, val(size === 8 ? "i64" : ty), size, r.int(2) === 0 ? "le" : "be", r.int(3) === 0 ? val("i32") : undefined);
            break;
          }
          case 8: {
            if (r.int(2) === 0) b.setFlags(r.int(2), r.pick(KINDS), r.int(2) === 0 ? 32 : 64, val(ty), val(ty), r.int(2) === 0 ? val(ty) : undefined);
            else i32s.push(b.getFlag(r.int(2), r.pick(["lt", "gt", "eq", "so", "ca", "ov"] as const)));
            break;
          }
          case 9: if (r.int(6) === 0) b.trapIf(b.bin("i32", "ltu", val("i32"), b.i32(0x1000)), 5, 7); break;
        }
        if (r.int(2) === 0) {
          const t = ty === "i64" ? val("i64") : val("i32");
          b.set(TEST_STATE.slot(`${ty === "i64" ? "r" : "w"}${r.int(8)}`), t);
        }
      }
      if (last) return { kind: "runtime", request: "syscall", next: pc + 4 };
      if (r.int(5) === 0) return { kind: "branch", cond: val("i32"), taken: pc + 4, fallthrough: pc + 4 };
      return undefined;
    });
  }
  return program;
}

/** Sets registers and the data area from `seed` (the same for every executor under test). */
export function randomInitialState(m: TestMachine, seed: number): void {
  const init = prng(seed);
  for (let i = 0; i < 8; i++) m.state.set(`r${i}`, BigInt.asIntN(64, (BigInt(init.int(2 ** 31)) << 33n) ^ BigInt(init.int(2 ** 31))));
  for (let i = 0; i < 8; i++) m.state.set(`w${i}`, init.int(2 ** 31) - 2 ** 30);
  for (let i = 0; i < 4096; i += 4) m.mem.dv.setUint32(DATA + i, init.int(2 ** 31) * 2 + init.int(2), true);
}

/** State, data area and stop of a finished run, as comparable strings. */
export function snapshot(m: TestMachine, stop: unknown): { stop: string; state: string; data: string } {
  return {
    stop: JSON.stringify(stop),
    state: [...m.mem.u8.slice(m.state.base, m.state.base + TEST_STATE.size)].join(","),
    data: [...m.mem.u8.slice(DATA, DATA + 8192)].join(","),
  };
}
