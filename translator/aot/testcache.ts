/**
 * Test helper: ahead-of-time translations at -O0, cached under the system's temporary directory and keyed
 * by the program's bytes and the translator's own code (every source or compiled file of translator/ and
 * runtime/), so a changed translator translates again. Test code only (node:fs).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseElf } from "../elf/elf.ts";
import { guestForElf } from "../guests/index.ts";
import { programFromElf } from "./elfimage.ts";
import { translateProgram } from "./translate.ts";

/** A hash of every source file under translator/ and runtime/ (next to this file's parent directory). */
function translatorHash(): string {
  const h = createHash("sha256");
  const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(js|ts)$/.test(e) && !/\.test\.|^testcache\./.test(e)) { h.update(p.slice(root.length)); h.update(readFileSync(p)); }
    }
  };
  walk(join(root, "translator"));
  walk(join(root, "runtime"));
  return h.digest("hex");
}
const CACHE = join(tmpdir(), "isa2wasm-aot-corpus");
const TRANSLATOR = translatorHash();

/** The module of `bytes` (file name `name`) at -O0, from the cache when this translator made it before. */
export function translateCached(bytes: Uint8Array, name: string): Uint8Array {
  const key = createHash("sha256").update(TRANSLATOR).update(bytes).digest("hex").slice(0, 32);
  const file = join(CACHE, `${name}-${key}.wasm`);
  if (existsSync(file)) return new Uint8Array(readFileSync(file));
  const elf = parseElf(bytes);
  const guest = guestForElf(elf.machine, elf.class, elf.endian)!;
  const { binary, stats } = translateProgram(programFromElf(elf, guest), { optimize: 0, source: { name, size: bytes.length } });
  if (stats.rejected.length > 0) throw new Error(`${name}: regions rejected by the backend: ${JSON.stringify(stats.rejected.slice(0, 3))}`);
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(`${file}.${process.pid}`, binary);
  renameSync(`${file}.${process.pid}`, file);
  return binary;
}

