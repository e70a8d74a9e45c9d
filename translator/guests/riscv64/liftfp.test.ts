// F/D semantics of the lifter, run in the interpreter under both executors. Expected values follow the
// RISC-V unprivileged ISA manual (20191213) chapters 11-12 and IEEE 754: section numbers in the test names.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Signal } from "../../ir/ir.ts";
import { boxed, DATA, f32, f64, I, runInsns, s64 , LIFT_EXECUTORS } from "./lifttest.ts";

const CANONICAL_NAN32 = 0xffff_ffff_7fc0_0000n; // boxed
const CANONICAL_NAN64 = 0x7ff8_0000_0000_0000n;
const NV = 16, DZ = 8, NX = 1;

for (const executor of LIFT_EXECUTORS) {
  const t = (name: string, fn: () => void) => test(`${executor}: ${name}`, fn);

  t("f32 results are NaN-boxed; an operand that is not NaN-boxed reads as the canonical NaN (§12.2)", () => {
    const r = runInsns(executor, [
      I("fadd.s", { rd: 1, rs1: 10, rs2: 11, rm: 0 }), // 1 + 2
      I("fadd.s", { rd: 2, rs1: 12, rs2: 11, rm: 0 }), // unboxed 1.0 + 2 → canonical NaN, no flags (quiet)
      I("fsgnj.s", { rd: 3, rs1: 12, rs2: 13 }), // canonical NaN with rs2's sign (negative)
      I("fmv.x.w", { rd: 4, rs1: 12 }), // transfer: no NaN-box check, sign-extended low word
      I("flw", { rd: 5, rs1: 20, imm: 0 }),
      I("fmv.w.x", { rd: 6, rs1: 21 }),
      I("fsw", { rs1: 20, rs2: 12, imm: 8 }), // stores the low word as is
      I("fmv.x.w", { rd: 7, rs1: 13 }), // -1.0f: 0xbf800000 sign-extended
      I("fcvt.d.s", { rd: 8, rs1: 12, rm: 0 }), // unboxed input: canonical NaN → f64 canonical NaN
    ], (s, m) => {
      s.set("f10", boxed(1)); s.set("f11", boxed(2)); s.set("f12", BigInt(f32(1))); s.set("f13", boxed(-1));
      s.set("x20", BigInt(DATA)); s.set("x21", 0x1234_5678_4049_0fdbn);
      m.dv.setUint32(DATA, f32(0.5), true);
    });
    assert.is(r.f(1), boxed(3));
    assert.is(r.f(2), CANONICAL_NAN32);
    assert.is(r.f(3), 0xffff_ffff_ffc0_0000n);
    assert.is(r.x(4), BigInt(f32(1)));
    assert.is(r.f(5), boxed(0.5));
    assert.is(r.f(6), 0xffff_ffff_4049_0fdbn);
    assert.is(r.mem.dv.getUint32(DATA + 8, true), f32(1));
    assert.is(r.mem.dv.getUint32(DATA + 12, true), 0, "fsw writes 4 bytes");
    assert.is(r.x(7), s64(0xffff_ffff_bf80_0000n));
    assert.is(r.f(8), CANONICAL_NAN64);
    assert.is(r.state.get("fflags"), 0);
  });

  t("sign injection is a pure bit operation: no canonicalisation, no flags (§11.6)", () => {
    const sNaN64 = 0x7ff0_0000_0000_0001n;
    const r = runInsns(executor, [
      I("fsgnjn.d", { rd: 1, rs1: 10, rs2: 10 }), // fneg of a signalling NaN: sign flipped, payload kept
      I("fsgnjx.d", { rd: 2, rs1: 11, rs2: 11 }), // fabs(-3) = 3
      I("fsgnj.d", { rd: 3, rs1: 12, rs2: 11 }), // 2 with the sign of -3
      I("fsgnjx.s", { rd: 4, rs1: 13, rs2: 14 }), // -1 ^ sign(-2) = +1
      I("fsgnj.d", { rd: 5, rs1: 10, rs2: 10 }), // fmv.d
    ], (s) => {
      s.set("f10", sNaN64); s.set("f11", f64(-3)); s.set("f12", f64(2)); s.set("f13", boxed(-1)); s.set("f14", boxed(-2));
    });
    assert.is(r.f(1), sNaN64 | (1n << 63n));
    assert.is(r.f(2), f64(3));
    assert.is(r.f(3), f64(-2));
    assert.is(r.f(4), boxed(1));
    assert.is(r.f(5), sNaN64);
    assert.is(r.state.get("fflags"), 0);
  });

  t("fused multiply-add family negates exactly per the manual (§11.6)", () => {
    const r = runInsns(executor, [
      I("fmadd.d", { rd: 1, rs1: 10, rs2: 11, rs3: 12, rm: 0 }), // 2*3 + 1
      I("fmsub.d", { rd: 2, rs1: 10, rs2: 11, rs3: 12, rm: 0 }), // 2*3 - 1
      I("fnmsub.d", { rd: 3, rs1: 10, rs2: 11, rs3: 12, rm: 0 }), // -(2*3) + 1
      I("fnmadd.d", { rd: 4, rs1: 10, rs2: 11, rs3: 12, rm: 0 }), // -(2*3) - 1
      I("fnmadd.s", { rd: 5, rs1: 13, rs2: 13, rs3: 13, rm: 0 }), // -(0.5*0.5) - 0.5
      I("fmsub.d", { rd: 6, rs1: 14, rs2: 14, rs3: 15, rm: 0 }), // 0*0 - 0 = +0 - +0 = +0 in RNE
      I("fnmadd.d", { rd: 7, rs1: 14, rs2: 14, rs3: 14, rm: 0 }), // -(0*0) - 0 = -0 + -0 = -0
    ], (s) => {
      s.set("f10", f64(2)); s.set("f11", f64(3)); s.set("f12", f64(1)); s.set("f13", boxed(0.5));
      s.set("f14", f64(0)); s.set("f15", f64(0));
    });
    assert.is(r.f(1), f64(7));
    assert.is(r.f(2), f64(5));
    assert.is(r.f(3), f64(-5));
    assert.is(r.f(4), f64(-7));
    assert.is(r.f(5), boxed(-0.75));
    assert.is(r.f(6), f64(0));
    assert.is(r.f(7), f64(-0));
  });

  t("rounding mode: static rm, dynamic rm reads frm (§11.2)", () => {
    const r = runInsns(executor, [
      I("fcvt.w.d", { rd: 1, rs1: 10, rm: 7 }), // frm = RTZ: 2.5 → 2
      I("fcvt.w.d", { rd: 2, rs1: 10, rm: 3 }), // RUP → 3
      I("fcvt.w.d", { rd: 3, rs1: 10, rm: 0 }), // RNE ties to even → 2
      I("fcvt.w.d", { rd: 4, rs1: 11, rm: 4 }), // RMM: -2.5 → -3
      I("fcvt.w.d", { rd: 5, rs1: 11, rm: 2 }), // RDN: -2.5 → -3
      I("fdiv.d", { rd: 6, rs1: 12, rs2: 13, rm: 7 }), // 1/3 towards zero
      I("fdiv.d", { rd: 7, rs1: 12, rs2: 13, rm: 3 }), // 1/3 upwards: one ulp above RTZ
    ], (s) => {
      s.set("frm", 1); s.set("f10", f64(2.5)); s.set("f11", f64(-2.5)); s.set("f12", f64(1)); s.set("f13", f64(3));
    });
    assert.is(r.x(1), 2n);
    assert.is(r.x(2), 3n);
    assert.is(r.x(3), 2n);
    assert.is(r.x(4), -3n);
    assert.is(r.x(5), -3n);
    assert.is(r.f(6), f64(0.3333333333333333)); // 0x3fd5555555555555 is below 1/3
    assert.is(r.f(7), f64(0.3333333333333333) + 1n);
    assert.is(r.state.get("fflags"), NX);
  });

  t("invalid rounding modes are illegal instructions: rm 5/6, or rm 7 with frm >= 5 (§11.2)", () => {
    for (const [rm, frm] of [[5, 0], [6, 0], [7, 5], [7, 6], [7, 7]] as const) {
      const r = runInsns(executor, [
        I("addi", { rd: 1, rs1: 0, imm: 1 }),
        I("fadd.d", { rd: 2, rs1: 10, rs2: 10, rm }),
      ], (s) => { s.set("frm", frm); s.set("f10", f64(1)); });
      assert.equal(r.stop, { kind: "trap", signal: Signal.SIGILL, code: 1, pc: r.pcOf(1) }, `rm ${rm} frm ${frm}`);
      assert.is(r.x(1), 1n);
      assert.is(r.f(2), 0n);
    }
    const c = runInsns(executor, [I("fcvt.d.w", { rd: 1, rs1: 0, rm: 5 })]);
    assert.is(c.stop.kind, "trap", "conversions validate rm too");
  });

  t("fp → integer conversions saturate and raise NV; 32-bit results are sign-extended (§11.7 table 11.4)", () => {
    const r = runInsns(executor, [
      I("fcvt.w.d", { rd: 1, rs1: 10, rm: 1 }), // 1e10 → 2^31 - 1
      I("fcvt.w.d", { rd: 2, rs1: 11, rm: 1 }), // NaN → 2^31 - 1
      I("fcvt.w.d", { rd: 3, rs1: 12, rm: 1 }), // -inf → -2^31
      I("fcvt.wu.d", { rd: 4, rs1: 13, rm: 1 }), // -1 → 0
      I("fcvt.wu.d", { rd: 5, rs1: 14, rm: 1 }), // 4e9 fits: 4000000000 sign-extended
      I("fcvt.l.d", { rd: 6, rs1: 12, rm: 1 }), // -inf → -2^63
      I("fcvt.lu.d", { rd: 7, rs1: 11, rm: 1 }), // NaN → 2^64 - 1
      I("fcvt.l.s", { rd: 8, rs1: 15, rm: 1 }), // -1.5f → -1
      I("fcvt.wu.s", { rd: 9, rs1: 16, rm: 1 }), // 3e9f → 3000000000 sign-extended
      I("fcvt.lu.d", { rd: 17, rs1: 18, rm: 0 }), // -0.4 rounds to -0: 0, inexact, not invalid
    ], (s) => {
      s.set("f10", f64(1e10)); s.set("f11", CANONICAL_NAN64); s.set("f12", f64(-Infinity)); s.set("f13", f64(-1));
      s.set("f14", f64(4e9)); s.set("f15", boxed(-1.5)); s.set("f16", boxed(3e9)); s.set("f18", f64(-0.4));
    });
    assert.is(r.x(1), 0x7fff_ffffn);
    assert.is(r.x(2), 0x7fff_ffffn);
    assert.is(r.x(3), -0x8000_0000n);
    assert.is(r.x(4), 0n);
    assert.is(r.x(5), s64(4_000_000_000n | 0xffff_ffff_0000_0000n));
    assert.is(r.x(6), -(1n << 63n));
    assert.is(r.x(7), -1n);
    assert.is(r.x(8), -1n);
    assert.is(r.x(9), s64(3_000_000_000n | 0xffff_ffff_0000_0000n));
    assert.is(r.x(17), 0n);
    assert.is(r.state.get("fflags"), NV | NX);
    const exact = runInsns(executor, [I("fcvt.w.d", { rd: 1, rs1: 10, rm: 0 })], (s) => s.set("f10", f64(-7)));
    assert.is(exact.x(1), -7n);
    assert.is(exact.state.get("fflags"), 0);
  });

  t("integer → fp conversions take the low 32 bits for w/wu, round with rm (§11.7)", () => {
    const r = runInsns(executor, [
      I("fcvt.d.w", { rd: 1, rs1: 10, rm: 0 }), // low word 0xffffffff → -1
      I("fcvt.d.wu", { rd: 2, rs1: 10, rm: 0 }), // → 4294967295
      I("fcvt.d.l", { rd: 3, rs1: 10, rm: 0 }), // 0x1_ffffffff
      I("fcvt.d.lu", { rd: 4, rs1: 11, rm: 0 }), // 2^64 - 1 → 2^64 (inexact)
      I("fcvt.s.l", { rd: 5, rs1: 12, rm: 1 }), // 2^24 + 1 → 2^24 towards zero (inexact)
      I("fcvt.s.w", { rd: 6, rs1: 13, rm: 0 }), // -3
    ], (s) => { s.set("x10", 0x1_ffff_ffffn); s.set("x11", -1n); s.set("x12", (1n << 24n) + 1n); s.set("x13", -3n); });
    assert.is(r.f(1), f64(-1));
    assert.is(r.f(2), f64(4294967295));
    assert.is(r.f(3), f64(0x1_ffff_ffff));
    assert.is(r.f(4), f64(2 ** 64));
    assert.is(r.f(5), boxed(2 ** 24));
    assert.is(r.f(6), boxed(-3));
    assert.is(r.state.get("fflags"), NX);
  });

  t("compares: feq quiet, flt/fle signal on any NaN; fclass; fmin/fmax (§11.8, §11.9, §11.6)", () => {
    const qNaN = CANONICAL_NAN64;
    const q = runInsns(executor, [
      I("feq.d", { rd: 1, rs1: 10, rs2: 11 }), // quiet NaN: 0, no flag
      I("feq.d", { rd: 2, rs1: 12, rs2: 13 }), // -0 == +0
      I("fle.d", { rd: 3, rs1: 13, rs2: 12 }), // +0 <= -0
      I("flt.s", { rd: 4, rs1: 14, rs2: 15 }), // 1 < 2
      I("fmin.d", { rd: 5, rs1: 10, rs2: 11 }), // qNaN ignored → 1
      I("fmax.d", { rd: 6, rs1: 12, rs2: 13 }), // max(-0, +0) = +0
      I("fmin.d", { rd: 7, rs1: 12, rs2: 13 }), // -0
      I("fmin.s", { rd: 8, rs1: 16, rs2: 16 }), // both NaN (unboxed) → canonical
      I("fclass.d", { rd: 9, rs1: 17 }), // -inf: bit 0
      I("fclass.d", { rd: 18, rs1: 13 }), // +0: bit 4
      I("fclass.d", { rd: 19, rs1: 10 }), // quiet NaN: bit 9
      I("fclass.s", { rd: 20, rs1: 16 }), // not NaN-boxed: canonical quiet NaN, bit 9
    ], (s) => {
      s.set("f10", qNaN); s.set("f11", f64(1)); s.set("f12", f64(-0)); s.set("f13", f64(0));
      s.set("f14", boxed(1)); s.set("f15", boxed(2)); s.set("f16", 0n); s.set("f17", f64(-Infinity));
    });
    assert.equal([1, 2, 3, 4].map((i) => q.x(i)), [0n, 1n, 1n, 1n]);
    assert.is(q.f(5), f64(1));
    assert.is(q.f(6), f64(0));
    assert.is(q.f(7), f64(-0));
    assert.is(q.f(8), CANONICAL_NAN32);
    assert.equal([9, 18, 19, 20].map((i) => q.x(i)), [1n, 16n, 512n, 512n]);
    assert.is(q.state.get("fflags"), 0);
    const s = runInsns(executor, [I("flt.d", { rd: 1, rs1: 10, rs2: 11 })], (st) => { st.set("f10", qNaN); st.set("f11", f64(1)); });
    assert.is(s.x(1), 0n);
    assert.is(s.state.get("fflags"), NV);
  });

  t("arithmetic accrues flags into fflags, sqrt, f32 ↔ f64 (§11.6, §12.5)", () => {
    const r = runInsns(executor, [
      I("fdiv.d", { rd: 1, rs1: 10, rs2: 11, rm: 0 }), // 1/0 = +inf, DZ
      I("fsqrt.d", { rd: 2, rs1: 12, rm: 0 }), // sqrt(-1) = canonical NaN, NV
      I("fsqrt.s", { rd: 3, rs1: 13, rm: 0 }), // sqrt(2.25) = 1.5 exact
      I("fcvt.s.d", { rd: 4, rs1: 14, rm: 0 }), // 0.1 → nearest f32, inexact
      I("fcvt.d.s", { rd: 5, rs1: 13, rm: 0 }), // exact
      I("fsub.s", { rd: 6, rs1: 13, rs2: 13, rm: 2 }), // x - x = -0 in RDN
      I("fmul.d", { rd: 7, rs1: 11, rs2: 12, rm: 0 }), // 0 * -1 = -0
    ], (s) => {
      s.set("f10", f64(1)); s.set("f11", f64(0)); s.set("f12", f64(-1)); s.set("f13", boxed(2.25)); s.set("f14", f64(0.1));
      s.set("fflags", 0);
    });
    assert.is(r.f(1), f64(Infinity));
    assert.is(r.f(2), CANONICAL_NAN64);
    assert.is(r.f(3), boxed(1.5));
    assert.is(r.f(4), boxed(Math.fround(0.1)));
    assert.is(r.f(5), f64(2.25));
    assert.is(r.f(6), boxed(-0));
    assert.is(r.f(7), f64(-0));
    assert.is(r.state.get("fflags"), DZ | NV | NX);
  });

  t("fld/fsd and fmv.x.d/fmv.d.x move 64-bit patterns unchanged (§12.3, §12.6)", () => {
    const sNaN = 0x7ff0_0000_dead_beefn;
    const r = runInsns(executor, [
      I("fld", { rd: 1, rs1: 10, imm: 3 }), // misaligned
      I("fsd", { rs1: 10, rs2: 1, imm: 16 }),
      I("fmv.x.d", { rd: 2, rs1: 1 }),
      I("fmv.d.x", { rd: 3, rs1: 11 }),
    ], (s, m) => { s.set("x10", BigInt(DATA)); s.set("x11", -2n); m.dv.setBigUint64(DATA + 3, sNaN, true); });
    assert.is(r.f(1), sNaN);
    assert.is(r.mem.dv.getBigUint64(DATA + 16, true), sNaN);
    assert.is(r.x(2), sNaN);
    assert.is(r.f(3), 0xffff_ffff_ffff_fffen);
    assert.is(r.state.get("fflags"), 0);
  });
}

test.run();
