/**
 * File and directory syscalls: open/read/write and friends, metadata, directory changes. Paths go through
 * the sandboxed {@link Vfs}; data moves between guest memory and the host adapter as raw bytes.
 */
import { E, SyscallError } from "./errno.ts";
import {
  O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_EXCL, O_NOCTTY, O_NONBLOCK, O_PATH, O_RDONLY, O_TRUNC, O_WRONLY,
  PIPE_CAPACITY, type OpenFile,
} from "./fd.ts";
import { hostErrno, joinGuest, type Resolved, type VNode } from "./vfs.ts";
import type { LinuxKernel } from "./kernel.ts";
import type { HostFileType, HostStat } from "../host/host.ts";
import { AT_FDCWD, num, type ArgValues, type SyscallDef, type SyscallTable } from "./syscall.ts";

const AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400, AT_EMPTY_PATH = 0x1000;
const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
const FD_CLOEXEC = 1;
const RENAME_NOREPLACE = 1;
const UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;
/** Largest transfer of one read/write (Linux's MAX_RW_COUNT is 0x7ffff000; ours bounds a host buffer). */
const MAX_TRANSFER = 1 << 24;

/** st_mode type bits by file type. */
const S_IF: Record<HostFileType, number> = {
  file: 0o100000, dir: 0o040000, symlink: 0o120000, chardev: 0o020000, blockdev: 0o060000, fifo: 0o010000, socket: 0o140000,
};
/** getdents64 d_type by file type. */
const DT: Record<HostFileType, number> = { fifo: 1, chardev: 2, dir: 4, blockdev: 6, file: 8, symlink: 10, socket: 12 };

// ---- helpers ----

/** Metadata of an open file description. */
export function statOpenFile(k: LinuxKernel, f: OpenFile): HostStat {
  switch (f.kind) {
    case "file": try { return f.fs.fstat(f.handle); } catch (e) { throw hostErrno(e); }
    case "dir": case "opath": {
      const found = k.vfs.lookup(f.path ?? []);
      if (!found) throw new SyscallError(E.ENOENT);
      return found.stat;
    }
    case "dev": return k.vfs.lookup(["dev", f.dev])!.stat;
    case "pipe": return pseudoStat("fifo", 0o600, 0n);
    case "stdio": {
      const tty = k.host.stdio.isTerminal(f.stream);
      const st = pseudoStat(tty ? "chardev" : "fifo", tty ? 0o620 : 0o600, tty ? 0x8800n : 0n);
      st.uid = k.host.ids.uid;
      return st;
    }
  }
}

function pseudoStat(type: HostFileType, mode: number, rdev: bigint): HostStat {
  return {
    type, mode, size: 0n, ino: 0x3000n, dev: 0xdn, nlink: 1, uid: 0, gid: 0, rdev, blksize: 4096, blocks: 0n,
    atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n, birthtimeNs: 0n,
  };
}

const sec = (ns: bigint): bigint => (ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n));
const nsec = (ns: bigint): bigint => ns - sec(ns) * 1_000_000_000n;
const major = (dev: bigint): bigint => ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
const minor = (dev: bigint): bigint => (dev & 0xffn) | ((dev >> 12n) & ~0xffn);

function writeStat(k: LinuxKernel, addr: number, st: HostStat): void {
  const wide = k.abi.wordSize === 8;
  const time = (ns: bigint): bigint => (wide ? sec(ns) : BigInt.asIntN(32, sec(ns)));
  k.writeStruct(addr, k.abi.structs.stat, {
    st_dev: st.dev, st_ino: st.ino, st_mode: S_IF[st.type] | st.mode, st_nlink: st.nlink, st_uid: st.uid,
    st_gid: st.gid, st_rdev: st.rdev, st_size: st.size, st_blksize: st.blksize, st_blocks: st.blocks,
    st_atime: time(st.atimeNs), st_atime_nsec: nsec(st.atimeNs), st_mtime: time(st.mtimeNs),
    st_mtime_nsec: nsec(st.mtimeNs), st_ctime: time(st.ctimeNs), st_ctime_nsec: nsec(st.ctimeNs),
  });
}

/** STATX_BASIC_STATS | STATX_BTIME */
const STATX_ALL = 0x7ff | 0x800;

function writeStatx(k: LinuxKernel, addr: number, st: HostStat): void {
  k.writeStruct(addr, k.abi.structs.statx, {
    stx_mask: STATX_ALL, stx_blksize: st.blksize, stx_nlink: st.nlink, stx_uid: st.uid, stx_gid: st.gid,
    stx_mode: S_IF[st.type] | st.mode, stx_ino: st.ino, stx_size: st.size, stx_blocks: st.blocks,
    stx_atime_sec: sec(st.atimeNs), stx_atime_nsec: nsec(st.atimeNs), stx_btime_sec: sec(st.birthtimeNs),
    stx_btime_nsec: nsec(st.birthtimeNs), stx_ctime_sec: sec(st.ctimeNs), stx_ctime_nsec: nsec(st.ctimeNs),
    stx_mtime_sec: sec(st.mtimeNs), stx_mtime_nsec: nsec(st.mtimeNs), stx_rdev_major: major(st.rdev),
    stx_rdev_minor: minor(st.rdev), stx_dev_major: major(st.dev), stx_dev_minor: minor(st.dev),
  });
}

/** The node of a resolved path, or ENOENT. */
function existing(r: Resolved): { node: VNode; stat: HostStat } {
  if (!r.node || !r.stat) throw new SyscallError(E.ENOENT);
  return { node: r.node, stat: r.stat };
}

/** Calls a host operation, converting its failure into the errno Linux reports. */
function host<T>(f: () => T): T {
  try { return f(); } catch (e) { throw hostErrno(e); }
}

/** Opens `path` as openat(2) does; returns the new open file description. */
export function openFile(k: LinuxKernel, dirfd: number, path: string, flags: number, mode: number): OpenFile {
  const bits = k.abi.openFlags;
  const acc = flags & O_ACCMODE;
  const excl = (flags & (O_CREAT | O_EXCL)) === (O_CREAT | O_EXCL);
  const follow = !(flags & bits.O_NOFOLLOW) && !excl;
  const r = k.resolveAt(dirfd, path, follow);
  const base = { flags: flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC), pos: 0n, refs: 0, path: r.parts };
  if (flags & O_PATH) return { ...base, kind: "opath", node: existing(r).node };
  if (acc === O_ACCMODE) throw new SyscallError(E.EINVAL);
  if (!r.node) {
    if (!(flags & O_CREAT)) throw new SyscallError(E.ENOENT);
    if (path.endsWith("/")) throw new SyscallError(E.EISDIR);
    const t = k.vfs.creationTarget(r.parts);
    const handle = host(() => t.mount.fs.open(t.host, {
      read: acc !== O_WRONLY, write: acc !== O_RDONLY, create: true, exclusive: true, truncate: false,
      mode: mode & ~k.umask & 0o7777,
    }));
    return { ...base, kind: "file", node: { kind: "host", ...t }, fs: t.mount.fs, handle };
  }
  const st = r.stat!;
  if (excl) throw new SyscallError(E.EEXIST);
  if (st.type === "symlink") throw new SyscallError(E.ELOOP);
  if (st.type === "dir") {
    if (acc !== O_RDONLY || flags & O_CREAT) throw new SyscallError(E.EISDIR);
    return { ...base, kind: "dir", node: r.node, entries: null };
  }
  if (flags & bits.O_DIRECTORY) throw new SyscallError(E.ENOTDIR);
  if (r.node.kind === "dev") return { ...base, kind: "dev", dev: r.node.dev };
  if (r.node.kind !== "host") throw new SyscallError(E.EACCES);
  const node = r.node;
  if ((acc !== O_RDONLY || flags & O_TRUNC) && node.mount.readonly) throw new SyscallError(E.EROFS);
  if (st.type !== "file") throw new SyscallError(E.ENXIO);
  const handle = host(() => node.mount.fs.open(node.host, {
    read: acc !== O_WRONLY, write: acc !== O_RDONLY, create: false, exclusive: false,
    truncate: (flags & O_TRUNC) !== 0 && acc !== O_RDONLY, mode: 0,
  }));
  return { ...base, kind: "file", node, fs: node.mount.fs, handle };
}

/** Reads up to `count` bytes from an open file at `pos` (or its offset when null) into a new buffer. */
function readFrom(k: LinuxKernel, f: OpenFile, count: number, pos: bigint | null): Uint8Array {
  if ((f.flags & O_ACCMODE) === O_WRONLY || f.kind === "opath") throw new SyscallError(E.EBADF);
  const n = Math.min(count, MAX_TRANSFER);
  switch (f.kind) {
    case "file": {
      const buf = new Uint8Array(n);
      const at = pos ?? f.pos;
      const got = host(() => f.fs.pread(f.handle, buf, at));
      if (pos === null) f.pos += BigInt(got);
      return buf.subarray(0, got);
    }
    case "dir": throw new SyscallError(E.EISDIR);
    case "stdio": {
      if (pos !== null) throw new SyscallError(E.ESPIPE);
      if (f.stream !== 0) throw new SyscallError(E.EBADF);
      const buf = new Uint8Array(Math.min(n, 65536));
      const got = host(() => k.host.stdio.read(buf, (f.flags & O_NONBLOCK) !== 0));
      return buf.subarray(0, got);
    }
    case "pipe": {
      if (pos !== null) throw new SyscallError(E.ESPIPE);
      if (f.pipe.data.length === 0) {
        if (f.pipe.writers === 0) return new Uint8Array(0);
        throw new SyscallError(E.EAGAIN);
      }
      return f.pipe.take(n);
    }
    case "dev": {
      const buf = new Uint8Array(f.dev === "null" ? 0 : n);
      if (f.dev === "random" || f.dev === "urandom") k.host.randomBytes(buf);
      return buf;
    }
  }
}

/** Writes `data` to an open file at `pos` (or its offset, or the end with O_APPEND); returns the count. */
function writeTo(k: LinuxKernel, f: OpenFile, data: Uint8Array, pos: bigint | null): number {
  if ((f.flags & O_ACCMODE) === O_RDONLY || f.kind === "opath") throw new SyscallError(E.EBADF);
  switch (f.kind) {
    case "file": {
      const append = pos === null && (f.flags & O_APPEND) !== 0;
      let at = append ? host(() => f.fs.fstat(f.handle)).size : (pos ?? f.pos);
      let done = 0;
      while (done < data.length) {
        const n = host(() => f.fs.pwrite(f.handle, data.subarray(done), at));
        if (n <= 0) break;
        done += n;
        at += BigInt(n);
      }
      if (pos === null) f.pos = at;
      return done;
    }
    case "dir": throw new SyscallError(E.EBADF);
    case "stdio":
      if (pos !== null) throw new SyscallError(E.ESPIPE);
      if (f.stream === 0) throw new SyscallError(E.EBADF);
      try {
        host(() => k.host.stdio.write(f.stream as 1 | 2, data));
      } catch (e) {
        if (e instanceof SyscallError && e.errno === E.EPIPE) k.signals.raise(13);
        throw e;
      }
      return data.length;
    case "pipe": {
      if (pos !== null) throw new SyscallError(E.ESPIPE);
      if (f.pipe.readers === 0) {
        k.signals.raise(13);
        throw new SyscallError(E.EPIPE);
      }
      const n = f.pipe.push(data);
      if (n === 0 && data.length) throw new SyscallError(E.EAGAIN);
      return n;
    }
    case "dev": return data.length;
  }
}

/** Reads into guest memory at `buf` (checked writable first so no input is consumed on EFAULT). */
function readInto(k: LinuxKernel, fd: number, buf: number, count: number, pos: bigint | null): number {
  const f = k.fds.get(fd);
  if (count === 0) return 0;
  k.mem.check(buf, Math.min(count, MAX_TRANSFER), "write");
  const data = readFrom(k, f, count, pos);
  k.mem.writeBytes(buf, data);
  return data.length;
}

interface IoVec { base: number; len: number }

function readIovecs(k: LinuxKernel, addr: number, count: number): IoVec[] {
  if (count < 0 || count > 1024) throw new SyscallError(E.EINVAL);
  const layout = k.abi.structs.iovec;
  const out: IoVec[] = [];
  for (let i = 0; i < count; i++) {
    const v = k.io.read(addr + i * layout.size, layout);
    out.push({ base: Number(v.iov_base), len: Number(v.iov_len) });
  }
  return out;
}

function checkPosition(pos: bigint): void {
  if (pos < 0n) throw new SyscallError(E.EINVAL);
}

function readvImpl(k: LinuxKernel, fd: number, iov: number, cnt: number, pos: bigint | null): number {
  const f = k.fds.get(fd);
  let total = 0;
  for (const v of readIovecs(k, iov, cnt)) {
    if (v.len === 0) continue;
    k.mem.check(v.base, Math.min(v.len, MAX_TRANSFER), "write");
    const data = readFrom(k, f, v.len, pos === null ? null : pos + BigInt(total));
    k.mem.writeBytes(v.base, data);
    total += data.length;
    if (data.length < v.len) break;
  }
  return total;
}

function writevImpl(k: LinuxKernel, fd: number, iov: number, cnt: number, pos: bigint | null): number {
  const f = k.fds.get(fd);
  const parts = readIovecs(k, iov, cnt).map((v) => k.mem.readBytes(v.base, v.len));
  const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) { all.set(p, off); off += p.length; }
  return all.length === 0 ? 0 : writeTo(k, f, all, pos);
}

function lseekImpl(k: LinuxKernel, fd: number, off: bigint, whence: number): bigint {
  const f = k.fds.get(fd);
  if (f.kind === "pipe" || f.kind === "stdio") throw new SyscallError(E.ESPIPE);
  if (f.kind === "opath") throw new SyscallError(E.EBADF);
  let base: bigint;
  switch (whence) {
    case SEEK_SET: base = 0n; break;
    case SEEK_CUR: base = f.pos; break;
    case SEEK_END: base = f.kind === "file" ? host(() => f.fs.fstat(f.handle)).size : 0n; break;
    default: throw new SyscallError(E.EINVAL);
  }
  const pos = base + off;
  if (pos < 0n) throw new SyscallError(E.EINVAL);
  f.pos = pos;
  if (f.kind === "dir" && pos === 0n) f.entries = null;
  return pos;
}

function dirEntries(k: LinuxKernel, f: OpenFile & { kind: "dir" }): Array<{ name: string; type: number; ino: bigint }> {
  if (!f.entries) {
    const self = k.vfs.lookup(f.path ?? []);
    const parent = k.vfs.lookup((f.path ?? []).slice(0, -1));
    // glibc's readdir skips entries whose d_ino is 0: never report 0
    const ino = (v: bigint | undefined, i: number): bigint => v || BigInt(0x5000 + i);
    const list = k.vfs.readdir(f.node).map((e, i) => {
      const child = k.vfs.lookup([...(f.path ?? []), e.name]);
      return { name: e.name, type: DT[e.type], ino: ino(child?.stat.ino, i + 2) };
    });
    f.entries = [
      { name: ".", type: DT.dir, ino: ino(self?.stat.ino, 0) },
      { name: "..", type: DT.dir, ino: ino(parent?.stat.ino, 1) },
      ...list,
    ];
  }
  return f.entries;
}

function getdents64(k: LinuxKernel, fd: number, buf: number, count: number): number {
  const f = k.fds.get(fd);
  if (f.kind !== "dir") throw new SyscallError(f.kind === "opath" ? E.EBADF : E.ENOTDIR);
  const entries = dirEntries(k, f);
  const enc = new TextEncoder();
  let used = 0;
  let i = Number(f.pos);
  for (; i < entries.length; i++) {
    const e = entries[i]!;
    const name = enc.encode(e.name);
    const reclen = (19 + name.length + 1 + 7) & ~7;
    if (used + reclen > count) {
      if (used === 0) throw new SyscallError(E.EINVAL);
      break;
    }
    const rec = new Uint8Array(reclen);
    const dv = new DataView(rec.buffer);
    const le = !k.abi.bigEndian;
    dv.setBigUint64(0, e.ino, le);
    dv.setBigInt64(8, BigInt(i + 1), le);
    dv.setUint16(16, reclen, le);
    rec[18] = e.type;
    rec.set(name, 19);
    k.mem.writeBytes(buf + used, rec);
    used += reclen;
  }
  f.pos = BigInt(i);
  return used;
}

function statPath(k: LinuxKernel, dirfd: number, path: string, flags: number): HostStat {
  if (path === "" && flags & AT_EMPTY_PATH && dirfd !== AT_FDCWD) return statOpenFile(k, k.fds.get(dirfd));
  return existing(k.resolveAt(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), flags)).stat;
}

function accessCheck(k: LinuxKernel, dirfd: number, path: string, mode: number, flags: number): number {
  if (mode & ~7) throw new SyscallError(E.EINVAL);
  const { node, stat } = existing(k.resolveAt(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), flags));
  if (mode & 2) {
    if (node.kind === "host" && node.mount.readonly) throw new SyscallError(E.EROFS);
    if (node.kind === "vdir" || node.kind === "vlink") throw new SyscallError(E.EACCES);
  }
  const ids = k.host.ids;
  const shift = stat.uid === ids.uid ? 6 : stat.gid === ids.gid ? 3 : 0;
  const allowed = (stat.mode >> shift) & 7;
  if (ids.uid === 0) {
    if (mode & 1 && stat.type !== "dir" && !(stat.mode & 0o111)) throw new SyscallError(E.EACCES);
  } else if ((mode & allowed) !== mode) {
    throw new SyscallError(E.EACCES);
  }
  return 0;
}

function unlinkImpl(k: LinuxKernel, dirfd: number, path: string, flags: number): number {
  if (flags & ~AT_REMOVEDIR) throw new SyscallError(E.EINVAL);
  const rmdir = (flags & AT_REMOVEDIR) !== 0;
  if (rmdir && /(^|\/)\.\/*$/.test(path)) throw new SyscallError(E.EINVAL);
  if (rmdir && /(^|\/)\.\.\/*$/.test(path)) throw new SyscallError(E.ENOTEMPTY);
  const { node, stat } = existing(k.resolveAt(dirfd, path, false));
  if (node.kind !== "host") throw new SyscallError(node.kind === "vdir" && rmdir ? E.EBUSY : E.EACCES);
  if (node.host === node.mount.host.replace(/\/+$/, "") || node.host === node.mount.host) throw new SyscallError(E.EBUSY);
  const t = k.vfs.writableHost(node);
  if (rmdir) {
    if (stat.type !== "dir") throw new SyscallError(E.ENOTDIR);
    host(() => t.mount.fs.rmdir(t.host));
  } else {
    if (stat.type === "dir") throw new SyscallError(E.EISDIR);
    host(() => t.mount.fs.unlink(t.host));
  }
  return 0;
}

/** The host locations of both ends of a rename or link: EXDEV unless both are in the same mount. */
function sameMountPair(k: LinuxKernel, from: string[], to: string[]): void {
  const a = k.vfs.hostPath(from), b = k.vfs.hostPath(to);
  if (!a || !b || a.mount !== b.mount) throw new SyscallError(E.EXDEV);
}

function renameImpl(k: LinuxKernel, olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): number {
  if (flags & ~RENAME_NOREPLACE) throw new SyscallError(E.EINVAL);
  const from = k.resolveAt(olddirfd, oldpath, false);
  const to = k.resolveAt(newdirfd, newpath, false);
  const src = existing(from);
  sameMountPair(k, from.parts, to.parts);
  const s = k.vfs.writableHost(src.node);
  const d = to.node ? k.vfs.writableHost(to.node) : k.vfs.creationTarget(to.parts);
  if (to.node && flags & RENAME_NOREPLACE) throw new SyscallError(E.EEXIST);
  if (s.host === s.mount.host.replace(/\/+$/, "")) throw new SyscallError(E.EBUSY);
  host(() => s.mount.fs.rename(s.host, d.host));
  return 0;
}

function setTimes(k: LinuxKernel, node: VNode, times: number): number {
  const t = k.vfs.writableHost(node);
  const now = k.host.realtimeNs();
  let at: bigint | null = now, mt: bigint | null = now;
  if (times !== 0) {
    const ts = k.abi.structs.timespec;
    const read = (addr: number): bigint | null => {
      const v = k.io.read(addr, ts);
      const ns = Number(v.tv_nsec);
      if (ns === UTIME_NOW) return now;
      if (ns === UTIME_OMIT) return null;
      if (ns < 0 || ns > 999_999_999) throw new SyscallError(E.EINVAL);
      return v.tv_sec! * 1_000_000_000n + v.tv_nsec!;
    };
    at = read(times);
    mt = read(times + ts.size);
  }
  host(() => t.mount.fs.utimes(t.host, at, mt));
  return 0;
}

function termiosOrTty(k: LinuxKernel, fd: number): 0 | 1 | 2 {
  const f = k.fds.get(fd);
  if (f.kind !== "stdio" || !k.host.stdio.isTerminal(f.stream)) throw new SyscallError(E.ENOTTY);
  return f.stream;
}

/** File-system syscalls. */
export const FS_SYSCALLS: SyscallTable = {
  openat: {
    args: ["dirfd", "path", "oflags", "mode"],
    run: (k, [dirfd, path, flags, mode]) => {
      const f = openFile(k, num(dirfd), k.readPath(num(path)), num(flags), num(mode));
      return k.fds.install(f, (num(flags) & O_CLOEXEC) !== 0);
    },
  },
  close: { args: ["fd"], run: (k, [fd]) => { k.fds.close(num(fd)); return 0; } },
  read: { args: ["fd", "ptr", "size"], run: (k, [fd, buf, n]) => readInto(k, num(fd), num(buf), num(n), null) },
  write: {
    args: ["fd", "ptr", "size"],
    run: (k, [fd, buf, n]) => {
      const f = k.fds.get(num(fd));
      const len = Math.min(num(n), MAX_TRANSFER);
      return len === 0 ? 0 : writeTo(k, f, k.mem.readBytes(num(buf), len), null);
    },
  },
  pread64: {
    args: ["fd", "ptr", "size", "off"],
    run: (k, [fd, buf, n, pos]) => {
      const f = k.fds.get(num(fd));
      if (f.kind === "pipe" || f.kind === "stdio") throw new SyscallError(E.ESPIPE);
      checkPosition(BigInt(pos!));
      return readInto(k, num(fd), num(buf), num(n), BigInt(pos!));
    },
  },
  pwrite64: {
    args: ["fd", "ptr", "size", "off"],
    run: (k, [fd, buf, n, pos]) => {
      const f = k.fds.get(num(fd));
      if (f.kind === "pipe" || f.kind === "stdio") throw new SyscallError(E.ESPIPE);
      checkPosition(BigInt(pos!));
      const len = Math.min(num(n), MAX_TRANSFER);
      return len === 0 ? 0 : writeTo(k, f, k.mem.readBytes(num(buf), len), BigInt(pos!));
    },
  },
  readv: { args: ["fd", "ptr", "int"], run: (k, [fd, iov, cnt]) => readvImpl(k, num(fd), num(iov), num(cnt), null) },
  writev: { args: ["fd", "ptr", "int"], run: (k, [fd, iov, cnt]) => writevImpl(k, num(fd), num(iov), num(cnt), null) },
  preadv: {
    args: ["fd", "ptr", "int", "off"],
    run: (k, [fd, iov, cnt, pos]) => { checkPosition(BigInt(pos!)); return readvImpl(k, num(fd), num(iov), num(cnt), BigInt(pos!)); },
  },
  pwritev: {
    args: ["fd", "ptr", "int", "off"],
    run: (k, [fd, iov, cnt, pos]) => { checkPosition(BigInt(pos!)); return writevImpl(k, num(fd), num(iov), num(cnt), BigInt(pos!)); },
  },
  lseek: { args: ["fd", "long", "int"], run: (k, [fd, off, whence]) => lseekImpl(k, num(fd), BigInt(off!), num(whence)) },
  _llseek: {
    args: ["fd", "uint", "uint", "ptr", "int"],
    run: (k, [fd, hi, lo, result, whence]) => {
      const pos = lseekImpl(k, num(fd), BigInt.asIntN(64, (BigInt(hi!) << 32n) | BigInt(lo!)), num(whence));
      k.io.writeField(num(result), "i64", pos);
      return 0;
    },
  },
  dup: { args: ["fd"], run: (k, [fd]) => k.fds.install(k.fds.get(num(fd)), false) },
  dup2: {
    args: ["fd", "fd"],
    run: (k, [oldfd, newfd]) => {
      const f = k.fds.get(num(oldfd));
      if (oldfd !== newfd) k.fds.installAt(num(newfd), f, false);
      return num(newfd);
    },
  },
  dup3: {
    args: ["fd", "fd", "oflags"],
    run: (k, [oldfd, newfd, flags]) => {
      if (num(flags) & ~O_CLOEXEC) throw new SyscallError(E.EINVAL);
      const f = k.fds.get(num(oldfd));
      if (oldfd === newfd) throw new SyscallError(E.EINVAL);
      k.fds.installAt(num(newfd), f, (num(flags) & O_CLOEXEC) !== 0);
      return num(newfd);
    },
  },
  fcntl: {
    args: ["fd", "int", "long"],
    partial: "record locks (F_GETLK/F_SETLK/F_SETLKW/F_OFD_*) succeed without locking; other commands EINVAL",
    run: (k, [fdv, cmd, arg]) => {
      const fd = num(fdv), f = k.fds.get(fd);
      switch (num(cmd)) {
        case F_DUPFD: case F_DUPFD_CLOEXEC:
          if (num(arg) < 0 || num(arg) >= k.fds.limit) throw new SyscallError(E.EINVAL);
          return k.fds.install(f, num(cmd) === F_DUPFD_CLOEXEC, num(arg));
        case F_GETFD: return k.fds.getCloexec(fd) ? FD_CLOEXEC : 0;
        case F_SETFD: k.fds.setCloexec(fd, (num(arg) & FD_CLOEXEC) !== 0); return 0;
        case F_GETFL: return f.flags | (k.abi.wordSize === 4 ? 0 : k.abi.openFlags.O_LARGEFILE);
        case F_SETFL: {
          const changeable = O_APPEND | O_NONBLOCK | k.abi.openFlags.O_DIRECT;
          f.flags = (f.flags & ~changeable) | (num(arg) & changeable);
          return 0;
        }
        case 5: case 6: case 7: case 12: case 13: case 14: case 36: case 37: case 38:
          return 0;
        default: throw new SyscallError(E.EINVAL);
      }
    },
  },
  pipe2: {
    args: ["ptr", "oflags"],
    run: (k, [fds, flags]) => {
      const fl = num(flags);
      if (fl & ~(O_CLOEXEC | O_NONBLOCK | k.abi.openFlags.O_DIRECT)) throw new SyscallError(E.EINVAL);
      k.mem.check(num(fds), 8, "write");
      const [r, w] = k.newPipe(fl & O_NONBLOCK);
      const rfd = k.fds.install(r, (fl & O_CLOEXEC) !== 0);
      const wfd = k.fds.install(w, (fl & O_CLOEXEC) !== 0);
      k.io.writeField(num(fds), "i32", rfd);
      k.io.writeField(num(fds) + 4, "i32", wfd);
      return 0;
    },
  },
  getdents64: { args: ["fd", "ptr", "size"], run: (k, [fd, buf, n]) => getdents64(k, num(fd), num(buf), num(n)) },
  newfstatat: {
    args: ["dirfd", "path", "ptr", "hex"],
    run: (k, [dirfd, path, buf, flags]) => {
      if (num(flags) & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800)) throw new SyscallError(E.EINVAL);
      writeStat(k, num(buf), statPath(k, num(dirfd), k.readPath(num(path)), num(flags)));
      return 0;
    },
  },
  fstat: {
    args: ["fd", "ptr"],
    run: (k, [fd, buf]) => { writeStat(k, num(buf), statOpenFile(k, k.fds.get(num(fd)))); return 0; },
  },
  statx: {
    args: ["dirfd", "path", "hex", "hex", "ptr"],
    partial: "every basic field and btime are always returned (stx_mask = BASIC_STATS|BTIME); no attributes",
    run: (k, [dirfd, path, flags, , buf]) => {
      writeStatx(k, num(buf), statPath(k, num(dirfd), k.readPath(num(path)), num(flags)));
      return 0;
    },
  },
  faccessat: {
    args: ["dirfd", "path", "int"],
    run: (k, [dirfd, path, mode]) => accessCheck(k, num(dirfd), k.readPath(num(path)), num(mode), 0),
  },
  faccessat2: {
    args: ["dirfd", "path", "int", "hex"],
    run: (k, [dirfd, path, mode, flags]) => accessCheck(k, num(dirfd), k.readPath(num(path)), num(mode), num(flags)),
  },
  readlinkat: {
    args: ["dirfd", "path", "ptr", "size"],
    run: (k, [dirfd, path, buf, size]) => {
      if (num(size) <= 0 || num(size) > 0x7fffffff) throw new SyscallError(E.EINVAL);
      const { node, stat } = existing(k.resolveAt(num(dirfd), k.readPath(num(path)), false));
      if (stat.type !== "symlink") throw new SyscallError(E.EINVAL);
      const text = new TextEncoder().encode(k.vfs.readlink(node)).subarray(0, num(size));
      k.mem.writeBytes(num(buf), text);
      return text.length;
    },
  },
  mkdirat: {
    args: ["dirfd", "path", "mode"],
    run: (k, [dirfd, path, mode]) => {
      const r = k.resolveAt(num(dirfd), k.readPath(num(path)), false);
      if (r.node) throw new SyscallError(E.EEXIST);
      const t = k.vfs.creationTarget(r.parts);
      host(() => t.mount.fs.mkdir(t.host, num(mode) & ~k.umask & 0o7777));
      return 0;
    },
  },
  unlinkat: {
    args: ["dirfd", "path", "hex"],
    run: (k, [dirfd, path, flags]) => unlinkImpl(k, num(dirfd), k.readPath(num(path)), num(flags)),
  },
  renameat: {
    args: ["dirfd", "path", "dirfd", "path"],
    run: (k, [od, op, nd, np]) => renameImpl(k, num(od), k.readPath(num(op)), num(nd), k.readPath(num(np)), 0),
  },
  renameat2: {
    args: ["dirfd", "path", "dirfd", "path", "hex"],
    partial: "RENAME_EXCHANGE and RENAME_WHITEOUT fail with EINVAL",
    run: (k, [od, op, nd, np, flags]) => renameImpl(k, num(od), k.readPath(num(op)), num(nd), k.readPath(num(np)), num(flags)),
  },
  getcwd: {
    args: ["ptr", "size"],
    run: (k, [buf, size]) => {
      const text = new TextEncoder().encode(joinGuest(k.cwd) + "\0");
      if (text.length > num(size)) throw new SyscallError(E.ERANGE);
      k.mem.writeBytes(num(buf), text);
      return text.length;
    },
  },
  chdir: {
    args: ["path"],
    run: (k, [path]) => {
      const r = k.resolveAt(AT_FDCWD, k.readPath(num(path)), true);
      if (existing(r).stat.type !== "dir") throw new SyscallError(E.ENOTDIR);
      k.cwd = r.parts;
      return 0;
    },
  },
  fchdir: {
    args: ["fd"],
    run: (k, [fd]) => {
      const f = k.fds.get(num(fd));
      if (f.kind !== "dir" && f.kind !== "opath") throw new SyscallError(E.ENOTDIR);
      if (statOpenFile(k, f).type !== "dir" || !f.path) throw new SyscallError(E.ENOTDIR);
      k.cwd = [...f.path];
      return 0;
    },
  },
  ftruncate: {
    args: ["fd", "long"],
    run: (k, [fd, len]) => ftruncateImpl(k, num(fd), BigInt(len!)),
  },
  ftruncate64: {
    args: ["fd", "off"],
    run: (k, [fd, len]) => ftruncateImpl(k, num(fd), BigInt(len!)),
  },
  fsync: { args: ["fd"], run: (k, [fd]) => syncImpl(k, num(fd)) },
  fdatasync: { args: ["fd"], run: (k, [fd]) => syncImpl(k, num(fd)) },
  utimensat: {
    args: ["dirfd", "path", "ptr", "hex"],
    run: (k, [dirfd, path, times, flags]) => {
      if (num(path) === 0) {
        const f = k.fds.get(num(dirfd));
        if (f.kind !== "file" && f.kind !== "dir") throw new SyscallError(E.EACCES);
        return setTimes(k, f.kind === "file" ? f.node : f.node, num(times));
      }
      const r = k.resolveAt(num(dirfd), k.readPath(num(path)), !(num(flags) & AT_SYMLINK_NOFOLLOW), num(flags));
      return setTimes(k, existing(r).node, num(times));
    },
  },
  symlinkat: {
    args: ["path", "dirfd", "path"],
    run: (k, [target, dirfd, linkpath]) => {
      const text = k.readPath(num(target));
      const r = k.resolveAt(num(dirfd), k.readPath(num(linkpath)), false);
      if (r.node) throw new SyscallError(E.EEXIST);
      const t = k.vfs.creationTarget(r.parts);
      host(() => t.mount.fs.symlink(text, t.host));
      return 0;
    },
  },
  linkat: {
    args: ["dirfd", "path", "dirfd", "path", "hex"],
    run: (k, [od, op, nd, np, flags]) => {
      if (num(flags) & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) throw new SyscallError(E.EINVAL);
      const fromResolved = k.resolveAt(num(od), k.readPath(num(op)), (num(flags) & AT_SYMLINK_FOLLOW) !== 0, num(flags));
      const from = existing(fromResolved);
      const to = k.resolveAt(num(nd), k.readPath(num(np)), false);
      if (to.node) throw new SyscallError(E.EEXIST);
      if (from.stat.type === "dir") throw new SyscallError(E.EPERM);
      sameMountPair(k, fromResolved.parts, to.parts);
      const src = k.vfs.writableHost(from.node);
      const dst = k.vfs.creationTarget(to.parts);
      host(() => src.mount.fs.link(src.host, dst.host));
      return 0;
    },
  },
  fchmodat: {
    args: ["dirfd", "path", "mode"],
    run: (k, [dirfd, path, mode]) => {
      const t = k.vfs.writableHost(existing(k.resolveAt(num(dirfd), k.readPath(num(path)), true)).node);
      host(() => t.mount.fs.chmod(t.host, num(mode) & 0o7777));
      return 0;
    },
  },
  fchmod: {
    args: ["fd", "mode"],
    run: (k, [fd, mode]) => {
      const f = k.fds.get(num(fd));
      if (f.kind !== "file" && f.kind !== "dir") throw new SyscallError(f.kind === "opath" ? E.EBADF : E.EPERM);
      const t = k.vfs.writableHost(f.node);
      host(() => t.mount.fs.chmod(t.host, num(mode) & 0o7777));
      return 0;
    },
  },
  umask: {
    args: ["mode"],
    run: (k, [mask]) => { const old = k.umask; k.umask = num(mask) & 0o777; return old; },
  },
  poll: {
    args: ["ptr", "uint", "int"],
    partial: "standard input always polls readable; with nothing ready an infinite wait returns 0 at once",
    run: (k, [fds, nfds, ms]) => pollImpl(k, num(fds), num(nfds), num(ms) < 0 ? null : BigInt(num(ms)) * 1_000_000n),
  },
  ppoll: {
    args: ["ptr", "uint", "ptr", "ptr", "size"],
    partial: "as poll; the signal mask argument is ignored",
    run: (k, [fds, nfds, tmo]) => {
      let timeout: bigint | null = null;
      if (num(tmo)) {
        const v = k.io.read(num(tmo), k.abi.structs.timespec);
        if (v.tv_sec! < 0n || v.tv_nsec! < 0n || v.tv_nsec! >= 1_000_000_000n) throw new SyscallError(E.EINVAL);
        timeout = v.tv_sec! * 1_000_000_000n + v.tv_nsec!;
      }
      return pollImpl(k, num(fds), num(nfds), timeout);
    },
  },
  ioctl: {
    args: ["fd", "hex", "ptr"],
    partial: "TCGETS and TIOCGWINSZ on terminals; every other request ENOTTY",
    run: (k, [fd, req, arg]) => {
      const r = num(req);
      if (r === k.abi.ioctl.TCGETS) {
        termiosOrTty(k, num(fd));
        const t = k.abi.structs.termios;
        k.writeStruct(num(arg), t, { c_iflag: 0x500, c_oflag: 0x5, c_cflag: 0xbf, c_lflag: 0x8a3b });
        // c_cc: VINTR ^C, VQUIT ^\, VERASE DEL, VKILL ^U, VEOF ^D, VTIME 0, VMIN 1 (generic order)
        k.mem.writeBytes(num(arg) + t.fields.c_cc![0], Uint8Array.from([3, 28, 127, 21, 4, 0, 1]));
        return 0;
      }
      if (r === k.abi.ioctl.TIOCGWINSZ) {
        const ws = k.host.stdio.windowSize(termiosOrTty(k, num(fd)));
        k.writeStruct(num(arg), k.abi.structs.winsize, { ws_row: ws?.rows ?? 24, ws_col: ws?.cols ?? 80 });
        return 0;
      }
      k.fds.get(num(fd));
      throw new SyscallError(E.ENOTTY);
    },
  },
};

const POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLWRNORM = 0x100;

/** The poll events `fd` has now (nothing can change while the single guest thread waits). */
function pollEvents(k: LinuxKernel, fd: number, wanted: number): number {
  if (!k.fds.has(fd)) return POLLNVAL;
  const f = k.fds.get(fd);
  const rd = wanted & (POLLIN | POLLRDNORM), wr = wanted & (POLLOUT | POLLWRNORM);
  switch (f.kind) {
    case "pipe":
      if (f.end === "read") return (f.pipe.data.length ? rd : 0) | (f.pipe.writers === 0 ? POLLHUP : 0);
      return f.pipe.readers === 0 ? POLLERR : f.pipe.data.length < PIPE_CAPACITY ? wr : 0;
    case "stdio": return f.stream === 0 ? rd : wr;
    default: return rd | wr;
  }
}

function pollImpl(k: LinuxKernel, fds: number, nfds: number, timeoutNs: bigint | null): number {
  if (nfds < 0 || nfds > k.fds.limit) throw new SyscallError(E.EINVAL);
  let ready = 0;
  for (let i = 0; i < nfds; i++) {
    const at = fds + i * 8;
    const fd = k.io.readField(at, "i32"), events = Number(k.io.readField(at + 4, "u16"));
    const revents = fd < 0n ? 0 : pollEvents(k, Number(fd), events | POLLERR | POLLHUP);
    k.io.writeField(at + 6, "u16", revents);
    if (revents) ready++;
  }
  if (ready === 0 && timeoutNs !== null && timeoutNs > 0n) k.host.sleep(timeoutNs);
  return ready;
}

function ftruncateImpl(k: LinuxKernel, fd: number, len: bigint): number {
  const f = k.fds.get(fd);
  if (len < 0n) throw new SyscallError(E.EINVAL);
  if (f.kind !== "file" || (f.flags & O_ACCMODE) === O_RDONLY) throw new SyscallError(f.kind === "opath" ? E.EBADF : E.EINVAL);
  host(() => f.fs.ftruncate(f.handle, len));
  return 0;
}

function syncImpl(k: LinuxKernel, fd: number): number {
  const f = k.fds.get(fd);
  if (f.kind === "file") host(() => f.fs.fsync(f.handle));
  else if (f.kind !== "dir") throw new SyscallError(f.kind === "opath" ? E.EBADF : E.EINVAL);
  return 0;
}

/** A path syscall of the older, non-*at family, run as its *at form from the current directory. */
function legacy(target: string, args: SyscallDef["args"], toAt: (a: ArgValues) => ArgValues): SyscallDef {
  const def = FS_SYSCALLS[target]!;
  return { args, run: (k, a) => def.run(k, toAt(a)), ...(def.partial ? { partial: def.partial } : {}) };
}

/** The older path syscalls 32-bit guests still have (riscv64 has only the *at forms). */
export const LEGACY_FS_SYSCALLS: SyscallTable = {
  open: legacy("openat", ["path", "oflags", "mode"], (a) => [AT_FDCWD, ...a]),
  readlink: legacy("readlinkat", ["path", "ptr", "size"], (a) => [AT_FDCWD, ...a]),
  access: legacy("faccessat", ["path", "int"], (a) => [AT_FDCWD, ...a]),
  mkdir: legacy("mkdirat", ["path", "mode"], (a) => [AT_FDCWD, ...a]),
  rmdir: legacy("unlinkat", ["path"], (a) => [AT_FDCWD, a[0]!, AT_REMOVEDIR]),
  unlink: legacy("unlinkat", ["path"], (a) => [AT_FDCWD, a[0]!, 0]),
  rename: legacy("renameat", ["path", "path"], (a) => [AT_FDCWD, a[0]!, AT_FDCWD, a[1]!]),
  link: legacy("linkat", ["path", "path"], (a) => [AT_FDCWD, a[0]!, AT_FDCWD, a[1]!, 0]),
  symlink: legacy("symlinkat", ["path", "path"], (a) => [a[0]!, AT_FDCWD, a[1]!]),
  chmod: legacy("fchmodat", ["path", "mode"], (a) => [AT_FDCWD, ...a]),
  stat64: legacy("newfstatat", ["path", "ptr"], (a) => [AT_FDCWD, ...a, 0]),
  lstat64: legacy("newfstatat", ["path", "ptr"], (a) => [AT_FDCWD, ...a, AT_SYMLINK_NOFOLLOW]),
  pipe: legacy("pipe2", ["ptr"], (a) => [a[0]!, 0]),
};
