/**
 * File syscalls through the riscv64 ABI on the in-memory host. Expected errno values are Linux's, as the
 * man pages (open(2), unlink(2), rmdir(2), read(2), lseek(2) ...) and asm-generic/errno*.h give them.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testKernel } from "./testkit.ts";

// asm-generic/errno-base.h, errno.h
const ENOENT = 2, EBADF = 9, EAGAIN = 11, EACCES = 13, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, EINVAL = 22;
const ENOTTY = 25, ESPIPE = 29, EPIPE = 32, ERANGE = 34, ENOTEMPTY = 39, ELOOP = 40;
// asm-generic/fcntl.h
const O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_APPEND = 0o2000;
const O_NONBLOCK = 0o4000, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000, O_CLOEXEC = 0o2000000;
const AT_FDCWD = -100, AT_REMOVEDIR = 0x200, AT_SYMLINK_NOFOLLOW = 0x100;

function withFile(text: string) {
  const t = testKernel();
  const fd = t.sys("openat", AT_FDCWD, "f.txt", O_CREAT | O_WRONLY, 0o644);
  const buf = t.str(text);
  t.sys("write", fd, buf, text.length);
  t.sys("close", fd);
  return t;
}

test("open/write/read/lseek round trip", () => {
  const t = withFile("hello world");
  const fd = t.sys("openat", AT_FDCWD, "f.txt", 0, 0);
  assert.is(fd, 3);
  const buf = t.alloc(64);
  assert.is(t.sys("read", fd, buf, 5), 5);
  assert.is(t.readStr(buf), "hello");
  assert.is(t.sys("lseek", fd, 1, 1), 6); // SEEK_CUR
  assert.is(t.sys("read", fd, buf, 64), 5);
  assert.is(new TextDecoder().decode(t.mem.readBytes(buf, 5)), "world");
  assert.is(t.sys("read", fd, buf, 64), 0, "end of file");
  assert.is(t.sys("lseek", fd, -3, 2), 8); // SEEK_END
  assert.is(t.sys("lseek", fd, -100, 0), -EINVAL);
  assert.is(t.sys("lseek", fd, 0, 7), -EINVAL, "bad whence");
});

test("open errors: O_CREAT|O_EXCL on existing, missing file, O_DIRECTORY on a file, directory for writing", () => {
  const t = withFile("x");
  assert.is(t.sys("openat", AT_FDCWD, "f.txt", O_CREAT | O_EXCL | O_WRONLY, 0o644), -EEXIST);
  assert.is(t.sys("openat", AT_FDCWD, "missing", 0, 0), -ENOENT);
  assert.is(t.sys("openat", AT_FDCWD, "missing/x", O_CREAT | O_WRONLY, 0o644), -ENOENT);
  assert.is(t.sys("openat", AT_FDCWD, "f.txt/x", 0, 0), -ENOTDIR);
  assert.is(t.sys("openat", AT_FDCWD, "f.txt", O_DIRECTORY, 0), -ENOTDIR);
  assert.is(t.sys("openat", AT_FDCWD, ".", O_WRONLY, 0), -EISDIR);
  assert.is(t.sys("openat", AT_FDCWD, ".", O_RDWR, 0), -EISDIR);
  assert.ok(t.sys("openat", AT_FDCWD, ".", O_DIRECTORY, 0) >= 3);
  assert.is(t.sys("openat", 99, "f.txt", 0, 0), -EBADF, "relative path with a bad dirfd");
});

test("O_TRUNC, O_APPEND, pread64/pwrite64 leave the offset alone", () => {
  const t = withFile("0123456789");
  const fd = t.sys("openat", AT_FDCWD, "f.txt", O_RDWR | O_APPEND, 0);
  const ab = t.str("ab");
  assert.is(t.sys("write", fd, ab, 2), 2);
  assert.is(t.sys("lseek", fd, 0, 1), 12, "append moved the offset to the end");
  const buf = t.alloc(16);
  assert.is(t.sys("pread64", fd, buf, 4, 10), 2);
  assert.is(t.readStr(buf), "ab");
  assert.is(t.sys("pwrite64", fd, ab, 2, 0), 2);
  assert.is(t.sys("lseek", fd, 0, 1), 12);
  assert.is(t.sys("pread64", fd, buf, 4, -1), -EINVAL);
  const fd2 = t.sys("openat", AT_FDCWD, "f.txt", O_WRONLY | O_TRUNC, 0);
  const st = t.alloc(128);
  assert.is(t.sys("fstat", fd2, st), 0);
  assert.is(t.mem.dv.getBigInt64(st + 48, true), 0n, "st_size after O_TRUNC");
});

test("read on an O_WRONLY fd and write on an O_RDONLY fd: EBADF; closed fd: EBADF", () => {
  const t = withFile("abc");
  const w = t.sys("openat", AT_FDCWD, "f.txt", O_WRONLY, 0);
  const r = t.sys("openat", AT_FDCWD, "f.txt", 0, 0);
  const buf = t.alloc(8);
  assert.is(t.sys("read", w, buf, 1), -EBADF);
  assert.is(t.sys("write", r, buf, 1), -EBADF);
  assert.is(t.sys("close", r), 0);
  assert.is(t.sys("close", r), -EBADF);
  assert.is(t.sys("read", 77, buf, 1), -EBADF);
});

test("read into unmapped memory: EFAULT, and no input consumed", () => {
  const t = withFile("abc");
  const fd = t.sys("openat", AT_FDCWD, "f.txt", 0, 0);
  assert.is(t.sys("read", fd, 0x10, 3), -14);
  assert.is(t.sys("lseek", fd, 0, 1), 0);
});

test("pipes: data through, ESPIPE on lseek, EOF after the writer closes, EPIPE without readers", () => {
  const t = testKernel();
  const fds = t.alloc(8);
  assert.is(t.sys("pipe2", fds, O_CLOEXEC | O_NONBLOCK), 0);
  const r = t.mem.dv.getInt32(fds, true), w = t.mem.dv.getInt32(fds + 4, true);
  assert.equal([r, w], [3, 4]);
  const buf = t.alloc(16);
  assert.is(t.sys("read", r, buf, 4), -EAGAIN, "empty non-blocking pipe");
  assert.is(t.sys("write", w, t.str("ping"), 4), 4);
  assert.is(t.sys("lseek", r, 0, 0), -ESPIPE);
  assert.is(t.sys("read", r, buf, 16), 4);
  assert.is(t.readStr(buf), "ping");
  assert.is(t.sys("fcntl", r, 1 /* F_GETFD */, 0), 1, "FD_CLOEXEC");
  assert.is(t.sys("pipe2", fds, 0x40 /* O_CREAT: not allowed */), -EINVAL);
  t.sys("close", w);
  assert.is(t.sys("read", r, buf, 16), 0, "EOF once no writer is left");
  const fds2 = t.alloc(8);
  t.sys("pipe2", fds2, 0);
  t.sys("close", t.mem.dv.getInt32(fds2, true));
  assert.is(t.sys("write", t.mem.dv.getInt32(fds2 + 4, true), buf, 1), -EPIPE);
  assert.equal(t.last, { kind: "killed", signal: 13, message: "" }, "SIGPIPE's default action terminates");
});

test("dup, dup3 and fcntl share the offset; flags and errors", () => {
  const t = withFile("abcdef");
  const fd = t.sys("openat", AT_FDCWD, "f.txt", 0, 0);
  const d = t.sys("dup", fd);
  assert.is(d, fd + 1);
  const buf = t.alloc(8);
  t.sys("read", fd, buf, 2);
  assert.is(t.sys("lseek", d, 0, 1), 2, "shared offset");
  assert.is(t.sys("dup3", fd, 10, O_CLOEXEC), 10);
  assert.is(t.sys("fcntl", 10, 1, 0), 1);
  assert.is(t.sys("dup3", fd, fd, 0), -EINVAL);
  assert.is(t.sys("dup3", fd, 11, 1), -EINVAL);
  assert.is(t.sys("fcntl", fd, 0 /* F_DUPFD */, 20), 20);
  assert.is(t.sys("fcntl", fd, 3 /* F_GETFL */, 0) & 3, 0);
  assert.is(t.sys("fcntl", fd, 4 /* F_SETFL */, O_NONBLOCK | O_APPEND), 0);
  assert.is(t.sys("fcntl", d, 3, 0) & (O_NONBLOCK | O_APPEND), O_NONBLOCK | O_APPEND, "status flags are shared by dups");
  assert.is(t.sys("fcntl", fd, 999, 0), -EINVAL);
});

test("directories: mkdirat EEXIST, unlinkat on a directory EISDIR, rmdir non-empty ENOTEMPTY, rmdir a file ENOTDIR", () => {
  const t = withFile("x");
  assert.is(t.sys("mkdirat", AT_FDCWD, "d", 0o755), 0);
  assert.is(t.sys("mkdirat", AT_FDCWD, "d", 0o755), -EEXIST);
  assert.is(t.sys("mkdirat", AT_FDCWD, "nope/d", 0o755), -ENOENT);
  assert.is(t.sys("openat", AT_FDCWD, "d/inner", O_CREAT | O_WRONLY, 0o600) >= 3, true);
  assert.is(t.sys("unlinkat", AT_FDCWD, "d", 0), -EISDIR);
  assert.is(t.sys("unlinkat", AT_FDCWD, "d", AT_REMOVEDIR), -ENOTEMPTY);
  assert.is(t.sys("unlinkat", AT_FDCWD, "f.txt", AT_REMOVEDIR), -ENOTDIR);
  assert.is(t.sys("unlinkat", AT_FDCWD, "d/inner", 0), 0);
  assert.is(t.sys("unlinkat", AT_FDCWD, "d/inner", 0), -ENOENT);
  assert.is(t.sys("unlinkat", AT_FDCWD, "d", AT_REMOVEDIR), 0);
  assert.is(t.sys("unlinkat", AT_FDCWD, ".", AT_REMOVEDIR), -EINVAL);
});

test("getdents64 lists ., .. and the entries with their types", () => {
  const t = withFile("x");
  t.sys("mkdirat", AT_FDCWD, "sub", 0o755);
  const fd = t.sys("openat", AT_FDCWD, ".", O_DIRECTORY, 0);
  const buf = t.alloc(4096);
  const n = t.sys("getdents64", fd, buf, 4096);
  assert.ok(n > 0);
  const seen: string[] = [];
  for (let off = 0; off < n;) {
    const reclen = t.mem.dv.getUint16(buf + off + 16, true);
    const type = t.mem.u8[buf + off + 18]!;
    seen.push(`${t.readStr(buf + off + 19)}:${type}`);
    off += reclen;
  }
  assert.equal(seen.sort(), ["..:4", ".:4", "f.txt:8", "sub:4"]);
  assert.is(t.sys("getdents64", fd, buf, 4096), 0, "end of directory");
  assert.is(t.sys("lseek", fd, 0, 0), 0);
  assert.is(t.sys("getdents64", fd, buf, 10), -EINVAL, "buffer too small for one entry");
  const file = t.sys("openat", AT_FDCWD, "f.txt", 0, 0);
  assert.is(t.sys("getdents64", file, buf, 4096), -ENOTDIR);
});

test("newfstatat/fstat/statx report size and type; AT_SYMLINK_NOFOLLOW", () => {
  const t = withFile("12345");
  const st = t.alloc(128);
  assert.is(t.sys("newfstatat", AT_FDCWD, "f.txt", st, 0), 0);
  assert.is(t.mem.dv.getUint32(st + 16, true) & 0o170000, 0o100000);
  assert.is(t.mem.dv.getUint32(st + 16, true) & 0o777, 0o644 & ~0o022);
  assert.is(t.mem.dv.getBigInt64(st + 48, true), 5n);
  assert.is(t.sys("symlinkat", "f.txt", AT_FDCWD, "ln"), 0);
  assert.is(t.sys("newfstatat", AT_FDCWD, "ln", st, AT_SYMLINK_NOFOLLOW), 0);
  assert.is(t.mem.dv.getUint32(st + 16, true) & 0o170000, 0o120000);
  assert.is(t.sys("newfstatat", AT_FDCWD, "ln", st, 0), 0);
  assert.is(t.mem.dv.getUint32(st + 16, true) & 0o170000, 0o100000);
  const sx = t.alloc(256);
  assert.is(t.sys("statx", AT_FDCWD, "f.txt", 0, 0x7ff, sx), 0);
  assert.is(t.mem.dv.getBigUint64(sx + 40, true), 5n);
  assert.is(t.mem.dv.getUint16(sx + 28, true) & 0o170000, 0o100000);
  assert.is(t.sys("newfstatat", AT_FDCWD, "nope", st, 0), -ENOENT);
  assert.is(t.sys("newfstatat", AT_FDCWD, "", st, 0), -ENOENT);
});

test("symlinks: readlinkat, loops, O_NOFOLLOW", () => {
  const t = withFile("x");
  t.sys("symlinkat", "f.txt", AT_FDCWD, "ln");
  const buf = t.alloc(64);
  assert.is(t.sys("readlinkat", AT_FDCWD, "ln", buf, 64), 5);
  assert.is(t.readStr(buf), "f.txt");
  assert.is(t.sys("readlinkat", AT_FDCWD, "f.txt", buf, 64), -EINVAL);
  assert.is(t.sys("openat", AT_FDCWD, "ln", O_NOFOLLOW, 0), -ELOOP);
  t.sys("symlinkat", "a", AT_FDCWD, "b");
  t.sys("symlinkat", "b", AT_FDCWD, "a");
  assert.is(t.sys("openat", AT_FDCWD, "a", 0, 0), -ELOOP);
  assert.is(t.sys("symlinkat", "x", AT_FDCWD, "ln"), -EEXIST);
  assert.is(t.sys("readlinkat", AT_FDCWD, "/proc/self/exe", buf, 64), 10);
  assert.is(t.readStr(buf), "/work/prog");
});

test("renameat2, linkat, ftruncate, faccessat, fchmodat, umask", () => {
  const t = withFile("abcdef");
  assert.is(t.sys("renameat2", AT_FDCWD, "f.txt", AT_FDCWD, "g.txt", 0), 0);
  assert.is(t.sys("faccessat", AT_FDCWD, "f.txt", 0), -ENOENT);
  assert.is(t.sys("faccessat", AT_FDCWD, "g.txt", 4), 0);
  assert.is(t.sys("linkat", AT_FDCWD, "g.txt", AT_FDCWD, "h.txt", 0), 0);
  assert.is(t.sys("linkat", AT_FDCWD, "g.txt", AT_FDCWD, "h.txt", 0), -EEXIST);
  t.sys("openat", AT_FDCWD, "other", O_CREAT | O_WRONLY, 0o644);
  assert.is(t.sys("renameat2", AT_FDCWD, "g.txt", AT_FDCWD, "other", 1 /* RENAME_NOREPLACE */), -EEXIST);
  const fd = t.sys("openat", AT_FDCWD, "h.txt", O_RDWR, 0);
  assert.is(t.sys("ftruncate", fd, 2), 0);
  const st = t.alloc(128);
  t.sys("newfstatat", AT_FDCWD, "g.txt", st, 0);
  assert.is(t.mem.dv.getBigInt64(st + 48, true), 2n, "hard link shares the data");
  const ro = t.sys("openat", AT_FDCWD, "h.txt", 0, 0);
  assert.is(t.sys("ftruncate", ro, 0), -EINVAL);
  assert.is(t.sys("ftruncate", fd, -1), -EINVAL);
  assert.is(t.sys("fchmodat", AT_FDCWD, "g.txt", 0o600), 0);
  t.sys("newfstatat", AT_FDCWD, "g.txt", st, 0);
  assert.is(t.mem.dv.getUint32(st + 16, true) & 0o7777, 0o600);
  assert.is(t.sys("umask", 0o077), 0o022);
  assert.is(t.sys("umask", 0o022), 0o077);
  assert.is(t.sys("faccessat", AT_FDCWD, "g.txt", 8), -EINVAL);
});

test("getcwd, chdir, fchdir", () => {
  const t = testKernel();
  const buf = t.alloc(64);
  assert.is(t.sys("getcwd", buf, 64), 6);
  assert.is(t.readStr(buf), "/work");
  assert.is(t.sys("getcwd", buf, 3), -ERANGE);
  t.sys("mkdirat", AT_FDCWD, "d", 0o755);
  assert.is(t.sys("chdir", "d"), 0);
  t.sys("getcwd", buf, 64);
  assert.is(t.readStr(buf), "/work/d");
  assert.is(t.sys("chdir", "nope"), -ENOENT);
  const fd = t.sys("openat", AT_FDCWD, "/work", O_DIRECTORY, 0);
  assert.is(t.sys("fchdir", fd), 0);
  t.sys("getcwd", buf, 64);
  assert.is(t.readStr(buf), "/work");
  t.sys("openat", AT_FDCWD, "file", O_CREAT | O_WRONLY, 0o644);
  assert.is(t.sys("chdir", "file"), -ENOTDIR);
});

test("a working directory mounted below the default in-memory /tmp: its ancestors exist and list it", () => {
  const t = testKernel({ mounts: [{ host: "/work", guest: "/tmp/x/y", readonly: false }], cwd: "/tmp/x/y" });
  assert.ok(t.sys("openat", AT_FDCWD, "/tmp/x/y/f", O_CREAT | O_WRONLY, 0o644) >= 3);
  assert.ok(t.sys("openat", AT_FDCWD, "/tmp/other", O_CREAT | O_WRONLY, 0o644) >= 3, "the rest of /tmp is writable");
  const names = (dir: string): string[] => {
    const fd = t.sys("openat", AT_FDCWD, dir, O_DIRECTORY, 0);
    const buf = t.alloc(1024);
    const n = t.sys("getdents64", fd, buf, 1024);
    const out: string[] = [];
    for (let off = 0; off < n; off += t.mem.dv.getUint16(buf + off + 16, true)) {
      assert.ok(t.mem.dv.getBigUint64(buf + off, true) !== 0n, "d_ino is never 0 (glibc would skip the entry)");
      out.push(t.readStr(buf + off + 19));
    }
    return out.sort();
  };
  assert.equal(names("/tmp"), ["..", ".", "other", "x"].sort());
  assert.equal(names("/tmp/x"), ["..", ".", "y"].sort());
  assert.equal(names("."), ["..", ".", "f"].sort());
});

test("readv/writev gather and scatter", () => {
  const t = testKernel();
  const fd = t.sys("openat", AT_FDCWD, "v", O_CREAT | O_RDWR, 0o644);
  const iov = t.alloc(32);
  const a = t.str("abc"), b = t.str("defg");
  t.mem.dv.setBigUint64(iov, BigInt(a), true); t.mem.dv.setBigUint64(iov + 8, 3n, true);
  t.mem.dv.setBigUint64(iov + 16, BigInt(b), true); t.mem.dv.setBigUint64(iov + 24, 4n, true);
  assert.is(t.sys("writev", fd, iov, 2), 7);
  t.sys("lseek", fd, 0, 0);
  const x = t.alloc(8), y = t.alloc(8);
  t.mem.dv.setBigUint64(iov, BigInt(x), true); t.mem.dv.setBigUint64(iov + 8, 2n, true);
  t.mem.dv.setBigUint64(iov + 16, BigInt(y), true); t.mem.dv.setBigUint64(iov + 24, 8n, true);
  assert.is(t.sys("readv", fd, iov, 2), 7);
  assert.is(t.readStr(x), "ab");
  assert.is(t.readStr(y), "cdefg");
  assert.is(t.sys("readv", fd, iov, -1), -EINVAL);
});

test("stdio: write to fd 1 and 2 reaches the host; ioctl TCGETS on a non-terminal is ENOTTY", () => {
  const t = testKernel();
  const s = t.str("out");
  assert.is(t.sys("write", 1, s, 3), 3);
  assert.is(t.sys("write", 2, s, 2), 2);
  assert.equal(t.output, { 1: "out", 2: "ou" });
  const termios = t.alloc(64);
  assert.is(t.sys("ioctl", 1, 0x5401, termios), -ENOTTY);
  const fd = t.sys("openat", AT_FDCWD, "f", O_CREAT | O_WRONLY, 0o644);
  assert.is(t.sys("ioctl", fd, 0x5413, termios), -ENOTTY);
  const tty = testKernel({ hostOptions: { terminal: { rows: 40, cols: 100 } } });
  const ws = tty.alloc(8);
  assert.is(tty.sys("ioctl", 1, 0x5413, ws), 0);
  assert.equal([tty.mem.dv.getUint16(ws, true), tty.mem.dv.getUint16(ws + 2, true)], [40, 100]);
  assert.is(tty.sys("ioctl", 1, 0x5401, tty.alloc(64)), 0);
});

test("stdin reads the host's input; /dev/null and /dev/zero", () => {
  const t = testKernel({ hostOptions: { stdin: new TextEncoder().encode("line\n") } });
  const buf = t.alloc(16);
  assert.is(t.sys("read", 0, buf, 16), 5);
  assert.is(t.sys("read", 0, buf, 16), 0);
  const nul = t.sys("openat", AT_FDCWD, "/dev/null", O_RDWR, 0);
  assert.is(t.sys("read", nul, buf, 16), 0);
  assert.is(t.sys("write", nul, buf, 16), 16);
  const zero = t.sys("openat", AT_FDCWD, "/dev/zero", 0, 0);
  t.mem.u8.fill(7, buf, buf + 16);
  assert.is(t.sys("read", zero, buf, 16), 16);
  assert.is(t.mem.u8[buf + 15], 0);
});

test("ppoll: pipe readiness, POLLHUP after the writer closes, POLLNVAL for closed fds", () => {
  const t = testKernel();
  const fds = t.alloc(8);
  t.sys("pipe2", fds, 0);
  const r = t.mem.dv.getInt32(fds, true), w = t.mem.dv.getInt32(fds + 4, true);
  const pfd = t.alloc(24);
  const set = (i: number, fd: number, events: number) => { t.mem.dv.setInt32(pfd + i * 8, fd, true); t.mem.dv.setInt16(pfd + i * 8 + 4, events, true); };
  const revents = (i: number) => t.mem.dv.getUint16(pfd + i * 8 + 6, true);
  set(0, r, 1 /* POLLIN */); set(1, w, 4 /* POLLOUT */); set(2, 50, 1);
  const zero = t.alloc(16);
  assert.is(t.sys("ppoll", pfd, 3, zero, 0, 8), 2);
  assert.equal([revents(0), revents(1), revents(2)], [0, 4, 0x20]);
  t.sys("write", w, t.str("x"), 1);
  assert.is(t.sys("ppoll", pfd, 2, zero, 0, 8), 2);
  assert.is(revents(0), 1);
  t.sys("close", w);
  set(1, -1, 4);
  assert.is(t.sys("ppoll", pfd, 2, zero, 0, 8), 1);
  assert.is(revents(0), 1 | 0x10, "POLLIN|POLLHUP");
  assert.is(revents(1), 0, "negative fds are ignored");
});

test("unknown syscalls: ENOSYS, warned once; --strict kills with the name and number", () => {
  const warnings: string[] = [];
  const t = testKernel({ warn: (l) => warnings.push(l) });
  assert.is(t.sys("io_setup", 0, 0), -38);
  assert.is(t.sys("io_setup", 0, 0), -38);
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /io_setup \(0\)/);
  assert.is(t.sys("rseq", 0, 0, 0, 0), -38, "rseq is deliberately ENOSYS");
  assert.is(warnings.length, 1, "without a warning");
  const s = testKernel({ strict: true });
  s.sys("io_setup", 0, 0);
  assert.is(s.last.kind, "killed");
  assert.match((s.last as { message: string }).message, /io_setup \(0\)/);
  assert.equal(t.k.stats.unknown, { io_setup: 2 });
});

test("strace lines in qemu's style (as qemu-riscv64 -strace prints them)", () => {
  const lines: string[] = [];
  const t = testKernel({ strace: (l) => lines.push(l), pid: 42 });
  t.sys("openat", AT_FDCWD, "nope", O_CLOEXEC, 0);
  t.sys("openat", AT_FDCWD, "new", O_CREAT | O_WRONLY, 0o640);
  t.sys("exit_group", 3);
  assert.equal(lines, [
    '42 openat(AT_FDCWD,"nope",O_RDONLY|O_CLOEXEC) = -1 errno=2 (No such file or directory)',
    '42 openat(AT_FDCWD,"new",O_WRONLY|O_CREAT,0640) = 3',
    "42 exit_group(3)",
  ]);
  assert.equal(t.last, { kind: "exit", status: 3 });
});

test.run();
