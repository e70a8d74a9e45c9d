// FP IR ops in the interpreter: operands reach the softfloat library as the right bit patterns, results
// come back into i32 (f32) / i64 (f64) temps, and exception flags accrue (OR) into the named state slot.
// Expected values are exact IEEE-754 results (representable, or rounded per the standard).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CODE_BASE, TEST_STATE, testMachine, type TestInsn, EXECUTORS, type Executor } from "../../runtime/interp/testguest.ts";
import type { BlockBuilder } from "./builder.ts";

const FFLAGS = TEST_STATE.slot("fflags");
const f64 = (x: number) => { const dv = new DataView(new ArrayBuffer(8)); dv.setFloat64(0, x); return dv.getBigInt64(0); };
const f32 = (x: number) => { const dv = new DataView(new ArrayBuffer(4)); dv.setFloat32(0, x); return dv.getInt32(0); };
const syscall: TestInsn = (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 });

/** Runs one instruction that computes into r0 (i64 result) or w0 (i32 result), with fflags preset. */
function run(executor: Executor, emit: (b: BlockBuilder) => number, presetFlags = 0) {
  const m = testMachine([
    (b) => {
      const t = emit(b);
      const ty = b.temps[t]!;
      b.set(TEST_STATE.slot(ty === "i64" || ty === "f64" ? "r0" : "w0"), t);
      return undefined;
    },
    syscall,
  ], { executor });
  m.state.set("fflags", presetFlags);
  assert.is(m.interp.run(CODE_BASE, 10).kind, "syscall");
  return { r0: m.state.get("r0") as bigint, w0: m.state.get("w0") as number, fflags: m.state.get("fflags") as number };
}

const arith = (b: BlockBuilder, fmt: "f32" | "f64", fop: "add" | "mul" | "div" | "madd", a: number, x: number, y?: number) => {
  const c = (v: number) => (fmt === "f64" ? b.i64(f64(v)) : b.i32(f32(v)));
  const dst = b.temp(fmt === "f64" ? "i64" : "i32");
  b.push({ op: "farith", dst, fmt, fop, a: c(a), b: c(x), ...(y === undefined ? {} : { c: c(y) }), rm: b.i32(0), flags: FFLAGS, nan: "canonical" });
  return dst;
};

for (const executor of EXECUTORS) {
  test(`${executor}: f64 add and f32 mul of exact values: no flags`, () => {
    const r = run(executor, (b) => arith(b, "f64", "add", 1.5, 2.25));
    assert.is(r.r0, f64(3.75));
    assert.is(r.fflags, 0);
    const s = run(executor, (b) => arith(b, "f32", "mul", 1.5, 2));
    assert.is(s.w0, f32(3));
  });

  test(`${executor}: inexact f64 division rounds to nearest and ORs NX into the flags slot`, () => {
    const r = run(executor, (b) => arith(b, "f64", "div", 1, 3), 0x10);
    assert.is(r.r0, f64(1 / 3));
    assert.is(r.fflags, 0x11);
  });

  test(`${executor}: fused multiply-add uses a single rounding`, () => {
    // (1 + 2^-30)^2 - 1 = 2^-29 + 2^-60 exactly; a separate rounding of the product would lose 2^-60
    const x = 1 + 2 ** -30;
    const r = run(executor, (b) => arith(b, "f64", "madd", x, x, -1));
    assert.is(r.r0, f64(2 ** -29 + 2 ** -60));
  });

  test(`${executor}: compare, convert to and from integers, f32 to f64`, () => {
    const lt = run(executor, (b) => {
      const dst = b.temp("i32");
      b.push({ op: "fcmp", dst, fmt: "f64", cmp: "lt", a: b.i64(f64(1)), b: b.i64(f64(2)), flags: FFLAGS });
      return dst;
    });
    assert.is(lt.w0, 1);
    const toInt = run(executor, (b) => {
      const dst = b.temp("i32");
      b.push({ op: "ftoint", dst, fmt: "f64", a: b.i64(f64(-2.5)), width: 32, signed: true, rm: b.i32(1), flags: FFLAGS });
      return dst;
    });
    assert.is(toInt.w0, -2);
    assert.is(toInt.fflags & 1, 1, "inexact");
    const fromU32 = run(executor, (b) => {
      const dst = b.temp("i64");
      b.push({ op: "inttof", dst, fmt: "f64", a: b.i32(-1), signed: false, rm: b.i32(0), flags: FFLAGS });
      return dst;
    });
    assert.is(fromU32.r0, f64(4294967295));
    const fromS64 = run(executor, (b) => {
      const dst = b.temp("i64");
      b.push({ op: "inttof", dst, fmt: "f64", a: b.i64(-7n), signed: true, rm: b.i32(0), flags: FFLAGS });
      return dst;
    });
    assert.is(fromS64.r0, f64(-7));
    const widen = run(executor, (b) => {
      const dst = b.temp("i64");
      b.push({ op: "fconv", dst, fmt: "f64", a: b.i32(f32(1.5)), rm: b.i32(0), flags: FFLAGS, nan: "canonical" });
      return dst;
    });
    assert.is(widen.r0, f64(1.5));
  });

  test(`${executor}: fclass of +infinity is the RISC-V class bit 7`, () => {
    const r = run(executor, (b) => {
      const dst = b.temp("i32");
      b.push({ op: "fclass", dst, fmt: "f64", a: b.i64(f64(Infinity)) });
      return dst;
    });
    assert.is(r.w0, 1 << 7);
  });
}

test.run();
