// The inline FP fast paths (fpfast.ts) against the exact helpers: the same IR op compiled with and without
// fast paths must give identical result bits and accrued flags for every operand, rounding mode and preset
// flag state — edge values (zeros, subnormals, the smallest normals, huge values, infinities, quiet and
// signaling NaNs, integer-range boundaries) and seeded random bit patterns. The helper count shows the fast
// paths actually run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BlockBuilder } from "../ir/builder.ts";
import type { FpArith, FpCmp, FpFormat, Op, Temp } from "../ir/ir.ts";
import { compileRegions } from "./module.ts";
import { CTRL } from "./exits.ts";
import { CONTROL_BASE, GuestMemory } from "../../runtime/memory/memory.ts";
import { CpuState } from "../../runtime/state.ts";
import { TEST_STATE } from "../../runtime/interp/testguest.ts";
import { translationImports } from "../../runtime/jit/imports.ts";
import { hardwareFma, isFused } from "../../runtime/jit/hwfma.ts";
import { fpArith } from "../../runtime/fp/softfloat.ts";

const S = TEST_STATE;
const types = S.slots.map((s) => s.ty);
const R = (i: number) => S.slot(`r${i}`), W = (i: number) => S.slot(`w${i}`);
const FFLAGS = S.slot("fflags");

const dv = new DataView(new ArrayBuffer(8));
const b64 = (x: number) => { dv.setFloat64(0, x); return dv.getBigUint64(0); };
const b32 = (x: number) => { dv.setFloat32(0, x); return dv.getUint32(0); };

/** Seeded xorshift for reproducible operands. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

const EDGE64 = [0, -0, 1, -1, 1.5, 3, -7, 0.1, 1 / 3, 2 ** -1022, -(2 ** -1022), 2 ** -1021, 2 ** -1022 * (1 + 2 ** -52),
  5e-324, 2 ** -1060, 1.7976931348623157e308, 2 ** 1023, Infinity, -Infinity, NaN, 2 ** 450, 2 ** -450, 2 ** 449,
  2 ** 1000, 2 ** 999, 2 ** -900, 1e-300, 1e300, 2 ** 31 - 0.5, 2 ** 31, -(2 ** 31) - 0.5, -(2 ** 31), 2 ** 32 - 0.5,
  4294967295.5, 2 ** 63, -(2 ** 63), 2 ** 64, 2 ** 53 + 1, 0.5, -0.5, 2.5, -2.5, 1 + 2 ** -30, 1 - 2 ** -53,
  3.4028234663852886e38, 2 ** -126, 2 ** -125, 1.401298464324817e-45].map(b64);
EDGE64.push(0x7ff0000000000001n, 0xfff8000000000001n, 0x7ff4000000000000n); // signaling NaNs, a payload NaN
const EDGE32 = [0, -0, 1, -1, 1.5, 3, 0.1, 1 / 3, 2 ** -126, 2 ** -125, -(2 ** -126), 1.401298464324817e-45, 2 ** -140,
  3.4028234663852886e38, 2 ** 127, Infinity, -Infinity, NaN, 2 ** 31, -(2 ** 31), 2 ** 24 + 2, 16777217, 0.5, 2.5,
  -2.5, 4294967040, 1 + 2 ** -20].map(b32);
EDGE32.push(0x7f800001, 0xffc00001, 0x7fa00000);

/** Operand bit patterns: edges, random patterns, and random moderate values (the common case). */
function operands(fmt: FpFormat, n: number, seed: number): bigint[] {
  const next = rng(seed);
  const out: bigint[] = [];
  const edges = fmt === "f64" ? EDGE64 : EDGE32.map(BigInt);
  for (let i = 0; i < n; i++) {
    const k = next() % 4;
    if (k === 0) out.push(edges[next() % edges.length]!);
    else if (k === 1) out.push(fmt === "f64" ? (BigInt(next()) << 32n) | BigInt(next()) : BigInt(next()));
    else if (k === 2) {
      // small dyadic values: sums, products and many quotients of them are exact
      const x = ((next() % 2001) - 1000) / 2 ** (next() % 6);
      out.push(fmt === "f64" ? b64(x) : BigInt(b32(x)));
    } else {
      const x = (next() / 2 ** 32 - 0.5) * 2 ** ((next() % 40) - 20);
      out.push(fmt === "f64" ? b64(x) : BigInt(b32(x)));
    }
  }
  return out;
}

/** A region of one block: operands from r1..r3 (f64) or w1..w3 (f32, i32 ints), rm from w4, result to r0/w0. */
function region(fmt: FpFormat, emit: (b: BlockBuilder, a: Temp[], rm: Temp) => Op) {
  const b = new BlockBuilder(0x1000, types);
  b.insn(0x1000, 4);
  const a = [1, 2, 3].map((i) => b.get(fmt === "f64" ? R(i) : W(i)));
  const op = emit(b, a, b.get(W(4)));
  b.push(op);
  const dst = (op as { dst: Temp }).dst;
  const ty = b.temps[dst]!;
  b.set(ty === "i64" ? R(0) : W(0), dst);
  return { entry: 0x1000, blocks: [b.finish({ kind: "jump", target: 0x1004 })] };
}

/** `hardwareFma`: link the host's fused multiply-add (when it has one); `calls.fma` counts calls to it. */
async function build(r: ReturnType<typeof region>, fast: boolean, hardwareFma = true, fpAssumptions?: { flagsUnobserved: boolean; staticRounding?: number }, relaxedSimdFma = false) {
  const mem = new GuestMemory();
  const st = new CpuState(mem, S);
  const compiled = compileRegions(S, [r], { fpFastPaths: fast, relaxedSimdFma, ...(fpAssumptions ? { fpAssumptions } : {}) });
  assert.is(compiled.rejected.length, 0);
  const imports = translationImports(mem, new WebAssembly.Table({ element: "anyfunc", initial: 1 }), {}, { hardwareFma });
  const env = imports.env as Record<string, (...a: number[]) => unknown>;
  const calls = { n: 0, fma: 0 };
  for (const name of ["fp_arith", "fp_cmp", "fp_toint", "fp_fromint", "fp_conv"]) {
    const f = env[name]!;
    env[name] = (...args: number[]) => { calls.n++; return f(...args); };
  }
  const fma = env.fma_f64!;
  env.fma_f64 = (...args: number[]) => { calls.fma++; return fma(...args); };
  const { instance } = await WebAssembly.instantiate(compiled.binary as Uint8Array<ArrayBuffer>, imports);
  mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, 1n << 62n, true);
  return { st, fn: instance.exports[compiled.regions[0]!.name] as () => number, calls };
}

/**
 * `unobserved`: compile the fast side as for a program that never reads the flags (translator/ir/fpenv.ts):
 * results must still be exact, flags are not compared; `staticRounding` also takes the rounding mode (the
 * slot w4 the cases read it from) as the constant RNE, and runs every case in RNE.
 */
type Case = {
  name: string; fmt: FpFormat; intOperands?: "i32" | "i64"; hardwareFma?: boolean; emit: (b: BlockBuilder, a: Temp[], rm: Temp) => Op;
  unobserved?: { staticRounding: boolean };
  /** f64 madd as relaxed SIMD's relaxed_madd inline (fpfast.ts FpContext.inlineFma) */
  inlineFma?: boolean;
};

async function differential(c: Case, n = 1500) {
  const r = region(c.intOperands === "i32" ? "f32" : c.intOperands === "i64" ? "f64" : c.fmt, c.emit);
  const assume = c.unobserved ? { flagsUnobserved: true, ...(c.unobserved.staticRounding ? { staticRounding: W(4) } : {}) } : undefined;
  const fast = await build(r, true, c.hardwareFma ?? true, assume, c.inlineFma), slow = await build(r, false, false);
  const opFmt: FpFormat = c.intOperands === "i32" ? "f32" : c.intOperands === "i64" ? "f64" : c.fmt;
  const ops = [0, 1, 2].map((k) => operands(opFmt, n, 7 + k * 1000 + c.name.length));
  const next = rng(99);
  let runs = 0;
  for (let i = 0; i < n; i++) {
    for (const preset of [0, 1, 0x1f, 0x11]) {
      const rm = c.unobserved?.staticRounding ? 0 : [0, 0, 0, 1, 2, 3, 4][next() % 7]!;
      const outs = [fast, slow].map(({ st, fn }) => {
        for (let k = 0; k < 3; k++) {
          if (opFmt === "f64") st.setI64(R(k + 1), BigInt.asIntN(64, ops[k]![i]!));
          else st.setI32(W(k + 1), Number(BigInt.asIntN(32, ops[k]![i]!)));
        }
        st.setI32(W(4), rm); st.setI32(FFLAGS, preset);
        st.setI64(R(0), 0n); st.setI32(W(0), 0);
        fn();
        return c.unobserved ? [st.getI64(R(0)), st.getI32(W(0))] : [st.getI64(R(0)), st.getI32(W(0)), st.getI32(FFLAGS)];
      });
      runs++;
      if (outs[0]!.join() !== outs[1]!.join()) {
        assert.unreachable(`${c.name}: operands ${ops.map((o) => "0x" + o[i]!.toString(16)).join(", ")} rm ${rm} flags ${preset}: fast ${outs[0]} exact ${outs[1]}`);
      }
    }
  }
  assert.is(slow.calls.n, runs, "without fast paths every op calls the helper");
  return { runs, helperCalls: fast.calls.n, hardwareFmaCalls: fast.calls.fma };
}

// This machine kind (x86-64 with FMA3, V8) has a fused relaxed_madd; the f64 tests below run the fused
// multiply-add through it and through the emulation, so neither path goes untested.
test("the host's fused multiply-add is found, and an unfused one is refused", () => {
  assert.ok(hardwareFma() !== undefined, "relaxed SIMD f64x2.relaxed_madd should be fused here (V8 on x86-64 with FMA3)");
  assert.ok(isFused(hardwareFma()!));
  assert.not.ok(isFused((a, b, c) => a * b + c), "a separate multiply and add is not fused");
  const exact = (a: number, b: number, c: number) => {
    const r = fpArith("f64", "madd", b64(a), b64(b), b64(c), 0, "canonical");
    dv.setBigUint64(0, r.bits); return dv.getFloat64(0);
  };
  assert.ok(isFused(exact), "the softfloat FMA is");
});

for (const hw of [true, false]) {
  test(`f64 madd with${hw ? "" : "out"} the host's FMA: fast path equals the exact helper`, async () => {
    const { runs, helperCalls, hardwareFmaCalls } = await differential({
      name: `f64-madd-${hw}`, fmt: "f64", hardwareFma: hw,
      emit: (b, a, rm) => ({ op: "farith", dst: b.temp("i64"), fmt: "f64", fop: "madd", a: a[0]!, b: a[1]!, c: a[2]!, rm, flags: FFLAGS, nan: "canonical" }),
    });
    assert.ok(runs - helperCalls >= runs * 0.05, `fast path taken (${runs - helperCalls} of ${runs})`);
    if (hw) assert.ok(hardwareFmaCalls >= runs, "every f64 madd calls the host's FMA");
    else assert.is(hardwareFmaCalls, 0, "the emulation runs instead");
  });
}

for (const unobserved of [undefined, { staticRounding: false }, { staticRounding: true }]) {
  test(`f64 madd inline as relaxed SIMD's relaxed_madd${unobserved ? ", flags unobserved" : ""}${unobserved?.staticRounding ? ", rounding static" : ""}: results equal the exact helper's`, async () => {
    const { runs, helperCalls, hardwareFmaCalls } = await differential({
      name: `f64-madd-inline-${JSON.stringify(unobserved)}`, fmt: "f64", inlineFma: true, ...(unobserved ? { unobserved } : {}),
      emit: (b, a, rm) => ({ op: "farith", dst: b.temp("i64"), fmt: "f64", fop: "madd", a: a[0]!, b: a[1]!, c: a[2]!, rm, flags: FFLAGS, nan: "canonical" }),
    });
    assert.is(hardwareFmaCalls, 0, "no call to the imported FMA");
    if (unobserved?.staticRounding) assert.is(helperCalls, 0, "no helper call in RNE");
    else assert.ok(runs - helperCalls >= runs * 0.05, `fast path taken (${runs - helperCalls} of ${runs})`);
  });
}

const ARITH: FpArith[] = ["add", "sub", "mul", "div", "sqrt", "madd", "min", "max"];
for (const fmt of ["f64", "f32"] as const) {
  for (const fop of ARITH) {
    if (fmt === "f64" && fop === "madd") continue; // above, with and without the host's FMA
    test(`${fmt} ${fop}: fast path equals the exact helper`, async () => {
      const { runs, helperCalls } = await differential({
        name: `${fmt}-${fop}`, fmt,
        emit: (b, a, rm) => ({ op: "farith", dst: b.temp(fmt === "f64" ? "i64" : "i32"), fmt, fop, a: a[0]!, ...(fop === "sqrt" ? {} : { b: a[1]! }), ...(fop === "madd" ? { c: a[2]! } : {}), rm, flags: FFLAGS, nan: "canonical" }),
      });
      assert.ok(runs - helperCalls >= runs * 0.05, `fast path taken (${runs - helperCalls} of ${runs})`);
    });
  }
  for (const cmp of ["eq", "lt", "le", "ltq", "leq", "unord"] as FpCmp[]) {
    test(`${fmt} compare ${cmp}: fast path equals the exact helper`, async () => {
      const { runs, helperCalls } = await differential({ name: `${fmt}-${cmp}`, fmt, emit: (b, a) => ({ op: "fcmp", dst: b.temp("i32"), fmt, cmp, a: a[0]!, b: a[1]!, flags: FFLAGS }) }, 600);
      assert.ok(runs - helperCalls >= runs * 0.05, `fast path taken (${runs - helperCalls} of ${runs})`);
    });
  }
  for (const width of [32, 64] as const) for (const signed of [true, false]) {
    test(`${fmt} to ${signed ? "" : "u"}int${width}: fast path equals the exact helper`, async () => {
      const { runs, helperCalls } = await differential({ name: `${fmt}-toint${width}${signed}`, fmt, emit: (b, a, rm) => ({ op: "ftoint", dst: b.temp(width === 64 ? "i64" : "i32"), fmt, a: a[0]!, width, signed, rm, flags: FFLAGS }) }, 800);
      assert.ok(runs - helperCalls >= runs * 0.05, `fast path taken (${runs - helperCalls} of ${runs})`);
    });
    test(`${signed ? "" : "u"}int${width} to ${fmt}: fast path equals the exact helper`, async () => {
      const { runs, helperCalls } = await differential({ name: `${fmt}-fromint${width}${signed}`, fmt, intOperands: width === 64 ? "i64" : "i32", emit: (b, a, rm) => ({ op: "inttof", dst: b.temp(fmt === "f64" ? "i64" : "i32"), fmt, a: a[0]!, signed, rm, flags: FFLAGS }) }, 800);
      assert.ok(runs - helperCalls >= runs * 0.05, `fast path taken (${runs - helperCalls} of ${runs})`);
    });
  }
  const from: FpFormat = fmt === "f64" ? "f32" : "f64";
  test(`${from} to ${fmt}: fast path equals the exact helper`, async () => {
    const { runs, helperCalls } = await differential({ name: `${fmt}-conv`, fmt: from, emit: (b, a, rm) => ({ op: "fconv", dst: b.temp(fmt === "f64" ? "i64" : "i32"), fmt, a: a[0]!, rm, flags: FFLAGS, nan: "canonical" }) }, 1000);
    assert.ok(runs - helperCalls >= runs * 0.05, `fast path taken (${runs - helperCalls} of ${runs})`);
  });
}

// Programs that never read the flags (translator/ir/fpenv.ts): the same differential on result bits, for
// a dynamic rounding mode and a static one. In RNE the arithmetic never calls the helper (one exception:
// f64 madd through the emulation, outside its exact ranges), NaNs come out canonical.
for (const staticRounding of [false, true]) {
  const how = `flags unobserved${staticRounding ? ", rounding static" : ""}`;
  for (const fmt of ["f64", "f32"] as const) {
    for (const fop of ARITH) for (const hw of fmt === "f64" && fop === "madd" ? [true, false] : [true]) {
      test(`${how}: ${fmt} ${fop}${hw ? "" : " (emulated FMA)"} results equal the exact helper's`, async () => {
        const { runs, helperCalls } = await differential({
          name: `u-${fmt}-${fop}-${hw}-${staticRounding}`, fmt, hardwareFma: hw, unobserved: { staticRounding },
          emit: (b, a, rm) => ({ op: "farith", dst: b.temp(fmt === "f64" ? "i64" : "i32"), fmt, fop, a: a[0]!, ...(fop === "sqrt" ? {} : { b: a[1]! }), ...(fop === "madd" ? { c: a[2]! } : {}), rm, flags: FFLAGS, nan: "canonical" }),
        }, 800);
        const total = fop !== "min" && fop !== "max" && !(fmt === "f32" && fop === "madd");
        if (staticRounding && total && hw) assert.is(helperCalls, 0, "no helper call in RNE");
        else assert.ok(runs - helperCalls >= runs * 0.05, `fast path taken (${runs - helperCalls} of ${runs})`);
      });
    }
    for (const cmp of ["eq", "lt", "le", "unord"] as FpCmp[]) {
      test(`${how}: ${fmt} compare ${cmp} results equal the exact helper's`, async () => {
        const { runs, helperCalls } = await differential({ name: `u-${fmt}-${cmp}`, fmt, unobserved: { staticRounding }, emit: (b, a) => ({ op: "fcmp", dst: b.temp("i32"), fmt, cmp, a: a[0]!, b: a[1]!, flags: FFLAGS }) }, 600);
        if (cmp !== "unord") assert.is(helperCalls, 0, "NaN operands need no helper when the flags are unobserved");
        else assert.ok(runs - helperCalls >= runs * 0.05);
      });
    }
    const from: FpFormat = fmt === "f64" ? "f32" : "f64";
    test(`${how}: ${from} to ${fmt} results equal the exact helper's`, async () => {
      const { runs, helperCalls } = await differential({ name: `u-${fmt}-conv`, fmt: from, unobserved: { staticRounding }, emit: (b, a, rm) => ({ op: "fconv", dst: b.temp(fmt === "f64" ? "i64" : "i32"), fmt, a: a[0]!, rm, flags: FFLAGS, nan: "canonical" }) }, 800);
      if (staticRounding || fmt === "f64") assert.is(helperCalls, 0, "no helper call");
      else assert.ok(runs - helperCalls >= runs * 0.05);
    });
    for (const width of [32, 64] as const) {
      test(`${how}: ${fmt} to int${width} results equal the exact helper's`, async () => {
        const { runs, helperCalls } = await differential({ name: `u-${fmt}-toint${width}`, fmt, unobserved: { staticRounding }, emit: (b, a, rm) => ({ op: "ftoint", dst: b.temp(width === 64 ? "i64" : "i32"), fmt, a: a[0]!, width, signed: true, rm, flags: FFLAGS }) }, 600);
        assert.ok(runs - helperCalls >= runs * 0.05);
      });
    }
  }
}

test("fused multiply-add keeps its single rounding on the fast path", async () => {
  // (1 + 2^-30)^2 - 1 = 2^-29 + 2^-60 exactly: a separately rounded product would lose 2^-60
  const r = region("f64", (b, a, rm) => ({ op: "farith", dst: b.temp("i64"), fmt: "f64", fop: "madd", a: a[0]!, b: a[1]!, c: a[2]!, rm, flags: FFLAGS, nan: "canonical" }));
  for (const hw of [true, false]) {
    const { st, fn, calls } = await build(r, true, hw);
    const x = 1 + 2 ** -30;
    st.setI64(R(1), BigInt.asIntN(64, b64(x))); st.setI64(R(2), BigInt.asIntN(64, b64(x))); st.setI64(R(3), BigInt.asIntN(64, b64(-1)));
    st.setI32(W(4), 0); st.setI32(FFLAGS, 1);
    fn();
    assert.is(BigInt.asUintN(64, st.getI64(R(0))), b64(2 ** -29 + 2 ** -60));
    assert.is(calls.n, 0, "computed without the exact helper");
    assert.is(calls.fma, hw ? 1 : 0, hw ? "by the host's FMA" : "by the emulation");
  }
});

test("a product that rounds up to the smallest normal was tiny: UF is raised, not just NX", async () => {
  // (1 - 2^-53) * 2^-1022 = 2^-1022 - 2^-1075: rounds to 2^-1022 in the format, but with an unbounded
  // exponent it is representable and below 2^-1022, so tininess after rounding holds (RISC-V): UF and NX
  const r = region("f64", (b, a, rm) => ({ op: "farith", dst: b.temp("i64"), fmt: "f64", fop: "mul", a: a[0]!, b: a[1]!, rm, flags: FFLAGS, nan: "canonical" }));
  for (const fast of [true, false]) {
    const { st, fn } = await build(r, fast);
    st.setI64(R(1), BigInt.asIntN(64, b64(1 - 2 ** -53))); st.setI64(R(2), BigInt.asIntN(64, b64(2 ** -1022)));
    st.setI32(W(4), 0); st.setI32(FFLAGS, 1);
    fn();
    assert.is(BigInt.asUintN(64, st.getI64(R(0))), b64(2 ** -1022));
    assert.is(st.getI32(FFLAGS), 3, `fast paths ${fast}: NX | UF`);
  }
});

test("flags unobserved: NaNs left raw between NaN-propagating ops are canonical wherever anything else sees them", async () => {
  // one block of four instructions: r4 = r1 + r2; r0 = r4 * r3 + r4 and r5 = -r4 (a sign flip on the bits);
  // a trap if w5; r6 = r0 * r0. NaN results may stay as Wasm leaves them (any sign and payload) only while
  // they feed add/sub/mul/div/sqrt/madd; every slot must hold RISC-V's canonical NaN at the block's end and
  // at the mid-block trap, and the sign flip must see the canonical NaN (0xfff8..., not a flipped payload).
  const b = new BlockBuilder(0x1000, types);
  const arith = (fop: FpArith, a: Temp, bb?: Temp, c?: Temp): Temp => {
    const dst = b.temp("i64");
    b.push({ op: "farith", dst, fmt: "f64", fop, a, ...(bb === undefined ? {} : { b: bb }), ...(c === undefined ? {} : { c }), rm: b.get(W(4)), flags: FFLAGS, nan: "canonical" });
    return dst;
  };
  b.insn(0x1000, 4);
  b.set(R(4), arith("add", b.get(R(1)), b.get(R(2))));
  b.insn(0x1004, 4);
  const x = b.get(R(4));
  b.set(R(0), arith("madd", x, b.get(R(3)), x));
  b.set(R(5), b.bin("i64", "xor", x, b.const("i64", -(1n << 63n))));
  b.insn(0x1008, 4);
  b.trapIf(b.get(W(5)), 4);
  b.insn(0x100c, 4);
  const y = b.get(R(0));
  b.set(R(6), arith("mul", y, y));
  const r = { entry: 0x1000, blocks: [b.finish({ kind: "jump", target: 0x1010 })] };
  const fast = await build(r, true, true, { flagsUnobserved: true, staticRounding: W(4) }), slow = await build(r, false, false);
  const values = [b64(1.5), b64(-0), b64(Infinity), b64(-Infinity), b64(NaN), 0xfff8000000000000n, 0x7ff0000000000001n,
    0xfff4000000000001n, 0x7ff8000000000123n, 0xfff0000000000000n + 5n];
  let nanResults = 0;
  for (const v1 of values) for (const v2 of values) for (const v3 of [b64(2), 0xfff8000000000000n]) for (const trap of [0, 1]) {
    const outs = [fast, slow].map(({ st, fn }) => {
      st.setI64(R(1), BigInt.asIntN(64, v1)); st.setI64(R(2), BigInt.asIntN(64, v2)); st.setI64(R(3), BigInt.asIntN(64, v3));
      st.setI32(W(4), 0); st.setI32(W(5), trap); st.setI32(FFLAGS, 0);
      for (const k of [0, 4, 5, 6]) st.setI64(R(k), 0n);
      fn();
      return [0, 4, 5, 6].map((k) => BigInt.asUintN(64, st.getI64(R(k))));
    });
    if (outs[0]![0] === 0x7ff8000000000000n) nanResults++;
    assert.equal(outs[0], outs[1], `operands 0x${v1.toString(16)}, 0x${v2.toString(16)}, 0x${v3.toString(16)}, trap ${trap}`);
  }
  assert.ok(nanResults > 50, `NaN results checked (${nanResults})`);
  assert.is(fast.calls.n, 0, "no helper call: every op ran inline");
});

test.run();
