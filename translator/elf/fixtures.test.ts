/**
 * The reader against binutils: for every committed fixture binary with a readelf capture, the facts
 * `readelf -W -h -l -S -s` printed when the fixture was built (fixtures/expected/<guest>/<name>.readelf.txt)
 * must equal what parseElf and `isa2wasm info --json` report.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { guestOf, loadProblems, parseElf } from "./elf.ts";
import { main } from "../../cli/main.ts";
import type { ElfInfo } from "../../cli/commands/info.ts";

/** Fixtures are read relative to the working directory, the repository root (tests run from there under Node and Deno). */
const root = "fixtures/";

/** readelf's spelling of section types → sh_type (values from the ELF gABI and glibc's elf.h). */
const SECTION_TYPES: Record<string, number> = {
  NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, HASH: 5, DYNAMIC: 6, NOTE: 7, NOBITS: 8, REL: 9, DYNSYM: 11,
  INIT_ARRAY: 14, FINI_ARRAY: 15, PREINIT_ARRAY: 16, GROUP: 17, GNU_ATTRIBUTES: 0x6ffffff5, GNU_HASH: 0x6ffffff6,
  VERDEF: 0x6ffffffd, VERNEED: 0x6ffffffe, VERSYM: 0x6fffffff, RISCV_ATTRIBUTES: 0x70000003,
};
/** readelf's spelling of segment types (it cuts names at 14 characters) → p_type. */
const SEGMENT_TYPES: Record<string, number> = {
  NULL: 0, LOAD: 1, DYNAMIC: 2, INTERP: 3, NOTE: 4, SHLIB: 5, PHDR: 6, TLS: 7, GNU_EH_FRAME: 0x6474e550,
  GNU_STACK: 0x6474e551, GNU_RELRO: 0x6474e552, GNU_PROPERTY: 0x6474e553, RISCV_ATTRIBUT: 0x70000003,
};
const MACHINES: Record<string, number> = { "RISC-V": 243, PowerPC: 20 };
const FILE_TYPES: Record<string, number> = { REL: 1, EXEC: 2, DYN: 3, CORE: 4 };

interface Facts {
  class: number; endian: string; machine: number; type: number; entry: number; flags: number; interpreter: string | null;
  programHeaders: { type: number; offset: number; vaddr: number; paddr: number; filesz: number; memsz: number; flags: number; align: number }[];
  sections: { name: string; type: number; addr: number; offset: number; size: number }[];
  symbols: number; dynamicSymbols: number;
}

function lookup(table: Record<string, number>, key: string, what: string): number {
  const v = table[key];
  if (v === undefined) throw new Error(`readelf ${what} '${key}' is not in this test's table: add it`);
  return v;
}

/** The facts of one `readelf -W -h -l -S -s` capture. */
function parseReadelf(text: string): Facts {
  const field = (name: string) => {
    const m = new RegExp(`^  ${name}:\\s+(.*)$`, "m").exec(text);
    if (!m) throw new Error(`readelf capture has no '${name}' line`);
    return m[1]!.trim();
  };
  const facts: Facts = {
    class: field("Class") === "ELF64" ? 64 : field("Class") === "ELF32" ? 32 : NaN,
    endian: field("Data").endsWith("little endian") ? "le" : field("Data").endsWith("big endian") ? "be" : "?",
    machine: lookup(MACHINES, field("Machine"), "machine"),
    type: lookup(FILE_TYPES, field("Type").split(" ")[0]!, "file type"),
    entry: Number(field("Entry point address")),
    flags: Number(field("Flags").split(",")[0]),
    interpreter: /\[Requesting program interpreter: (.*)\]/.exec(text)?.[1] ?? null,
    programHeaders: [], sections: [], symbols: 0, dynamicSymbols: 0,
  };
  const sectionCount = Number(field("Number of section headers"));
  const segmentCount = Number(field("Number of program headers"));
  const lines = text.split("\n");
  const from = (heading: string) => lines.indexOf(heading) + 1;
  const sec = /^  \[\s*(\d+)\] (\S*)\s+(\S+)\s+([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) [0-9a-f]+ +[A-Za-z]* +\d+ +\d+ +\d+$/;
  for (let i = from("Section Headers:") + 1; sectionCount > 0 && i < lines.length; i++) {
    const m = sec.exec(lines[i]!);
    if (!m) break;
    facts.sections.push({
      name: m[2]!, type: lookup(SECTION_TYPES, m[3]!, "section type"),
      addr: parseInt(m[4]!, 16), offset: parseInt(m[5]!, 16), size: parseInt(m[6]!, 16),
    });
  }
  const seg = /^  (\S+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) (.)(.)(.) 0x([0-9a-f]+)$/;
  for (let i = from("Program Headers:") + 1; segmentCount > 0 && i < lines.length; i++) {
    if (lines[i]!.includes("[Requesting program interpreter")) continue;
    const m = seg.exec(lines[i]!);
    if (!m) break;
    facts.programHeaders.push({
      type: lookup(SEGMENT_TYPES, m[1]!, "segment type"), offset: parseInt(m[2]!, 16), vaddr: parseInt(m[3]!, 16),
      paddr: parseInt(m[4]!, 16), filesz: parseInt(m[5]!, 16), memsz: parseInt(m[6]!, 16),
      flags: (m[7] === "R" ? 4 : 0) | (m[8] === "W" ? 2 : 0) | (m[9] === "E" ? 1 : 0), align: parseInt(m[10]!, 16),
    });
  }
  assert.is(facts.sections.length, sectionCount, "section lines in the readelf capture");
  assert.is(facts.programHeaders.length, segmentCount, "program header lines in the readelf capture");
  for (const m of text.matchAll(/^Symbol table '(\.symtab|\.dynsym)' contains (\d+) entries:$/gm)) {
    if (m[1] === ".symtab") facts.symbols += Number(m[2]);
    else facts.dynamicSymbols += Number(m[2]);
  }
  return facts;
}

/** Every fixture binary with its readelf capture. */
function fixtures(): { guest: string; name: string; path: string; expected: string }[] {
  const found = [];
  const bin = `${root}bin/`;
  for (const guest of existsSync(bin) ? readdirSync(bin) : []) {
    for (const name of readdirSync(`${bin}${guest}`)) {
      found.push({ guest, name, path: `${bin}${guest}/${name}`, expected: `${root}expected/${guest}/${name}.readelf.txt` });
    }
  }
  return found;
}

test("there are fixture binaries of both guests with readelf captures", () => {
  const all = fixtures().filter((f) => existsSync(f.expected));
  assert.ok(all.some((f) => f.guest === "riscv64"), "no riscv64 fixture with a readelf capture under fixtures/");
  assert.ok(all.some((f) => f.guest === "ppc32"), "no ppc32 fixture with a readelf capture under fixtures/");
});

// Binaries recorded without a readelf capture (the benchmarks, to save space) must at least parse and load.
for (const f of fixtures().filter((f) => !existsSync(f.expected))) {
  test(`${f.guest}/${f.name} (no readelf capture): parses as a loadable ${f.guest} executable`, () => {
    const elf = parseElf(new Uint8Array(readFileSync(f.path)));
    assert.is(guestOf(elf), f.guest);
    assert.equal(loadProblems(elf), []);
  });
}

for (const f of fixtures().filter((f) => existsSync(f.expected))) {
  test(`${f.guest}/${f.name}: parseElf and info --json agree with readelf`, async () => {
    const want = parseReadelf(readFileSync(f.expected, "utf8"));
    const bytes = new Uint8Array(readFileSync(f.path));
    const elf = parseElf(bytes);
    const parsed: Facts = {
      class: elf.class, endian: elf.endian, machine: elf.machine, type: elf.type, entry: elf.entry, flags: elf.flags,
      interpreter: elf.interpreter ?? null,
      programHeaders: elf.programHeaders.map(({ type, offset, vaddr, paddr, filesz, memsz, flags, align }) => ({ type, offset, vaddr, paddr, filesz, memsz, flags, align })),
      sections: elf.sections.map(({ name, type, addr, offset, size }) => ({ name, type, addr, offset, size })),
      symbols: elf.symbols.length, dynamicSymbols: elf.dynamicSymbols.length,
    };
    assert.equal(parsed, want);

    let out = "";
    const io = { out: (t: string) => { out += t; }, err: (t: string) => { throw new Error(t); }, cwd: ".", readFile: async () => bytes };
    assert.is(await main(["info", "--json", f.name], io), 0);
    const info = JSON.parse(out) as ElfInfo;
    const reported: Facts = {
      class: info.class, endian: info.endian, machine: info.machine, type: info.type, entry: info.entry, flags: info.flags,
      interpreter: info.interpreter,
      programHeaders: info.programHeaders.map(({ type, offset, vaddr, paddr, filesz, memsz, flags, align }) => ({ type, offset, vaddr, paddr, filesz, memsz, flags, align })),
      sections: info.sections.map(({ name, type, addr, offset, size }) => ({ name, type, addr, offset, size })),
      symbols: info.symbolCount, dynamicSymbols: info.dynamicSymbolCount,
    };
    assert.equal(reported, want);
    assert.is(info.guest, f.guest);
  });
}

test.run();
