/** The registry of guest ISAs: which front end runs an ELF binary, or a guest named on the command line. */
import type { Guest } from "./guest.ts";
import { riscv64 } from "./riscv64/index.ts";

/** Guests that are implemented. */
const GUESTS: readonly Guest[] = [riscv64];

/** ELF e_machine of 32-bit PowerPC (EM_PPC), recognised but not implemented yet. */
const EM_PPC = 20;

/** The guest for an ELF file's e_machine, class (32/64-bit) and byte order; undefined when none runs it. */
export function guestForElf(machine: number, elfClass: 32 | 64, endian: "le" | "be"): Guest | undefined {
  return GUESTS.find((g) => g.elfMachine === machine && g.addressBits === elfClass && g.endian === endian);
}

/** The guest named `name` ("riscv64"); undefined for unknown or not yet implemented guests. */
export function guestByName(name: string): Guest | undefined {
  return GUESTS.find((g) => g.name === name);
}

/**
 * Why {@link guestForElf} found no guest for this ELF kind, as a message for the user (e.g. 32-bit PowerPC
 * is recognised but not implemented yet; RV32 and little-endian PowerPC are not supported).
 */
export function whyNoGuest(machine: number, elfClass: 32 | 64, endian: "le" | "be"): string {
  const kind = `${elfClass}-bit ${endian === "le" ? "little" : "big"}-endian`;
  if (machine === riscv64.elfMachine) return `${kind} RISC-V is not supported (only RV64GC, 64-bit little-endian)`;
  if (machine === EM_PPC) {
    return elfClass === 32 && endian === "be"
      ? "32-bit PowerPC is not implemented yet"
      : `${kind} PowerPC is not supported (only 32-bit big-endian, and not implemented yet)`;
  }
  return `unsupported ELF machine ${machine} (${kind}): isa2wasm runs RV64GC (EM_RISCV 243) binaries`;
}
