/**
 * The host adapter interface: everything the Linux syscall layer needs from the machine it runs on.
 *
 * The API is synchronous (the run loop is). Paths given to a {@link HostFileSystem} are host paths the
 * kernel has already resolved inside a mount (no `..`, no symlink components); implementations must not
 * follow a symlink in the last component when opening (O_NOFOLLOW), so that a symlink created between
 * resolution and use cannot redirect an access. Failures throw a {@link HostError} carrying the Linux
 * errno name ("ENOENT", "EACCES" ...).
 */

/** A failed host operation, with the Linux errno name of the failure. */
export class HostError extends Error {
  constructor(readonly code: string, message?: string) {
    super(message ?? code);
  }
}

/** File types as the kernel distinguishes them. */
export type HostFileType = "file" | "dir" | "symlink" | "chardev" | "blockdev" | "fifo" | "socket";

/** Metadata of a host file (times in nanoseconds since the epoch). */
export interface HostStat {
  type: HostFileType;
  /** permission bits (07777) */
  mode: number;
  size: bigint;
  ino: bigint;
  dev: bigint;
  nlink: number;
  uid: number;
  gid: number;
  rdev: bigint;
  blksize: number;
  blocks: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  birthtimeNs: bigint;
}

/** How to open a host file. Positions are always explicit (pread/pwrite), so there is no append mode. */
export interface HostOpenFlags {
  read: boolean;
  write: boolean;
  create: boolean;
  exclusive: boolean;
  truncate: boolean;
  /** permission bits for a created file (after the guest's umask) */
  mode: number;
}

/** One directory entry. */
export interface HostDirEntry {
  name: string;
  type: HostFileType;
}

/** An open host file. */
export type HostHandle = number;

/** File and directory operations on host paths. */
export interface HostFileSystem {
  /** Metadata of `path` itself (a symlink is not followed). */
  lstat(path: string): HostStat;
  /** Opens a file (never following a symlink in the last component); directories cannot be opened. */
  open(path: string, flags: HostOpenFlags): HostHandle;
  close(h: HostHandle): void;
  /** Reads up to `buf.length` bytes at `pos`; returns the count (0 at end of file). */
  pread(h: HostHandle, buf: Uint8Array, pos: bigint): number;
  /** Writes `buf` at `pos`; returns the count written (may be short). */
  pwrite(h: HostHandle, buf: Uint8Array, pos: bigint): number;
  fstat(h: HostHandle): HostStat;
  ftruncate(h: HostHandle, len: bigint): void;
  fsync(h: HostHandle): void;
  readdir(path: string): HostDirEntry[];
  mkdir(path: string, mode: number): void;
  rmdir(path: string): void;
  unlink(path: string): void;
  rename(from: string, to: string): void;
  link(from: string, to: string): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
  chmod(path: string, mode: number): void;
  /** Sets access and modification times (ns); `null` leaves one unchanged. Does not follow symlinks. */
  utimes(path: string, atimeNs: bigint | null, mtimeNs: bigint | null): void;
}

/** Terminal window size. */
export interface WindowSize { rows: number; cols: number }

/** The process's standard streams. Data is raw bytes (never transcoded). */
export interface HostStdio {
  /**
   * Reads from standard input into `buf`; returns the count (0 at end of input). Throws HostError("EAGAIN")
   * when no data is available and `nonblocking` is set; retries EINTR internally.
   */
  read(buf: Uint8Array, nonblocking: boolean): number;
  /** Writes all of `buf` to standard output (1) or error (2), retrying partial writes and EINTR. */
  write(fd: 1 | 2, buf: Uint8Array): void;
  /** True when the stream is a terminal. */
  isTerminal(fd: 0 | 1 | 2): boolean;
  /** The terminal's window size, or null when not a terminal. */
  windowSize(fd: 0 | 1 | 2): WindowSize | null;
}

/** Everything the kernel uses from the host. */
export interface HostAdapter {
  fs: HostFileSystem;
  stdio: HostStdio;
  /** Wall-clock time, ns since the epoch. */
  realtimeNs(): bigint;
  /** A monotonic clock, ns from an arbitrary origin. */
  monotonicNs(): bigint;
  /** CPU time used by this process, ns. */
  cpuTimeNs(): bigint;
  /** Blocks the caller for `ns` nanoseconds. */
  sleep(ns: bigint): void;
  /** Fills `buf` with cryptographically secure random bytes. */
  randomBytes(buf: Uint8Array): void;
  /** The identity the guest sees (getpid, getuid ...): the host process's own where it has one. */
  ids: ProcessIds;
}

/** Process and user ids. */
export interface ProcessIds { pid: number; ppid: number; uid: number; gid: number }

/** A blocking sleep without host APIs: Atomics.wait where allowed, else a busy wait. */
export function blockingSleep(ns: bigint): void {
  const ms = Number(ns / 1_000_000n);
  if (ms <= 0) return;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  } catch {
    const end = Date.now() + ms;
    while (Date.now() < end) { /* busy wait: the main thread of a browser may not block */ }
  }
}

/** Cryptographically secure random bytes through Web Crypto (in 64 KiB chunks, its limit). */
export function webRandomBytes(buf: Uint8Array): void {
  for (let i = 0; i < buf.length; i += 65536) {
    globalThis.crypto.getRandomValues(buf.subarray(i, Math.min(buf.length, i + 65536)) as Uint8Array<ArrayBuffer>);
  }
}
