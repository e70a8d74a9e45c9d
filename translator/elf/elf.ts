/**
 * ELF reader for ELF32 and ELF64 files in either byte order: file header, program headers, section headers
 * with their names, symbol tables (.symtab and .dynsym), the PT_INTERP string and notes.
 *
 * Every offset, size, count and string index read from the file is checked against the file before it is
 * used, so a malformed file ends in an {@link ElfError} (one line saying what is wrong) and never in another
 * exception, a huge allocation or a long loop: every table must lie inside the file, so the number of
 * entries allocated is bounded by the file size, and names, notes and symbol tables that overlap each other
 * have a total budget.
 *
 * Two levels of checks:
 * - {@link parseElf} rejects what makes the file unreadable: bad identification, wrong entry sizes, tables,
 *   sections (except SHT_NOBITS) or PT_LOAD/PT_INTERP/PT_NOTE/PT_TLS/PT_DYNAMIC contents past the end of the
 *   file, bad string table links or name offsets, values of 2^53 or more. `isa2wasm info` shows anything
 *   that parses.
 * - {@link loadProblems} / {@link segmentsToLoad} reject what the loader cannot map: dynamic linking, file
 *   types other than ET_EXEC/ET_DYN, p_filesz > p_memsz, overlapping PT_LOAD address ranges, segments outside
 *   the guest address range (below 64 KiB or reaching 4 GiB), p_offset and p_vaddr that differ modulo the
 *   page size or p_align, p_align not a power of two, an entry point outside the executable segments.
 */

import type { GuestName } from "../guests/guest.ts";

/** A malformed or unloadable ELF file. The message is one line starting with "malformed ELF: " or saying what is unsupported. */
export class ElfError extends Error {
  override name = "ElfError";
}

// e_ident
export const ELFCLASS32 = 1, ELFCLASS64 = 2;
export const ELFDATA2LSB = 1, ELFDATA2MSB = 2;
// e_type
export const ET_NONE = 0, ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
// e_machine
export const EM_PPC = 20, EM_PPC64 = 21, EM_RISCV = 243;
// p_type
export const PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_SHLIB = 5, PT_PHDR = 6, PT_TLS = 7;
export const PT_GNU_EH_FRAME = 0x6474e550, PT_GNU_STACK = 0x6474e551, PT_GNU_RELRO = 0x6474e552, PT_GNU_PROPERTY = 0x6474e553;
export const PT_RISCV_ATTRIBUTES = 0x70000003;
// p_flags
export const PF_X = 1, PF_W = 2, PF_R = 4;
// sh_type
export const SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4, SHT_HASH = 5, SHT_DYNAMIC = 6,
  SHT_NOTE = 7, SHT_NOBITS = 8, SHT_REL = 9, SHT_SHLIB = 10, SHT_DYNSYM = 11, SHT_INIT_ARRAY = 14, SHT_FINI_ARRAY = 15,
  SHT_PREINIT_ARRAY = 16, SHT_GROUP = 17, SHT_SYMTAB_SHNDX = 18;
export const SHT_GNU_ATTRIBUTES = 0x6ffffff5, SHT_GNU_HASH = 0x6ffffff6, SHT_GNU_VERDEF = 0x6ffffffd,
  SHT_GNU_VERNEED = 0x6ffffffe, SHT_GNU_VERSYM = 0x6fffffff, SHT_RISCV_ATTRIBUTES = 0x70000003;
// sh_flags
export const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_TLS = 0x400;
// special section indices
export const SHN_UNDEF = 0, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2, SHN_XINDEX = 0xffff;
/** e_phnum value meaning "the real count is in section 0's sh_info" */
export const PN_XNUM = 0xffff;
// symbol type (low 4 bits of st_info) and binding (high 4 bits)
export const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4, STT_COMMON = 5, STT_TLS = 6,
  STT_GNU_IFUNC = 10;
export const STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;

/** A parsed ELF file. Numbers are exact: a value that does not fit in 53 bits is an {@link ElfError}. */
export interface ElfFile {
  class: 32 | 64;
  endian: "le" | "be";
  /** e_ident[EI_OSABI] */
  osabi: number;
  /** e_type: ET_EXEC, ET_DYN, ... */
  type: number;
  /** e_machine: EM_RISCV, EM_PPC, ... */
  machine: number;
  entry: number;
  flags: number;
  /** e_phoff: file offset of the program header table (0 without one) */
  phoff: number;
  /** e_shoff: file offset of the section header table (0 without one) */
  shoff: number;
  programHeaders: ProgramHeader[];
  /** all section headers, index 0 (the null section) included, so `sections[shndx]` works */
  sections: Section[];
  /** entries of the SHT_SYMTAB section(s), the null symbol at index 0 included */
  symbols: ElfSymbol[];
  /** entries of the SHT_DYNSYM section(s), the null symbol at index 0 included */
  dynamicSymbols: ElfSymbol[];
  /** PT_INTERP contents without the terminating NUL */
  interpreter?: string;
  /** notes from the PT_NOTE segments (or, without program headers, from SHT_NOTE sections) */
  notes: ElfNote[];
  bytes: Uint8Array;
}

/** One program header (segment). */
export interface ProgramHeader {
  type: number; flags: number; offset: number; vaddr: number; paddr: number; filesz: number; memsz: number; align: number;
}

/** One section header, with its name looked up in the section header string table. */
export interface Section {
  name: string; type: number; flags: number; addr: number; offset: number; size: number; link: number; info: number;
  addralign: number; entsize: number;
}

/** One symbol table entry, with its name looked up in the linked string table. */
export interface ElfSymbol {
  name: string; value: number; size: number;
  /** STT_* (low 4 bits of st_info) */
  type: number;
  /** STB_* (high 4 bits of st_info) */
  bind: number;
  other: number; shndx: number;
}

/** One ELF note (e.g. owner "GNU", type 3 = NT_GNU_BUILD_ID). */
export interface ElfNote { owner: string; type: number; desc: Uint8Array }

/** Throws the ElfError for a malformed file. */
function malformed(what: string): never {
  throw new ElfError(`malformed ELF: ${what}`);
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Reads fixed-size fields with the file's byte order and word size, every read bounds-checked. */
class Reader {
  readonly dv: DataView;
  readonly le: boolean;
  constructor(readonly bytes: Uint8Array, readonly is64: boolean, le: boolean) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.le = le;
  }
  private need(off: number, n: number, what: string) {
    if (off + n > this.bytes.length) malformed(`${what} at offset ${hex(off)} is past end of file (size ${hex(this.bytes.length)})`);
  }
  u8(off: number, what: string): number { this.need(off, 1, what); return this.bytes[off]!; }
  u16(off: number, what: string): number { this.need(off, 2, what); return this.dv.getUint16(off, this.le); }
  u32(off: number, what: string): number { this.need(off, 4, what); return this.dv.getUint32(off, this.le); }
  /** A 64-bit field as an exact number; values of 2^53 or more are malformed. */
  u64(off: number, what: string): number {
    this.need(off, 8, what);
    const lo = this.dv.getUint32(off + (this.le ? 0 : 4), this.le);
    const hi = this.dv.getUint32(off + (this.le ? 4 : 0), this.le);
    if (hi >= 0x200000) malformed(`${what} 0x${hi.toString(16)}${lo.toString(16).padStart(8, "0")} does not fit in 53 bits`);
    return hi * 0x1_0000_0000 + lo;
  }
  /** A word-sized field (Elf32_Addr/Off/Word or Elf64_Addr/Off/Xword). */
  word(off: number, what: string): number { return this.is64 ? this.u64(off, what) : this.u32(off, what); }
}

/** Checks that the table [off, off + count * entsize) lies inside the file. */
function checkTable(file: Uint8Array, what: string, off: number, count: number, entsize: number) {
  if (off + count * entsize > file.length) {
    malformed(`${what} (offset ${hex(off)}, ${count} entries of ${entsize} bytes) extends past end of file (size ${hex(file.length)})`);
  }
}

/**
 * A string table: NUL-terminated strings looked up by offset. Decoded strings are cached per offset, and the
 * total decoded length is bounded (a few times the file size) so that many names pointing into one long
 * string cannot make the reader use memory quadratic in the file size.
 */
class StringTable {
  private readonly cache = new Map<number, string>();
  constructor(private readonly bytes: Uint8Array, private readonly what: string, private readonly budget: { left: number }) {}
  get(off: number, user: string): string {
    const cached = this.cache.get(off);
    if (cached !== undefined) return cached;
    if (off >= this.bytes.length) {
      malformed(`${user}: name offset ${hex(off)} is past the end of ${this.what} (size ${hex(this.bytes.length)})`);
    }
    const end = this.bytes.indexOf(0, off);
    if (end < 0) malformed(`${user}: name at offset ${hex(off)} of ${this.what} has no terminating NUL`);
    this.budget.left -= end - off;
    if (this.budget.left < 0) malformed(`names in ${this.what} add up to more than the file could hold (overlapping names)`);
    const s = decodeName(this.bytes.subarray(off, end));
    this.cache.set(off, s);
    return s;
  }
}

const utf8 = new TextDecoder("utf-8");
/** Names are bytes; ASCII (the usual case) is decoded directly, anything else as UTF-8 with replacement characters. */
function decodeName(b: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) { ascii = false; break; }
  if (!ascii) return utf8.decode(b);
  let s = "";
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

/** Parses an ELF file; throws {@link ElfError} when it is malformed. The result keeps a reference to `bytes`. */
export function parseElf(bytes: Uint8Array): ElfFile {
  if (bytes.length < 16) malformed(`file is ${bytes.length} bytes long, shorter than the 16-byte ELF identification`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    malformed(`bad magic ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ")} (expected 7f 45 4c 46)`);
  }
  const cls = bytes[4]!, data = bytes[5]!;
  if (cls !== ELFCLASS32 && cls !== ELFCLASS64) malformed(`bad class ${cls} in e_ident (expected 1 = ELF32 or 2 = ELF64)`);
  if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) malformed(`bad data encoding ${data} in e_ident (expected 1 = little or 2 = big endian)`);
  const is64 = cls === ELFCLASS64;
  const ehsize = is64 ? 64 : 52;
  if (bytes.length < ehsize) malformed(`file is ${bytes.length} bytes long, shorter than the ${ehsize}-byte ELF${is64 ? 64 : 32} header`);
  const r = new Reader(bytes, is64, data === ELFDATA2LSB);
  const w = is64 ? 8 : 4; // word size: header fields after e_entry shift by it
  const type = r.u16(16, "e_type");
  const machine = r.u16(18, "e_machine");
  const entry = r.word(24, "e_entry");
  const phoff = r.word(24 + w, "e_phoff");
  const shoff = r.word(24 + 2 * w, "e_shoff");
  const flags = r.u32(24 + 3 * w, "e_flags");
  const phentsize = r.u16(28 + 3 * w + 2, "e_phentsize");
  let phnum = r.u16(28 + 3 * w + 4, "e_phnum");
  const shentsize = r.u16(28 + 3 * w + 6, "e_shentsize");
  let shnum = r.u16(28 + 3 * w + 8, "e_shnum");
  let shstrndx = r.u16(28 + 3 * w + 10, "e_shstrndx");

  // Section headers first: section 0 may hold the real e_shnum/e_phnum/e_shstrndx (extended numbering).
  const shdrSize = is64 ? 64 : 40;
  if (shoff === 0 && shnum !== 0) malformed(`e_shnum is ${shnum} but e_shoff is 0`);
  if (shoff !== 0 && (shnum !== 0 || shentsize !== 0)) {
    if (shentsize !== shdrSize) malformed(`e_shentsize is ${shentsize} (expected ${shdrSize} for ELF${is64 ? 64 : 32})`);
    if (shoff + shdrSize > bytes.length) checkTable(bytes, "section header table", shoff, Math.max(shnum, 1), shdrSize);
    if (shnum === 0) shnum = r.word(shoff + (is64 ? 32 : 20), "section 0 sh_size (extended section count)");
    if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + (is64 ? 40 : 24), "section 0 sh_link (extended e_shstrndx)");
    if (phnum === PN_XNUM) phnum = r.u32(shoff + (is64 ? 44 : 28), "section 0 sh_info (extended e_phnum)");
    checkTable(bytes, "section header table", shoff, shnum, shdrSize);
  } else {
    shnum = 0;
  }

  const phdrSize = is64 ? 56 : 32;
  if (phnum > 0) {
    if (phentsize !== phdrSize) malformed(`e_phentsize is ${phentsize} (expected ${phdrSize} for ELF${is64 ? 64 : 32})`);
    checkTable(bytes, "program header table", phoff, phnum, phdrSize);
  }
  const programHeaders: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phdrSize, what = (f: string) => `program header ${i} ${f}`;
    programHeaders.push(is64
      ? {
        type: r.u32(o, what("p_type")), flags: r.u32(o + 4, what("p_flags")), offset: r.u64(o + 8, what("p_offset")),
        vaddr: r.u64(o + 16, what("p_vaddr")), paddr: r.u64(o + 24, what("p_paddr")), filesz: r.u64(o + 32, what("p_filesz")),
        memsz: r.u64(o + 40, what("p_memsz")), align: r.u64(o + 48, what("p_align")),
      }
      : {
        type: r.u32(o, what("p_type")), offset: r.u32(o + 4, what("p_offset")), vaddr: r.u32(o + 8, what("p_vaddr")),
        paddr: r.u32(o + 12, what("p_paddr")), filesz: r.u32(o + 16, what("p_filesz")), memsz: r.u32(o + 20, what("p_memsz")),
        flags: r.u32(o + 24, what("p_flags")), align: r.u32(o + 28, what("p_align")),
      });
  }
  for (const [i, p] of programHeaders.entries()) {
    // Segments whose contents the reader or loader look at must lie inside the file.
    if ((p.type === PT_LOAD || p.type === PT_INTERP || p.type === PT_NOTE || p.type === PT_TLS || p.type === PT_DYNAMIC) &&
      p.filesz > 0 && p.offset + p.filesz > bytes.length) {
      malformed(`program header ${i} (${hex(p.offset)}+${hex(p.filesz)} bytes) extends past end of file (size ${hex(bytes.length)})`);
    }
  }

  // Name budget: total decoded name length across all string tables.
  const budget = { left: 8 * bytes.length + 0x10000 };
  const rawSections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shdrSize, what = (f: string) => `section header ${i} ${f}`;
    rawSections.push(is64
      ? {
        name: "", type: r.u32(o + 4, what("sh_type")), flags: r.u64(o + 8, what("sh_flags")), addr: r.u64(o + 16, what("sh_addr")),
        offset: r.u64(o + 24, what("sh_offset")), size: r.u64(o + 32, what("sh_size")), link: r.u32(o + 40, what("sh_link")),
        info: r.u32(o + 44, what("sh_info")), addralign: r.u64(o + 48, what("sh_addralign")), entsize: r.u64(o + 56, what("sh_entsize")),
      }
      : {
        name: "", type: r.u32(o + 4, what("sh_type")), flags: r.u32(o + 8, what("sh_flags")), addr: r.u32(o + 12, what("sh_addr")),
        offset: r.u32(o + 16, what("sh_offset")), size: r.u32(o + 20, what("sh_size")), link: r.u32(o + 24, what("sh_link")),
        info: r.u32(o + 28, what("sh_info")), addralign: r.u32(o + 32, what("sh_addralign")), entsize: r.u32(o + 36, what("sh_entsize")),
      });
  }
  for (const [i, s] of rawSections.entries()) {
    if (i > 0 && s.type !== SHT_NOBITS && s.type !== SHT_NULL && s.offset + s.size > bytes.length) {
      malformed(`section ${i} (offset ${hex(s.offset)}, size ${hex(s.size)}) extends past end of file (size ${hex(bytes.length)})`);
    }
  }
  /** The contents of section `i` as a string table, after checking it is one. */
  const stringTable = (i: number, user: string): StringTable => {
    const s = rawSections[i];
    if (i === 0 || s === undefined) malformed(`${user} refers to string table section ${i}, which does not exist (${shnum} sections)`);
    if (s.type !== SHT_STRTAB) malformed(`${user} refers to section ${i} as its string table, but its type is ${s.type}, not SHT_STRTAB`);
    return new StringTable(bytes.subarray(s.offset, s.offset + s.size), `string table section ${i}`, budget);
  };
  if (shnum > 0 && shstrndx !== SHN_UNDEF) {
    if (shstrndx >= shnum) malformed(`e_shstrndx ${shstrndx} is out of range (${shnum} sections)`);
    const names = stringTable(shstrndx, "e_shstrndx");
    for (let i = 0; i < shnum; i++) {
      rawSections[i]!.name = names.get(r.u32(shoff + i * shdrSize, `section header ${i} sh_name`), `section header ${i}`);
    }
  }

  const symbols: ElfSymbol[] = [], dynamicSymbols: ElfSymbol[] = [];
  const symSize = is64 ? 24 : 16;
  for (const [i, s] of rawSections.entries()) {
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
    if (s.entsize !== symSize) malformed(`symbol table section ${i} has sh_entsize ${s.entsize} (expected ${symSize})`);
    if (s.size % symSize !== 0) malformed(`symbol table section ${i} size ${hex(s.size)} is not a multiple of ${symSize}`);
    const names = stringTable(s.link, `symbol table section ${i}`);
    const into = s.type === SHT_SYMTAB ? symbols : dynamicSymbols;
    if ((symbols.length + dynamicSymbols.length) * symSize + s.size > bytes.length) {
      malformed(`symbol tables hold more entries than the file could (section ${i} overlaps another symbol table)`);
    }
    for (let k = 0, o = s.offset; k < s.size / symSize; k++, o += symSize) {
      const what = (f: string) => `symbol ${k} of section ${i} ${f}`;
      const nameOff = r.u32(o, what("st_name"));
      const info = r.u8(o + (is64 ? 4 : 12), what("st_info"));
      into.push({
        name: names.get(nameOff, `symbol ${k} of section ${i}`),
        value: r.word(o + (is64 ? 8 : 4), what("st_value")),
        size: is64 ? r.u64(o + 16, what("st_size")) : r.u32(o + 8, what("st_size")),
        type: info & 15, bind: info >> 4,
        other: r.u8(o + (is64 ? 5 : 13), what("st_other")),
        shndx: r.u16(o + (is64 ? 6 : 14), what("st_shndx")),
      });
    }
  }

  let interpreter: string | undefined;
  const interp = programHeaders.find((p) => p.type === PT_INTERP);
  if (interp) {
    const b = bytes.subarray(interp.offset, interp.offset + interp.filesz);
    const nul = b.indexOf(0);
    if (nul < 0) malformed(`PT_INTERP string (${interp.filesz} bytes at ${hex(interp.offset)}) is not NUL-terminated`);
    interpreter = decodeName(b.subarray(0, nul));
  }

  const notes: ElfNote[] = [];
  const noteAreas = programHeaders.length > 0
    ? programHeaders.filter((p) => p.type === PT_NOTE).map((p) => [p.offset, p.filesz, p.align] as const)
    : rawSections.filter((s) => s.type === SHT_NOTE).map((s) => [s.offset, s.size, s.addralign] as const);
  let noteBytes = 0;
  for (const [off, size, align] of noteAreas) {
    noteBytes += size;
    if (noteBytes > bytes.length) malformed(`note ${programHeaders.length > 0 ? "segments" : "sections"} add up to more than the file size (overlapping notes)`);
    readNotes(r, off, size, align === 8 ? 8 : 4, notes);
  }

  return {
    class: is64 ? 64 : 32, endian: r.le ? "le" : "be", osabi: bytes[7]!, type, machine, entry, flags,
    phoff: phnum > 0 ? phoff : 0, shoff: shnum > 0 ? shoff : 0, programHeaders, sections: rawSections, symbols, dynamicSymbols, interpreter, notes, bytes,
  };
}

/** Reads the notes in [off, off + size): namesz, descsz, type, then name and desc each padded to `align`. */
function readNotes(r: Reader, off: number, size: number, align: 4 | 8, into: ElfNote[]) {
  const end = off + size;
  const pad = (n: number) => Math.ceil(n / align) * align;
  for (let o = off; o + 12 <= end;) {
    const namesz = r.u32(o, "note namesz"), descsz = r.u32(o + 4, "note descsz"), type = r.u32(o + 8, "note type");
    const nameAt = o + 12, descAt = nameAt + pad(namesz), next = descAt + pad(descsz);
    if (descAt + descsz > end) malformed(`note at offset ${hex(o)} (name ${namesz} bytes, desc ${descsz} bytes) extends past its segment`);
    const name = r.bytes.subarray(nameAt, nameAt + namesz);
    const nul = name.indexOf(0);
    into.push({ owner: decodeName(nul >= 0 ? name.subarray(0, nul) : name), type, desc: r.bytes.subarray(descAt, descAt + descsz) });
    o = next;
  }
}

/** The guest a file is for, from e_machine, class and byte order; undefined for anything isa2wasm does not run. */
export function guestOf(elf: ElfFile): GuestName | undefined {
  if (elf.machine === EM_RISCV && elf.class === 64 && elf.endian === "le") return "riscv64";
  if (elf.machine === EM_PPC && elf.class === 32 && elf.endian === "be") return "ppc32";
  return undefined;
}

/** Page size the loader maps segments with: PT_LOAD file offsets and addresses must agree modulo it. */
export const LOAD_PAGE_SIZE = 4096;

/** The guest addresses segments may occupy: [min, max). */
export interface AddressRange { min: number; max: number }

/**
 * Default range: above Linux's mmap_min_addr (64 KiB; the runtime keeps private tables below it) and below
 * 4 GiB, the limit of the 32-bit guest address space isa2wasm supports.
 */
export const DEFAULT_LOAD_RANGE: AddressRange = { min: 0x10000, max: 0x1_0000_0000 };

/**
 * True for a statically linked executable: ET_EXEC, or ET_DYN (static PIE, which the loader places at a
 * fixed base), without PT_INTERP. The only kind isa2wasm runs so far.
 */
export function isStaticExecutable(elf: ElfFile): boolean {
  return (elf.type === ET_EXEC || elf.type === ET_DYN) && elf.interpreter === undefined;
}

/**
 * Everything that prevents loading `elf` (a well-formed file: {@link parseElf} succeeded), one message each;
 * empty when it can be loaded. `info` shows these; {@link segmentsToLoad} throws on the first. The address
 * range is not checked for ET_DYN files: the loader moves them (it calls this again on the moved headers,
 * relabelled ET_EXEC).
 */
export function loadProblems(elf: ElfFile, range: AddressRange = DEFAULT_LOAD_RANGE): string[] {
  const problems: string[] = [];
  if (elf.interpreter !== undefined) {
    problems.push(`dynamically linked executables are not supported yet (PT_INTERP ${elf.interpreter}): build with -static`);
  } else if (elf.type !== ET_EXEC && elf.type !== ET_DYN) {
    problems.push(`not an executable (e_type ${elf.type}, expected ET_EXEC = 2 or ET_DYN = 3)`);
  }
  const loads = elf.programHeaders.map((p, index) => ({ p, index })).filter(({ p }) => p.type === PT_LOAD && (p.memsz > 0 || p.filesz > 0));
  if (loads.length === 0) problems.push("no PT_LOAD segment with contents");
  for (const { p, index } of loads) {
    const at = `PT_LOAD segment ${index} (vaddr ${hex(p.vaddr)}, memsz ${hex(p.memsz)})`;
    if (p.filesz > p.memsz) problems.push(`${at}: p_filesz ${hex(p.filesz)} is larger than p_memsz`);
    if (elf.type !== ET_DYN && (p.vaddr < range.min || p.vaddr + p.memsz > range.max)) {
      problems.push(`${at}: outside the guest address range ${hex(range.min)}-${hex(range.max)}`);
    }
    if (p.align > 1 && 2 ** Math.round(Math.log2(p.align)) !== p.align) {
      problems.push(`${at}: p_align ${hex(p.align)} is not a power of two`);
    } else if (p.align > 1 && p.offset % p.align !== p.vaddr % p.align) {
      problems.push(`${at}: p_offset ${hex(p.offset)} and p_vaddr differ modulo p_align ${hex(p.align)}`);
    }
    if (p.offset % LOAD_PAGE_SIZE !== p.vaddr % LOAD_PAGE_SIZE) {
      problems.push(`${at}: p_offset ${hex(p.offset)} and p_vaddr differ modulo the page size ${hex(LOAD_PAGE_SIZE)}`);
    }
  }
  const sorted = [...loads].sort((a, b) => a.p.vaddr - b.p.vaddr);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!, b = sorted[i]!;
    if (b.p.vaddr < a.p.vaddr + a.p.memsz) {
      problems.push(`PT_LOAD segments ${a.index} (${hex(a.p.vaddr)}-${hex(a.p.vaddr + a.p.memsz)}) and ${b.index} (${hex(b.p.vaddr)}-${hex(b.p.vaddr + b.p.memsz)}) overlap`);
    }
  }
  if (!loads.some(({ p }) => (p.flags & PF_X) !== 0 && elf.entry >= p.vaddr && elf.entry < p.vaddr + p.memsz)) {
    problems.push(`entry point ${hex(elf.entry)} is not inside an executable PT_LOAD segment`);
  }
  for (const [i, p] of elf.programHeaders.entries()) {
    if (p.type === PT_TLS && p.filesz > p.memsz) problems.push(`PT_TLS segment ${i}: p_filesz ${hex(p.filesz)} is larger than p_memsz ${hex(p.memsz)}`);
  }
  return problems;
}

/**
 * The PT_LOAD segments the loader maps (non-empty ones, in file order), after checking the file can be
 * loaded; throws an {@link ElfError} with the first of {@link loadProblems} otherwise.
 */
export function segmentsToLoad(elf: ElfFile, range: AddressRange = DEFAULT_LOAD_RANGE): ProgramHeader[] {
  const problems = loadProblems(elf, range);
  if (problems.length > 0) throw new ElfError(problems[0]!);
  return elf.programHeaders.filter((p) => p.type === PT_LOAD && p.memsz > 0);
}
