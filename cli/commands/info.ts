/** `isa2wasm info FILE`: what an ELF file is, its segments, and whether isa2wasm can load it. */
import type { Command } from "../command.ts";
import { parseArgs } from "../command.ts";
import { InputError, UsageError } from "../errors.ts";
import { ElfError, guestOf, loadProblems, parseElf } from "../../translator/elf/elf.ts";
import type { ElfFile } from "../../translator/elf/elf.ts";
import { fileTypeName, machineName, segmentFlagsName, segmentTypeName } from "../../translator/elf/names.ts";

/** NT_GNU_BUILD_ID: the note type of the GNU build ID */
const NT_GNU_BUILD_ID = 3;

const HELP = `isa2wasm info: describe an ELF file and whether isa2wasm can run it

Usage: isa2wasm info [--json] FILE

Prints the ELF class, byte order, machine (the guest ISA: riscv64 or ppc32), file type, entry point,
program headers, section and symbol counts, the program interpreter of dynamically linked files, and
every reason the file cannot be loaded (isa2wasm runs statically linked executables only).

Options:
  --json     print the same facts as one JSON object
  -h, --help show this help

Exit status: 0 when the file was described (even if it cannot be loaded), 2 for a malformed or
unreadable file or a bad command line.
`;

/** The facts `info` reports, as printed by --json. */
export interface ElfInfo {
  file: string;
  class: 32 | 64;
  endian: "le" | "be";
  osabi: number;
  /** e_type */
  type: number;
  typeName: string;
  /** e_machine */
  machine: number;
  machineName: string;
  /** the guest ISA isa2wasm runs it as, or null when unsupported */
  guest: string | null;
  entry: number;
  flags: number;
  interpreter: string | null;
  programHeaders: { type: number; typeName: string; flags: number; offset: number; vaddr: number; paddr: number; filesz: number; memsz: number; align: number }[];
  sections: { name: string; type: number; flags: number; addr: number; offset: number; size: number; entsize: number }[];
  /** entries of .symtab, the null symbol included (as readelf counts them) */
  symbolCount: number;
  /** entries of .dynsym */
  dynamicSymbolCount: number;
  /** GNU build ID as hex, when the file has one */
  buildId: string | null;
  /** every reason isa2wasm cannot load the file (unsupported machine, dynamic linking, segment layout); empty when it can */
  loadProblems: string[];
}

/** Collects the facts `info` reports about a parsed file. */
export function describeElf(file: string, elf: ElfFile): ElfInfo {
  const buildId = elf.notes.find((n) => n.owner === "GNU" && n.type === NT_GNU_BUILD_ID);
  const guest = guestOf(elf);
  const endian = elf.endian === "le" ? "little" : "big";
  const machineProblem = guest ? [] : [
    `unsupported machine ${elf.machine} (${machineName(elf.machine)}, ELF${elf.class} ${endian} endian): isa2wasm runs riscv64 (ELF64 little-endian RISC-V) and ppc32 (ELF32 big-endian PowerPC)`,
  ];
  return {
    file, class: elf.class, endian: elf.endian, osabi: elf.osabi, type: elf.type, typeName: fileTypeName(elf.type),
    machine: elf.machine, machineName: machineName(elf.machine), guest: guest ?? null, entry: elf.entry,
    flags: elf.flags, interpreter: elf.interpreter ?? null,
    programHeaders: elf.programHeaders.map((p) => ({ ...p, typeName: segmentTypeName(p.type, elf.machine) })),
    sections: elf.sections.map(({ name, type, flags, addr, offset, size, entsize }) => ({ name, type, flags, addr, offset, size, entsize })),
    symbolCount: elf.symbols.length,
    dynamicSymbolCount: elf.dynamicSymbols.length,
    buildId: buildId ? [...buildId.desc].map((b) => b.toString(16).padStart(2, "0")).join("") : null,
    loadProblems: [...machineProblem, ...loadProblems(elf)],
  };
}

/** The text form of {@link ElfInfo}: a header summary, then a program header table like `readelf -l`. */
export function formatInfo(info: ElfInfo): string {
  const hex = (n: number, width = 0) => `0x${n.toString(16).padStart(width, "0")}`;
  const aw = info.class === 64 ? 16 : 8; // address width in hex digits
  const endian = info.endian === "le" ? "little" : "big";
  const lines = [
    `File:         ${info.file}`,
    `Class:        ELF${info.class}`,
    `Data:         ${endian} endian`,
    `Machine:      ${info.guest ?? `unsupported machine ${info.machine}`} (${info.machineName})`,
    `Type:         ${info.typeName}`,
    `Entry point:  ${hex(info.entry)}`,
    `Flags:        ${hex(info.flags)}`,
    `OS/ABI:       ${info.osabi}`,
  ];
  if (info.interpreter !== null) lines.push(`Interpreter:  ${info.interpreter} (dynamically linked: isa2wasm rejects it for running)`);
  if (info.buildId !== null) lines.push(`Build ID:     ${info.buildId}`);
  lines.push(`Sections:     ${info.sections.length}`);
  lines.push(`Symbols:      ${info.symbolCount} in .symtab, ${info.dynamicSymbolCount} in .dynsym`);
  lines.push("", `Program headers (${info.programHeaders.length}):`);
  lines.push(`  ${"Type".padEnd(16)} ${"Offset".padEnd(10)} ${"VirtAddr".padEnd(aw + 2)} ${"PhysAddr".padEnd(aw + 2)} ${"FileSiz".padEnd(10)} ${"MemSiz".padEnd(10)} Flg Align`);
  for (const p of info.programHeaders) {
    lines.push(`  ${p.typeName.padEnd(16)} ${hex(p.offset, 8)} ${hex(p.vaddr, aw)} ${hex(p.paddr, aw)} ${hex(p.filesz, 8)} ${hex(p.memsz, 8)} ${segmentFlagsName(p.flags)} ${hex(p.align)}`);
  }
  lines.push("");
  if (info.loadProblems.length === 0) lines.push(`Loadable:     yes (as ${info.guest})`);
  else lines.push("Loadable:     no", ...info.loadProblems.map((p) => `  - ${p}`));
  return lines.join("\n") + "\n";
}

export const infoCommand: Command = {
  name: "info",
  summary: "describe an ELF file (class, machine, segments) and whether it can run",
  help: HELP,
  async run(args, io) {
    const { opts, rest } = parseArgs(args);
    for (const name of opts.keys()) if (name !== "json") throw new UsageError(`unknown option --${name} (see 'isa2wasm info --help')`);
    if (rest.length !== 1) throw new UsageError(`expected one FILE, got ${rest.length} (see 'isa2wasm info --help')`);
    const file = rest[0]!;
    const bytes = await io.readFile(file);
    let elf: ElfFile;
    try {
      elf = parseElf(bytes);
    } catch (e) {
      if (e instanceof ElfError) throw new InputError(`${file}: ${e.message}`);
      throw e;
    }
    const info = describeElf(file, elf);
    io.out(opts.has("json") ? JSON.stringify(info, null, 2) + "\n" : formatInfo(info));
    return 0;
  },
};
