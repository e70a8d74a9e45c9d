/**
 * Just enough of the WebAssembly binary format to find a module's sections, its function imports and its
 * function bodies, and to write a module back with some bodies changed: what the fused multiply-add
 * patch (fmapatch.ts) and the translator's scan for its sites (translator/codegen/fmasites.ts) need. No
 * instruction decoding here; code is never rewritten beyond splicing bytes into bodies, which is safe in
 * Wasm because branches name enclosing blocks, not byte offsets.
 */

/** A malformed or unexpected module. */
export class WasmFormatError extends Error {}

/** A byte reader over a module. */
export class Reader {
  constructor(readonly bytes: Uint8Array, public pos = 0) {}
  byte(): number {
    if (this.pos >= this.bytes.length) throw new WasmFormatError("unexpected end of module");
    return this.bytes[this.pos++]!;
  }
  /** An unsigned LEB128 up to 32 bits. */
  u32(): number {
    let result = 0, shift = 0, b: number;
    do {
      b = this.byte();
      if (shift === 28 && b > 0x0f) throw new WasmFormatError("LEB128 value too large");
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return result >>> 0;
  }
  /** Skips a LEB128 of any length (signed or unsigned: the encoding's extent is the same). */
  skipLeb(): void {
    let n = 0;
    while (this.byte() & 0x80) if (++n > 10) throw new WasmFormatError("LEB128 too long");
  }
  skip(n: number): void {
    if (this.pos + n > this.bytes.length) throw new WasmFormatError("unexpected end of module");
    this.pos += n;
  }
  name(): string {
    const n = this.u32();
    const start = this.pos;
    this.skip(n);
    return new TextDecoder().decode(this.bytes.subarray(start, start + n));
  }
}

/** Appends an unsigned LEB128 to `out`. */
export function writeU32(out: number[], v: number): void {
  v >>>= 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

export interface Section {
  id: number;
  /** offset of the section's payload (after its id and size) and the payload's length */
  start: number;
  size: number;
  /** offset of the section's id byte */
  header: number;
}

/** The module's top-level sections, in order. */
export function sections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d || bytes[4] !== 1) {
    throw new WasmFormatError("not a WebAssembly module (version 1)");
  }
  const r = new Reader(bytes, 8);
  const out: Section[] = [];
  while (r.pos < bytes.length) {
    const header = r.pos;
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    r.skip(size);
    out.push({ id, start, size, header });
  }
  return out;
}

export const SECTION = { custom: 0, import: 2, code: 10 } as const;

/** The payload of the custom section `name`, if the module has one. */
export function customSection(bytes: Uint8Array, name: string): Uint8Array | undefined {
  for (const s of sections(bytes)) {
    if (s.id !== SECTION.custom) continue;
    const r = new Reader(bytes, s.start);
    if (r.name() === name) return bytes.subarray(r.pos, s.start + s.size);
  }
  return undefined;
}

/** A custom section with `payload`, ready to append to a module. */
export function encodeCustomSection(name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const inner: number[] = [];
  writeU32(inner, nameBytes.length);
  const head: number[] = [SECTION.custom];
  writeU32(head, inner.length + nameBytes.length + payload.length);
  const out = new Uint8Array(head.length + inner.length + nameBytes.length + payload.length);
  out.set(head, 0);
  out.set(inner, head.length);
  out.set(nameBytes, head.length + inner.length);
  out.set(payload, head.length + inner.length + nameBytes.length);
  return out;
}

/**
 * The index of the imported function (kind 0) or global (kind 3) `module`.`field`: imports come first in
 * their index space, in order.
 */
export function importIndex(bytes: Uint8Array, kind: 0 | 3, module: string, field: string): number | undefined {
  const s = sections(bytes).find((x) => x.id === SECTION.import);
  if (!s) return undefined;
  const r = new Reader(bytes, s.start);
  let index = 0;
  for (let n = r.u32(); n > 0; n--) {
    const mod = r.name(), fld = r.name(), k = r.byte();
    if (k === kind && mod === module && fld === field) return index;
    if (k === kind) index++;
    switch (k) {
      case 0: r.u32(); break; // function: type index
      case 1: { r.byte(); const flags = r.byte(); r.u32(); if (flags & 1) r.u32(); break; } // table: reftype, limits
      case 2: { const flags = r.byte(); r.skipLeb(); if (flags & 1) r.skipLeb(); break; } // memory: limits
      case 3: r.byte(); r.byte(); break; // global: valtype, mutability
      case 4: r.byte(); r.u32(); break; // tag
      default: throw new WasmFormatError(`unknown import kind ${k}`);
    }
  }
  return undefined;
}

/** A function body in the code section: where its size starts, where its bytes start (after the size) and end. */
export interface Body { header: number; start: number; end: number }

/** The code section and its function bodies, in order. */
export function functionBodies(bytes: Uint8Array): { section: Section; bodies: Body[] } | undefined {
  const section = sections(bytes).find((x) => x.id === SECTION.code);
  if (!section) return undefined;
  const r = new Reader(bytes, section.start);
  const bodies: Body[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const header = r.pos;
    const size = r.u32();
    bodies.push({ header, start: r.pos, end: r.pos + size });
    r.skip(size);
  }
  if (r.pos !== section.start + section.size) throw new WasmFormatError("code section size mismatch");
  return { section, bodies };
}

/**
 * The module with the function bodies `changes` names replaced (by what its function returns for the old
 * bytes): the code section is written again with the new sizes, everything else is copied as it is.
 */
export function replaceBodies(bytes: Uint8Array, changes: ReadonlyMap<number, (body: Uint8Array) => Uint8Array>): Uint8Array {
  const code = functionBodies(bytes);
  if (!code || changes.size === 0) return bytes;
  // the section's payload: runs of unchanged bytes (count, sizes and bodies) and the changed bodies
  const parts: Uint8Array[] = [];
  let from = code.section.start;
  for (const index of [...changes.keys()].sort((a, b) => a - b)) {
    const b = code.bodies[index];
    if (!b) throw new WasmFormatError(`no function body ${index}`);
    parts.push(bytes.subarray(from, b.header));
    const body = changes.get(index)!(bytes.subarray(b.start, b.end));
    const size: number[] = [];
    writeU32(size, body.length);
    parts.push(new Uint8Array(size), body);
    from = b.end;
  }
  parts.push(bytes.subarray(from, code.section.start + code.section.size));
  const payloadSize = parts.reduce((n, p) => n + p.length, 0);
  const head: number[] = [SECTION.code];
  writeU32(head, payloadSize);
  const before = bytes.subarray(0, code.section.header);
  const after = bytes.subarray(code.section.start + code.section.size);
  const out = new Uint8Array(before.length + head.length + payloadSize + after.length);
  let at = 0;
  for (const p of [before, new Uint8Array(head), ...parts, after]) { out.set(p, at); at += p.length; }
  return out;
}
