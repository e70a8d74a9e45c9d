/**
 * Loads a static ELF executable into guest memory, as Linux's load_elf_binary does for a program without
 * an interpreter: every PT_LOAD segment mapped with its permissions, its file bytes copied and the rest
 * zero-filled (bss), the program break placed after the highest segment.
 */
import {
  ElfError, ET_DYN, ET_EXEC, PF_R, PF_W, PF_X, PT_GNU_STACK, PT_LOAD, PT_PHDR, PT_TLS, SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS, segmentsToLoad,
  type ElfFile, type ProgramHeader,
} from "../../translator/elf/elf.ts";
import type { Guest } from "../../translator/guests/guest.ts";
import { alignDown, alignUp, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, type GuestMemory } from "../memory/memory.ts";
import { PIE_LOAD_BASE } from "./layout.ts";

/** One mapped segment of the image (addresses after relocation by the load bias). */
export interface ImageSegment {
  vaddr: number;
  memsz: number;
  /** bytes copied from the file; the rest up to memsz is zero */
  filesz: number;
  /** PROT_READ | PROT_WRITE | PROT_EXEC */
  prot: number;
}

/** A loaded program: what the initial stack (auxv), the kernel (brk) and the run loop need to know. */
export interface ProcessImage {
  /** entry point (AT_ENTRY, the initial pc) */
  entry: number;
  /** what was added to every p_vaddr: 0 for ET_EXEC, {@link PIE_LOAD_BASE} for a static PIE */
  loadBias: number;
  segments: ImageSegment[];
  /** guest address of the program headers (AT_PHDR), their entry size (AT_PHENT) and count (AT_PHNUM) */
  phdr: number;
  phent: number;
  phnum: number;
  /** initial program break: the page-aligned end of the highest segment */
  brk: number;
  /** the PT_TLS template (the C library sets up the thread pointer from it; the loader only reports it) */
  tls?: { vaddr: number; filesz: number; memsz: number; align: number };
  /** PT_GNU_STACK asks for an executable stack (PF_X) */
  executableStack: boolean;
  /**
   * where the code is, when section headers say so more precisely than the executable segments (which
   * often hold read-only data too): the allocated executable sections
   */
  code?: Array<{ start: number; end: number }>;
}

/** PT_LOAD p_flags → PROT_* bits. */
export function segmentProt(flags: number): number {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/** e_phoff and e_phentsize, read from the ELF header of `elf.bytes`. */
function programHeaderTable(elf: ElfFile): { phoff: number; phent: number } {
  const dv = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength);
  const le = elf.endian === "le";
  return elf.class === 64
    ? { phoff: Number(dv.getBigUint64(0x20, le)), phent: dv.getUint16(0x36, le) }
    : { phoff: dv.getUint32(0x1c, le), phent: dv.getUint16(0x2a, le) };
}

/**
 * Checks that `elf` is a static executable for `guest` and maps it into `mem`. Throws an {@link ElfError}
 * with a user-facing message when it cannot be run (wrong machine, dynamically linked, bad segments).
 */
export function loadElf(elf: ElfFile, guest: Guest, mem: GuestMemory): ProcessImage {
  if (elf.machine !== guest.elfMachine || elf.class !== guest.addressBits || elf.endian !== guest.endian) {
    throw new ElfError(`not a ${guest.name} executable (e_machine ${elf.machine}, ELF${elf.class}, ${elf.endian === "le" ? "little" : "big"}-endian)`);
  }
  if (elf.interpreter !== undefined) {
    throw new ElfError(`dynamically linked executables are not supported yet (interpreter ${elf.interpreter}): build with -static`);
  }
  // A static PIE (ET_DYN without PT_INTERP) is loaded at a fixed bias; the checks then apply to the
  // relocated addresses, as for an ET_EXEC file.
  const loadBias = elf.type === ET_DYN ? PIE_LOAD_BASE - alignDown(Math.min(...elf.programHeaders.filter((p) => p.type === PT_LOAD).map((p) => p.vaddr))) : 0;
  const placed: ElfFile = loadBias === 0 ? elf : {
    ...elf, type: ET_EXEC, entry: elf.entry + loadBias,
    programHeaders: elf.programHeaders.map((p) => ({ ...p, vaddr: p.vaddr + loadBias, paddr: p.paddr + loadBias })),
  };
  const loads = segmentsToLoad(placed);

  // Pages shared by two segments get the union of their permissions; every page is mapped (zeroed)
  // before any file bytes are copied, so a later segment never wipes an earlier one's bytes.
  const pages = new Map<number, number>();
  for (const p of loads) {
    for (let a = alignDown(p.vaddr); a < alignUp(p.vaddr + p.memsz); a += PAGE_SIZE) pages.set(a, (pages.get(a) ?? 0) | segmentProt(p.flags));
  }
  for (const [page, prot] of [...pages].sort((x, y) => x[0] - y[0])) mem.map(page, PAGE_SIZE, prot);
  for (const p of loads) {
    if (p.offset + p.filesz > elf.bytes.length) throw new ElfError(`PT_LOAD segment at 0x${p.vaddr.toString(16)}: file part extends past the end of the file`);
    mem.writeBytes(p.vaddr, elf.bytes.subarray(p.offset, p.offset + p.filesz), true);
  }

  const { phoff, phent } = programHeaderTable(elf);
  const phdr = programHeaderAddress(placed.programHeaders, loads, phoff);
  const tlsHeader = placed.programHeaders.find((p) => p.type === PT_TLS);
  const stack = placed.programHeaders.find((p) => p.type === PT_GNU_STACK);
  const image: ProcessImage = {
    entry: placed.entry,
    loadBias,
    segments: loads.map((p) => ({ vaddr: p.vaddr, memsz: p.memsz, filesz: p.filesz, prot: segmentProt(p.flags) })),
    phdr, phent, phnum: elf.programHeaders.length,
    brk: alignUp(Math.max(...loads.map((p) => p.vaddr + p.memsz))),
    executableStack: stack !== undefined && (stack.flags & PF_X) !== 0,
  };
  if (tlsHeader) image.tls = { vaddr: tlsHeader.vaddr, filesz: tlsHeader.filesz, memsz: tlsHeader.memsz, align: tlsHeader.align };
  const code = elf.sections.filter((s) => (s.flags & SHF_ALLOC) && (s.flags & SHF_EXECINSTR) && s.type !== SHT_NOBITS && s.size > 0)
    .map((s) => ({ start: s.addr + loadBias, end: s.addr + loadBias + s.size })).sort((a, b) => a.start - b.start);
  if (code.length > 0) image.code = code;
  return image;
}

/** Where a program's code is: its executable sections when known, else its executable segments. */
export function codeRanges(image: ProcessImage): Array<{ start: number; end: number }> {
  return image.code ?? image.segments.filter((s) => s.prot & PROT_EXEC).map((s) => ({ start: s.vaddr, end: s.vaddr + s.memsz }));
}

/**
 * Where the program headers are in guest memory: inside the PT_LOAD segment whose file part holds
 * e_phoff (as Linux computes AT_PHDR), else PT_PHDR's address, else 0 (not mapped).
 */
function programHeaderAddress(headers: ProgramHeader[], loads: ProgramHeader[], phoff: number): number {
  const holder = loads.find((p) => p.offset <= phoff && phoff < p.offset + p.filesz);
  if (holder) return holder.vaddr + (phoff - holder.offset);
  return headers.find((p) => p.type === PT_PHDR)?.vaddr ?? 0;
}
