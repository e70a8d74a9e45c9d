/** What every guest ISA front end provides: decoding, disassembly and lifting to IR, plus its CPU state. */
import type { BlockBuilder } from "../ir/builder.ts";
import type { Endian, StateLayout } from "../ir/ir.ts";

/** Names of the supported guests. */
export type GuestName = "riscv64" | "ppc32";

/** A decoded instruction: its table entry's name and the operand fields the encoding table extracted. */
export interface Decoded {
  /** mnemonic from the encoding table as objdump prints it (without suffixes such as .aq/.rl), e.g. "addi", "c.addi", "fmadd.d" */
  name: string;
  /**
   * the instruction whose semantics this one has: `name` itself for full-size instructions; for compressed
   * ones the expansion defined by the ISA (RISC-V c.li → addi with rs1 = 0, c.j → jal with rd = 0, ...), with
   * `f` holding the expanded instruction's fields. The lifter only knows these base instructions.
   */
  op: string;
  /** encoding length in bytes */
  size: number;
  /** the raw encoding (low `size` bytes) */
  raw: number;
  /** operand fields by name (rd, rs1, rs2, rs3, imm, rm, aq, rl, csr, shamt, ...), immediates sign-extended */
  f: Record<string, number>;
}

/** Reads guest code: `fetch16(addr)` returns the 16-bit parcel at addr (guest byte order), or throws a fault. */
export interface CodeReader {
  fetch16(addr: number): number;
  fetch32(addr: number): number;
}

/** A guest ISA front end. */
export interface Guest {
  readonly name: GuestName;
  /** ELF e_machine value */
  readonly elfMachine: number;
  readonly endian: Endian;
  readonly addressBits: 32 | 64;
  readonly state: StateLayout;
  /** instruction alignment in bytes (RISC-V with compressed instructions: 2) */
  readonly insnAlign: 2 | 4;
  /**
   * The FP environment for translator/ir/fpenv.ts: the state slots of the accrued exception flags and of the
   * dynamic rounding mode, a cheap test that the instruction at pc may access them (false excludes it), and
   * the integer registers whose values a caller cannot use after a call returns (the psABI's caller-saved
   * registers that carry no result).
   */
  readonly fpEnvironment?: {
    flags: string; rounding: string; mayAccess(code: CodeReader, pc: number): boolean; clobberedByCall: readonly string[];
  };
  /** Decodes the instruction at pc; undefined when the encoding is illegal or unsupported. */
  decode(code: CodeReader, pc: number): Decoded | undefined;
  /** Disassembles in the syntax of binutils objdump (RISC-V: `-M no-aliases`). */
  disassemble(d: Decoded, pc: number): string;
  /**
   * Appends the IR of one instruction (after `b.insn(pc, size)`). Returns the block exit when this
   * instruction ends the block (branches, jumps, syscalls, traps), undefined otherwise.
   */
  lift(d: Decoded, pc: number, b: BlockBuilder): import("../ir/ir.ts").Exit | undefined;
}
