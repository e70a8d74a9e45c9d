/**
 * The reader on hand-made files of all four class/byte-order combinations: values written by the test
 * builder read back, and every kind of broken header ends in an ElfError naming the problem. Field offsets
 * below are the ones the ELF specification gives for Elf32_/Elf64_ Ehdr, Phdr and Shdr.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import {
  EM_PPC, EM_RISCV, ET_DYN, ET_EXEC, ET_REL, ElfError, guestOf, isStaticExecutable, loadProblems, parseElf, PF_R, PF_W, PF_X, PT_GNU_STACK,
  PT_INTERP, PT_LOAD, PT_NOTE, PT_TLS, segmentsToLoad, SHT_NOBITS, SHT_PROGBITS, STB_GLOBAL, STB_LOCAL,
  STT_FUNC, STT_OBJECT,
} from "./elf.ts";
import { buildElf, EHDR, patchInt, PHDR, SHDR } from "./testelf.ts";
import type { BuiltElf, ElfSpec, SegmentSpec } from "./testelf.ts";

type Cls = 32 | 64;
type Endian = "le" | "be";
const COMBOS: [Cls, Endian][] = [[32, "le"], [32, "be"], [64, "le"], [64, "be"]];

const SYMBOLS = [
  { name: "_start", value: 0x10080, size: 0x40, type: STT_FUNC, bind: STB_GLOBAL, shndx: 1 },
  { name: "counter", value: 0x30010, size: 8, type: STT_OBJECT, bind: STB_LOCAL, other: 2, shndx: 2 },
  { name: "long_name_" + "x".repeat(300), value: 0x10100, size: 0, type: STT_FUNC, bind: STB_GLOBAL, shndx: 1 },
];

/** A well-formed static executable: RX segment from offset 0, RW segment with .bss, GNU_STACK; .text, .bss, symbols. */
function goodSpec(cls: Cls, endian: Endian, extraSegments: SegmentSpec[] = []): ElfSpec {
  const nseg = 3 + extraSegments.length;
  const h = EHDR[cls].size + nseg * PHDR[cls].size;
  const rwOff = h + 0x2000;
  return {
    class: cls, endian, type: ET_EXEC, machine: cls === 64 ? EM_RISCV : EM_PPC, entry: 0x10000 + h, flags: 5,
    payload: new Uint8Array(0x3000).fill(0x13),
    segments: [
      { type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: 0x10000, paddr: 0x10000, filesz: h + 0x1000, memsz: h + 0x1000, align: 0x1000 },
      { type: PT_LOAD, flags: PF_R | PF_W, offset: rwOff, vaddr: 0x30000 + (rwOff % 0x1000), paddr: 0x30000 + (rwOff % 0x1000), filesz: 0x800, memsz: 0x1800, align: 0x1000 },
      { type: PT_GNU_STACK, flags: PF_R | PF_W, align: 16 },
      ...extraSegments,
    ],
    sections: [
      { name: ".text", type: SHT_PROGBITS, flags: 6, addr: 0x10000 + h, data: new Uint8Array(64).fill(1), addralign: 4 },
      { name: ".bss", type: SHT_NOBITS, flags: 3, addr: 0x31000, nobits: 0x1000, addralign: 8 },
    ],
    symbols: SYMBOLS,
  };
}

/** Asserts that `f` throws an ElfError whose one-line message matches `pattern`. */
function throwsElf(f: () => unknown, pattern: RegExp, label = "") {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ElfError)) throw new assert.Assertion({ message: `${label}: expected ElfError, got ${String(e)}`, generated: true, operator: "throws", actual: e, expects: "ElfError" });
    assert.ok(!e.message.includes("\n"), `${label}: message has several lines: ${e.message}`);
    assert.match(e.message, pattern, label);
    return;
  }
  assert.unreachable(`${label}: expected an ElfError matching ${pattern}`);
}

/** Builds `spec`, applies `edit` to the bytes, parses. */
function parseEdited(spec: ElfSpec, edit: (b: BuiltElf, put: (off: number, size: 1 | 2 | 4 | 8, v: number | bigint) => void) => void) {
  const built = buildElf(spec);
  edit(built, (off, size, v) => patchInt(built.bytes, off, size, v, spec.endian));
  return () => parseElf(built.bytes);
}

test("all four class/byte-order combinations read back what was written", () => {
  for (const [cls, endian] of COMBOS) {
    const spec = goodSpec(cls, endian);
    const built = buildElf(spec);
    const elf = parseElf(built.bytes);
    const label = `ELF${cls} ${endian}`;
    assert.is(elf.class, cls, label);
    assert.is(elf.endian, endian, label);
    assert.is(elf.type, ET_EXEC);
    assert.is(elf.machine, spec.machine);
    assert.is(elf.entry, spec.entry);
    assert.is(elf.flags, 5);
    assert.is(elf.programHeaders.length, 3);
    for (const [i, p] of spec.segments!.entries()) {
      const got = elf.programHeaders[i]!;
      assert.equal([got.type, got.flags, got.offset, got.vaddr, got.paddr, got.filesz, got.memsz, got.align],
        [p.type, p.flags ?? 0, p.offset ?? 0, p.vaddr ?? 0, p.paddr ?? 0, p.filesz ?? 0, p.memsz ?? 0, p.align ?? 0], `${label} segment ${i}`);
    }
    assert.equal(elf.sections.map((s) => s.name), ["", ".text", ".bss", ".shstrtab", ".symtab", ".strtab"], label);
    assert.equal(elf.sections.map((s) => s.offset), built.sectionOffsets, label);
    assert.is(elf.sections[1]!.addr, spec.sections![0]!.addr!);
    assert.is(elf.sections[1]!.size, 64);
    assert.is(elf.sections[2]!.size, 0x1000);
    assert.is(elf.symbols.length, SYMBOLS.length + 1, label);
    assert.equal(elf.symbols[0], { name: "", value: 0, size: 0, type: 0, bind: 0, other: 0, shndx: 0 });
    for (const [i, s] of SYMBOLS.entries()) assert.equal(elf.symbols[i + 1], { other: 0, ...s }, `${label} symbol ${i}`);
    assert.equal(elf.dynamicSymbols, []);
    assert.is(elf.interpreter, undefined);
    assert.is(elf.phoff, built.phoff, label);
    assert.is(elf.shoff, built.shoff, label);
    assert.equal(loadProblems(elf), [], label);
    assert.ok(isStaticExecutable(elf), label);
    assert.equal(segmentsToLoad(elf), elf.programHeaders.slice(0, 2), label);
  }
});

test("guestOf: riscv64 is ELF64 little-endian RISC-V, ppc32 is ELF32 big-endian PowerPC, nothing else", () => {
  const guest = (cls: Cls, endian: Endian, machine: number) => guestOf(parseElf(buildElf({ class: cls, endian, machine }).bytes));
  assert.is(guest(64, "le", EM_RISCV), "riscv64");
  assert.is(guest(32, "be", EM_PPC), "ppc32");
  assert.is(guest(32, "le", EM_RISCV), undefined);
  assert.is(guest(64, "be", EM_RISCV), undefined);
  assert.is(guest(32, "le", EM_PPC), undefined);
  assert.is(guest(64, "le", 62), undefined);
});

test("short files, bad magic, bad class, bad data encoding", () => {
  throwsElf(() => parseElf(new Uint8Array(0)), /shorter than the 16-byte ELF identification/, "empty");
  throwsElf(() => parseElf(Uint8Array.from([0x7f, 0x45, 0x4c])), /shorter than the 16-byte/, "3 bytes");
  const good = buildElf(goodSpec(64, "le")).bytes;
  throwsElf(() => parseElf(good.subarray(0, 40)), /shorter than the 64-byte ELF64 header/, "40 bytes of ELF64");
  throwsElf(() => parseElf(buildElf(goodSpec(32, "be")).bytes.subarray(0, 51)), /shorter than the 52-byte ELF32 header/, "51 bytes of ELF32");
  for (const [i, v] of [[0, 0x7e], [1, 0x65], [3, 0]] as const) {
    const b = good.slice(); b[i] = v;
    throwsElf(() => parseElf(b), /bad magic/, `magic byte ${i}`);
  }
  for (const v of [0, 3, 255]) { const b = good.slice(); b[4] = v; throwsElf(() => parseElf(b), /bad class/, `class ${v}`); }
  for (const v of [0, 3]) { const b = good.slice(); b[5] = v; throwsElf(() => parseElf(b), /bad data encoding/, `data ${v}`); }
  throwsElf(() => parseElf(new TextEncoder().encode("#!/bin/sh\necho not an ELF file\n")), /bad magic 23 21 2f 62/, "script");
});

test("wrong e_phentsize / e_shentsize, program and section header tables past end of file", () => {
  for (const [cls, endian] of COMBOS) {
    const spec = goodSpec(cls, endian), eh = EHDR[cls];
    throwsElf(parseEdited(spec, (_, put) => put(eh.phentsize, 2, PHDR[cls].size + 4)), /e_phentsize is \d+ \(expected/, `phentsize ELF${cls}`);
    throwsElf(parseEdited(spec, (_, put) => put(eh.phentsize, 2, 0)), /e_phentsize is 0/, `phentsize 0 ELF${cls}`);
    throwsElf(parseEdited(spec, (_, put) => put(eh.shentsize, 2, 1)), /e_shentsize is 1/, `shentsize ELF${cls}`);
    throwsElf(parseEdited(spec, (b, put) => put(eh.phoff, eh.word, b.bytes.length - 8)), /program header table \(offset 0x[0-9a-f]+, 3 entries of \d+ bytes\) extends past end of file/, `phoff ELF${cls}`);
    throwsElf(parseEdited(spec, (_, put) => put(eh.phnum, 2, 0xfffe)), /program header table .*65534 entries.* extends past end of file/, `phnum ELF${cls}`);
    throwsElf(parseEdited(spec, (b, put) => put(eh.shoff, eh.word, b.shoff + 8)), /section header table .* extends past end of file/, `shoff ELF${cls}`);
    throwsElf(parseEdited(spec, (_, put) => put(eh.shoff, eh.word, 0)), /e_shnum is 6 but e_shoff is 0/, `shoff 0 ELF${cls}`);
  }
});

test("extended numbering: e_shnum 0, e_shstrndx SHN_XINDEX and e_phnum PN_XNUM take their values from section 0", () => {
  for (const [cls, endian] of COMBOS) {
    const spec = goodSpec(cls, endian), eh = EHDR[cls], sh = SHDR[cls];
    const plain = parseElf(buildElf(spec).bytes);
    const extended = parseEdited(spec, (b, put) => {
      put(eh.shnum, 2, 0); put(b.shoff + sh.size_, eh.word, 6);
      put(eh.shstrndx, 2, 0xffff); put(b.shoff + sh.link, 4, 3);
      put(eh.phnum, 2, 0xffff); put(b.shoff + sh.info, 4, 3);
    })();
    assert.equal(extended.sections.slice(1), plain.sections.slice(1), `ELF${cls} ${endian}`);
    assert.equal(extended.programHeaders, plain.programHeaders, `ELF${cls} ${endian}`);
    // e_shoff set but e_shnum and e_shentsize 0: no section headers
    const none = parseEdited(spec, (_, put) => { put(eh.shnum, 2, 0); put(eh.shentsize, 2, 0); })();
    assert.equal([none.sections.length, none.symbols.length, none.shoff], [0, 0, 0]);
  }
});

test("a huge section count fails fast without allocating", () => {
  for (const [cls, endian] of COMBOS) {
    const spec = goodSpec(cls, endian), eh = EHDR[cls], sh = SHDR[cls];
    const t0 = performance.now();
    throwsElf(parseEdited(spec, (_, put) => put(eh.shnum, 2, 0xffff)), /section header table .*65535 entries/, `shnum 0xffff ELF${cls}`);
    // Extended numbering: e_shnum 0 means section 0's sh_size holds the count (here 2^40 or 2^32 - 1).
    throwsElf(parseEdited(spec, (b, put) => { put(eh.shnum, 2, 0); put(b.shoff + sh.size_, eh.word, cls === 64 ? 2 ** 40 : 0xffffffff); }),
      /section header table .* entries of \d+ bytes\) extends past end of file/, `extended shnum ELF${cls}`);
    // e_phnum 0xffff (PN_XNUM): section 0's sh_info holds the count.
    throwsElf(parseEdited(spec, (b, put) => { put(eh.phnum, 2, 0xffff); put(b.shoff + (cls === 64 ? 44 : 28), 4, 0xffffffff); }),
      /program header table .*4294967295 entries/, `extended phnum ELF${cls}`);
    assert.ok(performance.now() - t0 < 200, `took ${performance.now() - t0} ms`);
  }
});

test("e_shstrndx out of range or not a string table; section name offsets past .shstrtab", () => {
  for (const [cls, endian] of COMBOS) {
    const spec = goodSpec(cls, endian), eh = EHDR[cls], sh = SHDR[cls];
    throwsElf(parseEdited(spec, (_, put) => put(eh.shstrndx, 2, 6)), /e_shstrndx 6 is out of range \(6 sections\)/, `ELF${cls}`);
    throwsElf(parseEdited(spec, (_, put) => put(eh.shstrndx, 2, 1)), /section 1 as its string table, but its type is 1/, `ELF${cls}`);
    throwsElf(parseEdited(spec, (b, put) => put(b.shoff + 1 * sh.size + sh.name, 4, 0x10000)), /section header 1: name offset 0x10000 is past the end/, `ELF${cls}`);
    // a string table whose last string has no NUL
    throwsElf(parseEdited(spec, (b, put) => put(b.shoff + 3 * sh.size + sh.size_, eh.word, 3)), /has no terminating NUL/, `ELF${cls}`);
  }
});

test("sections past end of file, offsets that wrap 2^32 or 2^64", () => {
  for (const [cls, endian] of COMBOS) {
    const spec = goodSpec(cls, endian), eh = EHDR[cls], sh = SHDR[cls];
    throwsElf(parseEdited(spec, (b, put) => put(b.shoff + sh.size + sh.offset, eh.word, b.bytes.length - 10)), /section 1 \(offset 0x[0-9a-f]+, size 0x40\) extends past end of file/, `ELF${cls}`);
    throwsElf(parseEdited(spec, (b, put) => put(b.shoff + sh.size + sh.size_, eh.word, 0xfffffff0)), /section 1 .* extends past end of file/, `ELF${cls}`);
    if (cls === 32) {
      // 0xfffffff0 + 0x40 wraps to 0x30 in 32-bit arithmetic: must still be past the end
      throwsElf(parseEdited(spec, (b, put) => put(b.shoff + sh.size + sh.offset, 4, 0xfffffff0)), /section 1 \(offset 0xfffffff0, size 0x40\) extends past end of file/, "wrap 2^32");
    } else {
      throwsElf(parseEdited(spec, (b, put) => put(b.shoff + sh.size + sh.offset, 8, 2n ** 64n - 16n)), /section header 1 sh_offset 0xfffffffffffffff0 does not fit in 53 bits/, "wrap 2^64");
      throwsElf(parseEdited(spec, (_, put) => put(eh.entry, 8, 2n ** 53n)), /e_entry 0x20000000000000 does not fit in 53 bits/, "entry 2^53");
      throwsElf(parseEdited(spec, (b, put) => put(b.phoff + PHDR[64].memsz, 8, 2n ** 63n)), /program header 0 p_memsz/, "memsz 2^63");
    }
    // a NOBITS section may point anywhere
    assert.ok(parseEdited(spec, (b, put) => put(b.shoff + 2 * sh.size + sh.offset, eh.word, 0xfffffff0))());
  }
});

test("symbol tables: bad sh_entsize, size not a multiple, bad sh_link, name offsets past the string table", () => {
  for (const [cls, endian] of COMBOS) {
    const spec = goodSpec(cls, endian), eh = EHDR[cls], sh = SHDR[cls], symtab = 4;
    const at = (b: BuiltElf, field: number) => b.shoff + symtab * sh.size + field;
    throwsElf(parseEdited(spec, (b, put) => put(at(b, sh.entsize), eh.word, 1)), /symbol table section 4 has sh_entsize 1 \(expected (16|24)\)/, `ELF${cls}`);
    throwsElf(parseEdited(spec, (b, put) => put(at(b, sh.size_), eh.word, cls === 64 ? 50 : 20)), /size 0x[0-9a-f]+ is not a multiple/, `ELF${cls}`);
    throwsElf(parseEdited(spec, (b, put) => put(at(b, sh.link), 4, 99)), /string table section 99, which does not exist/, `ELF${cls}`);
    throwsElf(parseEdited(spec, (b, put) => put(at(b, sh.link), 4, 0)), /string table section 0, which does not exist/, `ELF${cls}`);
    throwsElf(parseEdited(spec, (b, put) => put(at(b, sh.link), 4, 1)), /type is 1, not SHT_STRTAB/, `ELF${cls}`);
    const symSize = cls === 64 ? 24 : 16;
    throwsElf(parseEdited(spec, (b, put) => put(b.sectionOffsets[symtab]! + 2 * symSize, 4, 0x7fffffff)),
      /symbol 2 of section 4: name offset 0x7fffffff is past the end of string table section 5/, `ELF${cls}`);
    throwsElf(parseEdited(spec, (b, put) => put(at(b, sh.size_), eh.word, 0x10000 * symSize)), /section 4 .* extends past end of file/, `ELF${cls}`);
  }
});

test("many symbol names pointing into one long string hit the name budget instead of using quadratic memory", () => {
  const long = "y".repeat(60000);
  const spec: ElfSpec = { class: 64, endian: "le", symbols: [{ name: long, value: 0, size: 0, type: 0, bind: 0, shndx: 0 }] };
  const built = buildElf(spec);
  const t0 = performance.now();
  const strtabSize = long.length + 2;
  // Grow the symbol table: re-point it at a fresh area holding 20000 entries named at offsets 1..20000.
  const syms = new Uint8Array(20000 * 24);
  for (let i = 0; i < 20000; i++) patchInt(syms, i * 24, 4, 1 + i, "le");
  const bytes = new Uint8Array(built.bytes.length + syms.length);
  bytes.set(built.bytes); bytes.set(syms, built.bytes.length);
  const symtabHeader = built.shoff + 2 * 64; // null, .shstrtab, .symtab, .strtab
  patchInt(bytes, symtabHeader + 24, 8, built.bytes.length, "le");
  patchInt(bytes, symtabHeader + 32, 8, syms.length, "le");
  assert.is(parseElf(built.bytes).sections[3]!.size, strtabSize);
  throwsElf(() => parseElf(bytes), /names in string table section 3 add up to more than the file could hold/);
  assert.ok(performance.now() - t0 < 2000, `took ${performance.now() - t0} ms`);
});

test("many PT_NOTE segments or symbol tables over the same bytes fail fast instead of using quadratic memory", () => {
  for (const [cls, endian] of COMBOS) {
    const notes = new Uint8Array(12 * 2000); // 2000 empty notes (namesz = descsz = type = 0)
    const nseg = 2000, h = EHDR[cls].size + nseg * PHDR[cls].size;
    const segments = Array.from({ length: nseg }, () => ({ type: PT_NOTE, offset: h, filesz: notes.length, align: 4 }));
    const t0 = performance.now();
    throwsElf(() => parseElf(buildElf({ class: cls, endian, segments, payload: notes }).bytes), /note segments add up to more than the file size/, `ELF${cls}`);
    const symbols = Array.from({ length: 1000 }, (_, i) => ({ name: "", value: i, size: 0, type: 0, bind: 0, shndx: 0 }));
    const built = buildElf({ class: cls, endian, symbols });
    // 500 more section headers, each a copy of the .symtab header (index 2: null, .shstrtab, .symtab, .strtab)
    const shsize = SHDR[cls].size, copies = 500;
    const bytes = new Uint8Array(built.bytes.length + copies * shsize);
    bytes.set(built.bytes);
    for (let k = 0; k < copies; k++) bytes.set(built.bytes.subarray(built.shoff + 2 * shsize, built.shoff + 3 * shsize), built.bytes.length + k * shsize);
    patchInt(bytes, EHDR[cls].shnum, 2, 4 + copies, endian);
    assert.is(parseElf(built.bytes).symbols.length, 1001);
    throwsElf(() => parseElf(bytes), /symbol tables hold more entries than the file could/, `ELF${cls}`);
    assert.ok(performance.now() - t0 < 1000, `took ${performance.now() - t0} ms`);
  }
});

test("PT_INTERP: read, reported as dynamic linking; unterminated or past end of file is malformed", () => {
  const interp = new TextEncoder().encode("/lib/ld-linux-riscv64-lp64d.so.1\0");
  for (const [cls, endian] of COMBOS) {
    const h = EHDR[cls].size + 4 * PHDR[cls].size;
    const spec = goodSpec(cls, endian, [{ type: PT_INTERP, flags: PF_R, offset: h + 0x2000 + 0x800, filesz: interp.length, memsz: interp.length, align: 1 }]);
    const payload = spec.payload!.slice();
    payload.set(interp, 0x2800);
    spec.payload = payload;
    const elf = parseElf(buildElf(spec).bytes);
    assert.is(elf.interpreter, "/lib/ld-linux-riscv64-lp64d.so.1");
    assert.not.ok(isStaticExecutable(elf));
    assert.equal(loadProblems(elf), ["dynamically linked executables are not supported yet (PT_INTERP /lib/ld-linux-riscv64-lp64d.so.1): build with -static"]);
    throwsElf(() => segmentsToLoad(elf), /^dynamically linked executables are not supported yet \(PT_INTERP \/lib\/ld-linux-riscv64-lp64d.so.1\): build with -static$/);
    const ph = (b: BuiltElf, f: number) => b.phoff + 3 * PHDR[cls].size + f;
    throwsElf(parseEdited(spec, (b, put) => put(ph(b, PHDR[cls].filesz), EHDR[cls].word, interp.length - 1)), /PT_INTERP string .* is not NUL-terminated/, `ELF${cls}`);
    throwsElf(parseEdited(spec, (b, put) => put(ph(b, PHDR[cls].offset), EHDR[cls].word, b.bytes.length - 4)), /program header 3 .* extends past end of file/, `ELF${cls}`);
  }
});

test("notes: GNU build ID read; a note longer than its segment is malformed", () => {
  for (const [cls, endian] of COMBOS) {
    const h = EHDR[cls].size + 4 * PHDR[cls].size;
    const note = new Uint8Array(16 + 20);
    const id = Array.from({ length: 20 }, (_, i) => i * 7);
    patchInt(note, 0, 4, 4, endian); patchInt(note, 4, 4, 20, endian); patchInt(note, 8, 4, 3, endian);
    note.set([0x47, 0x4e, 0x55, 0], 12); note.set(id, 16);
    const spec = goodSpec(cls, endian, [{ type: PT_NOTE, flags: PF_R, offset: h + 0x2900, filesz: note.length, memsz: note.length, align: 4 }]);
    spec.payload = spec.payload!.slice();
    spec.payload.set(note, 0x2900);
    const elf = parseElf(buildElf(spec).bytes);
    assert.is(elf.notes.length, 1);
    assert.is(elf.notes[0]!.owner, "GNU");
    assert.is(elf.notes[0]!.type, 3);
    assert.equal([...elf.notes[0]!.desc], id);
    throwsElf(parseEdited(spec, (b, put) => put(b.payloadOffset + 0x2900 + 4, 4, 0xfffffff0)), /note at offset .* extends past its segment/, `ELF${cls}`);
  }
});

test("load checks: file types, filesz > memsz, overlapping segments, address range, alignment, entry point", () => {
  for (const [cls, endian] of COMBOS) {
    const problems = (edit: (s: ElfSpec) => void) => { const s = goodSpec(cls, endian); edit(s); return loadProblems(parseElf(buildElf(s).bytes)); };
    const rw = (s: ElfSpec) => s.segments![1]!;
    // a static PIE may lie anywhere: the loader moves it
    assert.equal(problems((s) => { s.type = ET_DYN; s.segments![0]!.vaddr = 0; s.entry = 0x100; }), []);
    assert.equal(problems((s) => { s.type = ET_REL; }), ["not an executable (e_type 1, expected ET_EXEC = 2 or ET_DYN = 3)"]);
    assert.equal(problems((s) => { rw(s).memsz = 0x400; }), [`PT_LOAD segment 1 (vaddr ${hex(rw(goodSpec(cls, endian)).vaddr!)}, memsz 0x400): p_filesz 0x800 is larger than p_memsz`]);
    assert.match(problems((s) => { rw(s).vaddr = 0x10800 + (rw(s).offset! % 0x1000) - 0x800; })[0]!, /^PT_LOAD segments 0 \(0x10000-0x[0-9a-f]+\) and 1 \(0x[0-9a-f]+-0x[0-9a-f]+\) overlap$/);
    assert.match(problems((s) => { rw(s).vaddr = 0xffff0000 + (rw(s).offset! % 0x1000); rw(s).memsz = 0x20000; })[0]!, /^PT_LOAD segment 1 .*: outside the guest address range 0x10000-0x100000000$/);
    assert.match(problems((s) => { s.segments![0]!.vaddr = 0; s.entry = 0x100; })[0]!, /^PT_LOAD segment 0 \(vaddr 0x0, .*: outside the guest address range/);
    assert.equal(problems((s) => { rw(s).vaddr = rw(s).vaddr! + 8; }).map((p) => p.replace(/^PT_LOAD segment 1 \(.*?\): /, "")),
      [`p_offset ${hex(rw(goodSpec(cls, endian)).offset!)} and p_vaddr differ modulo p_align 0x1000`, `p_offset ${hex(rw(goodSpec(cls, endian)).offset!)} and p_vaddr differ modulo the page size 0x1000`]);
    assert.match(problems((s) => { rw(s).memsz = 0; })[0]!, /^PT_LOAD segment 1 .*: p_filesz 0x800 is larger than p_memsz$/);
    assert.match(problems((s) => { rw(s).align = 0x3000; })[0]!, /p_align 0x3000 is not a power of two/);
    assert.equal(problems((s) => { s.entry = 0x30000; }), ["entry point 0x30000 is not inside an executable PT_LOAD segment"]);
    assert.equal(problems((s) => { s.segments = s.segments!.filter((p) => p.type !== PT_LOAD); s.entry = 0; }),
      ["no PT_LOAD segment with contents", "entry point 0x0 is not inside an executable PT_LOAD segment"]);
    assert.equal(problems((s) => { s.segments!.push({ type: PT_TLS, filesz: 0x20, memsz: 0x10, offset: 0x100 }); }).filter((p) => p.startsWith("PT_TLS")),
      ["PT_TLS segment 3: p_filesz 0x20 is larger than p_memsz 0x10"]);
  }
});

test("segmentsToLoad on the committed fixtures: the non-empty PT_LOAD segments, no problems", () => {
  for (const path of ["riscv64/hello", "ppc32/hello", "riscv64/hello.stripped", "ppc32/hello.stripped"]) {
    const elf = parseElf(new Uint8Array(readFileSync(`fixtures/bin/${path}`)));
    assert.equal(loadProblems(elf), [], path);
    const loads = segmentsToLoad(elf);
    assert.is(loads.length, 2, path);
    assert.ok(loads.every((p) => p.type === PT_LOAD), path);
  }
});

const hex = (n: number) => `0x${n.toString(16)}`;

test.run();
