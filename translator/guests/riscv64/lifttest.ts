/**
 * Test harness for the RV64GC lifter: runs a list of already-decoded instructions (or raw encodings through
 * a decoder) in the interpreter on the real RV64 state layout, ending with an ecall.
 *
 * Besides the interpreter's two executors, programs can run in the dynamic Wasm tier ("wasm": every block
 * is translated on first execution), so the same expectations check the backend's lowering of the IR.
 *
 * Memory map: code at CODE (read+exec), read/write data at DATA (64 KiB: one chunk of the Wasm fast path).
 */
import type { CodeReader, Decoded, Guest } from "../guest.ts";
import type { Executor } from "../../../runtime/interp/testguest.ts";
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../runtime/memory/memory.ts";
import { CpuState } from "../../../runtime/state.ts";
import { Interpreter, type Stop } from "../../../runtime/interp/interpreter.ts";
import { makeHelpers } from "../../../runtime/interp/helpers.ts";
import { DynamicExecutor } from "../../../runtime/jit/dynamic.ts";
import { compileRegions } from "../../codegen/module.ts";
import { liftRiscv64 } from "./lift.ts";
import { RISCV64_STATE } from "./state.ts";

export const CODE = 0x10000;
export const DATA = 0x100000;

/** Where a test program runs: an interpreter executor, or the dynamic Wasm tier. */
export type LiftExecutor = Executor | "wasm";
export const LIFT_EXECUTORS: LiftExecutor[] = ["compile", "evaluate", "wasm"];

/** One test instruction: its base op, fields, and encoding size (2 for compressed, default 4). */
export interface TestInsn { op: string; f?: Record<string, number>; size?: number }
/** Shorthand for a {@link TestInsn}. */
export const I = (op: string, f: Record<string, number> = {}, size = 4): TestInsn => ({ op, f, size });

/** A finished run: why it stopped, the state and memory, and the pc of each instruction. */
export interface RunResult {
  stop: Stop;
  state: CpuState;
  mem: GuestMemory;
  /** x register as a signed 64-bit value */
  x(r: number): bigint;
  /** f register's raw 64-bit pattern, unsigned */
  f(r: number): bigint;
  /** address of instruction i of the program */
  pcOf(i: number): number;
}

/** Runs `program` followed by an ecall, after `init` has set up registers and memory. */
export function runInsns(executor: LiftExecutor, program: TestInsn[], init: (s: CpuState, m: GuestMemory) => void = () => {}): RunResult {
  const decoded = new Map<number, Decoded>();
  const pcs: number[] = [];
  let pc = CODE;
  for (const i of [...program, I("ecall")]) {
    const size = i.size ?? 4;
    decoded.set(pc, { name: i.op, op: i.op, size, raw: 0, f: i.f ?? {} });
    pcs.push(pc);
    pc += size;
  }
  return runGuest(executor, (_code, at) => decoded.get(at), (m) => m.map(CODE, 4096, PROT_READ | PROT_EXEC), init, pcs);
}

/** Runs a guest whose decode is `decode`, with code set up by `loadCode`. */
export function runGuest(
  executor: LiftExecutor,
  decode: (code: CodeReader, pc: number) => Decoded | undefined,
  loadCode: (m: GuestMemory) => void,
  init: (s: CpuState, m: GuestMemory) => void,
  pcs: number[],
): RunResult {
  const mem = new GuestMemory();
  loadCode(mem);
  mem.map(DATA, 0x10000, PROT_READ | PROT_WRITE);
  const guest: Guest = {
    name: "riscv64", elfMachine: 243, endian: "le", addressBits: 64, state: RISCV64_STATE, insnAlign: 2,
    decode, disassemble: (d) => d.name, lift: liftRiscv64,
  };
  const state = new CpuState(mem, RISCV64_STATE);
  state.clear();
  init(state, mem);
  let stop: Stop;
  if (executor === "wasm") {
    const interp = new Interpreter(guest, mem, state, { executor: "evaluate" });
    const helpers = makeHelpers({ instret: () => BigInt(interp.instructions + dyn.translatedInstructions) });
    const dyn: DynamicExecutor = new DynamicExecutor(guest, mem, state, interp, (regions) => compileRegions(RISCV64_STATE, regions),
      { threshold: 1, helpers });
    stop = dyn.run(CODE, 1000);
    if (dyn.stats.regionsRejected !== 0 || dyn.translatedInstructions === 0) {
      throw new Error(`wasm tier: ${dyn.stats.regionsRejected} regions rejected, ${dyn.translatedInstructions} instructions translated`);
    }
  } else {
    const interp = new Interpreter(guest, mem, state, executor === "compile" ? { executor, compileThreshold: 0 } : { executor });
    stop = interp.run(CODE, 1000);
  }
  return {
    stop, state, mem,
    x: (r) => state.get(`x${r}`) as bigint,
    f: (r) => BigInt.asUintN(64, state.get(`f${r}`) as bigint),
    pcOf: (i) => pcs[i]!,
  };
}

/** Bit pattern of an f64 value (unsigned bigint). */
export function f64(x: number): bigint {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  return dv.getBigUint64(0);
}
/** Bit pattern of an f32 value (unsigned number). */
export function f32(x: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, x);
  return dv.getUint32(0);
}
/** An f32 value NaN-boxed in a 64-bit register pattern. */
export function boxed(x: number): bigint { return 0xffff_ffff_0000_0000n | BigInt(f32(x)); }
/** A value as a signed 64-bit bigint. */
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
