/**
 * Guest memory mapping: a mapped page reads as zeros (mmap(2): anonymous mappings are zero-initialised),
 * whether it is fresh linear memory, was mapped and written before, or belonged to a memory handed in;
 * only an explicit zero=false keeps the bytes (the loader's file-backed segments).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GuestMemory, PAGE_SIZE, PROT_READ, PROT_WRITE } from "./memory.ts";

const RW = PROT_READ | PROT_WRITE;
const A = 0x100000;

function allZero(mem: GuestMemory, start: number, len: number): boolean {
  return mem.u8.subarray(start, start + len).every((b) => b === 0);
}

test("a mapping over pages written before, unmapped and fresh ones reads as zeros throughout", () => {
  const mem = new GuestMemory();
  mem.map(A, 4 * PAGE_SIZE, RW);
  mem.u8.fill(0xa5, A, A + 4 * PAGE_SIZE);
  mem.unmap(A + PAGE_SIZE, 2 * PAGE_SIZE);
  assert.not.ok(mem.isMapped(A + PAGE_SIZE, 1));
  // pages 0 and 3 mapped and written, 1 and 2 written and unmapped, 4 and 5 never mapped
  mem.map(A, 6 * PAGE_SIZE, RW);
  assert.ok(allZero(mem, A, 6 * PAGE_SIZE));
  // a single written page between fresh ones, and the end of a run at the end of the range
  mem.write32(A + 2 * PAGE_SIZE + 8, 0x12345678);
  mem.write32(A + 5 * PAGE_SIZE + 4092, 0x9abcdef0);
  mem.map(A + 2 * PAGE_SIZE, PAGE_SIZE, RW);
  assert.is(mem.read32(A + 2 * PAGE_SIZE + 8), 0);
  mem.map(A + 5 * PAGE_SIZE, PAGE_SIZE, RW);
  assert.is(mem.read32(A + 5 * PAGE_SIZE + 4092), 0);
  // a run of written pages up to the end of the range
  mem.u8.fill(0xa5, A + 3 * PAGE_SIZE, A + 6 * PAGE_SIZE);
  mem.map(A + 3 * PAGE_SIZE, 3 * PAGE_SIZE, RW);
  assert.ok(allZero(mem, A + 3 * PAGE_SIZE, 3 * PAGE_SIZE));
});

test("a remapped page with zero=false keeps its bytes; high fresh memory maps as zeros", () => {
  const mem = new GuestMemory();
  mem.map(A, PAGE_SIZE, RW);
  mem.write32(A + 16, 77);
  mem.map(A, PAGE_SIZE, PROT_READ, false);
  assert.is(mem.read32(A + 16), 77);
  const high = 0x3000_0000;
  mem.map(high, 8 * PAGE_SIZE, RW);
  assert.ok(mem.byteLength >= high + 8 * PAGE_SIZE);
  assert.ok(allZero(mem, high, 8 * PAGE_SIZE));
});

test("pages of a memory handed in are zeroed when mapped (they may hold anything)", () => {
  const memory = new WebAssembly.Memory({ initial: 32, maximum: 65535 });
  new Uint8Array(memory.buffer).fill(0x5a, A, A + 2 * PAGE_SIZE);
  const mem = new GuestMemory(memory);
  mem.map(A, 2 * PAGE_SIZE, RW);
  assert.ok(allZero(mem, A, 2 * PAGE_SIZE));
});

test.run();
