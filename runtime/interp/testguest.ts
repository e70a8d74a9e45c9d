/**
 * A tiny guest for IR-level tests (independent of any real ISA): "instruction" i is a 4-byte word at
 * CODE_BASE + 4*i whose semantics is a JavaScript callback that emits IR through the BlockBuilder. Tests
 * build a program of such callbacks, run it in the interpreter and inspect state and memory.
 *
 * Memory map: code at CODE_BASE (read+exec), read/write pages at DATA (8 KiB unless `dataBytes`), a read-only page
 * at RODATA, nothing mapped at UNMAPPED.
 */
import type { BlockBuilder } from "../../translator/ir/builder.ts";
import { makeStateLayout, type Exit, type Ty } from "../../translator/ir/ir.ts";
import type { CodeReader, Decoded, Guest } from "../../translator/guests/guest.ts";
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../memory/memory.ts";
import { CpuState } from "../state.ts";
import { Interpreter, type InterpreterOptions } from "./interpreter.ts";

/** Emits the IR of one test instruction at `pc`; returns the exit if it ends the block. */
export type TestInsn = (b: BlockBuilder, pc: number) => Exit | undefined;

export const CODE_BASE = 0x10000;
export const DATA = 0x100000;
export const RODATA = 0x30000;
export const UNMAPPED = 0x40000;

/** State of the test guest: pc, r0..r7 (i64), w0..w7 (i32), fflags; flag groups cr0 and xer. */
export const TEST_STATE = makeStateLayout([
  ["pc", "i64"],
  ...Array.from({ length: 8 }, (_, i) => [`r${i}`, "i64"] as [string, Ty]),
  ...Array.from({ length: 8 }, (_, i) => [`w${i}`, "i32"] as [string, Ty]),
  ["fflags", "i32"],
], ["cr0", "xer"]);

/** A test machine: guest, memory, state and interpreter around a program. */
export interface TestMachine {
  guest: Guest;
  mem: GuestMemory;
  state: CpuState;
  interp: Interpreter;
  /** pc of instruction i */
  pcOf(i: number): number;
}

/** Builds the test guest for `program` (endian is only reported; memory ops carry their own). */
export function testGuest(program: TestInsn[], endian: "le" | "be" = "le"): Guest {
  return {
    name: "riscv64",
    elfMachine: 0,
    endian,
    addressBits: 64,
    state: TEST_STATE,
    insnAlign: 4,
    decode(code: CodeReader, pc: number): Decoded | undefined {
      const raw = code.fetch32(pc);
      const i = (pc - CODE_BASE) / 4;
      if (!Number.isInteger(i) || program[i] === undefined) return undefined;
      return { name: `t${i}`, op: `t${i}`, size: 4, raw, f: {} };
    },
    disassemble(d: Decoded): string { return d.name; },
    lift(_d: Decoded, pc: number, b: BlockBuilder): Exit | undefined {
      return program[(pc - CODE_BASE) / 4]!(b, pc);
    },
  };
}

/** Maps memory for `program` and creates an interpreter. */
export function testMachine(program: TestInsn[], options?: InterpreterOptions, dataBytes = 8192): TestMachine {
  const mem = new GuestMemory();
  mem.map(CODE_BASE, Math.max(4096, program.length * 4 + 4), PROT_READ | PROT_EXEC);
  mem.map(DATA, dataBytes, PROT_READ | PROT_WRITE);
  mem.map(RODATA, 4096, PROT_READ);
  const guest = testGuest(program);
  const state = new CpuState(mem, TEST_STATE);
  state.clear();
  // tests of the "compile" executor compile every block before its first run unless they say otherwise
  const opts = options?.executor === "compile" && options.compileThreshold === undefined ? { ...options, compileThreshold: 0 } : options;
  return { guest, mem, state, interp: new Interpreter(guest, mem, state, opts), pcOf: (i) => CODE_BASE + 4 * i };
}

/** The interpreter's block executors; IR tests run under each. */
export type Executor = "compile" | "evaluate";
export const EXECUTORS: Executor[] = ["compile", "evaluate"];
