/**
 * Test helper: writes small ELF files of either class and byte order from a description, laid out the way
 * the ELF specification defines the structures (independently of the reader), so tests can check the reader
 * against known values and patch single fields to make malformed files.
 */

/** Byte offsets of the Elf32_Ehdr / Elf64_Ehdr fields (after e_ident), `size` the header size, `word` the address size. */
export const EHDR = {
  32: { size: 52, type: 16, machine: 18, entry: 24, phoff: 28, shoff: 32, flags: 36, phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50, word: 4 as const },
  64: { size: 64, type: 16, machine: 18, entry: 24, phoff: 32, shoff: 40, flags: 48, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62, word: 8 as const },
};
/** Byte offsets of the Elf32_Phdr / Elf64_Phdr fields; `size` is the entry size. */
export const PHDR = {
  32: { size: 32, type: 0, offset: 4, vaddr: 8, paddr: 12, filesz: 16, memsz: 20, flags: 24, align: 28 },
  64: { size: 56, type: 0, flags: 4, offset: 8, vaddr: 16, paddr: 24, filesz: 32, memsz: 40, align: 48 },
};
/** Byte offsets of the Elf32_Shdr / Elf64_Shdr fields (`size_` is sh_size); `size` is the entry size. */
export const SHDR = {
  32: { size: 40, name: 0, type: 4, flags: 8, addr: 12, offset: 16, size_: 20, link: 24, info: 28, addralign: 32, entsize: 36 },
  64: { size: 64, name: 0, type: 4, flags: 8, addr: 16, offset: 24, size_: 32, link: 40, info: 44, addralign: 48, entsize: 56 },
};

/** A segment to emit; fields default to 0. */
export interface SegmentSpec {
  type: number; flags?: number; offset?: number; vaddr?: number; paddr?: number; filesz?: number; memsz?: number; align?: number;
}

/** A section to emit; its contents are placed in the file and sh_offset/sh_size set from them (unless `nobits`). */
export interface SectionSpec {
  name: string; type: number; flags?: number; addr?: number; data?: Uint8Array; nobits?: number; link?: number;
  info?: number; addralign?: number; entsize?: number;
}

/** A symbol to put into the generated .symtab (after the null symbol). */
export interface SymbolSpec { name: string; value: number; size: number; type: number; bind: number; other?: number; shndx: number }

export interface ElfSpec {
  class: 32 | 64;
  endian: "le" | "be";
  type?: number;
  machine?: number;
  entry?: number;
  flags?: number;
  segments?: SegmentSpec[];
  sections?: SectionSpec[];
  /** when given, .symtab and .strtab sections are appended holding these symbols */
  symbols?: SymbolSpec[];
  /** bytes appended after the ELF header and program headers, before the sections (e.g. segment contents) */
  payload?: Uint8Array;
}

/** Where the builder put things, for tests that patch fields. */
export interface BuiltElf {
  bytes: Uint8Array;
  phoff: number;
  shoff: number;
  /** offset of `payload` in the file */
  payloadOffset: number;
  /** sh_offset of each section by index (index 0 is the null section; shstrtab, symtab, strtab come last) */
  sectionOffsets: number[];
}

/** Writes integers in the chosen byte order into a growable byte buffer. */
class Writer {
  bytes = new Uint8Array(4096);
  length = 0;
  constructor(readonly le: boolean) {}
  private room(n: number) {
    while (this.length + n > this.bytes.length) {
      const b = new Uint8Array(this.bytes.length * 2);
      b.set(this.bytes);
      this.bytes = b;
    }
  }
  int(value: number | bigint, size: 1 | 2 | 4 | 8) {
    this.room(size);
    let v = BigInt(value);
    for (let i = 0; i < size; i++) {
      this.bytes[this.length + (this.le ? i : size - 1 - i)] = Number(v & 0xffn);
      v >>= 8n;
    }
    this.length += size;
  }
  raw(b: Uint8Array) { this.room(b.length); this.bytes.set(b, this.length); this.length += b.length; }
  align(n: number) { while (this.length % n !== 0) this.int(0, 1); }
}

/** NUL-terminated strings packed into a string table, first byte NUL. */
function stringTable(names: string[]): { data: Uint8Array; offsets: number[] } {
  const parts: number[] = [0];
  const offsets = names.map((n) => {
    if (n === "") return 0;
    const at = parts.length;
    for (const c of new TextEncoder().encode(n)) parts.push(c);
    parts.push(0);
    return at;
  });
  return { data: Uint8Array.from(parts), offsets };
}

/** Builds the ELF file described by `spec`. */
export function buildElf(spec: ElfSpec): BuiltElf {
  const is64 = spec.class === 64, le = spec.endian === "le";
  const word = is64 ? 8 : 4;
  const sections: SectionSpec[] = [...(spec.sections ?? [])];
  if (spec.symbols) {
    const strtab = stringTable(spec.symbols.map((s) => s.name));
    const sw = new Writer(le);
    for (const [i, s] of [{ name: "", value: 0, size: 0, type: 0, bind: 0, other: 0, shndx: 0 }, ...spec.symbols].entries()) {
      const name = i === 0 ? 0 : strtab.offsets[i - 1]!, info = (s.bind << 4) | s.type;
      if (is64) { sw.int(name, 4); sw.int(info, 1); sw.int(s.other ?? 0, 1); sw.int(s.shndx, 2); sw.int(s.value, 8); sw.int(s.size, 8); }
      else { sw.int(name, 4); sw.int(s.value, 4); sw.int(s.size, 4); sw.int(info, 1); sw.int(s.other ?? 0, 1); sw.int(s.shndx, 2); }
    }
    const strtabIndex = 1 + sections.length + 2; // null, user sections, .shstrtab, .symtab, then .strtab
    sections.push(
      { name: ".symtab", type: 2, data: sw.bytes.slice(0, sw.length), link: strtabIndex, info: 1, addralign: word, entsize: is64 ? 24 : 16 },
      { name: ".strtab", type: 3, data: strtab.data, addralign: 1 },
    );
  }
  const all: SectionSpec[] = [{ name: "", type: 0 }, ...sections];
  const shstrtabIndex = spec.symbols ? all.length - 2 : all.length;
  all.splice(shstrtabIndex, 0, { name: ".shstrtab", type: 3, addralign: 1 });
  const shstr = stringTable(all.map((s) => s.name));
  all[shstrtabIndex]!.data = shstr.data;

  const w = new Writer(le);
  const ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32, shentsize = is64 ? 64 : 40;
  const segments = spec.segments ?? [];
  const phoff = segments.length > 0 ? ehsize : 0;
  w.length = ehsize + segments.length * phentsize;
  const payloadOffset = w.length;
  if (spec.payload) w.raw(spec.payload);
  const sectionOffsets = all.map((s, i) => {
    if (i === 0) return 0;
    w.align(Math.max(1, s.addralign ?? 1));
    const at = w.length;
    if (s.data) w.raw(s.data);
    return at;
  });
  w.align(word);
  const shoff = w.length;
  for (const [i, s] of all.entries()) {
    const size = s.nobits ?? s.data?.length ?? 0;
    w.int(shstr.offsets[i]!, 4); w.int(s.type, 4);
    const fields = [s.flags ?? 0, s.addr ?? 0, sectionOffsets[i]!, size];
    for (const f of fields) w.int(f, word as 4 | 8);
    w.int(s.link ?? 0, 4); w.int(s.info ?? 0, 4);
    w.int(s.addralign ?? 0, word as 4 | 8); w.int(s.entsize ?? 0, word as 4 | 8);
  }
  const end = w.length;

  // ELF header and program headers at the start.
  w.length = 0;
  w.raw(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  w.int(spec.type ?? 2, 2); w.int(spec.machine ?? 0, 2); w.int(1, 4);
  w.int(spec.entry ?? 0, word as 4 | 8); w.int(phoff, word as 4 | 8); w.int(shoff, word as 4 | 8);
  w.int(spec.flags ?? 0, 4); w.int(ehsize, 2); w.int(phentsize, 2); w.int(segments.length, 2);
  w.int(shentsize, 2); w.int(all.length, 2); w.int(shstrtabIndex, 2);
  for (const p of segments) {
    if (is64) {
      w.int(p.type, 4); w.int(p.flags ?? 0, 4);
      for (const f of [p.offset, p.vaddr, p.paddr, p.filesz, p.memsz, p.align]) w.int(f ?? 0, 8);
    } else {
      for (const f of [p.type, p.offset, p.vaddr, p.paddr, p.filesz, p.memsz, p.flags, p.align]) w.int(f ?? 0, 4);
    }
  }
  return { bytes: w.bytes.slice(0, end), phoff, shoff, payloadOffset, sectionOffsets };
}

/** Overwrites the `size`-byte integer at `offset` of `bytes` (in place) with `value` (taken modulo 2^(8*size)). */
export function patchInt(bytes: Uint8Array, offset: number, size: 1 | 2 | 4 | 8, value: number | bigint, endian: "le" | "be") {
  let v = BigInt.asUintN(size * 8, BigInt(value));
  for (let i = 0; i < size; i++) {
    bytes[offset + (endian === "le" ? i : size - 1 - i)] = Number(v & 0xffn);
    v >>= 8n;
  }
}
