// IR loads and stores in the interpreter: every size, sign and byte order (expected bytes written by hand
// from the definitions), misaligned and page-crossing accesses, conditional stores and precise faults.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Endian } from "./ir.ts";
import { CODE_BASE, DATA, RODATA, UNMAPPED, TEST_STATE, testMachine, type TestInsn, EXECUTORS } from "../../runtime/interp/testguest.ts";

const stopAfter: TestInsn = (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 });
const bytesAt = (m: ReturnType<typeof testMachine>, addr: number, n: number) => [...m.mem.u8.slice(addr, addr + n)];
const hex = (xs: number[]) => xs.map((x) => x.toString(16).padStart(2, "0")).join(" ");

for (const executor of EXECUTORS) {
  test(`${executor}: stores of every size and byte order write the bytes the definition gives`, () => {
    const cases: Array<[bigint | number, 1 | 2 | 4 | 8, Endian, string]> = [
      [0x1122334455667788n, 8, "le", "88 77 66 55 44 33 22 11"],
      [0x1122334455667788n, 8, "be", "11 22 33 44 55 66 77 88"],
      [0x1122334455667788n, 4, "le", "88 77 66 55 00 00 00 00"],
      [0x1122334455667788n, 4, "be", "55 66 77 88 00 00 00 00"],
      [0x1122334455667788n, 2, "le", "88 77 00 00 00 00 00 00"],
      [0x1122334455667788n, 2, "be", "77 88 00 00 00 00 00 00"],
      [0x1122334455667788n, 1, "be", "88 00 00 00 00 00 00 00"],
      [0x11223344, 4, "le", "44 33 22 11 00 00 00 00"],
      [0x11223344, 4, "be", "11 22 33 44 00 00 00 00"],
      [0x11223344, 2, "le", "44 33 00 00 00 00 00 00"],
      [0x11223344, 2, "be", "33 44 00 00 00 00 00 00"],
      [-0x7f, 1, "le", "81 00 00 00 00 00 00 00"],
    ];
    const program: TestInsn[] = cases.map(([v, size, endian], i) => (b) => {
      const value = typeof v === "bigint" ? b.i64(v) : b.i32(v);
      b.store(b.i64(BigInt(DATA + 16 * i + 3)), value, size, endian); // +3: misaligned on purpose
      return undefined;
    });
    program.push(stopAfter);
    const m = testMachine(program, { executor });
    assert.is(m.interp.run(CODE_BASE, 1000).kind, "syscall");
    cases.forEach(([v, size, endian, want], i) => assert.is(hex(bytesAt(m, DATA + 16 * i + 3, 8)), want, `store${size} ${endian} ${v}`));
  });

  test(`${executor}: loads of every size, sign and byte order into i32 and i64`, () => {
    // memory at DATA+1: f1 f2 f3 f4 f5 f6 f7 f8
    type Case = [1 | 2 | 4 | 8, boolean, Endian, "i32" | "i64", bigint];
    const cases: Case[] = [
      [1, true, "le", "i64", -0x0fn], [1, false, "le", "i64", 0xf1n], [1, true, "le", "i32", -0x0fn], [1, false, "be", "i32", 0xf1n],
      [2, true, "le", "i64", BigInt.asIntN(16, 0xf2f1n)], [2, false, "le", "i64", 0xf2f1n],
      [2, true, "be", "i64", BigInt.asIntN(16, 0xf1f2n)], [2, false, "be", "i64", 0xf1f2n],
      [2, true, "le", "i32", BigInt.asIntN(16, 0xf2f1n)], [2, false, "be", "i32", 0xf1f2n],
      [4, true, "le", "i64", BigInt.asIntN(32, 0xf4f3f2f1n)], [4, false, "le", "i64", 0xf4f3f2f1n],
      [4, true, "be", "i64", BigInt.asIntN(32, 0xf1f2f3f4n)], [4, false, "be", "i64", 0xf1f2f3f4n],
      [4, false, "le", "i32", BigInt.asIntN(32, 0xf4f3f2f1n)], [4, true, "be", "i32", BigInt.asIntN(32, 0xf1f2f3f4n)],
      [8, true, "le", "i64", BigInt.asIntN(64, 0xf8f7f6f5f4f3f2f1n)], [8, false, "be", "i64", BigInt.asIntN(64, 0xf1f2f3f4f5f6f7f8n)],
    ];
    const program: TestInsn[] = cases.map(([size, signed, endian, ty], i) => (b) => {
      const v = b.load(ty, b.i64(BigInt(DATA + 1)), size, signed, endian);
      b.store(b.i64(BigInt(DATA + 64 + 8 * i)), v, ty === "i64" ? 8 : 4, "le");
      return undefined;
    });
    program.push(stopAfter);
    const m = testMachine(program, { executor });
    m.mem.u8.set([0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8], DATA + 1);
    assert.is(m.interp.run(CODE_BASE, 1000).kind, "syscall");
    cases.forEach(([size, signed, endian, ty, want], i) => {
      const got = ty === "i64" ? m.mem.dv.getBigInt64(DATA + 64 + 8 * i, true) : BigInt(m.mem.dv.getInt32(DATA + 64 + 8 * i, true));
      assert.is(got, want, `load${size} ${signed ? "s" : "u"} ${endian} -> ${ty}`);
    });
  });

  test(`${executor}: page-crossing access inside mapped memory works; i32 addresses work`, () => {
    const program: TestInsn[] = [
      (b) => { b.store(b.i64(BigInt(DATA + 4094)), b.i64(0x0102030405060708n), 8, "be"); return undefined; },
      (b) => { b.set(TEST_STATE.slot("r1"), b.load("i64", b.i64(BigInt(DATA + 4093)), 8, false, "le")); return undefined; },
      (b) => { b.set(TEST_STATE.slot("w1"), b.load("i32", b.i32(DATA + 4095), 2, false, "be")); return undefined; },
      stopAfter,
    ];
    const m = testMachine(program, { executor });
    assert.is(m.interp.run(CODE_BASE, 1000).kind, "syscall");
    assert.is(hex(bytesAt(m, DATA + 4094, 8)), "01 02 03 04 05 06 07 08");
    assert.is(m.state.get("r1"), 0x0706050403020100n);
    assert.is(m.state.get("w1"), 0x0203);
  });

  test(`${executor}: load fault: SIGSEGV at the faulting instruction, its earlier sets not committed, earlier instructions kept`, () => {
    const r1 = TEST_STATE.slot("r1"), r2 = TEST_STATE.slot("r2");
    const program: TestInsn[] = [
      (b) => { b.set(r1, b.i64(111n)); return undefined; },
      (b) => { b.set(r2, b.i64(222n)); b.set(r1, b.load("i64", b.i64(BigInt(UNMAPPED + 8)), 8, false, "le")); return undefined; },
      (b) => { b.set(r1, b.i64(333n)); return undefined; },
      stopAfter,
    ];
    const m = testMachine(program, { executor });
    const stop = m.interp.run(CODE_BASE, 1000);
    assert.equal(stop, { kind: "trap", signal: 11, code: 1, pc: CODE_BASE + 4, addr: UNMAPPED + 8 });
    assert.is(m.state.get("r1"), 111n);
    assert.is(m.state.get("r2"), 0n);
    assert.is(m.state.get("pc"), BigInt(CODE_BASE + 4));
    assert.is(m.interp.instructions, 1);
  });

  test(`${executor}: store faults: read-only page (SEGV_ACCERR), page crossing into unmapped memory, addresses >= 2^32 and negative`, () => {
    const cases: Array<[bigint, 1 | 2 | 4 | 8, number, number]> = [
      [BigInt(RODATA + 16), 4, RODATA + 16, 2],
      [BigInt(DATA + 8192 - 2), 4, DATA + 8192, 1],
      [0x100000000n + BigInt(DATA), 1, 0x100000000 + DATA, 1],
      [-8n, 8, 2 ** 64 - 8, 1],
    ];
    for (const [addr, size, faultAddr, code] of cases) {
      const program: TestInsn[] = [
        (b) => { b.store(b.i64(addr), b.i64(-1n), size, "le"); return undefined; },
        stopAfter,
      ];
      const m = testMachine(program, { executor });
      const before = hex(bytesAt(m, DATA + 8192 - 8, 8));
      const stop = m.interp.run(CODE_BASE, 1000);
      assert.equal(stop, { kind: "trap", signal: 11, code, pc: CODE_BASE, addr: faultAddr }, `store at ${addr}`);
      assert.is(hex(bytesAt(m, DATA + 8192 - 8, 8)), before, "no partial write");
      assert.is(hex(bytesAt(m, RODATA + 16, 4)), "00 00 00 00");
      assert.is(m.interp.instructions, 0);
    }
  });

  test(`${executor}: conditional stores write only when the condition is non-zero (and cannot fault otherwise)`, () => {
    const program: TestInsn[] = [
      (b) => { b.store(b.i64(BigInt(DATA)), b.i32(0x55), 1, "le", b.i32(0)); return undefined; },
      (b) => { b.store(b.i64(BigInt(UNMAPPED)), b.i32(0x55), 1, "le", b.i32(0)); return undefined; },
      (b) => { b.store(b.i64(BigInt(DATA + 1)), b.i32(0x66), 1, "le", b.i32(2)); return undefined; },
      (b) => { b.store(b.i64(BigInt(RODATA)), b.i32(0x77), 1, "le", b.i32(1)); return undefined; },
      stopAfter,
    ];
    const m = testMachine(program, { executor });
    const stop = m.interp.run(CODE_BASE, 1000);
    assert.equal(stop, { kind: "trap", signal: 11, code: 2, pc: CODE_BASE + 12, addr: RODATA });
    assert.is(hex(bytesAt(m, DATA, 2)), "00 66");
    assert.is(m.interp.instructions, 3);
  });
}

test.run();
