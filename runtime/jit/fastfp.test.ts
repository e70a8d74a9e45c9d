// The double-based FP fast paths against the exact soft-float arithmetic (no fast paths): wherever one answers, its
// result bits and inexact flag must equal soft-float's under round-to-nearest-even.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fpArithExact as fpArith } from "../fp/softfloat.ts";
import { add32, add64, div32, div64, fma32, fma64, mul32, mul64, sqrt32, sqrt64, type FastResult } from "./fastfp.ts";

const f64 = new Float64Array(1), u64 = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const bits64 = (x: number) => { f64[0] = x; return u64[0]!; };
const bits32 = (x: number) => { f32[0] = x; return BigInt(u32[0]!); };

/** xorshift64*: deterministic random doubles spread over many exponents, with ties and exact cases. */
function rng(seed: bigint) {
  let s = seed;
  const next = () => { s ^= s >> 12n; s ^= (s << 25n) & 0xffffffffffffffffn; s ^= s >> 27n; return (s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn; };
  return {
    double(): number {
      const r = next();
      switch (Number(r & 7n)) {
        case 0: return Number(BigInt.asIntN(20, r >> 8n)); // small integers: exact results
        case 1: return Number(BigInt.asIntN(20, r >> 8n)) / 1024; // short fractions
        case 2: { u64[0] = next(); return f64[0]!; } // any bit pattern (NaN, inf, subnormal, huge)
        default: { // mantissa random, exponent in ±60
          const m = Number(r >> 11n) / 2 ** 53 + 1;
          const e = Number((r >> 3n) & 127n) - 64;
          return (r & 4n ? -1 : 1) * m * 2 ** e;
        }
      }
    },
  };
}

type Op = "add" | "sub" | "mul" | "div" | "sqrt" | "madd";
const OPS: Op[] = ["add", "sub", "mul", "div", "sqrt", "madd"];
const fast64: Record<Op, (a: number, b: number, c: number) => FastResult | undefined> = {
  add: (a, b) => add64(a, b), sub: (a, b) => add64(a, -b), mul: (a, b) => mul64(a, b),
  div: (a, b) => div64(a, b), sqrt: (a) => sqrt64(a), madd: (a, b, c) => fma64(a, b, c),
};
const fast32: Record<Op, (a: number, b: number, c: number) => FastResult | undefined> = {
  add: (a, b) => add32(a, b), sub: (a, b) => add32(a, -b), mul: (a, b) => mul32(a, b),
  div: (a, b) => div32(a, b), sqrt: (a) => sqrt32(a), madd: (a, b, c) => fma32(a, b, c),
};

for (const fmt of ["f64", "f32"] as const) {
  test(`${fmt} fast paths agree with soft-float (RNE), and cover most ordinary operands`, () => {
    const r = rng(fmt === "f64" ? 0x9e3779b97f4a7c15n : 0x2545f4914f6cdd1dn);
    const answered: Record<string, number> = {};
    let inexact = 0;
    for (let i = 0; i < 60000; i++) {
      const op = OPS[i % OPS.length]!;
      let a = r.double(), b = r.double(), c = r.double();
      if (op === "sqrt") a = Math.abs(a);
      if (fmt === "f32") { a = Math.fround(a); b = Math.fround(b); c = Math.fround(c); }
      const got = (fmt === "f64" ? fast64 : fast32)[op](a, b, c);
      if (got === undefined) continue;
      answered[op] = (answered[op] ?? 0) + 1;
      const bits = fmt === "f64" ? bits64 : bits32;
      const want = fpArith(fmt, op, bits(a), bits(b), bits(c), 0, "canonical");
      const ctx = `${op}(${a}, ${b}, ${c})`;
      assert.is(bits(got.value), want.bits, `${fmt} ${ctx}: value`);
      assert.is(got.inexact ? 1 : 0, want.flags, `${fmt} ${ctx}: flags`);
      if (got.inexact) inexact++;
    }
    for (const op of OPS) assert.ok((answered[op] ?? 0) > 3000, `${fmt} ${op}: fast path answered only ${answered[op] ?? 0} of 10000`);
    assert.ok(inexact > 10000, `${inexact} inexact results`);
  });
}

test("fused multiply-add: hard cases for the round-to-odd emulation", () => {
  // products whose low part decides the rounding of the sum (double rounding would get them wrong)
  const cases: Array<[number, number, number]> = [
    [1 + 2 ** -52, 1 + 2 ** -52, -1],
    [1 + 2 ** -30, 1 + 2 ** -30, -(1 + 2 ** -29)],
    [1 + 2 ** -52, 1 - 2 ** -53, -1],
    [3, 1 / 3, -1],
    [0.1, 10, -1],
    [1 + 2 ** -27, 1 + 2 ** -27, 2 ** -54],
    [1 + 2 ** -26, 1 - 2 ** -26, -1],
    // found by search: rounding th + (tl + ul) without rounding to odd gives a wrong last bit here
    [1 + 2 ** -52, (1 + 2 ** -52) / 4, -1.5],
    [1 + 2 ** -52, (1 + 2 ** -52) / 8, -(1 + 2 ** -13)],
    [1 + 2 ** -52, (1 + 2 ** -52) / 8, -(1 + 2 ** -10)],
  ];
  for (const [a, b, c] of cases) {
    const got = fma64(a, b, c);
    assert.ok(got !== undefined, `fma(${a}, ${b}, ${c}) is inside the fast path's range`);
    const want = fpArith("f64", "madd", bits64(a), bits64(b), bits64(c), 0, "canonical");
    assert.is(bits64(got.value), want.bits, `fma(${a}, ${b}, ${c})`);
    assert.is(got.inexact ? 1 : 0, want.flags, `fma(${a}, ${b}, ${c}) flags`);
  }
});

test.run();
