// IR integer ops executed by the interpreter, checked against a BigInt reference model written from the
// definitions in ir.ts (and, for division, the RISC-V manual's table of division edge cases).
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BinOp, ConvOp, UnOp } from "./ir.ts";
import { DATA, testMachine, type TestInsn, EXECUTORS, type Executor } from "../../runtime/interp/testguest.ts";

type IntTy = "i32" | "i64";
const width = (ty: IntTy) => (ty === "i32" ? 32 : 64);

const EDGE32 = [0n, 1n, -1n, 2n, -2n, 7n, -7n, 31n, 32n, 33n, 63n, 64n, 65n, 0x7fffffffn, -0x80000000n, 0x12345678n, -0x5a5a5a5bn];
const EDGE64 = [...EDGE32, 0x7fffffffffffffffn, -0x8000000000000000n, 0x123456789abcdef0n, 0x100000000n, 0xffffffffn, -0x100000000n, 0x80000000n];
const edges = (ty: IntTy) => (ty === "i32" ? EDGE32 : EDGE64);

/** Reference semantics of ir.ts BinOp; results as signed bigints of the result width. */
function refBin(ty: IntTy, op: BinOp, a: bigint, b: bigint): bigint {
  const w = width(ty), W = BigInt(w);
  const s = (x: bigint) => BigInt.asIntN(w, x), u = (x: bigint) => BigInt.asUintN(w, x);
  const min = -(1n << (W - 1n));
  const amt = u(b) % W;
  const bool = (c: boolean) => (c ? 1n : 0n);
  switch (op) {
    case "add": return s(a + b);
    case "sub": return s(a - b);
    case "mul": return s(a * b);
    case "mulhs": return s((s(a) * s(b)) >> W);
    case "mulhu": return s((u(a) * u(b)) >> W);
    case "mulhsu": return s((s(a) * u(b)) >> W);
    case "divs": return b === 0n ? -1n : a === min && b === -1n ? min : s(a / b);
    case "divu": return b === 0n ? s(u(-1n)) : s(u(a) / u(b));
    case "rems": return b === 0n ? a : a === min && b === -1n ? 0n : s(a % b);
    case "remu": return b === 0n ? a : s(u(a) % u(b));
    case "and": return s(a & b);
    case "or": return s(a | b);
    case "xor": return s(a ^ b);
    case "shl": return s(a << amt);
    case "shrs": return s(s(a) >> amt);
    case "shru": return s(u(a) >> amt);
    case "rotl": return s(u((u(a) << amt) | (u(a) >> ((W - amt) % W))));
    case "rotr": return s(u((u(a) >> amt) | (u(a) << ((W - amt) % W))));
    case "eq": return bool(a === b);
    case "ne": return bool(a !== b);
    case "lts": return bool(a < b);
    case "les": return bool(a <= b);
    case "gts": return bool(a > b);
    case "ges": return bool(a >= b);
    case "ltu": return bool(u(a) < u(b));
    case "leu": return bool(u(a) <= u(b));
    case "gtu": return bool(u(a) > u(b));
    case "geu": return bool(u(a) >= u(b));
  }
}

function refUn(ty: IntTy, op: UnOp, a: bigint): bigint {
  const w = width(ty);
  const s = (x: bigint) => BigInt.asIntN(w, x), u = (x: bigint) => BigInt.asUintN(w, x);
  const bitsOf = (x: bigint) => Array.from({ length: w }, (_, i) => (u(x) >> BigInt(i)) & 1n);
  const bytes = (x: bigint, n: number) => Array.from({ length: n }, (_, i) => (u(x) >> BigInt(8 * i)) & 0xffn);
  const rev = (x: bigint, n: number) => bytes(x, n).reduce((acc, byte) => (acc << 8n) | byte, 0n);
  switch (op) {
    case "neg": return s(-a);
    case "not": return s(~a);
    case "clz": { const bs = bitsOf(a).reverse(); const i = bs.indexOf(1n); return BigInt(i < 0 ? w : i); }
    case "ctz": { const bs = bitsOf(a); const i = bs.indexOf(1n); return BigInt(i < 0 ? w : i); }
    case "popcnt": return bitsOf(a).reduce((x, y) => x + y, 0n);
    case "eqz": return a === 0n ? 1n : 0n;
    case "sext8": return BigInt.asIntN(8, a);
    case "sext16": return BigInt.asIntN(16, a);
    case "sext32": return BigInt.asIntN(32, a);
    case "zext8": return a & 0xffn;
    case "zext16": return a & 0xffffn;
    case "zext32": return s(a & 0xffffffffn);
    case "bswap16": return rev(a, 2);
    case "bswap32": return s(rev(a, 4));
    case "bswap64": return s(rev(a, 8));
  }
}

/**
 * Runs one instruction per case; each computes `emit` on constant operands and stores the result at
 * DATA + 8*i (8 bytes for i64 results, 4 for i32). Returns the results as signed bigints.
 */
function runCases<T>(executor: Executor, cases: T[], emit: (b: import("./builder.ts").BlockBuilder, c: T) => { value: number; ty: IntTy }): bigint[] {
  const program: TestInsn[] = cases.map((c, i) => (b) => {
    const r = emit(b, c);
    const addr = b.i64(BigInt(DATA + 8 * i));
    b.store(addr, r.value, r.ty === "i64" ? 8 : 4, "le");
    return undefined;
  });
  const end = program.length;
  program.push((_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 }));
  const m = testMachine(program, { executor }, cases.length * 8);
  const stop = m.interp.run(m.pcOf(0), 1e9);
  assert.equal(stop, { kind: "syscall", next: m.pcOf(end) + 4 });
  assert.is(m.interp.instructions, end + 1);
  return cases.map((_, i) => m.mem.dv.getBigInt64(DATA + 8 * i, true));
}

const isCmp = (op: BinOp) => ["eq", "ne", "lts", "les", "gts", "ges", "ltu", "leu", "gtu", "geu"].includes(op);
const BINOPS: BinOp[] = ["add", "sub", "mul", "mulhs", "mulhu", "mulhsu", "divs", "divu", "rems", "remu", "and", "or", "xor",
  "shl", "shrs", "shru", "rotl", "rotr", "eq", "ne", "lts", "ltu", "les", "leu", "gts", "gtu", "ges", "geu"];

for (const executor of EXECUTORS) {
  for (const ty of ["i32", "i64"] as const) {
    test(`${executor}: every BinOp at ${ty} on edge values matches the reference`, () => {
      const vals = edges(ty);
      const cases: Array<[BinOp, bigint, bigint]> = [];
      for (const op of BINOPS) for (const a of vals) for (const b of vals) cases.push([op, a, b]);
      // results are stored 4 bytes wide for i32 results: read back by sign-extending the low word
      const got = runCases(executor, cases, (bb, [op, a, b]) => {
        const ta = ty === "i64" ? bb.i64(a) : bb.i32(Number(a));
        const tb = ty === "i64" ? bb.i64(b) : bb.i32(Number(b));
        return { value: bb.bin(ty, op, ta, tb), ty: isCmp(op) ? "i32" : ty };
      });
      let bad = 0;
      cases.forEach(([op, a, b], i) => {
        const resTy: IntTy = isCmp(op) ? "i32" : ty;
        const g = resTy === "i32" ? BigInt.asIntN(32, got[i]!) : got[i]!;
        const want = refBin(ty, op, BigInt.asIntN(width(ty), a), BigInt.asIntN(width(ty), b));
        if (g !== want && bad++ < 10) assert.unreachable(`${ty} ${op}(${a}, ${b}) = ${g}, want ${want}`);
      });
    });

    test(`${executor}: every UnOp at ${ty} on edge values matches the reference`, () => {
      const ops: UnOp[] = ["neg", "not", "clz", "ctz", "popcnt", "eqz", "sext8", "sext16", "sext32", "zext8", "zext16", "zext32", "bswap16", "bswap32"];
      if (ty === "i64") ops.push("bswap64");
      const vals = [...edges(ty), 0x80n, 0xffn, 0x8000n, 0xff7fn, 0x01020304n, 0x0102030405060708n, -0x0102030405060708n].map((v) => BigInt.asIntN(width(ty), v));
      const cases: Array<[UnOp, bigint]> = [];
      for (const op of ops) for (const a of vals) cases.push([op, a]);
      const got = runCases(executor, cases, (bb, [op, a]) => {
        const ta = ty === "i64" ? bb.i64(a) : bb.i32(Number(a));
        return { value: bb.un(ty, op, ta), ty: op === "eqz" ? "i32" : ty };
      });
      cases.forEach(([op, a], i) => {
        const g = op === "eqz" || ty === "i32" ? BigInt.asIntN(32, got[i]!) : got[i]!;
        assert.is(g, refUn(ty, op, a), `${ty} ${op}(${a})`);
      });
    });
  }

  test(`${executor}: hand-checked edge cases (RISC-V manual division table, shift masking, byte swaps)`, () => {
    const MIN64 = -0x8000000000000000n;
    const cases: Array<[IntTy, BinOp, bigint, bigint, bigint]> = [
      ["i64", "divs", MIN64, -1n, MIN64], ["i64", "rems", MIN64, -1n, 0n],
      ["i64", "divu", 5n, 0n, -1n], ["i64", "divs", 5n, 0n, -1n], ["i64", "rems", -5n, 0n, -5n], ["i64", "remu", 5n, 0n, 5n],
      ["i32", "divs", -0x80000000n, -1n, -0x80000000n], ["i32", "rems", -0x80000000n, -1n, 0n],
      ["i32", "divs", -7n, 2n, -3n], ["i32", "rems", -7n, 2n, -1n], ["i64", "divs", 7n, -2n, -3n], ["i64", "rems", 7n, -2n, 1n],
      ["i32", "shl", 1n, 33n, 2n], ["i64", "shl", 1n, 65n, 2n], ["i32", "shru", -1n, 60n, 15n], ["i64", "shrs", MIN64, 127n, -1n],
      ["i64", "mulhu", -1n, -1n, -2n], ["i64", "mulhs", -1n, -1n, 0n], ["i64", "mulhsu", -1n, -1n, -1n], ["i32", "mulhu", -1n, -1n, -2n],
      ["i32", "rotl", 0x80000001n, 1n, 3n], ["i64", "rotr", 1n, 1n, MIN64],
    ];
    const got = runCases(executor, cases, (bb, [ty, op, a, b]) => ({
      value: bb.bin(ty, op, ty === "i64" ? bb.i64(a) : bb.i32(Number(a)), ty === "i64" ? bb.i64(b) : bb.i32(Number(b))), ty,
    }));
    cases.forEach(([ty, op, a, b, want], i) => {
      assert.is(ty === "i32" ? BigInt.asIntN(32, got[i]!) : got[i]!, want, `${ty} ${op}(${a}, ${b})`);
    });
    const un: Array<[IntTy, UnOp, bigint, bigint]> = [
      ["i32", "bswap32", 0x11223344n, 0x44332211n], ["i32", "bswap16", 0x11223344n, 0x4433n],
      ["i64", "bswap64", 0x1122334455667788n, -0x778899aabbccddefn], ["i64", "bswap32", 0x1122334455667788n, 0x88776655n],
      ["i64", "clz", 1n, 63n], ["i64", "ctz", 0n, 64n], ["i32", "clz", 0n, 32n], ["i32", "sext8", 0x80n, -128n], ["i64", "zext32", -1n, 0xffffffffn],
    ];
    const got2 = runCases(executor, un, (bb, [ty, op, a]) => ({ value: bb.un(ty, op, ty === "i64" ? bb.i64(a) : bb.i32(Number(a))), ty }));
    un.forEach(([ty, op, a, want], i) => assert.is(ty === "i32" ? BigInt.asIntN(32, got2[i]!) : got2[i]!, want, `${ty} ${op}(${a})`));
  });

  test(`${executor}: conversions wrap/sext/zext and select`, () => {
    const convs: Array<[ConvOp, bigint, bigint]> = [
      ["wrap", 0x1234567880000001n, -0x7fffffffn], ["wrap", -1n, -1n], ["wrap", 0x100000000n, 0n],
      ["sext", -1n, -1n], ["sext", -0x80000000n, -0x80000000n], ["sext", 0x7fffffffn, 0x7fffffffn],
      ["zext", -1n, 0xffffffffn], ["zext", -0x80000000n, 0x80000000n], ["zext", 5n, 5n],
    ];
    const got = runCases(executor, convs, (bb, [op, a]) => {
      const ta = op === "wrap" ? bb.i64(a) : bb.i32(Number(a));
      return { value: bb.conv(op, ta), ty: op === "wrap" ? "i32" : "i64" };
    });
    convs.forEach(([op, a, want], i) => assert.is(op === "wrap" ? BigInt.asIntN(32, got[i]!) : got[i]!, want, `${op}(${a})`));
    const sels: Array<[number, bigint]> = [[1, 11n], [0, 22n], [-1, 11n], [0x100, 11n]];
    const got3 = runCases(executor, sels, (bb, [cond]) => ({ value: bb.select("i64", bb.i32(cond), bb.i64(11n), bb.i64(22n)), ty: "i64" }));
    sels.forEach(([cond, want], i) => assert.is(got3[i], want, `select(${cond})`));
  });
}

test.run();
