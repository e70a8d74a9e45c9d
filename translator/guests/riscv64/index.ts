/** The RV64GC guest: decoder, disassembler and lifter over the RV64 CPU state. */
import type { CodeReader, Guest } from "../guest.ts";
import { decodeRiscv64 } from "./decode.ts";
import { disassembleRiscv64 } from "./disasm.ts";
import { liftRiscv64 } from "./lift.ts";
import { RISCV64_STATE } from "./state.ts";

/** ELF e_machine of RISC-V (EM_RISCV). */
export const EM_RISCV = 243;

/** Opcode of SYSTEM instructions (the Zicsr instructions among them) and the FP CSRs fflags, frm and fcsr (§9, §11.2). */
const OPCODE_SYSTEM = 0x73, FP_CSRS = [0x001, 0x002, 0x003];

/** The instruction at pc may be a Zicsr instruction on an FP CSR: SYSTEM opcode, csr field (bits 31:20) fflags, frm or fcsr. */
function mayAccessFpCsr(code: CodeReader, pc: number): boolean {
  try {
    if ((code.fetch16(pc) & 0x7f) !== OPCODE_SYSTEM) return false;
    return FP_CSRS.includes(code.fetch16(pc + 2) >>> 4);
  } catch {
    return false;
  }
}

/** Integer registers that hold nothing a caller may use after a call returns (psABI: t0-t2, a2-a7, t3-t6). */
const CLOBBERED_BY_CALL = [5, 6, 7, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31].map((r) => `x${r}`);

/** RISC-V RV64GC, little-endian, Linux user mode. */
export const riscv64: Guest = {
  name: "riscv64",
  elfMachine: EM_RISCV,
  endian: "le",
  addressBits: 64,
  state: RISCV64_STATE,
  insnAlign: 2,
  fpEnvironment: { flags: "fflags", rounding: "frm", mayAccess: mayAccessFpCsr, clobberedByCall: CLOBBERED_BY_CALL },
  decode: decodeRiscv64,
  disassemble: disassembleRiscv64,
  lift: liftRiscv64,
};
