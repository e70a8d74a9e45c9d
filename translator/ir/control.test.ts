// Interpreter control: exits, trapif, illegal instructions, fetch faults, budget, block cap, instruction
// counting, invalidation, fence.i and the counter helpers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Signal } from "./ir.ts";
import { PROT_EXEC, PROT_READ } from "../../runtime/memory/memory.ts";
import { CODE_BASE, TEST_STATE, UNMAPPED, testMachine, type TestInsn, EXECUTORS } from "../../runtime/interp/testguest.ts";

const r0 = TEST_STATE.slot("r0"), r1 = TEST_STATE.slot("r1"), w0 = TEST_STATE.slot("w0");
const nop: TestInsn = () => undefined;
const inc = (slot: number, by = 1n): TestInsn => (b) => { b.set(slot, b.bin("i64", "add", b.get(slot), b.i64(by))); return undefined; };

for (const executor of EXECUTORS) {
  test(`${executor}: trapif: no trap when 0; trap at the instruction with its state changes discarded`, () => {
    const program: TestInsn[] = [
      (b) => { b.trapIf(b.i32(0), Signal.SIGFPE, 3); b.set(r0, b.i64(5n)); return undefined; },
      (b) => { b.set(r1, b.i64(7n)); b.trapIf(b.i32(1), Signal.SIGTRAP, 4); return undefined; },
      inc(r0),
    ];
    const m = testMachine(program, { executor });
    assert.equal(m.interp.run(CODE_BASE, 100), { kind: "trap", signal: Signal.SIGTRAP, code: 4, pc: CODE_BASE + 4 });
    assert.is(m.state.get("r0"), 5n);
    assert.is(m.state.get("r1"), 0n);
    assert.is(m.state.get("pc"), BigInt(CODE_BASE + 4));
    assert.is(m.interp.instructions, 1);
  });

  test(`${executor}: an undecodable instruction traps (SIGILL) only when reached`, () => {
    const program: TestInsn[] = [
      (b) => ({ kind: "branch", cond: b.bin("i64", "eq", b.get(r0), b.i64(0n)), taken: CODE_BASE + 12, fallthrough: CODE_BASE + 4 }),
      inc(r1),
      undefined as unknown as TestInsn, // illegal
      inc(r1), inc(r1),
      (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 }),
    ];
    const m = testMachine(program, { executor });
    assert.equal(m.interp.run(CODE_BASE, 100), { kind: "syscall", next: CODE_BASE + 24 });
    assert.is(m.state.get("r1"), 2n);
    assert.is(m.interp.instructions, 4);
    m.state.set("r0", 1n);
    assert.equal(m.interp.run(CODE_BASE, 100), { kind: "trap", signal: Signal.SIGILL, code: 1, pc: CODE_BASE + 8 });
    assert.is(m.state.get("r1"), 3n);
    assert.is(m.state.get("pc"), BigInt(CODE_BASE + 8));
    assert.is(m.interp.instructions, 6);
  });

  test(`${executor}: jumping to unmapped memory is a SIGSEGV fetch fault at that pc`, () => {
    const m = testMachine([(b) => ({ kind: "indirect", target: b.i64(BigInt(UNMAPPED + 4)), hint: "jump" })], { executor });
    assert.equal(m.interp.run(CODE_BASE, 100), { kind: "trap", signal: 11, code: 1, pc: UNMAPPED + 4, addr: UNMAPPED + 4 });
    assert.is(m.interp.instructions, 1);
  });

  test(`${executor}: cached blocks follow memory map changes (unmap, map, protect)`, () => {
    const far = CODE_BASE + 4096;
    const program: TestInsn[] = [(_b) => ({ kind: "jump", target: far })];
    program[1024] = (b) => { b.set(r0, b.i64(42n)); return undefined; };
    program[1025] = (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 });
    const m = testMachine(program, { executor });
    assert.equal(m.interp.run(CODE_BASE, 100), { kind: "syscall", next: far + 8 });
    m.mem.unmap(far, 4096);
    assert.equal(m.interp.run(CODE_BASE, 100), { kind: "trap", signal: 11, code: 1, pc: far, addr: far });
    m.mem.map(far, 4096, PROT_READ | PROT_EXEC);
    m.state.set("r0", 0n);
    assert.equal(m.interp.run(CODE_BASE, 100), { kind: "syscall", next: far + 8 });
    assert.is(m.state.get("r0"), 42n);
    m.mem.protect(far, 4096, PROT_READ);
    assert.equal(m.interp.run(CODE_BASE, 100), { kind: "trap", signal: 11, code: 2, pc: far, addr: far });
  });

  test(`${executor}: budget stops between blocks and reports the resume pc; counts are exact`, () => {
    const program: TestInsn[] = [inc(r0), inc(r0), (_b) => ({ kind: "jump", target: CODE_BASE })];
    const m = testMachine(program, { executor });
    const stop = m.interp.run(CODE_BASE, 10);
    assert.equal(stop, { kind: "budget", pc: CODE_BASE });
    assert.is(m.interp.instructions, 12);
    assert.is(m.state.get("r0"), 8n);
    assert.is(m.state.get("pc"), BigInt(CODE_BASE));
  });

  test(`${executor}: blocks are capped at maxBlockInsns and continue with a jump`, () => {
    const program: TestInsn[] = [...Array.from({ length: 10 }, () => inc(r0)), (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 })];
    const m = testMachine(program, { maxBlockInsns: 3, executor });
    assert.equal(m.interp.run(CODE_BASE, 4), { kind: "budget", pc: CODE_BASE + 24 });
    assert.is(m.interp.instructions, 6);
    assert.equal(m.interp.run(CODE_BASE + 24, 100), { kind: "syscall", next: CODE_BASE + 44 });
    assert.is(m.state.get("r0"), 10n);
    assert.is(m.interp.blocksLifted, 4);
  });

  test(`${executor}: invalidate drops cached blocks in a range; fence.i drops all`, () => {
    let value = 1n;
    const program: TestInsn[] = [
      (b) => { b.set(r0, b.i64(value)); return undefined; },
      (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 }),
      (_b, pc) => ({ kind: "runtime", request: "fence.i", next: pc + 4 }),
    ];
    const m = testMachine(program, { executor });
    m.interp.run(CODE_BASE, 100);
    assert.is(m.state.get("r0"), 1n);
    value = 2n;
    m.interp.run(CODE_BASE, 100);
    assert.is(m.state.get("r0"), 1n, "cached block reused");
    m.interp.invalidate(CODE_BASE + 100, CODE_BASE + 200);
    m.interp.run(CODE_BASE, 100);
    assert.is(m.state.get("r0"), 1n, "range not overlapping");
    m.interp.invalidate(CODE_BASE + 4, CODE_BASE + 5);
    m.interp.run(CODE_BASE, 100);
    assert.is(m.state.get("r0"), 2n, "relifted after invalidate");
    value = 3n;
    assert.equal(m.interp.run(CODE_BASE + 8, 100), { kind: "fence.i", next: CODE_BASE + 12 });
    assert.is(m.state.get("pc"), BigInt(CODE_BASE + 12));
    m.interp.run(CODE_BASE, 100);
    assert.is(m.state.get("r0"), 3n, "relifted after fence.i");
  });

  test(`${executor}: tiering: a block is evaluated until it is hot, then compiled, with the same results`, () => {
    const program: TestInsn[] = [
      inc(r0, 3n),
      (b) => ({ kind: "branch", cond: b.bin("i64", "ltu", b.get(r0), b.i64(300n)), taken: CODE_BASE, fallthrough: CODE_BASE + 8 }),
      (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 }),
    ];
    const m = testMachine(program, { executor, compileThreshold: 10 });
    assert.equal(m.interp.run(CODE_BASE, 1e6), { kind: "syscall", next: CODE_BASE + 12 });
    assert.is(m.state.get("r0"), 300n);
    assert.is(m.interp.instructions, 201);
    assert.is(m.interp.blocksCompiledToJs, executor === "compile" ? 1 : 0);
  });

  test(`${executor}: trap exits and runtime exits count the block's instructions and set pc`, () => {
    const m = testMachine([inc(r0), (_b, pc) => ({ kind: "trap", signal: Signal.SIGTRAP, code: 1, pc })], { executor });
    assert.equal(m.interp.run(CODE_BASE, 100), { kind: "trap", signal: Signal.SIGTRAP, code: 1, pc: CODE_BASE + 4 });
    assert.is(m.interp.instructions, 2);
    assert.is(m.state.get("r0"), 1n);
  });

  test(`${executor}: rdinstret returns the instructions retired before it; rdtime is monotonic; i32 state slots`, () => {
    const program: TestInsn[] = [
      nop, nop, (_b, pc) => ({ kind: "jump", target: pc + 4 }), nop,
      (b) => { b.set(r0, b.call("rdinstret", [], "i64")!); return undefined; },
      (b) => { b.set(r1, b.call("rdtime", [], "i64")!); return undefined; },
      (b) => { b.set(w0, b.bin("i32", "add", b.get(w0), b.i32(-3))); return undefined; },
      (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 }),
    ];
    const m = testMachine(program, { executor });
    m.interp.run(CODE_BASE, 100);
    assert.is(m.state.get("r0"), 4n);
    assert.is(m.state.get("w0"), -3);
    const t1 = m.state.get("r1") as bigint;
    m.interp.run(CODE_BASE, 100);
    assert.is(m.state.get("r0"), 12n);
    assert.ok((m.state.get("r1") as bigint) >= t1);
    assert.is(m.state.get("w0"), -6);
  });
}

test.run();
