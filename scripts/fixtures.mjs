#!/usr/bin/env zx
// Builds the guest test programs in fixtures/ with the Debian cross compilers, runs them under qemu-user and
// records what they do (fixtures/expected/), so that the interpreter and the translator can be checked against
// a reference without either toolchain installed. The layout and formats are described in fixtures/README.md.
//
// Usage: npm run fixtures [-- --check] [--only NAME] [--guest riscv64|ppc32]
//   (default)  rebuild fixtures/bin/ and rewrite fixtures/expected/
//   --check    rebuild into a temporary directory, re-run, compare with the committed expectations;
//              prints "N passed, N failed" and exits non-zero on any mismatch
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { argv } from "zx";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const fixturesDir = path.join(root, "fixtures");
const manifest = JSON.parse(fs.readFileSync(path.join(fixturesDir, "programs.json"), "utf8"));

/** Tools of each guest: compiler triple and qemu-user binary. */
const guests = {
  riscv64: { triple: "riscv64-linux-gnu", qemu: "qemu-riscv64", apt: "gcc-riscv64-linux-gnu libc6-dev-riscv64-cross binutils-riscv64-linux-gnu" },
  ppc32: { triple: "powerpc-linux-gnu", qemu: "qemu-ppc", apt: "gcc-powerpc-linux-gnu libc6-dev-powerpc-cross binutils-powerpc-linux-gnu" },
};

const check = Boolean(argv.check);
const only = argv.only === undefined ? undefined : String(argv.only);
const onlyGuest = argv.guest === undefined ? undefined : String(argv.guest);
if (onlyGuest !== undefined && !(onlyGuest in guests)) fail(`--guest must be one of: ${Object.keys(guests).join(", ")}`);
if (only !== undefined && !manifest.programs.some((p) => p.name === only)) fail(`--only: no program named ${only} in fixtures/programs.json`);

function fail(message) {
  console.error(`fixtures: ${message}`);
  process.exit(2);
}

/** Runs a command synchronously; throws with its stderr when it fails. */
function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 30, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return r.stdout;
}

function requireTools(guest) {
  const { triple, qemu, apt } = guests[guest];
  const missing = [`${triple}-gcc`, `${triple}-strip`, `${triple}-readelf`, `${triple}-objdump`, qemu].filter(
    (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0,
  );
  if (missing.length > 0) {
    const pkgs = missing.includes(qemu) ? `qemu-user ${apt}` : apt;
    fail(`missing ${missing.join(", ")}; install with (as root):\n  apt-get update && apt-get install -y ${pkgs}`);
  }
}

/** Output bytes as recorded in an expectation: text when valid UTF-8, else base64. */
function encodeBytes(buf) {
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  try {
    return { text: text.decode(buf) };
  } catch {
    return { base64: Buffer.from(buf).toString("base64") };
  }
}

const signalNumbers = os.constants.signals;

/** Files and directories left in the run directory, sorted by path; contents encoded like stdout. */
function listTree(dir, prefix = "") {
  const out = [];
  for (const name of fs.readdirSync(path.join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const st = fs.lstatSync(path.join(dir, rel));
    if (st.isDirectory()) {
      out.push({ path: rel, type: "dir" });
      out.push(...listTree(dir, rel));
    } else if (st.isFile()) {
      out.push({ path: rel, type: "file", content: encodeBytes(fs.readFileSync(path.join(dir, rel))) });
    } else {
      out.push({ path: rel, type: "other" });
    }
  }
  return out;
}

/** Compiles one program for one guest into outDir; returns the binary paths written. */
function build(program, guest, outDir) {
  const { triple } = guests[guest];
  fs.mkdirSync(outDir, { recursive: true });
  const bin = path.join(outDir, program.name);
  // Compile from inside fixtures/ with a relative source path so nothing host-specific reaches the binary.
  run(`${triple}-gcc`, ["-O2", "-static", ...(program.cflags ?? []), "-o", bin, program.source, ...(program.libs ?? []), "-lm"], { cwd: fixturesDir });
  const written = [bin];
  if ((program.stripped ?? []).includes(guest)) {
    run(`${triple}-strip`, ["-o", `${bin}.stripped`, bin]);
    written.push(`${bin}.stripped`);
  }
  return written;
}

/** The fixed environment of a program's run. */
function envOf(program) {
  return program.env ?? manifest.env;
}

/** argv of a run: argv[0] is the program name (set with qemu -0), then the manifest's args. */
function argvOf(program) {
  return [program.name, ...(program.args ?? [])];
}

/** Runs a binary under qemu-user in a fresh empty directory; returns the expectation record. */
function runUnderQemu(program, guest, bin) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "isa2wasm-fixture-run-"));
  try {
    for (const [dest, src] of Object.entries(program.inputFiles ?? {})) {
      fs.mkdirSync(path.dirname(path.join(cwd, dest)), { recursive: true });
      fs.copyFileSync(path.join(fixturesDir, src), path.join(cwd, dest));
    }
    const stdin = program.stdin ? fs.readFileSync(path.join(fixturesDir, program.stdin)) : Buffer.alloc(0);
    const args = argvOf(program);
    // ulimit -c 0: qemu-user would otherwise write a core file into the run directory on a fatal signal.
    const r = spawnSync(
      "sh",
      ["-c", 'ulimit -c 0 && exec "$@"', "sh", "env", "-i", ...envOf(program), guests[guest].qemu, "-0", args[0], bin, ...args.slice(1)],
      { cwd, input: stdin, maxBuffer: 1 << 30, timeout: 120_000 },
    );
    if (r.error) throw r.error;
    const inputs = new Set(Object.keys(program.inputFiles ?? {}));
    return {
      name: program.name,
      guest,
      description: program.description,
      binary: `fixtures/bin/${guest}/${program.name}`,
      argv: args,
      env: envOf(program),
      stdin: program.stdin ?? null,
      inputFiles: program.inputFiles ?? {},
      exit: { code: r.status, signal: r.signal, status: r.status ?? 128 + signalNumbers[r.signal] },
      stdout: encodeBytes(r.stdout),
      stderr: encodeBytes(r.stderr),
      files: listTree(cwd).filter((f) => !(inputs.has(f.path) && f.type === "file" && sameAsInput(program, f))),
    };
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/** True when a file left in the run directory is an input file the program did not change. */
function sameAsInput(program, file) {
  const original = fs.readFileSync(path.join(fixturesDir, program.inputFiles[file.path]));
  return JSON.stringify(encodeBytes(original)) === JSON.stringify(file.content);
}

/** readelf capture: headers, program headers, sections and symbols. */
function readelf(guest, bin) {
  return run(`${guests[guest].triple}-readelf`, ["-W", "-h", "-l", "-S", "-s", bin], { env: { ...process.env, LC_ALL: "C" } }).toString("utf8");
}

/** objdump of .text reduced to `addr<TAB>hex<TAB>text` lines (symbol comments after targets removed), gzipped. */
function objdumpText(guest, bin) {
  const raw = run(`${guests[guest].triple}-objdump`, ["-d", "-M", "no-aliases", "-j", ".text", bin], { env: { ...process.env, LC_ALL: "C" } }).toString("utf8");
  const lines = [];
  for (const line of raw.split("\n")) {
    const m = line.match(/^ +([0-9a-f]+):\t([0-9a-f ]+?) *\t(.*)$/);
    if (m) lines.push(`${m[1]}\t${m[2]}\t${m[3].replace(/ <[^>]*>$/, "")}`);
  }
  return gzipSync(lines.join("\n") + "\n", { level: 9 });
}

function sha(buf) {
  return createHash("sha256").update(buf).digest("hex");
}

/**
 * Replaces the observable results of a run by those of another guest's run of the same program, for the cases
 * the manifest lists under referenceFrom (where qemu-user is known to deviate from Linux for this guest).
 */
function applyReference(record, program, results) {
  const ref = (program.referenceFrom ?? {})[record.guest];
  if (!ref) return record;
  const other = results.get(`${ref.guest}/${program.name}`) ??
    JSON.parse(fs.readFileSync(path.join(fixturesDir, "expected", ref.guest, `${program.name}.json`), "utf8"));
  const { exit, stdout, stderr, files } = other;
  return { ...record, exit, stdout, stderr, files, reference: `output of the ${ref.guest} run: ${ref.reason}` };
}

/** Prints which top-level fields of an expectation differ. */
function reportDifference(expected, actual) {
  for (const key of Object.keys({ ...expected, ...actual })) {
    const a = JSON.stringify(expected[key]) ?? "(absent)", b = JSON.stringify(actual[key]) ?? "(absent)";
    if (a !== b) console.log(`  ${key}: expected ${a.slice(0, 300)}\n  ${" ".repeat(key.length)}  actual   ${b.slice(0, 300)}`);
  }
}

const selected = manifest.programs.filter((p) => only === undefined || p.name === only);
// riscv64 first: referenceFrom entries of other guests take its results.
const guestList = Object.keys(guests).filter((g) => onlyGuest === undefined || g === onlyGuest);
for (const guest of guestList) if (selected.some((p) => p.guests.includes(guest))) requireTools(guest);

const buildRoot = check ? fs.mkdtempSync(path.join(os.tmpdir(), "isa2wasm-fixture-build-")) : path.join(fixturesDir, "bin");
if (!check && only === undefined) {
  // A full rebuild starts from empty directories so that nothing dropped from the manifest lingers.
  for (const guest of guestList) {
    fs.rmSync(path.join(fixturesDir, "bin", guest), { recursive: true, force: true });
    fs.rmSync(path.join(fixturesDir, "expected", guest), { recursive: true, force: true });
  }
}
let passed = 0, failed = 0, identical = 0, differing = 0;
const results = new Map();
try {
  for (const guest of guestList) {
    const expectedDir = path.join(fixturesDir, "expected", guest);
    if (!check) fs.mkdirSync(expectedDir, { recursive: true });
    for (const program of selected.filter((p) => p.guests.includes(guest))) {
      const bins = build(program, guest, path.join(buildRoot, guest));
      const record = applyReference(runUnderQemu(program, guest, bins[0]), program, results);
      results.set(`${guest}/${program.name}`, record);
      const jsonFile = path.join(expectedDir, `${program.name}.json`);
      const json = JSON.stringify(record, null, 2) + "\n";
      const signalOk = record.exit.signal === (program.signal ?? null);
      if (!check) {
        fs.writeFileSync(jsonFile, json);
        if (program.readelf !== false) {
          for (const bin of bins) fs.writeFileSync(path.join(expectedDir, `${path.basename(bin)}.readelf.txt`), readelf(guest, bin));
        }
        if (program.objdump && guest === "riscv64") fs.writeFileSync(path.join(expectedDir, `${program.name}.objdump.gz`), objdumpText(guest, bins[0]));
        console.log(`${guest}/${program.name}: exit status ${record.exit.status}${signalOk ? "" : `  WARNING: the manifest expects signal ${program.signal ?? "none"}`}`);
        continue;
      }
      const committed = fs.existsSync(jsonFile) ? fs.readFileSync(jsonFile, "utf8") : "";
      if (committed === json && signalOk) {
        passed++;
      } else {
        failed++;
        console.log(`FAIL ${guest}/${program.name}: the run differs from fixtures/expected/${guest}/${program.name}.json`);
        if (committed) reportDifference(JSON.parse(committed), record);
        if (!signalOk) console.log(`  the manifest expects signal ${program.signal ?? "none"}`);
      }
      for (const bin of bins) {
        const committedBin = path.join(fixturesDir, "bin", guest, path.basename(bin));
        if (fs.existsSync(committedBin) && sha(fs.readFileSync(committedBin)) === sha(fs.readFileSync(bin))) identical++;
        else {
          differing++;
          console.log(`note: rebuilt ${guest}/${path.basename(bin)} is not byte-identical to the committed binary`);
        }
      }
    }
  }
} finally {
  if (check) fs.rmSync(buildRoot, { recursive: true, force: true });
}

if (check) {
  console.log(`rebuilt binaries: ${identical} byte-identical, ${differing} differing`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
