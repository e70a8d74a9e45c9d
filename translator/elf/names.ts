/** Human-readable names of ELF header values, as `readelf` spells them, for `isa2wasm info`. */
import {
  EM_PPC, EM_PPC64, EM_RISCV, ET_CORE, ET_DYN, ET_EXEC, ET_NONE, ET_REL, PF_R, PF_W, PF_X, PT_DYNAMIC, PT_GNU_EH_FRAME,
  PT_GNU_PROPERTY, PT_GNU_RELRO, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_NOTE, PT_NULL, PT_PHDR, PT_RISCV_ATTRIBUTES, PT_SHLIB,
  PT_TLS,
} from "./elf.ts";

const FILE_TYPES: Record<number, string> = {
  [ET_NONE]: "NONE", [ET_REL]: "REL (relocatable file)", [ET_EXEC]: "EXEC (executable file)",
  [ET_DYN]: "DYN (shared object or position-independent executable)", [ET_CORE]: "CORE (core file)",
};

/** e_type as a word with an explanation, e.g. "EXEC (executable file)". */
export function fileTypeName(type: number): string {
  return FILE_TYPES[type] ?? `unknown (${type})`;
}

const MACHINES: Record<number, string> = { [EM_RISCV]: "RISC-V", [EM_PPC]: "PowerPC", [EM_PPC64]: "PowerPC64" };

/** e_machine as readelf names it, e.g. "RISC-V"; "machine N" for ones this table does not know. */
export function machineName(machine: number): string {
  return MACHINES[machine] ?? `machine ${machine}`;
}

const SEGMENT_TYPES: Record<number, string> = {
  [PT_NULL]: "NULL", [PT_LOAD]: "LOAD", [PT_DYNAMIC]: "DYNAMIC", [PT_INTERP]: "INTERP", [PT_NOTE]: "NOTE", [PT_SHLIB]: "SHLIB",
  [PT_PHDR]: "PHDR", [PT_TLS]: "TLS", [PT_GNU_EH_FRAME]: "GNU_EH_FRAME", [PT_GNU_STACK]: "GNU_STACK",
  [PT_GNU_RELRO]: "GNU_RELRO", [PT_GNU_PROPERTY]: "GNU_PROPERTY",
};

/** p_type's name, e.g. "LOAD", "GNU_STACK"; processor-specific ones by machine; hex for unknown ones. */
export function segmentTypeName(type: number, machine: number): string {
  if (type === PT_RISCV_ATTRIBUTES && machine === EM_RISCV) return "RISCV_ATTRIBUTES";
  return SEGMENT_TYPES[type] ?? `0x${type.toString(16)}`;
}

/** p_flags as readelf shows them: "RWE" with blanks for missing permissions, e.g. "R E". */
export function segmentFlagsName(flags: number): string {
  return `${flags & PF_R ? "R" : " "}${flags & PF_W ? "W" : " "}${flags & PF_X ? "E" : " "}`;
}
