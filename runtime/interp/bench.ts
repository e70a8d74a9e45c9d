/**
 * Interpreter speed on a synthetic loop of IR (test guest): `node dist/runtime/interp/bench.js [insns]`.
 * The loop body is a typical RISC-V mix: ALU ops, a load, a store, a counter decrement and a branch.
 */
import { CODE_BASE, DATA, TEST_STATE, testMachine, type TestInsn } from "./testguest.ts";

const r = (i: number) => TEST_STATE.slot(`r${i}`);

/** The loop: 8 instructions per iteration; r2 counts down. */
export const LOOP: TestInsn[] = [
  (b) => { b.set(r(1), b.bin("i64", "add", b.get(r(1)), b.get(r(2)))); return undefined; },
  (b) => { b.set(r(3), b.bin("i64", "xor", b.get(r(3)), b.get(r(1)))); return undefined; },
  (b) => { b.set(r(4), b.bin("i64", "add", b.bin("i64", "and", b.get(r(1)), b.i64(0xff8n)), b.i64(BigInt(DATA)))); return undefined; },
  (b) => { b.set(r(5), b.load("i64", b.get(r(4)), 8, false, "le")); return undefined; },
  (b) => { b.set(r(5), b.bin("i64", "add", b.get(r(5)), b.bin("i64", "shl", b.get(r(3)), b.i64(3n)))); return undefined; },
  (b) => { b.store(b.get(r(4)), b.get(r(5)), 8, "le"); return undefined; },
  (b) => { b.set(r(2), b.bin("i64", "add", b.get(r(2)), b.i64(-1n))); return undefined; },
  (b, pc) => ({ kind: "branch", cond: b.bin("i64", "ne", b.get(r(2)), b.i64(0n)), taken: CODE_BASE, fallthrough: pc + 4 }),
  (_b, pc) => ({ kind: "runtime", request: "syscall", next: pc + 4 }),
];

/** Runs the loop for about `insns` guest instructions; returns guest instructions per second. */
export function benchLoop(insns: number): { insns: number; seconds: number; perSecond: number } {
  const m = testMachine(LOOP);
  m.state.set("r2", BigInt(Math.ceil(insns / 8)));
  const t0 = performance.now();
  const stop = m.interp.run(CODE_BASE, Number.MAX_SAFE_INTEGER);
  const seconds = (performance.now() - t0) / 1000;
  if (stop.kind !== "syscall") throw new Error(`benchmark loop stopped with ${JSON.stringify(stop)}`);
  return { insns: m.interp.instructions, seconds, perSecond: m.interp.instructions / seconds };
}

if (typeof process !== "undefined" && process.argv[1]?.includes("interp/bench")) {
  const n = Number(process.argv[2] ?? 20_000_000);
  const r1 = benchLoop(n);
  console.log(`IR loop: ${r1.insns} guest instructions in ${r1.seconds.toFixed(3)} s = ${(r1.perSecond / 1e6).toFixed(1)} M instr/s`);
}
