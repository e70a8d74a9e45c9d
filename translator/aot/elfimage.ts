/** A {@link ProgramImage} for ahead-of-time translation from an ELF executable. */
import {
  SHF_ALLOC, SHF_EXECINSTR, SHT_FINI_ARRAY, SHT_INIT_ARRAY, SHT_NOBITS, SHT_PREINIT_ARRAY, STT_FUNC, STT_GNU_IFUNC, type ElfFile,
} from "../elf/elf.ts";
import type { Guest } from "../guests/guest.ts";
import { GuestMemory, PROT_EXEC } from "../../runtime/memory/memory.ts";
import { loadElf } from "../../runtime/process/loader.ts";
import type { ProgramImage } from "./translate.ts";

/** Loads `elf` (checked like `isa2wasm run` does) and collects discovery roots and data to scan. */
export function programFromElf(elf: ElfFile, guest: Guest): ProgramImage {
  const mem = new GuestMemory();
  const image = loadElf(elf, guest, mem);
  const bias = image.loadBias;
  const functions = elf.symbols
    .filter((s) => (s.type === STT_FUNC || s.type === STT_GNU_IFUNC) && s.value !== 0 && s.shndx !== 0)
    .map((s) => s.value + bias);
  const word = guest.addressBits / 8;
  const le = guest.endian === "le";
  const initPointers: number[] = [];
  const data: ProgramImage["data"] = [];
  for (const s of elf.sections) {
    if (!(s.flags & SHF_ALLOC) || s.type === SHT_NOBITS || s.size === 0) continue;
    const addr = s.addr + bias;
    if (!mem.isMapped(addr, s.size)) continue;
    const bytes = mem.u8.slice(addr, addr + s.size);
    if (s.type === SHT_INIT_ARRAY || s.type === SHT_FINI_ARRAY || s.type === SHT_PREINIT_ARRAY) {
      const dv = new DataView(bytes.buffer);
      for (let o = 0; o + word <= bytes.length; o += word) initPointers.push(word === 8 ? Number(dv.getBigUint64(o, le)) : dv.getUint32(o, le));
    } else if (!(s.flags & SHF_EXECINSTR)) {
      data.push({ vaddr: addr, bytes });
    }
  }
  // without section headers, scan the non-executable segments
  if (elf.sections.length <= 1) {
    for (const s of image.segments) if (!(s.prot & PROT_EXEC)) data.push({ vaddr: s.vaddr, bytes: mem.u8.slice(s.vaddr, s.vaddr + s.filesz) });
  }
  return {
    guest, mem, image, functions: [...new Set(functions)].sort((a, b) => a - b), initPointers, data,
  };
}
