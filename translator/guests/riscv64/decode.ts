/**
 * RV64GC decoder driven by the encoding tables (encoding.ts). At module load every row is compiled into
 * MATCH/MASK and a list of field extractors, and the rows are distributed into a dispatch table indexed by
 * the opcode/funct bits, so decoding looks at one or a few candidate rows.
 */
import type { CodeReader, Decoded } from "../guest.ts";
import {
  type BitRange, FIXED_FIELDS_16, FIXED_FIELDS_32, IMMEDIATES, type ImmediateName, maskAndMatch, OPERAND_TOKENS,
  PLAIN_FIELDS_32,
  REGISTER_FIELDS_32, type RegisterSource, RV64G_ROWS, RVC_FORMATS, RVC_ROWS,
} from "./encoding.ts";

/** One contiguous piece of a field: `width` bits at `from` of the encoding go to bit `to` of the value. */
interface Piece { from: number; width: number; to: number }

/**
 * How one field of `Decoded.f` is computed: the pieces as (from, mask, to) triples, OR-ed together,
 * sign-extended when `signShift` > 0 (shift left then arithmetically right by it), plus `add` (8 for the
 * 3-bit RVC register fields; the value itself for constant fields, which have no pieces).
 */
interface Field { name: string; pieces: Int32Array; signShift: number; add: number }

/** A compiled row. */
interface Compiled {
  name: string;
  op: string;
  /** MASK/MATCH as int32 */
  mask: number;
  match: number;
  /** number of fixed bits: rows with more fixed bits are tried first */
  fixedBits: number;
  /** the fields of `Decoded.f`, in order (for RVC rows: the expanded instruction's fields) */
  fields: Field[];
  /** fields that must be non-zero, else the encoding is reserved */
  nonzero: string[];
}

function field(name: string, pieces: Piece[], signedWidth = 0, add = 0): Field {
  return {
    name, pieces: Int32Array.from(pieces.flatMap((p) => [p.from, (1 << p.width) - 1, p.to])),
    signShift: signedWidth ? 32 - signedWidth : 0, add,
  };
}

function rangePiece([hi, lo]: BitRange): Piece {
  return { from: lo, width: hi - lo + 1, to: 0 };
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

function immediate(name: ImmediateName): Field {
  const layout = IMMEDIATES[name];
  const { pieces, width } = parseLayout(layout.bits);
  return field("imm", pieces, layout.signed ? width : 0);
}

function register(name: string, src: RegisterSource): Field {
  return field(name, [rangePiece(src.bits)], 0, src.base);
}

function plain(name: keyof typeof PLAIN_FIELDS_32): Field {
  return field(name, [rangePiece(PLAIN_FIELDS_32[name])]);
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

/** The operand tokens of a row's args string, in order; throws for a token the disassembler does not know. */
function operandTokens(row: { name: string; args: string }): string[] {
  const tokens = row.args.match(/[a-z][a-z0-9]*/g) ?? [];
  const unknown = tokens.filter((t) => !(OPERAND_TOKENS as readonly string[]).includes(t));
  if (unknown.length) throw new Error(`encoding row ${row.name}: unknown operand ${unknown.join(", ")}`);
  return tokens;
}

function compile32(row: (typeof RV64G_ROWS)[number]): Compiled {
  const { mask, match } = maskAndMatch(row.fixed, FIXED_FIELDS_32, row.name);
  const fields: Field[] = [];
  for (const token of operandTokens(row)) {
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
  return { name: row.name, op: row.name, mask: mask | 0, match: match | 0, fixedBits: popcount(mask), fields, nonzero: [] };
}

function compile16(row: (typeof RVC_ROWS)[number], base: Map<string, Compiled>): Compiled {
  const { mask, match } = maskAndMatch(row.fixed, FIXED_FIELDS_16, row.name);
  operandTokens(row); // the syntax refers to the expanded fields, checked below
  const sources = new Map<string, Field>(Object.entries(RVC_FORMATS[row.format])
    .map(([name, src]) => [name, register(name, src as RegisterSource)]));
  if (row.imm) sources.set("imm", immediate(row.imm));
  for (const [name, value] of Object.entries(row.expand.set ?? {})) sources.set(name, field(name, [], 0, value));
  const expanded = base.get(row.expand.op);
  if (!expanded) throw new Error(`encoding row ${row.name}: expansion ${row.expand.op} is no 32-bit row`);
  // the expanded instruction's fields, each from the compressed encoding or a constant of the expansion
  const fields = expanded.fields.map(({ name }) => {
    const source = sources.get(name);
    if (!source) throw new Error(`encoding row ${row.name}: expansion ${row.expand.op} lacks field ${name}`);
    return source;
  });
  const nonzero = row.nonzero ?? [];
  if (nonzero.some((n) => !fields.some((f) => f.name === n))) throw new Error(`encoding row ${row.name}: bad nonzero`);
  return { name: row.name, op: row.expand.op, mask: mask | 0, match: match | 0, fixedBits: popcount(mask), fields, nonzero };
}

/** A dispatch key: bit ranges of the encoding, most significant first, as (lo, mask, position) triples. */
function keySpec(ranges: readonly BitRange[]): Int32Array {
  const spec: number[] = [];
  let position = ranges.reduce((n, [hi, lo]) => n + hi - lo + 1, 0);
  for (const [hi, lo] of ranges) {
    position -= hi - lo + 1;
    spec.push(lo, (1 << (hi - lo + 1)) - 1, position);
  }
  return Int32Array.from(spec);
}

/** Gathers the dispatch-key bits of an encoding. */
function keyOf(spec: Int32Array, x: number): number {
  let key = 0;
  for (let i = 0; i < spec.length; i += 3) key |= ((x >>> spec[i]!) & spec[i + 1]!) << spec[i + 2]!;
  return key;
}

/**
 * Builds the dispatch table: for every key value, the rows that can match, most fixed bits first. Keys with
 * the same candidates share one array.
 */
function buildDispatch(rows: Compiled[], spec: Int32Array): Compiled[][] {
  const keyMask = keyOf(spec, 0xffffffff);
  const table: Compiled[][] = new Array<Compiled[]>(keyMask + 1).fill([]);
  const ordered = [...rows].sort((a, b) => b.fixedBits - a.fixedBits);
  for (const row of ordered) {
    const fixed = keyOf(spec, row.mask), value = keyOf(spec, row.match);
    const free = keyMask & ~fixed;
    const extended = new Map<Compiled[], Compiled[]>();
    for (let sub = free; ; sub = (sub - 1) & free) {
      const before = table[value | sub]!;
      let after = extended.get(before);
      if (!after) extended.set(before, after = [...before, row]);
      table[value | sub] = after;
      if (sub === 0) break;
    }
  }
  return table;
}

const BASE_ROWS = RV64G_ROWS.map(compile32);
const BASE_BY_NAME = new Map(BASE_ROWS.map((r) => [r.name, r]));
const RVC_COMPILED = RVC_ROWS.map((r) => compile16(r, BASE_BY_NAME));

/** Dispatch keys: 32-bit opcode[6:2], funct3, funct7; 16-bit op, funct3, bit 12, bits 11:10, bits 6:5. */
const KEY_32 = keySpec([[6, 2], [14, 12], [31, 25]]);
const KEY_16 = keySpec([[1, 0], [15, 13], [12, 12], [11, 10], [6, 5]]);
const DISPATCH_32 = buildDispatch(BASE_ROWS, KEY_32);
const DISPATCH_16 = buildDispatch(RVC_COMPILED, KEY_16);

function extract(e: Field, raw: number): number {
  const p = e.pieces;
  let v = 0;
  for (let i = 0; i < p.length; i += 3) v |= ((raw >>> p[i]!) & p[i + 1]!) << p[i + 2]!;
  if (e.signShift) v = (v << e.signShift) >> e.signShift;
  return v + e.add;
}

function build(row: Compiled, raw: number, size: number): Decoded | undefined {
  const f: Record<string, number> = {};
  for (const e of row.fields) f[e.name] = extract(e, raw);
  for (const n of row.nonzero) if (f[n] === 0) return undefined;
  return { name: row.name, op: row.op, size, raw, f };
}

/**
 * Decodes one encoding given as a number: 16 bits when its low two bits are not 11, else 32 bits.
 * Returns undefined for illegal and reserved encodings (and for the longer-than-32-bit formats).
 */
export function decodeRiscv64Encoding(raw: number): Decoded | undefined {
  if ((raw & 3) !== 3) {
    const parcel = raw & 0xffff;
    // the first row whose fixed bits match decides; its non-zero constraints mark reserved encodings
    const rows = DISPATCH_16[keyOf(KEY_16, parcel)]!;
    for (let i = 0; i < rows.length; i++) {
      if ((parcel & rows[i]!.mask) === rows[i]!.match) return build(rows[i]!, parcel, 2);
    }
    return undefined;
  }
  if ((raw & 0x1c) === 0x1c) return undefined;
  const word = raw | 0; // masks and matches are int32
  const rows = DISPATCH_32[keyOf(KEY_32, word)]!;
  for (let i = 0; i < rows.length; i++) {
    if ((word & rows[i]!.mask) === rows[i]!.match) return build(rows[i]!, word >>> 0, 4);
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
