/**
 * Memory syscalls: the program break and mmap-family mappings over {@link GuestMemory}'s page table.
 * Free space is found in the page table itself (so mappings made by the loader are respected); new
 * mappings go top-down below `mmapTop`, never below the current break.
 */
import { E, SyscallError } from "./errno.ts";
import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, alignUp } from "../memory/memory.ts";
import { hostErrno } from "./vfs.ts";
import { O_ACCMODE, O_WRONLY } from "./fd.ts";
import type { LinuxKernel } from "./kernel.ts";
import { num, type SyscallTable } from "./syscall.ts";

const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
const MAP_FIXED_NOREPLACE = 0x100000;
const MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
const MADV_DONTNEED = 4;
/** pages left free above the break so that it can grow */
const BRK_RESERVE = 0x100_0000;
const MAPPED = 8;

/** The break and the mmap allocator of one process. */
export class MemoryManager {
  /** current program break */
  brk: number;
  readonly brkStart: number;

  constructor(private readonly k: LinuxKernel, brk: number, readonly mmapTop: number) {
    this.brk = this.brkStart = brk;
  }

  /** True when no page of [addr, addr+len) is mapped. */
  isFree(addr: number, len: number): boolean {
    const prot = this.k.mem.prot;
    for (let p = addr / PAGE_SIZE; p < (addr + len) / PAGE_SIZE; p++) if (prot[p]! & MAPPED) return false;
    return true;
  }

  /** Highest free page-aligned range of `len` bytes below `mmapTop` and above the break's reserve. */
  findFree(len: number): number {
    const prot = this.k.mem.prot;
    const pages = len / PAGE_SIZE;
    const floor = alignUp(this.brk + BRK_RESERVE) / PAGE_SIZE;
    let run = 0;
    for (let p = this.mmapTop / PAGE_SIZE - 1; p >= floor; p--) {
      run = prot[p]! & MAPPED ? 0 : run + 1;
      if (run === pages) return p * PAGE_SIZE;
    }
    throw new SyscallError(E.ENOMEM);
  }

  /** brk(2): moves the break when the pages are free; always returns the (possibly unchanged) break. */
  setBrk(addr: number): number {
    if (addr < this.brkStart) return this.brk;
    const oldEnd = alignUp(this.brk), newEnd = alignUp(addr);
    if (newEnd > oldEnd) {
      if (newEnd > this.mmapTop || !this.isFree(oldEnd, newEnd - oldEnd)) return this.brk;
      try { this.k.mem.map(oldEnd, newEnd - oldEnd, PROT_READ | PROT_WRITE); } catch (e) {
        if (e instanceof RangeError) return this.brk;
        throw e;
      }
    } else if (newEnd < oldEnd) {
      this.k.mem.unmap(newEnd, oldEnd - newEnd);
    }
    this.brk = addr;
    return addr;
  }

  /** Removes [addr, addr+len) and tells the translator that code there is gone. */
  unmap(addr: number, len: number): void {
    this.k.mem.unmap(addr, len);
    this.k.opts.onCodeChange?.(addr, addr + len);
  }
}

/** Maps pages; ENOMEM when linear memory cannot grow that far. */
function mapOrNomem(k: LinuxKernel, addr: number, len: number, prot: number): void {
  try { k.mem.map(addr, len, prot); } catch (e) {
    if (e instanceof RangeError) throw new SyscallError(E.ENOMEM);
    throw e;
  }
}

function checkAligned(addr: number): void {
  if (addr % PAGE_SIZE !== 0) throw new SyscallError(E.EINVAL);
}

function mmapImpl(k: LinuxKernel, addr: number, length: number, prot: number, flags: number, fd: number, offset: bigint): number {
  const type = flags & 0x0f;
  if (length === 0 || (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE)) throw new SyscallError(E.EINVAL);
  if (offset % BigInt(PAGE_SIZE) !== 0n || offset < 0n) throw new SyscallError(E.EINVAL);
  const len = alignUp(length);
  if (len > 0xc000_0000) throw new SyscallError(E.ENOMEM);
  const anonymous = (flags & MAP_ANONYMOUS) !== 0;
  const file = anonymous ? null : k.fds.get(fd);
  if (file) {
    if (file.kind !== "file" && file.kind !== "dev") throw new SyscallError(file.kind === "opath" ? E.EBADF : E.ENODEV);
    if ((file.flags & O_ACCMODE) === O_WRONLY) throw new SyscallError(E.EACCES);
    if ((type & MAP_SHARED) && prot & PROT_WRITE && (file.flags & O_ACCMODE) !== 2) throw new SyscallError(E.EACCES);
  }
  const mm = k.mm;
  let at: number;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    checkAligned(addr);
    if (addr < 0x10000 || addr + len > 0xffff_0000) throw new SyscallError(flags & MAP_FIXED ? E.EPERM : E.ENOMEM);
    if (k.mem.reserved(addr, len)) throw new SyscallError(E.ENOMEM); // the runtime's page map (memory.ts)
    if (flags & MAP_FIXED_NOREPLACE && !(flags & MAP_FIXED) && !mm.isFree(addr, len)) throw new SyscallError(E.EEXIST);
    if (!mm.isFree(addr, len)) mm.unmap(addr, len);
    at = addr;
  } else if (addr && addr % PAGE_SIZE === 0 && addr >= 0x10000 && addr + len <= mm.mmapTop && mm.isFree(addr, len)) {
    at = addr;
  } else {
    at = mm.findFree(len);
  }
  mapOrNomem(k, at, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC));
  if (file && file.kind === "file") {
    const buf = new Uint8Array(Math.min(length, len));
    let got = 0;
    try {
      while (got < buf.length) {
        const n = file.fs.pread(file.handle, buf.subarray(got), offset + BigInt(got));
        if (n <= 0) break;
        got += n;
      }
    } catch (e) {
      k.mem.unmap(at, len);
      throw hostErrno(e);
    }
    k.mem.writeBytes(at, buf.subarray(0, got), true);
  }
  return at;
}

/** Memory-management syscalls. */
export const MM_SYSCALLS: SyscallTable = {
  brk: { args: ["ptr"], run: (k, [addr]) => k.mm.setBrk(num(addr)) },
  mmap: {
    args: ["ptr", "size", "prot", "mapflags", "fd", "long"],
    partial: "MAP_SHARED file mappings are private copies (stores are not written back to the file)",
    run: (k, [addr, len, prot, flags, fd, off]) =>
      mmapImpl(k, num(addr), num(len), num(prot), num(flags), num(fd), BigInt(off!)),
  },
  mmap2: {
    args: ["ptr", "size", "prot", "mapflags", "fd", "uint"],
    partial: "as mmap",
    run: (k, [addr, len, prot, flags, fd, pgoff]) =>
      mmapImpl(k, num(addr), num(len), num(prot), num(flags), num(fd), BigInt(pgoff!) * 4096n),
  },
  munmap: {
    args: ["ptr", "size"],
    run: (k, [addr, len]) => {
      checkAligned(num(addr));
      if (num(len) === 0) throw new SyscallError(E.EINVAL);
      k.mm.unmap(num(addr), alignUp(num(len)));
      return 0;
    },
  },
  mprotect: {
    args: ["ptr", "size", "prot"],
    run: (k, [addr, len, prot]) => {
      checkAligned(num(addr));
      if (num(prot) & ~(PROT_READ | PROT_WRITE | PROT_EXEC | 0x0100_0000 | 0x0200_0000)) throw new SyscallError(E.EINVAL);
      const size = alignUp(num(len));
      if (size === 0) return 0;
      if (!k.mem.protect(num(addr), size, num(prot) & 7)) throw new SyscallError(E.ENOMEM);
      k.opts.onCodeChange?.(num(addr), num(addr) + size);
      return 0;
    },
  },
  mremap: {
    args: ["ptr", "size", "size", "hex", "ptr"],
    run: (k, [oldAddr, oldLen, newLen, flags, newAddr]) => {
      const old = num(oldAddr), fl = num(flags);
      checkAligned(old);
      if (fl & ~(MREMAP_MAYMOVE | MREMAP_FIXED) || (fl & MREMAP_FIXED && !(fl & MREMAP_MAYMOVE))) throw new SyscallError(E.EINVAL);
      const ol = alignUp(num(oldLen)), nl = alignUp(num(newLen));
      if (nl === 0 || ol === 0) throw new SyscallError(E.EINVAL);
      if (!k.mem.isMapped(old, ol)) throw new SyscallError(E.EFAULT);
      const prot = k.mem.prot[old / PAGE_SIZE]! & 7;
      if (!(fl & MREMAP_FIXED)) {
        if (nl <= ol) {
          if (nl < ol) k.mm.unmap(old + nl, ol - nl);
          return old;
        }
        if (old + nl <= k.mm.mmapTop && k.mm.isFree(old + ol, nl - ol)) {
          mapOrNomem(k, old + ol, nl - ol, prot);
          return old;
        }
        if (!(fl & MREMAP_MAYMOVE)) throw new SyscallError(E.ENOMEM);
      }
      const dest = fl & MREMAP_FIXED ? num(newAddr) : k.mm.findFree(nl);
      checkAligned(dest);
      const data = k.mem.u8.slice(old, old + Math.min(ol, nl));
      if (!k.mm.isFree(dest, nl)) k.mm.unmap(dest, nl);
      mapOrNomem(k, dest, nl, prot);
      k.mem.writeBytes(dest, data, true);
      k.mm.unmap(old, ol);
      return dest;
    },
  },
  madvise: {
    args: ["ptr", "size", "int"],
    partial: "MADV_DONTNEED zero-fills the range; other advice is accepted and ignored",
    run: (k, [addr, len, advice]) => {
      checkAligned(num(addr));
      const size = alignUp(num(len));
      if (!k.mem.isMapped(num(addr), size)) throw new SyscallError(E.ENOMEM);
      if (num(advice) === MADV_DONTNEED) k.mem.writeBytes(num(addr), new Uint8Array(size), true);
      return 0;
    },
  },
};
