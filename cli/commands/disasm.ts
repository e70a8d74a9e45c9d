/** `isa2wasm disasm PROGRAM`: disassembles an ELF program's code in the format of `objdump -d -M no-aliases`. */
import type { Command } from "../command.ts";
import { parseArgs } from "../command.ts";
import { InputError, UsageError } from "../errors.ts";
import {
  ElfError, guestOf, parseElf, SHF_EXECINSTR, SHT_NOBITS, STB_GLOBAL, STB_LOCAL, STT_FILE, STT_FUNC, STT_OBJECT,
  STT_SECTION,
} from "../../translator/elf/elf.ts";
import type { ElfFile, ElfSymbol, Section } from "../../translator/elf/elf.ts";
import type { CodeReader } from "../../translator/guests/guest.ts";
import { decodeRiscv64 } from "../../translator/guests/riscv64/decode.ts";
import { disassembleRiscv64, disassembleUndecodable } from "../../translator/guests/riscv64/disasm.ts";

const HELP = `isa2wasm disasm: disassemble a program's code like objdump -d -M no-aliases

Usage: isa2wasm disasm PROGRAM [--symbol NAME] [--start ADDR] [--end ADDR]

Prints every executable section of PROGRAM (a riscv64 ELF file), or only the given symbol or address
range, as \`<symbol>:\` headers and \`address: encoding  instruction\` lines in the syntax of
riscv64-linux-gnu-objdump -d -M no-aliases (branch targets as plain addresses, without <symbol+offset>).
Data marked by $d mapping symbols is shown as .word/.short/.byte.

Options:
  --symbol NAME  only the code of symbol NAME (its value and size from the symbol table)
  --start ADDR   first address (hex with 0x, or decimal); default: the start of the section
  --end ADDR     address after the last one; default: the end of the section
  -h, --help     show this help

Exit status: 0 on success; 2 for a bad command line, a malformed or unreadable file, an unknown
symbol, a range outside the code, or a ppc32 program (PowerPC disassembly is not supported yet).
`;

/** A range of one executable section to disassemble. */
interface Range { section: Section; start: number; end: number }

function parseAddress(option: string, text: string): number {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${option}: '${text}' is not an address (hex with 0x, or decimal)`);
  return n;
}

/** Mapping symbols ($x code, $d data; RISC-V $x may carry an ISA string) name no code location. */
function isMappingSymbol(s: ElfSymbol): boolean {
  return s.name === "$d" || s.name.startsWith("$x") || s.name.startsWith("$d.");
}

/**
 * The symbols that label code in a section, one per address, chosen as objdump does (binutils
 * compare_symbols): functions, then objects, then non-local, then global, then larger, then by name.
 */
function labels(elf: ElfFile, shndx: number): Map<number, string> {
  const rank = (s: ElfSymbol) => [
    s.type === STT_FUNC ? 0 : 1, s.type === STT_OBJECT ? 0 : 1, s.bind === STB_LOCAL ? 1 : 0,
    s.bind === STB_GLOBAL ? 0 : 1, -s.size, s.name.startsWith(".") ? 1 : 0,
  ];
  const before = (a: ElfSymbol, b: ElfSymbol) => {
    const ra = rank(a), rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! < rb[i]!;
    return a.name < b.name;
  };
  const byAddress = new Map<number, ElfSymbol>();
  for (const s of elf.symbols) {
    if (s.shndx !== shndx || s.name === "" || isMappingSymbol(s) || s.type === STT_SECTION || s.type === STT_FILE) continue;
    const have = byAddress.get(s.value);
    if (!have || before(s, have)) byAddress.set(s.value, s);
  }
  return new Map([...byAddress].sort((a, b) => a[0] - b[0]).map(([a, s]) => [a, s.name]));
}

/** Address → true for code, false for data, from the section's mapping symbols (code when there are none). */
function mappingStates(elf: ElfFile, shndx: number): [number, boolean][] {
  return elf.symbols.filter((s) => s.shndx === shndx && isMappingSymbol(s))
    .map((s): [number, boolean] => [s.value, s.name.startsWith("$x")]).sort((a, b) => a[0] - b[0]);
}

function hexColumn(raw: number, bytes: number): string {
  return raw.toString(16).padStart(bytes * 2, "0").padEnd(bytes === 2 ? 20 : 18, " ");
}

function line(addr: number, column: string, text: string): string {
  return `${addr.toString(16).padStart(8, " ")}:\t${column}\t${text}`;
}

/** Disassembles the given ranges of a riscv64 file into objdump-style lines. */
function disassembleRanges(elf: ElfFile, ranges: Range[]): string[] {
  const out: string[] = [];
  let lastSection: Section | undefined;
  for (const { section, start, end } of ranges) {
    const shndx = elf.sections.indexOf(section);
    const byteAt = (a: number) => elf.bytes[section.offset + a - section.addr]!;
    const code: CodeReader = {
      fetch16: (a) => {
        if (a + 2 > section.addr + section.size) throw new RangeError(`fetch past the end of ${section.name}`);
        return byteAt(a) | byteAt(a + 1) << 8;
      },
      fetch32: (a) => (code.fetch16(a) | code.fetch16(a + 2) << 16) >>> 0,
    };
    const names = labels(elf, shndx);
    const labelled = [...names.keys()];
    let nextLabel = labelled.findIndex((a) => a > start);
    const states = mappingStates(elf, shndx);
    let stateIndex = 0, isCode = true;
    if (section !== lastSection) out.push("", `Disassembly of section ${section.name}:`);
    lastSection = section;
    for (let pc = start; pc < end;) {
      const name = names.get(pc);
      if (name !== undefined || pc === start) {
        const before = labelled.filter((a) => a < pc).pop();
        const label = name ?? (before !== undefined ? `${names.get(before)}+0x${(pc - before).toString(16)}`
          : pc === section.addr ? section.name : `${section.name}+0x${(pc - section.addr).toString(16)}`);
        out.push("", `${pc.toString(16).padStart(16, "0")} <${label}>:`);
      }
      while (nextLabel >= 0 && nextLabel < labelled.length && labelled[nextLabel]! <= pc) nextLabel++;
      // objdump shows runs of zero bytes as "...": 8 or more, or fewer than 3 up to the next symbol
      const stop = Math.min(end, nextLabel >= 0 && nextLabel < labelled.length ? labelled[nextLabel]! : end);
      let zeros = pc;
      while (zeros < stop && byteAt(zeros) === 0) zeros++;
      if (zeros < stop) zeros = pc + ((zeros - pc) & ~3);
      if (zeros - pc >= 8 || (zeros === stop && zeros > pc && zeros - pc < 3)) {
        out.push("\t...");
        pc = zeros;
        continue;
      }
      while (stateIndex < states.length && states[stateIndex]![0] <= pc) isCode = states[stateIndex++]![1];
      const nextChange = Math.min(end, stateIndex < states.length ? states[stateIndex]![0] : end);
      if (!isCode) {
        const size = Math.min(4, nextChange - pc) >= 4 ? 4 : Math.min(2, nextChange - pc) >= 2 ? 2 : 1;
        let value = 0;
        for (let i = size - 1; i >= 0; i--) value = value * 256 + byteAt(pc + i);
        const directive = size === 4 ? ".word" : size === 2 ? ".short" : ".byte";
        out.push(line(pc, hexColumn(value, size), `${directive}\t0x${value.toString(16).padStart(size * 2, "0")}`));
        pc += size;
        continue;
      }
      if (pc + 2 > section.addr + section.size) {
        out.push(line(pc, hexColumn(byteAt(pc), 1), `.byte\t0x${byteAt(pc).toString(16).padStart(2, "0")}`));
        pc += 1;
        continue;
      }
      const first = code.fetch16(pc);
      const size = (first & 3) === 3 && pc + 4 <= section.addr + section.size ? 4 : 2;
      // a 32-bit encoding cut off by the end of the section is shown as data
      const d = size === 4 || (first & 3) !== 3 ? decodeRiscv64(code, pc) : undefined;
      const raw = d ? d.raw : size === 4 ? code.fetch32(pc) : first;
      const text = d ? disassembleRiscv64(d, pc, labelled.length > 0) : disassembleUndecodable(raw, size);
      out.push(line(pc, hexColumn(raw, size), text));
      pc += size;
    }
  }
  return out;
}

/** The ranges a command line asks for: whole executable sections, one symbol, or an address range. */
function selectRanges(elf: ElfFile, file: string, symbol: string | undefined, start?: number, end?: number): Range[] {
  const code = elf.sections.filter((s) => (s.flags & SHF_EXECINSTR) !== 0 && s.size > 0 && s.type !== SHT_NOBITS);
  if (code.length === 0) throw new InputError(`${file}: no executable sections`);
  const sectionOf = (addr: number) => code.find((s) => addr >= s.addr && addr < s.addr + s.size);
  if (symbol !== undefined) {
    const candidates = elf.symbols.filter((s) => s.name === symbol && !isMappingSymbol(s) && sectionOf(s.value));
    const sym = candidates.find((s) => s.size > 0) ?? candidates[0];
    if (!sym) throw new InputError(`${file}: no symbol '${symbol}' in the code`);
    start ??= sym.value;
    if (end === undefined && sym.size > 0) end = sym.value + sym.size;
    else if (end === undefined) {
      // a symbol without size (hand-written code such as _start) reaches to the next label or the section end
      const section = sectionOf(sym.value)!;
      const next = [...labels(elf, elf.sections.indexOf(section)).keys()].find((a) => a > sym.value);
      end = next ?? section.addr + section.size;
    }
  }
  if (start === undefined && end === undefined) return code.map((s) => ({ section: s, start: s.addr, end: s.addr + s.size }));
  const section = sectionOf(start ?? end! - 1);
  if (!section) throw new InputError(`${file}: address 0x${(start ?? end!).toString(16)} is not in an executable section`);
  const from = start ?? section.addr, to = end ?? section.addr + section.size;
  if (to <= from) throw new UsageError(`--end 0x${to.toString(16)} is not after --start 0x${from.toString(16)}`);
  if (to > section.addr + section.size) {
    throw new InputError(`${file}: range 0x${from.toString(16)}-0x${to.toString(16)} extends past ${section.name}`);
  }
  return [{ section, start: from, end: to }];
}

export const disasmCommand: Command = {
  name: "disasm",
  summary: "disassemble a riscv64 program like objdump -d -M no-aliases",
  help: HELP,
  async run(args, io) {
    const { opts, rest } = parseArgs(args, ["symbol", "start", "end"]);
    for (const name of opts.keys()) {
      if (!["symbol", "start", "end"].includes(name)) throw new UsageError(`unknown option --${name} (see 'isa2wasm disasm --help')`);
    }
    if (rest.length !== 1) throw new UsageError(`expected one PROGRAM, got ${rest.length} (see 'isa2wasm disasm --help')`);
    const value = (name: string) => {
      const v = opts.get(name);
      if (v === true) throw new UsageError(`option --${name} needs a value`);
      return v;
    };
    const symbol = value("symbol"), startText = value("start"), endText = value("end");
    const file = rest[0]!;
    const bytes = await io.readFile(file);
    let elf: ElfFile;
    try {
      elf = parseElf(bytes);
    } catch (e) {
      if (e instanceof ElfError) throw new InputError(`${file}: ${e.message}`);
      throw e;
    }
    const guest = guestOf(elf);
    if (guest === "ppc32") throw new InputError(`${file}: PowerPC (ppc32) disassembly is not supported yet`);
    if (guest !== "riscv64") throw new InputError(`${file}: not a riscv64 or ppc32 ELF file (machine ${elf.machine})`);
    const start = startText === undefined ? undefined : parseAddress("start", startText);
    const end = endText === undefined ? undefined : parseAddress("end", endText);
    const lines = disassembleRanges(elf, selectRanges(elf, file, symbol, start, end));
    io.out(`\n${file}:     file format elf64-littleriscv\n\n${lines.join("\n")}\n`);
    return 0;
  },
};
