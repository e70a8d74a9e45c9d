import { test } from "uvu";
import * as assert from "uvu/assert";
import binaryen from "binaryen";
import { findFmaSites, withFmaSites } from "../../translator/codegen/fmasites.ts";
import { customSection, encodeCustomSection, functionBodies, replaceBodies } from "./wasmbin.ts";
import { decodeFmaSites, FMA_SITES_SECTION, FmaSiteKind, inlineFmaSites } from "./fmapatch.ts";
import { hardwareFma, HW_FMA_IMPORT } from "../jit/hwfma.ts";

type Fn = (...args: number[]) => number;

/**
 * A module importing fma_f64 with two sites (one in a loop, one among instructions with immediates that
 * the scan must step over) and two calls that are no sites (operands computed, not local.gets).
 */
function moduleWithFmaCalls(): Uint8Array {
  const m = new binaryen.Module();
  try {
    const { f64, i32, i64 } = binaryen;
    const t3 = binaryen.createType([f64, f64, f64]);
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.TailCall | binaryen.Features.BulkMemory | binaryen.Features.NontrappingFPToInt | binaryen.Features.SignExt);
    m.addFunctionImport("other", "env", "other", binaryen.createType([i32]), i32);
    m.addFunctionImport("fma", HW_FMA_IMPORT.module, HW_FMA_IMPORT.fn, t3, f64);
    m.addGlobalImport("fused", HW_FMA_IMPORT.module, HW_FMA_IMPORT.fused, i32, false);
    m.setMemory(1, 1, null, [{ offset: m.i32.const(0), data: new Uint8Array([0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x10, 0x01]), passive: false }]);
    const g = (i: number) => m.local.get(i, f64);
    // f(a, b, c) = fused ? fma(a, b, c) : -1
    m.addFunction("f", t3, f64, [], m.if(m.global.get("fused", i32), m.call("fma", [g(0), g(1), g(2)], f64), m.f64.const(-1)));
    // g(a, b, c) = n times: c = fma(a, b, c), after a br_table, loads and constants whose bytes look like a site
    m.addFunction("g", binaryen.createType([f64, f64, f64, i32]), f64, [i64], m.block(null, [
      m.local.set(4, m.i64.const(0x2001200010012002n)),
      m.drop(m.i64.load(8, 8, m.i32.const(0))),
      m.drop(m.f64.const(1.0000000000000002)),
      m.block("out", [m.loop("again", m.block(null, [
        m.br("out", m.i32.eqz(m.local.get(3, i32))),
        m.block("sw", [m.switch(["sw", "out"], "sw", m.i32.const(0))]),
        m.local.set(2, m.call("fma", [g(0), g(1), g(2)], f64)),
        m.local.set(3, m.i32.sub(m.local.get(3, i32), m.i32.const(1))),
        m.br("again"),
      ]))]),
      m.drop(m.i32.trunc_s_sat.f64(g(0))),
      m.drop(m.call("other", [m.i32.const(1)], i32)),
      g(2),
    ], f64));
    // h(a, b, c) = fma(a + 0, b, c) + fma(a, b, -c): no local.gets in a row before the calls
    m.addFunction("h", t3, f64, [], m.f64.add(
      m.call("fma", [m.f64.add(g(0), m.f64.const(0)), g(1), g(2)], f64),
      m.call("fma", [g(0), g(1), m.f64.neg(g(2))], f64)));
    for (const n of ["f", "g", "h"]) m.addFunctionExport(n, n);
    assert.ok(m.validate(), "the test module validates");
    return m.emitBinary() as Uint8Array;
  } finally {
    m.dispose();
  }
}

// Operands where a fused multiply-add and a separate multiply and add differ.
const probes: Array<[number, number, number]> = [[1 + 2 ** -27, 1 + 2 ** -27, -(1 + 2 ** -26)], [1 + 2 ** -30, 1 + 2 ** -30, -1], [0.1, 10, -1], [3, 4, 5]];

test("the scan finds the calls of fma_f64 on three local.gets, and only those", () => {
  const bytes = moduleWithFmaCalls();
  const sites = findFmaSites(bytes);
  assert.equal(sites.map((s) => [s.kind, s.body]), [[FmaSiteKind.FusedRead, 0], [FmaSiteKind.Call, 0], [FmaSiteKind.Call, 1]],
    "the read of fma_fused and the call in f, one call in g, none in h");
  const code = functionBodies(bytes)!;
  for (const s of sites) assert.is(bytes[code.bodies[s.body]!.start + s.offset], s.kind === FmaSiteKind.Call ? 0x20 : 0x23, "a site starts at a local.get / global.get");
  const { binary, sites: n } = withFmaSites(bytes);
  assert.is(n, 2);
  assert.equal(decodeFmaSites(customSection(binary, FMA_SITES_SECTION)!), sites, "the section lists them");
  assert.ok(WebAssembly.validate(binary as Uint8Array<ArrayBuffer>), "the module with the section appended validates");
});

test("the sites inline as relaxed SIMD's multiply-add: same results as the host's FMA, fma_f64 no longer called", async () => {
  const fma = hardwareFma();
  assert.ok(fma, "this machine kind has a fused relaxed_madd (V8 on x86-64 with FMA3; Node needs --experimental-wasm-relaxed-simd)");
  const { binary } = withFmaSites(moduleWithFmaCalls());
  const patched = inlineFmaSites(binary);
  assert.is(patched.sites, 2);
  let calls = 0;
  // the unpatched module told the host's FMA is not fused: f gives -1; patched, f reads 1 there
  const env = { other: (x: number) => x, [HW_FMA_IMPORT.fused]: 0, [HW_FMA_IMPORT.fn]: (a: number, b: number, c: number) => { calls++; return fma(a, b, c); } };
  const plain = (await WebAssembly.instantiate(binary as Uint8Array<ArrayBuffer>, { env })).instance.exports as Record<string, Fn>;
  const inline = (await WebAssembly.instantiate(patched.bytes as Uint8Array<ArrayBuffer>, { env })).instance.exports as Record<string, Fn>;
  assert.is(plain.f!(1, 2, 3), -1);
  for (const [a, b, c] of probes) {
    assert.ok(Object.is(inline.f!(a, b, c), fma(a, b, c)), `f(${a}, ${b}, ${c})`);
    assert.ok(Object.is(inline.g!(a, b, c, 3), plain.g!(a, b, c, 3)), `g(${a}, ${b}, ${c}, 3)`);
    assert.ok(Object.is(inline.h!(a, b, c), plain.h!(a, b, c)), `h(${a}, ${b}, ${c})`);
  }
  assert.ok(Object.is(inline.f!(1 + 2 ** -27, 1 + 2 ** -27, -(1 + 2 ** -26)), 2 ** -54), "rounded once");
  calls = 0;
  inline.f!(1, 2, 3); inline.g!(1, 2, 3, 5);
  assert.is(calls, 0, "the sites no longer call fma_f64");
  inline.h!(1, 2, 3);
  assert.is(calls, 2, "the calls that are no sites still do");
});

test("a recorded site that is not such a call is an error, not a wrong patch", () => {
  const bytes = moduleWithFmaCalls();
  const site = findFmaSites(bytes).find((s) => s.kind === FmaSiteKind.Call);
  const wrong = encodeCustomSection(FMA_SITES_SECTION, new Uint8Array([1, FmaSiteKind.Call, site!.body, site!.offset + 1]));
  const out = new Uint8Array(bytes.length + wrong.length);
  out.set(bytes); out.set(wrong, bytes.length);
  assert.throws(() => inlineFmaSites(out), /no fused multiply-add site/);
  assert.is(inlineFmaSites(bytes).sites, 0, "a module without the section is left as it is");
  assert.is(inlineFmaSites(bytes).bytes, bytes);
});

test("replaceBodies writes the code section again with the new sizes (a body grown past a LEB128 byte)", async () => {
  const bytes = moduleWithFmaCalls();
  // f's body padded with 200 nops before its end: sizes change from one LEB128 byte to two
  const grown = replaceBodies(bytes, new Map([[0, (body: Uint8Array) => new Uint8Array([...body.subarray(0, body.length - 1), ...new Array(200).fill(0x01), 0x0b])]]));
  assert.is(grown.length, bytes.length + 200 + 1);
  const exports = (await WebAssembly.instantiate(grown as Uint8Array<ArrayBuffer>, { env: { other: (x: number) => x, [HW_FMA_IMPORT.fused]: 1, [HW_FMA_IMPORT.fn]: (a: number, b: number, c: number) => a * b + c } })).instance.exports as Record<string, Fn>;
  assert.is(exports.f!(2, 3, 4), 10);
  assert.is(exports.g!(1, 1, 0, 4), 4);
});

test.run();
