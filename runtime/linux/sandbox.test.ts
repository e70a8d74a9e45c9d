/**
 * Sandbox escape attempts against a real temporary directory through the host adapter of the runtime
 * running the test (the Node adapter under Node, the Deno adapter under Deno). Each route
 * (`..`, absolute paths, symlinks on disk, symlinks the guest creates, chdir, /proc, link/rename, O_CREAT)
 * must fail with the errno Linux gives for a missing file or a denied access, and no host path outside
 * the mapped directories may be touched: every path the adapter receives is recorded and checked, and
 * the tree outside the mapping is compared before and after.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nodeHost } from "../host/node.ts";
import { denoApi, denoHost } from "../host/deno.ts";
import type { HostFileSystem } from "../host/host.ts";
import { testKernel, type TestKernel } from "./testkit.ts";

const ENOENT = 2, EACCES = 13, EXDEV = 18, EROFS = 30;
const O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_DIRECTORY = 0o200000;
const AT_FDCWD = -100, AT_REMOVEDIR = 0x200;

/** A host tree: mnt (guest /work, rw), ro (guest /data, read-only), outside (not mapped). */
function setup(): { root: string; t: TestKernel; touched: string[]; snapshot: () => string } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "isa2wasm-sandbox-")));
  const mnt = path.join(root, "mnt"), ro = path.join(root, "ro"), outside = path.join(root, "outside");
  for (const d of [mnt, ro, outside, path.join(mnt, "sub")]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
  fs.writeFileSync(path.join(mnt, "own.txt"), "own");
  fs.writeFileSync(path.join(ro, "data.txt"), "data");
  fs.symlinkSync("../outside", path.join(mnt, "escape"));
  fs.symlinkSync(path.join(outside, "secret.txt"), path.join(mnt, "abs"));
  fs.symlinkSync("../outside/secret.txt", path.join(ro, "up"));
  const host = denoApi() ? denoHost() : nodeHost();
  const touched: string[] = [];
  const spy = new Proxy(host.fs, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        // symlink(target, path): the target is stored text, not a path the host resolves
        const paths = prop === "symlink" ? args.slice(1) : args;
        for (const a of paths) if (typeof a === "string") touched.push(a);
        return (v as (...x: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as HostFileSystem;
  const t = testKernel({
    host: { ...host, fs: spy },
    mounts: [{ host: mnt, guest: "/work", readonly: false }, { host: ro, guest: "/data", readonly: true }],
    cwd: "/work",
  });
  // setting up resolves the mapped directories' own path (lstat of their ancestors); from here on,
  // everything the guest does must stay inside them
  touched.length = 0;
  const snapshot = (): string => {
    const lines: string[] = [];
    const walk = (p: string): void => {
      for (const e of fs.readdirSync(p, { withFileTypes: true })) {
        const full = path.join(p, e.name);
        if (full === mnt) continue;
        const st = fs.lstatSync(full);
        lines.push(`${full} ${st.mode} ${st.size} ${st.mtimeMs} ${e.isFile() ? fs.readFileSync(full, "utf8") : ""}`);
        if (e.isDirectory()) walk(full);
      }
    };
    walk(root);
    return lines.join("\n");
  };
  return { root, t, touched, snapshot };
}

function checkConfined(root: string, touched: string[]): void {
  const allowed = [path.join(root, "mnt"), path.join(root, "ro")];
  const outside = touched.filter((p) => !allowed.some((a) => p === a || p.startsWith(a + "/")));
  assert.equal(outside, [], "host paths outside the mapped directories");
  assert.ok(touched.length > 0);
}

test("escape routes fail like a missing or forbidden file, and the outside tree is untouched", () => {
  const { root, t, touched, snapshot } = setup();
  const before = snapshot();
  const open = (p: string, flags = 0): number => t.sys("openat", AT_FDCWD, p, flags, 0o644);

  // '..' from the guest root, and absolute paths
  assert.is(open("../../../../../../etc/passwd"), -ENOENT);
  assert.is(open("/etc/passwd"), -ENOENT);
  assert.is(open("/../../etc/passwd"), -ENOENT);
  assert.is(open(`${root}/outside/secret.txt`), -ENOENT);
  // symlinks already on disk (relative and absolute targets) are resolved in guest space
  assert.is(open("escape/secret.txt"), -ENOENT);
  assert.is(open("abs"), -ENOENT);
  assert.is(open("/data/up"), -ENOENT);
  // symlinks created by the guest, then read and written through
  assert.is(t.sys("symlinkat", "/etc/passwd", AT_FDCWD, "l1"), 0);
  assert.is(open("l1"), -ENOENT);
  assert.is(open("l1", O_CREAT | O_WRONLY), -ENOENT);
  assert.is(t.sys("symlinkat", "../outside/new.txt", AT_FDCWD, "l2"), 0);
  assert.is(open("l2", O_CREAT | O_WRONLY), -ENOENT);
  assert.is(t.sys("symlinkat", "/", AT_FDCWD, "l3"), 0);
  assert.is(open("l3/evil", O_CREAT | O_WRONLY), -EACCES);
  assert.is(t.sys("symlinkat", `${root}/outside`, AT_FDCWD, "l4"), 0);
  assert.is(open("l4/secret.txt", O_RDWR), -ENOENT);
  assert.is(t.sys("mkdirat", AT_FDCWD, "l4/dir", 0o755), -ENOENT);
  // /proc/self/root and /proc/self/cwd lead back into the guest's own namespace
  assert.is(open("/proc/self/root/etc/passwd"), -ENOENT);
  assert.is(open("/proc/self/cwd/../../etc/passwd"), -ENOENT);
  assert.ok(open("/proc/self/cwd/own.txt") >= 3, "/proc/self/cwd works inside the mapping");
  // link and rename out of the mount
  assert.is(t.sys("linkat", AT_FDCWD, "own.txt", AT_FDCWD, `${root}/outside/own.txt`, 0), -ENOENT);
  assert.is(t.sys("linkat", AT_FDCWD, "own.txt", AT_FDCWD, "/stolen", 0), -EXDEV);
  assert.is(t.sys("renameat2", AT_FDCWD, "own.txt", AT_FDCWD, "/data/own.txt", 0), -EXDEV);
  assert.is(t.sys("renameat2", AT_FDCWD, "own.txt", AT_FDCWD, "l3/own.txt", 0), -EXDEV);
  assert.is(t.sys("renameat2", AT_FDCWD, "own.txt", AT_FDCWD, "../../etc/own.txt", 0), -ENOENT);
  // O_CREAT and mkdir outside
  assert.is(open("/new.txt", O_CREAT | O_WRONLY), -EACCES);
  assert.is(open("/etc/new.txt", O_CREAT | O_WRONLY), -ENOENT);
  assert.is(t.sys("mkdirat", AT_FDCWD, "../evil", 0o755), -EACCES);
  // chdir('..') repeatedly ends at the guest root, which shows only the mount points
  for (let i = 0; i < 10; i++) assert.is(t.sys("chdir", ".."), 0);
  const buf = t.alloc(256);
  t.sys("getcwd", buf, 256);
  assert.is(t.readStr(buf), "/");
  assert.is(open("etc/passwd"), -ENOENT);
  assert.is(open(`.${root}/outside/secret.txt`), -ENOENT);
  assert.is(open("x", O_CREAT | O_WRONLY), -EACCES);
  const dir = open(".", O_DIRECTORY);
  const n = t.sys("getdents64", dir, buf, 256);
  const names: string[] = [];
  for (let off = 0; off < n; off += t.mem.dv.getUint16(buf + off + 16, true)) names.push(t.readStr(buf + off + 19));
  assert.equal(names.sort(), ["..", ".", "data", "dev", "proc", "tmp", "work"].sort());
  // the default /tmp is in memory: usable, and nothing reaches the host's /tmp
  const tmpFd = open("/tmp/scratch", O_CREAT | O_WRONLY);
  assert.ok(tmpFd >= 3);
  assert.is(t.sys("write", tmpFd, t.str("temp"), 4), 4);
  assert.not.ok(fs.existsSync("/scratch") || fs.existsSync(path.join(os.tmpdir(), "scratch")));

  assert.is(snapshot(), before, "nothing outside the mapping was created or changed");
  checkConfined(root, touched);
  fs.rmSync(root, { recursive: true, force: true });
});

test("a read-only mapping refuses every change with EROFS", () => {
  const { root, t, touched, snapshot } = setup();
  const before = snapshot();
  assert.is(t.sys("openat", AT_FDCWD, "/data/new", O_CREAT | O_WRONLY, 0o644), -EROFS);
  assert.is(t.sys("openat", AT_FDCWD, "/data/data.txt", O_WRONLY, 0), -EROFS);
  assert.is(t.sys("unlinkat", AT_FDCWD, "/data/data.txt", 0), -EROFS);
  assert.is(t.sys("mkdirat", AT_FDCWD, "/data/d", 0o755), -EROFS);
  assert.is(t.sys("fchmodat", AT_FDCWD, "/data/data.txt", 0o777), -EROFS);
  assert.is(t.sys("faccessat", AT_FDCWD, "/data/data.txt", 2), -EROFS);
  const fd = t.sys("openat", AT_FDCWD, "/data/data.txt", 0, 0);
  const buf = t.alloc(16);
  assert.is(t.sys("read", fd, buf, 16), 4, "reading is allowed");
  assert.is(t.readStr(buf), "data");
  assert.is(snapshot(), before);
  checkConfined(root, touched);
  fs.rmSync(root, { recursive: true, force: true });
});

test("a mapped directory reached through a host symlink works; symlinks below it stay in guest space", () => {
  const { root } = setup();
  fs.symlinkSync(path.join(root, "mnt"), path.join(root, "alias"));
  const host = denoApi() ? denoHost() : nodeHost();
  const u = testKernel({ host, mounts: [{ host: path.join(root, "alias"), guest: "/w", readonly: false }], cwd: "/w" });
  assert.ok(u.sys("openat", AT_FDCWD, "own.txt", 0, 0) >= 3);
  assert.is(u.sys("openat", AT_FDCWD, "escape/secret.txt", 0, 0), -ENOENT);
  fs.rmSync(root, { recursive: true, force: true });
});

test("the guest can work normally inside the mapping (files land in the host directory)", () => {
  const { root, t, touched } = setup();
  const fd = t.sys("openat", AT_FDCWD, "sub/made.txt", O_CREAT | O_WRONLY, 0o640);
  const s = t.str("made by guest");
  assert.is(t.sys("write", fd, s, 13), 13);
  t.sys("close", fd);
  assert.is(fs.readFileSync(path.join(root, "mnt/sub/made.txt"), "utf8"), "made by guest");
  assert.is(fs.statSync(path.join(root, "mnt/sub/made.txt")).mode & 0o777, 0o640);
  assert.is(t.sys("renameat2", AT_FDCWD, "sub/made.txt", AT_FDCWD, "moved.txt", 0), 0);
  assert.ok(fs.existsSync(path.join(root, "mnt/moved.txt")));
  assert.is(t.sys("unlinkat", AT_FDCWD, "sub", AT_REMOVEDIR), 0);
  assert.ok(!fs.existsSync(path.join(root, "mnt/sub")));
  checkConfined(root, touched);
  fs.rmSync(root, { recursive: true, force: true });
});

test.run();
