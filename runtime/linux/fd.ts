/**
 * Open file descriptions and the descriptor table. An {@link OpenFile} is shared by every descriptor
 * dup'ed from it (one offset, one set of status flags), as in Linux; close-on-exec belongs to the
 * descriptor. Pipes are in-kernel buffers (the guest is a single process).
 */
import { E, SyscallError } from "./errno.ts";
import type { HostFileSystem, HostHandle } from "../host/host.ts";
import type { Device, VNode } from "./vfs.ts";

/** open(2) flags common to every Linux architecture. */
export const O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
export const O_CREAT = 0o100, O_EXCL = 0o200, O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000, O_PATH = 0o10000000;

/** Bytes a pipe holds before writes would block (Linux's default pipe capacity). */
export const PIPE_CAPACITY = 65536;

/** An in-kernel pipe buffer. */
export class Pipe {
  data = new Uint8Array(0);
  readers = 0;
  writers = 0;
  /** Appends bytes; returns how many fit. */
  push(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, PIPE_CAPACITY - this.data.length);
    const d = new Uint8Array(this.data.length + n);
    d.set(this.data);
    d.set(bytes.subarray(0, n), this.data.length);
    this.data = d;
    return n;
  }
  /** Removes and returns up to `max` bytes. */
  take(max: number): Uint8Array {
    const out = this.data.slice(0, max);
    this.data = this.data.slice(out.length);
    return out;
  }
}

/** An open file description. */
export type OpenFile = {
  /** access mode and status flags (guest bit values) */
  flags: number;
  pos: bigint;
  refs: number;
  /** absolute guest path (for /proc/self/fd and fchdir), when it has one */
  path: string[] | null;
} & (
  | { kind: "file"; node: VNode & { kind: "host" }; fs: HostFileSystem; handle: HostHandle }
  | { kind: "dir"; node: VNode; entries: Array<{ name: string; type: number; ino: bigint }> | null }
  | { kind: "pipe"; pipe: Pipe; end: "read" | "write" }
  | { kind: "stdio"; stream: 0 | 1 | 2 }
  | { kind: "dev"; dev: Device }
  | { kind: "opath"; node: VNode }
);

/** Descriptor entry: the open file and the close-on-exec flag. */
interface FdEntry { file: OpenFile; cloexec: boolean }

/** The process's file descriptor table. */
export class FdTable {
  private readonly entries = new Map<number, FdEntry>();
  /** RLIMIT_NOFILE soft limit */
  limit = 1024;

  constructor(private readonly release: (f: OpenFile) => void) {}

  /** The open file of `fd`, or EBADF. */
  get(fd: number): OpenFile {
    const e = this.entries.get(fd);
    if (!e) throw new SyscallError(E.EBADF);
    return e.file;
  }

  /** True when `fd` is open. */
  has(fd: number): boolean { return this.entries.has(fd); }

  /** Installs `file` at the lowest free descriptor ≥ `min` (takes a new reference). */
  install(file: OpenFile, cloexec: boolean, min = 0): number {
    let fd = min;
    while (this.entries.has(fd)) fd++;
    if (fd >= this.limit) throw new SyscallError(E.EMFILE);
    file.refs++;
    this.entries.set(fd, { file, cloexec });
    return fd;
  }

  /** Installs `file` at exactly `fd`, closing what was there (dup3). */
  installAt(fd: number, file: OpenFile, cloexec: boolean): void {
    if (fd < 0 || fd >= this.limit) throw new SyscallError(E.EBADF);
    file.refs++;
    const old = this.entries.get(fd);
    this.entries.set(fd, { file, cloexec });
    if (old) this.drop(old.file);
  }

  close(fd: number): void {
    const e = this.entries.get(fd);
    if (!e) throw new SyscallError(E.EBADF);
    this.entries.delete(fd);
    this.drop(e.file);
  }

  private drop(f: OpenFile): void {
    if (--f.refs === 0) this.release(f);
  }

  getCloexec(fd: number): boolean { this.get(fd); return this.entries.get(fd)!.cloexec; }
  setCloexec(fd: number, on: boolean): void { this.get(fd); this.entries.get(fd)!.cloexec = on; }

  /** Open descriptors in ascending order. */
  list(): number[] { return [...this.entries.keys()].sort((a, b) => a - b); }
}
