// Lazy flag records (setflags/getflag) evaluated by the interpreter, against the PowerPC manual's
// definitions of CR fields (LT/GT/EQ/SO of a compare), XER[CA] (carry out of a + b + CA) and XER[OV].
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Flag, FlagKind } from "./ir.ts";
import { FLAG_KIND_CODE } from "./ir.ts";
import { BlockBuilder } from "./builder.ts";
import { deadFlagRecords } from "../../runtime/interp/compile.ts";
import { CODE_BASE, TEST_STATE, UNMAPPED, testMachine, type TestInsn, EXECUTORS, type Executor } from "../../runtime/interp/testguest.ts";

const CR0 = 0, XER = 1;
const FLAGS: Flag[] = ["lt", "gt", "eq", "so", "un", "ca", "ov"];
const syscall: TestInsn = (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 });
const f64bits = (x: number) => { const dv = new DataView(new ArrayBuffer(8)); dv.setFloat64(0, x); return dv.getBigInt64(0); };

interface Rec { kind: FlagKind; width: 32 | 64; a: bigint; b: bigint; x?: bigint; i32?: boolean }

/**
 * Sets a record in one block and reads every flag both in the same block (statically known record) and in
 * a later block (record read back from the state); returns the flags as a string like "lt=1 gt=0 ...".
 */
function evalRecord(executor: Executor, r: Rec): { same: string; later: string } {
  const mk = (b: import("./builder.ts").BlockBuilder, v: bigint) => (r.i32 ? b.i32(Number(BigInt.asIntN(32, v))) : b.i64(v));
  const readAll = (b: import("./builder.ts").BlockBuilder, base: number) => {
    FLAGS.forEach((f, i) => b.store(b.i64(BigInt(0x100000 + base + 4 * i)), b.getFlag(CR0, f), 4, "le"));
  };
  const program: TestInsn[] = [
    (b) => {
      b.setFlags(CR0, r.kind, r.width, mk(b, r.a), mk(b, r.b), r.x === undefined ? undefined : mk(b, r.x));
      readAll(b, 0);
      return { kind: "jump", target: CODE_BASE + 4 };
    },
    (b) => { readAll(b, 64); return undefined; },
    syscall,
  ];
  const m = testMachine(program, { executor });
  assert.is(m.interp.run(CODE_BASE, 100).kind, "syscall");
  const show = (base: number) => FLAGS.map((f, i) => `${f}=${m.mem.dv.getInt32(0x100000 + base + 4 * i, true)}`).join(" ");
  return { same: show(0), later: show(64) };
}

const expect = (lt: number, gt: number, eq: number, so: number, ca = 0, ov = 0) =>
  `lt=${lt} gt=${gt} eq=${eq} so=${so} un=${so} ca=${ca} ov=${ov}`;

const CASES: Array<[string, Rec, string]> = [
  ["cmps 32: -1 < 1", { kind: "cmps", width: 32, a: -1n, b: 1n }, expect(1, 0, 0, 0)],
  ["cmps 32 with SO in x", { kind: "cmps", width: 32, a: 5n, b: 5n, x: 1n }, expect(0, 0, 1, 1)],
  ["cmpu 32: 0xffffffff > 1", { kind: "cmpu", width: 32, a: -1n, b: 1n }, expect(0, 1, 0, 0)],
  ["cmps 32 ignores high bits", { kind: "cmps", width: 32, a: 0x100000000n, b: 1n }, expect(1, 0, 0, 0)],
  ["cmps 64 sees high bits", { kind: "cmps", width: 64, a: 0x100000000n, b: 1n }, expect(0, 1, 0, 0)],
  ["cmpu 64: MIN > 1", { kind: "cmpu", width: 64, a: -0x8000000000000000n, b: 1n }, expect(0, 1, 0, 0)],
  ["cmps 32 from i32 temps", { kind: "cmps", width: 32, a: -0x80000000n, b: 0x7fffffffn, i32: true }, expect(1, 0, 0, 0)],
  ["cmpu 32 from i32 temps", { kind: "cmpu", width: 32, a: -0x80000000n, b: 0x7fffffffn, i32: true }, expect(0, 1, 0, 0)],
  ["bits 0b1010", { kind: "bits", width: 32, a: 0b1010n, b: 0n }, expect(1, 0, 1, 0)],
  ["bits 0b0101", { kind: "bits", width: 32, a: 0b0101n, b: 0n }, expect(0, 1, 0, 1)],
  ["addc 32: 0xffffffff + 1 carries, no overflow", { kind: "addc", width: 32, a: 0xffffffffn, b: 1n, x: 0n }, expect(0, 0, 1, 0, 1, 0)],
  ["addc 32: 0x7fffffff + 1 overflows, no carry", { kind: "addc", width: 32, a: 0x7fffffffn, b: 1n, x: 0n }, expect(1, 0, 0, 0, 0, 1)],
  ["addc 32: 0xfffffffe + 1 + CA carries", { kind: "addc", width: 32, a: 0xfffffffen, b: 1n, x: 1n }, expect(0, 0, 1, 0, 1, 0)],
  ["addc 32: 0xfffffffe + 1 without CA", { kind: "addc", width: 32, a: 0xfffffffen, b: 1n }, expect(1, 0, 0, 0, 0, 0)],
  ["addc 32: 0x80000000 + 0x80000000 carries and overflows", { kind: "addc", width: 32, a: 0x80000000n, b: 0x80000000n }, expect(0, 0, 1, 0, 1, 1)],
  ["addc 64: -1 + 1 carries", { kind: "addc", width: 64, a: -1n, b: 1n }, expect(0, 0, 1, 0, 1, 0)],
  ["addc 64: 0xffffffff + 1 does not carry at 64", { kind: "addc", width: 64, a: 0xffffffffn, b: 1n }, expect(0, 1, 0, 0, 0, 0)],
  ["fcmp 1.0 < 2.0", { kind: "fcmp", width: 64, a: f64bits(1), b: f64bits(2) }, expect(1, 0, 0, 0)],
  ["fcmp 3.5 > -7", { kind: "fcmp", width: 64, a: f64bits(3.5), b: f64bits(-7) }, expect(0, 1, 0, 0)],
  ["fcmp -0 == +0", { kind: "fcmp", width: 64, a: f64bits(-0), b: f64bits(0) }, expect(0, 0, 1, 0)],
  ["fcmp NaN unordered", { kind: "fcmp", width: 64, a: f64bits(NaN), b: f64bits(1) }, expect(0, 0, 0, 1)],
  ["fcmp -inf < 1", { kind: "fcmp", width: 64, a: f64bits(-Infinity), b: f64bits(1) }, expect(1, 0, 0, 0)],
];

test("dead-flag elimination drops only records overwritten before any observation or possible exit", () => {
  const b = new BlockBuilder(CODE_BASE, TEST_STATE.slots.map((s) => s.ty));
  b.insn(CODE_BASE, 4);
  const x = b.i32(1);                                 // op 1
  b.setFlags(CR0, "cmps", 32, x, x);                  // op 2: observed by the load's possible fault: live
  b.load("i32", b.i64(BigInt(UNMAPPED)), 4, false, "le"); // ops 3, 4
  b.setFlags(CR0, "cmps", 32, x, x);                  // op 5: overwritten by op 6 unobserved: dead
  b.setFlags(CR0, "cmpu", 32, x, x);                  // op 6: read by op 7: live
  b.getFlag(CR0, "lt");                               // op 7
  b.setFlags(XER, "addc", 32, x, x);                  // op 8: its slot is read by op 9: live
  b.get(TEST_STATE.slot("xer.a"));                    // op 9
  b.setFlags(XER, "addc", 32, x, x);                  // op 10: last record of the block: live
  const block = b.finish({ kind: "jump", target: CODE_BASE + 4 });
  assert.equal([...deadFlagRecords(block, TEST_STATE)], [5]);
});

for (const executor of EXECUTORS) {
  for (const [name, rec, want] of CASES) {
    test(`${executor}: flags: ${name}`, () => {
      const got = evalRecord(executor, rec);
      assert.is(got.same, want, "read in the same block");
      assert.is(got.later, want, "read in a later block (from the state)");
    });
  }

  test(`${executor}: the record lands in the state slots (kind word with width), dead records are overwritten, unset groups read 0`, () => {
    const program: TestInsn[] = [
      (b) => {
        b.setFlags(XER, "cmps", 32, b.i64(1n), b.i64(2n));
        b.setFlags(XER, "addc", 64, b.i64(-1n), b.i64(2n), b.i64(1n)); // overwrites the dead cmps record
        b.set(TEST_STATE.slot("w0"), b.getFlag(XER, "ca"));
        b.set(TEST_STATE.slot("w1"), b.getFlag(XER, "lt"));
        b.set(TEST_STATE.slot("w2"), b.getFlag(CR0, "eq"));
        b.set(TEST_STATE.slot("w3"), b.getFlag(CR0, "lt"));
        return undefined;
      },
      syscall,
    ];
    const m = testMachine(program, { executor });
    m.interp.run(CODE_BASE, 100);
    assert.is(m.state.get("xer.kind"), FLAG_KIND_CODE.addc | 0x100);
    assert.is(m.state.get("xer.a"), -1n);
    assert.is(m.state.get("xer.b"), 2n);
    assert.is(m.state.get("xer.x"), 1n);
    assert.is(m.state.get("w0"), 1, "carry of 2^64-1 + 2 + 1");
    assert.is(m.state.get("w1"), 0, "result 2 is positive");
    assert.is(m.state.get("w2"), 0, "never-set group: eq = 0");
    assert.is(m.state.get("w3"), 0, "never-set group: lt = 0");
    assert.is(m.state.get("cr0.kind"), 0);
  });

  test(`${executor}: a record set by a faulting instruction is not committed`, () => {
    const program: TestInsn[] = [
      (b) => { b.setFlags(CR0, "bits", 32, b.i32(8), b.i32(0)); return undefined; },
      (b) => { b.setFlags(CR0, "bits", 32, b.i32(4), b.i32(0)); b.load("i64", b.i64(BigInt(UNMAPPED)), 8, false, "be"); return undefined; },
      syscall,
    ];
    const m = testMachine(program, { executor });
    assert.is(m.interp.run(CODE_BASE, 100).kind, "trap");
    assert.is(m.state.get("cr0.a"), 8n);
    assert.is(m.state.get("cr0.kind"), FLAG_KIND_CODE.bits);
  });
}

test.run();
