/**
 * RV64GC decoder driven by the encoding tables (encoding.ts). At module load every row is compiled into
 * MATCH/MASK and a list of field extractors, and the rows are distributed into a dispatch table indexed by
 * the opcode/funct bits, so decoding looks at one or a few candidate rows.
 */
import type { CodeReader, Decoded } from "../guest.ts";
import {
  type BitRange, FIXED_FIELDS_16, FIXED_FIELDS_32, IMMEDIATES, type ImmediateName, maskAndMatch, PLAIN_FIELDS_32,
  REGISTER_FIELDS_32, type RegisterSource, RV64G_ROWS, RVC_FORMATS, RVC_ROWS,
} from "./encoding.ts";

/** One contiguous piece of a field: `width` bits at `from` of the encoding go to bit `to` of the value. */
interface Piece { from: number; width: number; to: number }

/** Extracts one named field: concatenates pieces, sign-extends (signedWidth > 0), adds a base. */
interface Extractor { name: string; pieces: Piece[]; signedWidth: number; base: number }

/** A compiled row. */
interface Compiled {
  name: string;
  op: string;
  mask: number;
  match: number;
  /** number of fixed bits: rows with more fixed bits are tried first */
  fixedBits: number;
  fields: Extractor[];
  /** fields that must be non-zero, else the encoding is reserved */
  nonzero: string[];
  /** constant fields of the expansion (compressed rows) */
  set: [string, number][];
  /** for compressed rows: the field names of the expanded instruction, in order */
  keep?: string[];
}

function rangePiece([hi, lo]: BitRange, to = 0): Piece {
  return { from: lo, width: hi - lo + 1, to };
}

/** Parses an immediate layout such as "31=12 30:25=10:5" into pieces. */
function parseLayout(bits: string): { pieces: Piece[]; width: number } {
  let width = 0;
  const pieces = bits.split(" ").map((part) => {
    const [src, dst] = part.split("=") as [string, string];
    const [shi, slo = shi] = src.split(":").map(Number) as [number, number?];
    const [dhi, dlo = dhi] = dst.split(":").map(Number) as [number, number?];
    if (shi - slo !== dhi - dlo) throw new Error(`immediate layout ${bits}: piece ${part} has unequal widths`);
    width = Math.max(width, dhi + 1);
    return { from: slo, width: shi - slo + 1, to: dlo };
  });
  return { pieces, width };
}

function immediate(name: ImmediateName): Extractor {
  const layout = IMMEDIATES[name];
  const { pieces, width } = parseLayout(layout.bits);
  return { name: "imm", pieces, signedWidth: layout.signed ? width : 0, base: 0 };
}

function register(name: string, src: RegisterSource): Extractor {
  return { name, pieces: [rangePiece(src.bits)], signedWidth: 0, base: src.base };
}

function plain(name: keyof typeof PLAIN_FIELDS_32): Extractor {
  return { name, pieces: [rangePiece(PLAIN_FIELDS_32[name])], signedWidth: 0, base: 0 };
}

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/** Operand tokens naming a register field. */
const REGISTER_TOKENS: Record<string, "rd" | "rs1" | "rs2" | "rs3"> = {
  xd: "rd", fd: "rd", xs1: "rs1", fs1: "rs1", xs2: "rs2", fs2: "rs2", fs3: "rs3",
};
/** Operand tokens showing the immediate. */
const IMMEDIATE_TOKENS = new Set(["imm", "shamt", "hi20", "target", "zimm"]);

/** The operand tokens of an args string, in order. */
export function operandTokens(args: string): string[] {
  return args.match(/[a-z][a-z0-9]*/g) ?? [];
}

function compile32(row: (typeof RV64G_ROWS)[number]): Compiled {
  const { mask, match } = maskAndMatch(row.fixed, FIXED_FIELDS_32, row.name);
  const fields: Extractor[] = [];
  for (const token of operandTokens(row.args)) {
    const reg = REGISTER_TOKENS[token];
    if (reg) fields.push(register(reg, REGISTER_FIELDS_32[reg]));
    else if (IMMEDIATE_TOKENS.has(token)) {
      if (!row.imm) throw new Error(`encoding row ${row.name}: immediate operand without layout`);
      fields.push(immediate(row.imm));
    } else if (token === "rm" || token === "csr") fields.push(plain(token));
  }
  for (const name of row.hidden ?? []) fields.push(plain(name));
  if (row.aqrl) fields.push(plain("aq"), plain("rl"));
  if (row.fence) fields.push(plain("pred"), plain("succ"), plain("fm"));
  return { name: row.name, op: row.name, mask, match, fixedBits: popcount(mask), fields, nonzero: [], set: [] };
}

function compile16(row: (typeof RVC_ROWS)[number], base: Map<string, Compiled>): Compiled {
  const { mask, match } = maskAndMatch(row.fixed, FIXED_FIELDS_16, row.name);
  const fields: Extractor[] = Object.entries(RVC_FORMATS[row.format])
    .map(([name, src]) => register(name, src as RegisterSource));
  if (row.imm) fields.push(immediate(row.imm));
  const expanded = base.get(row.expand.op);
  if (!expanded) throw new Error(`encoding row ${row.name}: expansion ${row.expand.op} is no 32-bit row`);
  const keep = expanded.fields.map((e) => e.name);
  const set = Object.entries(row.expand.set ?? {});
  const provided = new Set([...fields.map((e) => e.name), ...set.map(([n]) => n)]);
  const missing = keep.filter((n) => !provided.has(n));
  if (missing.length) throw new Error(`encoding row ${row.name}: expansion lacks ${missing.join(", ")}`);
  return {
    name: row.name, op: row.expand.op, mask, match, fixedBits: popcount(mask), fields,
    nonzero: row.nonzero ?? [], set, keep,
  };
}

/** Gathers the dispatch-key bits (given as ranges, most significant first) of an encoding. */
function keyOf(ranges: readonly BitRange[], x: number): number {
  let key = 0;
  for (const [hi, lo] of ranges) key = key * 2 ** (hi - lo + 1) + ((x >>> lo) & (2 ** (hi - lo + 1) - 1));
  return key;
}

/** Builds the dispatch table: for every key value, the rows that can match, most fixed bits first. */
function buildDispatch(rows: Compiled[], ranges: readonly BitRange[]): Compiled[][] {
  const keyBits = ranges.reduce((n, [hi, lo]) => n + hi - lo + 1, 0);
  const table: Compiled[][] = Array.from({ length: 2 ** keyBits }, () => []);
  const ordered = [...rows].sort((a, b) => b.fixedBits - a.fixedBits);
  for (const row of ordered) {
    const fixed = keyOf(ranges, row.mask), value = keyOf(ranges, row.match);
    const free = (2 ** keyBits - 1) & ~fixed;
    for (let sub = free; ; sub = (sub - 1) & free) {
      table[value | sub]!.push(row);
      if (sub === 0) break;
    }
  }
  return table;
}

const BASE_ROWS = RV64G_ROWS.map(compile32);
const BASE_BY_NAME = new Map(BASE_ROWS.map((r) => [r.name, r]));
const RVC_COMPILED = RVC_ROWS.map((r) => compile16(r, BASE_BY_NAME));

/** Dispatch keys: 32-bit opcode[6:2], funct3, funct7; 16-bit op, funct3, bit 12, bits 11:10, bits 6:5. */
const KEY_32: readonly BitRange[] = [[6, 2], [14, 12], [31, 25]];
const KEY_16: readonly BitRange[] = [[1, 0], [15, 13], [12, 12], [11, 10], [6, 5]];
const DISPATCH_32 = buildDispatch(BASE_ROWS, KEY_32);
const DISPATCH_16 = buildDispatch(RVC_COMPILED, KEY_16);

function extract(e: Extractor, raw: number): number {
  let v = 0;
  for (const p of e.pieces) v |= ((raw >>> p.from) & ((1 << p.width) - 1)) << p.to;
  if (e.signedWidth) v = (v << (32 - e.signedWidth)) >> (32 - e.signedWidth);
  return v + e.base;
}

function build(row: Compiled, raw: number, size: number): Decoded | undefined {
  const f: Record<string, number> = {};
  for (const e of row.fields) f[e.name] = extract(e, raw);
  for (const n of row.nonzero) if (f[n] === 0) return undefined;
  if (row.keep) {
    for (const [n, v] of row.set) f[n] = v;
    const expanded: Record<string, number> = {};
    for (const n of row.keep) expanded[n] = f[n]!;
    return { name: row.name, op: row.op, size, raw, f: expanded };
  }
  return { name: row.name, op: row.op, size, raw, f };
}

/**
 * Decodes one encoding given as a number: 16 bits when its low two bits are not 11, else 32 bits.
 * Returns undefined for illegal and reserved encodings (and for the longer-than-32-bit formats).
 */
export function decodeRiscv64Encoding(raw: number): Decoded | undefined {
  raw >>>= 0;
  if ((raw & 3) !== 3) {
    raw &= 0xffff;
    // the first row whose fixed bits match decides; its non-zero constraints mark reserved encodings
    for (const row of DISPATCH_16[keyOf(KEY_16, raw)]!) {
      if ((raw & row.mask) === row.match) return build(row, raw, 2);
    }
    return undefined;
  }
  if ((raw & 0x1c) === 0x1c) return undefined;
  for (const row of DISPATCH_32[keyOf(KEY_32, raw)]!) {
    if (((raw & row.mask) >>> 0) === row.match) return build(row, raw, 4);
  }
  return undefined;
}

/**
 * Decodes the instruction at pc: fetches the first 16-bit parcel, and the second one when the low bits of
 * the first are 11. Undefined for illegal or reserved encodings.
 */
export function decodeRiscv64(code: CodeReader, pc: number): Decoded | undefined {
  const lo = code.fetch16(pc);
  if ((lo & 3) !== 3) return decodeRiscv64Encoding(lo);
  if ((lo & 0x1c) === 0x1c) return undefined;
  return decodeRiscv64Encoding(lo | (code.fetch16(pc + 2) << 16));
}
