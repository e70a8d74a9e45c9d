// The dynamic tier against the interpreter: random IR programs (runtime/interp/randomir.ts) translated to
// Wasm must leave the same stop, state, memory and instruction count as the interpreter's evaluator.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CODE_BASE, DATA, testMachine, type TestInsn } from "../interp/testguest.ts";
import { randomInitialState, randomProgram, snapshot } from "../interp/randomir.ts";
import { compileRegions } from "../../translator/codegen/module.ts";
import { DynamicExecutor, type RegionCompiler } from "./dynamic.ts";

/** A test machine under the dynamic tier; its data area is 64 KiB. */
function dynamicMachine(program: TestInsn[], threshold: number) {
  const m = testMachine(program, { executor: "evaluate", maxBlockInsns: 5 }, 0x10000);
  const compile: RegionCompiler = (regions) => compileRegions(m.guest.state, regions);
  const dyn = new DynamicExecutor(m.guest, m.mem, m.state, m.interp, compile, { threshold });
  return { m, dyn };
}

test("random IR programs: the dynamic tier agrees exactly with the interpreter", () => {
  let stops = 0, translated = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const program = randomProgram(seed, 12);
    const ref = testMachine(program, { executor: "evaluate", maxBlockInsns: 5 }, 0x10000);
    randomInitialState(ref, seed);
    const refStop = ref.interp.run(CODE_BASE, 1000);
    const want = { ...snapshot(ref, refStop), insns: ref.interp.instructions };

    const { m, dyn } = dynamicMachine(program, 1);
    randomInitialState(m, seed);
    const stop = dyn.run(CODE_BASE, 1000);
    const got = { ...snapshot(m, stop), insns: m.interp.instructions + dyn.translatedInstructions };
    assert.is(got.stop, want.stop, `seed ${seed}: stop`);
    assert.is(got.insns, want.insns, `seed ${seed}: instruction count`);
    assert.is(got.state, want.state, `seed ${seed}: state`);
    assert.is(got.data, want.data, `seed ${seed}: memory`);
    assert.is(dyn.stats.regionsRejected, 0, `seed ${seed}: every region lowers`);
    if (!want.stop.includes("syscall")) stops++;
    translated += dyn.translatedInstructions;
  }
  assert.ok(stops > 5 && stops < 140, `${stops} programs stopped early`);
  assert.ok(translated > 500, `only ${translated} instructions ran in translated code`);
});

/** r0 = 0; loop: r0 += 1; if r0 != 100000 goto loop; syscall */
function countingLoop(): TestInsn[] {
  const R0 = 1; // slot of r0 in TEST_STATE (pc is slot 0)
  const program: TestInsn[] = [
    (b) => { b.set(R0, b.i64(0n)); return undefined; },
    (b, pc) => {
      const v = b.bin("i64", "add", b.get(R0), b.i64(1n));
      b.set(R0, v);
      return { kind: "branch", cond: b.bin("i64", "ne", v, b.i64(100000n)), taken: pc, fallthrough: pc + 4 };
    },
    (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 }),
  ];
  return program;
}

test("the compiler loads when code first gets hot: a budget stop, interpretation meanwhile, translation after", async () => {
  const program = countingLoop();
  const m = testMachine(program, { executor: "evaluate", maxBlockInsns: 5 }, 0x10000);
  let loads = 0;
  const dyn = new DynamicExecutor(m.guest, m.mem, m.state, m.interp, undefined, {
    threshold: 10,
    loadCompiler: async () => { loads++; return (regions) => compileRegions(m.guest.state, regions); },
  });
  assert.is(dyn.pending(), undefined, "nothing loads before code gets hot");
  const first = dyn.run(CODE_BASE, 10_000_000);
  assert.is(first.kind, "budget", "the executor stops as soon as it wants the compiler");
  assert.ok(dyn.pending() instanceof Promise);
  assert.ok(m.interp.instructions < 20, `stopped at once (${m.interp.instructions} instructions)`);
  // a caller that does not wait interprets on; one that waits gets translated code
  const pc = first.kind === "budget" ? first.pc : 0;
  const second = dyn.run(pc, 1000);
  assert.is(second.kind, "budget");
  assert.is(dyn.translatedInstructions, 0, "no compiler yet");
  await dyn.pending();
  assert.is(dyn.pending(), undefined);
  const end = dyn.run(second.kind === "budget" ? second.pc : 0, 10_000_000);
  assert.equal(end, { kind: "syscall", next: m.pcOf(3) });
  assert.is(m.state.get("r0"), 100000n);
  assert.is(m.interp.instructions + dyn.translatedInstructions, 1 + 100000 + 1);
  assert.ok(dyn.translatedInstructions > 95_000, `${dyn.translatedInstructions} translated`);
  assert.is(loads, 1, "loaded once");
});

test("a hot loop runs in translated code and leaves at the syscall", () => {
  const program = countingLoop();
  const { m, dyn } = dynamicMachine(program, 10);
  const stop = dyn.run(CODE_BASE, 10_000_000);
  assert.equal(stop, { kind: "syscall", next: m.pcOf(3) });
  assert.is(m.state.get("r0"), 100000n);
  assert.is(m.interp.instructions + dyn.translatedInstructions, 1 + 100000 + 1);
  assert.ok(dyn.translatedInstructions > 99_000, `${dyn.translatedInstructions} translated`);
  assert.ok(dyn.stats.regionsCompiled >= 1);
});

test("calls and returns between regions chain inside Wasm (jump cache), not through the dispatcher", () => {
  const R0 = 1, R1 = 2;
  const program: TestInsn[] = [
    (b) => { b.set(R0, b.i64(0n)); return undefined; },
    (b, pc) => { b.set(R0, b.bin("i64", "add", b.get(R0), b.i64(1n))); return { kind: "call", target: pc + 12, ret: pc + 4 }; },
    (b, pc) => ({ kind: "branch", cond: b.bin("i64", "ne", b.get(R0), b.i64(20000n)), taken: pc - 4, fallthrough: pc + 4 }),
    (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 }),
    // the "function": r1 += r0, return through an indirect jump
    (b, pc) => { b.set(R1, b.bin("i64", "add", b.get(R1), b.get(R0))); return { kind: "indirect", target: b.i64(BigInt(pc - 8)), hint: "return" }; },
  ];
  const { m, dyn } = dynamicMachine(program, 5);
  const stop = dyn.run(CODE_BASE, 10_000_000);
  assert.equal(stop, { kind: "syscall", next: m.pcOf(4) });
  assert.is(m.state.get("r1"), 20000n * 20001n / 2n);
  assert.ok(dyn.translatedInstructions > 59_000, `${dyn.translatedInstructions} translated`);
  assert.ok(dyn.stats.codeMapLookups < 200, `${dyn.stats.codeMapLookups} dispatcher lookups for 40000 region transitions`);
});

test("the instruction budget is honoured across chained regions", () => {
  const R0 = 1;
  const program: TestInsn[] = [
    (b, pc) => { b.set(R0, b.bin("i64", "add", b.get(R0), b.i64(1n))); return { kind: "call", target: pc + 4, ret: pc + 4 }; },
    (b, pc) => { b.set(R0, b.bin("i64", "add", b.get(R0), b.i64(1n))); return { kind: "indirect", target: b.i64(BigInt(pc - 4)), hint: "jump" }; },
  ];
  const { m, dyn } = dynamicMachine(program, 2);
  const stop = dyn.run(CODE_BASE, 5000);
  assert.is(stop.kind, "budget");
  const ran = m.interp.instructions + dyn.translatedInstructions;
  assert.ok(ran >= 5000 && ran < 5010, `${ran} instructions for a budget of 5000`);
  assert.is(m.state.get("r0"), BigInt(ran));
});

test("a store into a page holding translated code drops that translation", () => {
  const R0 = 1;
  // instruction 0: r0 += 1; instruction 1: store to DATA (a code page in this test: marked below); syscall
  const program: TestInsn[] = [
    (b) => { b.set(R0, b.bin("i64", "add", b.get(R0), b.i64(1n))); return undefined; },
    (b, pc) => { b.store(b.i64(BigInt(DATA)), b.get(R0), 8, "le"); return { kind: "runtime", request: "syscall", next: pc + 4 }; },
  ];
  const { m, dyn } = dynamicMachine(program, 1);
  m.mem.addCodeRange(DATA, DATA + 4); // pretend DATA holds code of a translated region
  let stop = dyn.run(CODE_BASE, 100);
  assert.equal(stop, { kind: "syscall", next: m.pcOf(2) });
  assert.is(m.mem.dv.getBigInt64(DATA, true), 1n, "the store happened (through the slow path)");
  stop = dyn.run(CODE_BASE, 100);
  assert.is(m.state.get("r0"), 2n);
  assert.is(m.mem.dv.getBigInt64(DATA, true), 2n);
});

test.run();
