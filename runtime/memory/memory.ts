/**
 * Guest memory: one WebAssembly.Memory shared by the interpreter, translated code and the syscall layer.
 *
 * Guest virtual addresses are linear-memory offsets (identity mapping). The first 64 KiB (Linux's
 * mmap_min_addr) is never mapped for the guest: the runtime keeps the CPU state and other private tables
 * there ({@link STATE_BASE}). Page permissions are tracked per 4 KiB page; an access to a page without the
 * needed permission raises a {@link GuestFault}.
 */

export const PAGE_SIZE = 4096;
/** Lowest address a guest can map. */
export const GUEST_MIN_ADDR = 0x10000;
/** Where the CPU state block lives in linear memory (inside the reserved low 64 KiB). */
export const STATE_BASE = 0x1000;
/** Runtime control block shared with translated code (exit reason, counters, scratch), inside the low 64 KiB. */
export const CONTROL_BASE = 0x3000;
/**
 * The page map read by translated code: one byte per 4 KiB page of the 32-bit guest address space: bit 0 ({@link PAGE_FAST_READ}) = the page is readable, bit 1 ({@link PAGE_FAST_WRITE}) = it
 * is readable and writable and holds no translated code (so one write check also covers reads: translator/codegen/access.ts). Translated code takes a slow path (back to the runtime)
 * whenever a bit is clear, so the exact checks stay in one place ({@link GuestMemory.check}).
 *
 * It lives inside the guest address range, in the gap between the mmap area (which grows down from
 * MMAP_TOP = 0x3f00_0000, runtime/process/layout.ts) and the stack: the guest cannot map there
 * ({@link GuestMemory.map} refuses), and the page map marks its own pages inaccessible. (The low 64 KiB
 * below the guest's lowest address is too small for page granularity; the 64 KiB chunks used before made
 * every store to a program's data slow when its first data page shared a chunk with code.)
 */
export const PAGE_MAP_BASE = 0x3f00_0000;
export const PAGE_MAP_SIZE = 0x10_0000;
export const PAGE_FAST_READ = 1, PAGE_FAST_WRITE = 2;
/**
 * Page-map bits for accesses of several bytes: the page and the next one both allow reads
 * ({@link PAGE_FAST_READ2}) or writes ({@link PAGE_FAST_WRITE2}), so an access of up to a page starting in
 * the page is allowed whether or not it crosses into the next (one byte read and one test).
 */
export const PAGE_FAST_READ2 = 4, PAGE_FAST_WRITE2 = 8;
const WASM_PAGE = 65536;
const MAX_BYTES = 0x1_0000_0000 - WASM_PAGE; // just under 4 GiB: the limit of 32-bit Wasm memory

/** Page protection bits (Linux PROT_*). */
export const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;

/** A guest access that hit an unmapped page or lacked permission: the guest gets SIGSEGV. */
export class GuestFault extends Error {
  constructor(readonly addr: number, readonly access: "read" | "write" | "exec", readonly mapped: boolean) {
    super(`guest ${access} fault at 0x${addr.toString(16)}${mapped ? " (permission)" : " (unmapped)"}`);
  }
}

export class GuestMemory {
  readonly memory: WebAssembly.Memory;
  /** byte view; replaced when memory grows (use the accessors, or re-read after growth) */
  u8!: Uint8Array;
  dv!: DataView;
  /** per-page PROT_* bits, plus 8 = mapped */
  prot: Uint8Array;
  /** incremented on every map/unmap/protect: code caches compare it */
  generation = 0;
  /** per-page count of translations that cover the page (stores there must invalidate them) */
  readonly codePages = new Map<number, number>();
  /** called after a checked write touched a page holding translated code (self-modifying code) */
  onCodeWrite: ((addr: number, len: number) => void) | undefined;
  /**
   * Per page, 1 once it may hold non-zero bytes: it was mapped (so anything may have written it) or it
   * belonged to a memory handed in. A page still 0 is as linear memory made it, all zeros, and mapping it
   * needs no zero fill (an 8 MiB stack is then not written, or faulted in by the host, before it is used).
   */
  private readonly used: Uint8Array;

  constructor(memory?: WebAssembly.Memory) {
    this.memory = memory ?? new WebAssembly.Memory({ initial: 16, maximum: MAX_BYTES / WASM_PAGE });
    this.prot = new Uint8Array(MAX_BYTES / PAGE_SIZE);
    this.used = new Uint8Array(MAX_BYTES / PAGE_SIZE);
    if (memory) this.used.fill(1, 0, Math.ceil(memory.buffer.byteLength / PAGE_SIZE));
    this.refresh();
  }

  /** Re-creates the views after the memory grew (by us or by translated code). */
  refresh(): void {
    this.u8 = new Uint8Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
  }

  get byteLength(): number { return this.memory.buffer.byteLength; }

  /** Makes linear memory at least `end` bytes long. */
  ensure(end: number): void {
    if (end > MAX_BYTES) throw new RangeError(`guest memory limit exceeded (0x${end.toString(16)})`);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      this.memory.grow(Math.ceil((end - have) / WASM_PAGE));
    }
    if (this.u8.buffer !== this.memory.buffer) this.refresh();
  }

  /** Maps [addr, addr+len) with `prot` (page-aligned, zero-filled if `zero`). */
  map(addr: number, len: number, prot: number, zero = true): void {
    const start = alignDown(addr), end = alignUp(addr + len);
    if (start < GUEST_MIN_ADDR || end > MAX_BYTES || this.reserved(start, end - start)) throw new RangeError(`cannot map 0x${start.toString(16)}..0x${end.toString(16)}`);
    this.ensure(end);
    if (zero) this.zeroUsed(start / PAGE_SIZE, end / PAGE_SIZE);
    this.used.fill(1, start / PAGE_SIZE, end / PAGE_SIZE);
    this.prot.fill(prot | 8, start / PAGE_SIZE, end / PAGE_SIZE);
    this.generation++;
    this.updatePageMap(start, end);
  }

  /** Zero-fills the pages of [first, end) that may hold data (see {@link used}), in runs. */
  private zeroUsed(first: number, end: number): void {
    for (let p = first; p < end;) {
      if (!this.used[p]) { p++; continue; }
      let q = p + 1;
      while (q < end && this.used[q]) q++;
      this.u8.fill(0, p * PAGE_SIZE, q * PAGE_SIZE);
      p = q;
    }
  }

  /** Unmaps [addr, addr+len). */
  unmap(addr: number, len: number): void {
    const start = alignDown(addr), end = Math.min(alignUp(addr + len), MAX_BYTES);
    this.prot.fill(0, start / PAGE_SIZE, end / PAGE_SIZE);
    this.generation++;
    this.updatePageMap(start, end);
  }

  /** Changes permissions of mapped pages in [addr, addr+len); returns false if any page is unmapped. */
  protect(addr: number, len: number, prot: number): boolean {
    const start = alignDown(addr) / PAGE_SIZE, end = alignUp(addr + len) / PAGE_SIZE;
    for (let p = start; p < end; p++) if (!(this.prot[p]! & 8)) return false;
    this.prot.fill(prot | 8, start, end);
    this.generation++;
    this.updatePageMap(start * PAGE_SIZE, end * PAGE_SIZE);
    return true;
  }

  /** Records that translated code covers [start, end): stores there take the slow path. */
  addCodeRange(start: number, end: number): void {
    for (let p = start >>> 12; p <= (end - 1) >>> 12; p++) this.codePages.set(p, (this.codePages.get(p) ?? 0) + 1);
    this.updatePageMap(start, end);
  }
  /** Forgets all translated-code ranges (after a full flush). */
  clearCodeRanges(): void {
    const pages = [...this.codePages.keys()];
    this.codePages.clear();
    for (const p of pages) this.updatePageMap(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
  }

  /** Recomputes the page-map bytes covering [start, end). */
  private updatePageMap(start: number, end: number): void {
    if (this.memory.buffer.byteLength < PAGE_MAP_BASE + PAGE_MAP_SIZE) this.ensure(PAGE_MAP_BASE + PAGE_MAP_SIZE);
    // a page's "and the next" bits depend on the next page: the page before the range is recomputed too
    const first = Math.max((start >>> 12) - 1, 0), last = Math.min((end - 1) >>> 12, PAGE_MAP_SIZE - 1);
    const fast = (p: number): number => {
      const bits = p < PAGE_MAP_SIZE ? this.prot[p] ?? 0 : 0;
      return (bits & PROT_READ ? PAGE_FAST_READ : 0) | (bits & PROT_WRITE && bits & PROT_READ && !this.codePages.has(p) ? PAGE_FAST_WRITE : 0);
    };
    let next = fast(first);
    for (let p = first; p <= last; p++) {
      const here = next;
      next = fast(p + 1);
      const both = here & next;
      this.u8[PAGE_MAP_BASE + p] = here | (both & PAGE_FAST_READ ? PAGE_FAST_READ2 : 0) | (both & PAGE_FAST_WRITE ? PAGE_FAST_WRITE2 : 0);
    }
  }

  /** True when [addr, addr+len) overlaps the runtime's page map (the guest cannot map there). */
  reserved(addr: number, len: number): boolean {
    return addr < PAGE_MAP_BASE + PAGE_MAP_SIZE && addr + len > PAGE_MAP_BASE;
  }

  /** True when every page of [addr, addr+len) is mapped. */
  isMapped(addr: number, len: number): boolean {
    const start = Math.floor(addr / PAGE_SIZE), end = Math.ceil((addr + len) / PAGE_SIZE);
    for (let p = start; p < end; p++) if (!(this.prot[p]! & 8)) return false;
    return true;
  }

  /** Throws a GuestFault unless [addr, addr+size) allows `access`. */
  check(addr: number, size: number, access: "read" | "write" | "exec"): void {
    const need = access === "read" ? PROT_READ : access === "write" ? PROT_WRITE : PROT_EXEC;
    const first = addr >>> 12, last = (addr + size - 1) >>> 12;
    if (addr < 0 || addr + size > MAX_BYTES) throw new GuestFault(addr, access, false);
    for (let p = first; p <= last; p++) {
      const bits = this.prot[p]!;
      if ((bits & need) === 0) throw new GuestFault(Math.max(addr, p * PAGE_SIZE), access, (bits & 8) !== 0);
    }
  }

  // Checked accessors. Little-endian unless `be`.
  read8(addr: number): number { this.check(addr, 1, "read"); return this.u8[addr]!; }
  read16(addr: number, be = false): number { this.check(addr, 2, "read"); return this.dv.getUint16(addr, !be); }
  read32(addr: number, be = false): number { this.check(addr, 4, "read"); return this.dv.getUint32(addr, !be); }
  read64(addr: number, be = false): bigint { this.check(addr, 8, "read"); return this.dv.getBigUint64(addr, !be); }
  write8(addr: number, v: number): void { this.check(addr, 1, "write"); this.u8[addr] = v; this.wrote(addr, 1); }
  write16(addr: number, v: number, be = false): void { this.check(addr, 2, "write"); this.dv.setUint16(addr, v, !be); this.wrote(addr, 2); }
  write32(addr: number, v: number, be = false): void { this.check(addr, 4, "write"); this.dv.setUint32(addr, v >>> 0, !be); this.wrote(addr, 4); }
  write64(addr: number, v: bigint, be = false): void { this.check(addr, 8, "write"); this.dv.setBigUint64(addr, BigInt.asUintN(64, v), !be); this.wrote(addr, 8); }

  /** Reports a write to pages holding translated code; callers that write linear memory directly call it too. */
  wrote(addr: number, len: number): void {
    if (this.codePages.size === 0) return;
    for (let p = addr >>> 12; p <= (addr + len - 1) >>> 12; p++) {
      if (this.codePages.has(p)) { this.onCodeWrite?.(addr, len); return; }
    }
  }

  /** Copies guest bytes out (checked for read). */
  readBytes(addr: number, len: number): Uint8Array {
    if (len > 0) this.check(addr, len, "read");
    return this.u8.slice(addr, addr + len);
  }
  /** Copies bytes into the guest (checked for write unless `force`, used by the loader). */
  writeBytes(addr: number, data: Uint8Array, force = false): void {
    if (data.length === 0) return;
    if (force) { if (!this.isMapped(addr, data.length)) throw new GuestFault(addr, "write", false); }
    else this.check(addr, data.length, "write");
    this.u8.set(data, addr);
    this.wrote(addr, data.length);
  }
  /** Reads a NUL-terminated string (at most `max` bytes) as raw bytes. */
  readCString(addr: number, max = 4096): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < max; i++) {
      const c = this.read8(addr + i);
      if (c === 0) return Uint8Array.from(out);
      out.push(c);
    }
    throw new GuestFault(addr + max, "read", true);
  }
}

export function alignDown(x: number, a = PAGE_SIZE): number { return Math.floor(x / a) * a; }
export function alignUp(x: number, a = PAGE_SIZE): number { return Math.ceil(x / a) * a; }
