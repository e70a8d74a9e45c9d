/**
 * Loader tests against the fixtures' readelf captures (binutils is the reference for segment addresses,
 * sizes, flags, the entry point and the program header table).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fixturesDir } from "../../fixtures/fixtures.ts";
import { ElfError, ET_DYN, PT_INTERP, parseElf, type ElfFile } from "../../translator/elf/elf.ts";
import type { Guest } from "../../translator/guests/guest.ts";
import { alignUp, GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../memory/memory.ts";
import { loadElf } from "./loader.ts";
import { PIE_LOAD_BASE } from "./layout.ts";

/** Paths below the repository root (the parent of fixtures/, found from the sources and from dist/). */
const root = dirname(fixturesDir());
const read = (path: string) => new Uint8Array(readFileSync(join(root, path)));
const text = (path: string) => readFileSync(join(root, path), "utf8");

/** The ELF facts the loader needs about a guest (the rest of the front end is not used by the loader). */
const GUESTS = {
  riscv64: { name: "riscv64", elfMachine: 243, endian: "le", addressBits: 64 },
  ppc32: { name: "ppc32", elfMachine: 20, endian: "be", addressBits: 32 },
} as unknown as Record<"riscv64" | "ppc32", Guest>;

interface ReadelfLoad { offset: number; vaddr: number; filesz: number; memsz: number; flags: string }

/** Entry point, program header offset and count, and LOAD segments from `readelf -lhW` output. */
function readelf(path: string) {
  const t = text(path);
  const num = (re: RegExp) => Number(re.exec(t)![1]);
  const loads: ReadelfLoad[] = [];
  for (const m of t.matchAll(/^\s+LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+([RWE ]{3})/gm)) {
    loads.push({ offset: Number(m[1]), vaddr: Number(m[2]), filesz: Number(m[3]), memsz: Number(m[4]), flags: m[5]! });
  }
  return {
    entry: num(/Entry point address:\s+(0x[0-9a-f]+)/), phoff: num(/Start of program headers:\s+(\d+)/),
    phent: num(/Size of program headers:\s+(\d+)/), phnum: num(/Number of program headers:\s+(\d+)/), loads,
  };
}

for (const guest of ["riscv64", "ppc32"] as const) {
  test(`${guest} hello: segments, permissions, bss, brk, AT_PHDR as readelf reports`, () => {
    const bytes = read(`fixtures/bin/${guest}/hello`);
    const ref = readelf(`fixtures/expected/${guest}/hello.readelf.txt`);
    const mem = new GuestMemory();
    const img = loadElf(parseElf(bytes), GUESTS[guest], mem);
    assert.is(img.entry, ref.entry);
    assert.is(img.loadBias, 0);
    assert.is(img.phent, ref.phent);
    assert.is(img.phnum, ref.phnum);
    // the headers are inside the first LOAD segment (file offset 0)
    assert.is(img.phdr, ref.loads[0]!.vaddr - ref.loads[0]!.offset + ref.phoff);
    assert.equal(mem.readBytes(img.phdr, ref.phent), bytes.subarray(ref.phoff, ref.phoff + ref.phent));
    assert.is(img.segments.length, ref.loads.length);
    let end = 0;
    for (const l of ref.loads) {
      const prot = (l.flags[0] === "R" ? PROT_READ : 0) | (l.flags[1] === "W" ? PROT_WRITE : 0) | (l.flags[2] === "E" ? PROT_EXEC : 0);
      assert.ok(img.segments.some((s) => s.vaddr === l.vaddr && s.memsz === l.memsz && s.filesz === l.filesz && s.prot === prot));
      assert.equal(mem.readBytes(l.vaddr, l.filesz), bytes.subarray(l.offset, l.offset + l.filesz), "file bytes");
      const bss = mem.readBytes(l.vaddr + l.filesz, alignUp(l.vaddr + l.memsz) - (l.vaddr + l.filesz));
      assert.ok(bss.every((b) => b === 0), "bss and the rest of the last page are zero");
      assert.ok(mem.isMapped(l.vaddr, l.memsz));
      assert.is(mem.prot[l.vaddr >>> 12]! & 7, prot);
      if (prot & PROT_WRITE) mem.write8(l.vaddr + l.memsz - 1, 1);
      else assert.throws(() => mem.write8(l.vaddr, 1));
      end = Math.max(end, l.vaddr + l.memsz);
    }
    assert.is(img.brk, alignUp(end));
    assert.not.ok(mem.isMapped(img.brk, 1), "nothing mapped at the break");
    assert.ok(img.tls !== undefined && img.tls.memsz > 0);
    assert.is(img.executableStack, false);
  });
}

test("wrong machine, dynamically linked and non-executable files are refused with a clear message", () => {
  const elf = parseElf(read("fixtures/bin/riscv64/hello"));
  assert.throws(() => loadElf(elf, GUESTS.ppc32, new GuestMemory()), (e: unknown) => e instanceof ElfError && /not a ppc32 executable/.test(e.message));
  const dynamic: ElfFile = {
    ...elf, interpreter: "/lib/ld-linux-riscv64-lp64d.so.1",
    programHeaders: [...elf.programHeaders, { type: PT_INTERP, flags: 4, offset: 0, vaddr: 0, paddr: 0, filesz: 0, memsz: 0, align: 1 }],
  };
  assert.throws(() => loadElf(dynamic, GUESTS.riscv64, new GuestMemory()),
    (e: unknown) => e instanceof ElfError && /dynamically linked executables are not supported yet.*-static/.test(e.message));
  assert.throws(() => loadElf({ ...elf, type: 1 }, GUESTS.riscv64, new GuestMemory()), (e: unknown) => e instanceof ElfError);
});

test("a static PIE (ET_DYN without PT_INTERP) is loaded at PIE_LOAD_BASE", () => {
  const bytes = read("fixtures/bin/riscv64/hello");
  const elf = parseElf(bytes);
  // the same image linked at 0: every address lowered by the first segment's page
  const base = 0x10000;
  const pie: ElfFile = {
    ...elf, type: ET_DYN, entry: elf.entry - base,
    programHeaders: elf.programHeaders.map((p) => (p.vaddr === 0 ? p : { ...p, vaddr: p.vaddr - base, paddr: p.paddr - base })),
  };
  const mem = new GuestMemory();
  const img = loadElf(pie, GUESTS.riscv64, mem);
  assert.is(img.loadBias, PIE_LOAD_BASE);
  assert.is(img.entry, elf.entry - base + PIE_LOAD_BASE);
  assert.equal(mem.readBytes(PIE_LOAD_BASE, 64), bytes.subarray(0, 64));
  assert.is(img.phdr, PIE_LOAD_BASE + 64);
});

test.run();
