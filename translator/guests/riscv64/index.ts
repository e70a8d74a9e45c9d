/** The RV64GC guest: decoder, disassembler and lifter over the RV64 CPU state. */
import type { Guest } from "../guest.ts";
import { decodeRiscv64 } from "./decode.ts";
import { disassembleRiscv64 } from "./disasm.ts";
import { liftRiscv64 } from "./lift.ts";
import { RISCV64_STATE } from "./state.ts";

/** ELF e_machine of RISC-V (EM_RISCV). */
export const EM_RISCV = 243;

/** RISC-V RV64GC, little-endian, Linux user mode. */
export const riscv64: Guest = {
  name: "riscv64",
  elfMachine: EM_RISCV,
  endian: "le",
  addressBits: 64,
  state: RISCV64_STATE,
  decode: decodeRiscv64,
  disassemble: disassembleRiscv64,
  lift: liftRiscv64,
};
