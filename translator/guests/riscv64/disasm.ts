/**
 * RV64GC disassembler producing the text of `riscv64-linux-gnu-objdump -d -M no-aliases` (binutils 2.40):
 * mnemonic, a tab, operands with ABI register names; branch and jump targets as absolute hex addresses
 * (without objdump's ` <symbol+offset>` comment). Driven by the operand syntax of the encoding tables.
 */
import type { Decoded } from "../guest.ts";
import {
  CSR_NAMES, F_REGISTER_NAMES, FIXED_FIELDS_32, maskAndMatch, OBJDUMP_NAMES, ROUNDING_MODES, RV64G_ROWS, RVC_ROWS,
  X_REGISTER_NAMES,
} from "./encoding.ts";

/**
 * What the disassembler needs of a row: the operands, each split into literal text (even indices) and
 * operand tokens (odd indices); the A-extension suffixes; the bits objdump requires (mask 0: none).
 */
interface Syntax { operands: string[][]; aqrl: boolean; objdumpMask: number; objdumpMatch: number }

function operandParts(args: string): string[][] {
  return args === "" ? [] : args.split(",").map((operand) => operand.split(/([a-z][a-z0-9]*)/));
}

const SYNTAX = new Map<string, Syntax>([
  ...RV64G_ROWS.map((r) => {
    const { mask, match } = maskAndMatch(r.objdumpFixed ?? {}, FIXED_FIELDS_32, r.name);
    return [r.name, { operands: operandParts(r.args), aqrl: !!r.aqrl, objdumpMask: mask, objdumpMatch: match }] as const;
  }),
  ...RVC_ROWS.map((r) => [r.name, { operands: operandParts(r.args), aqrl: false, objdumpMask: 0, objdumpMatch: 0 }] as const),
]);

const ADDRESS_MASK = (1n << 64n) - 1n;

function hex(n: number): string {
  return "0x" + n.toString(16);
}

/** Fence predecessor/successor set: i, o, r, w for bits 3..0. */
function fenceSet(bits: number): string {
  const s = (bits & 8 ? "i" : "") + (bits & 4 ? "o" : "") + (bits & 2 ? "r" : "") + (bits & 1 ? "w" : "");
  return s || "unknown";
}

/** A branch or jump target: plain hex as objdump prints it beside a symbol, with 0x when there is none. */
function target(pc: number, offset: number, symbolized: boolean): string {
  const address = pc + offset;
  const digits = address >= 0 && Number.isSafeInteger(address) ? address.toString(16)
    : ((BigInt(pc) + BigInt(offset)) & ADDRESS_MASK).toString(16);
  return symbolized ? digits : "0x" + digits;
}

function operand(token: string, f: Record<string, number>, pc: number, symbolized: boolean): string {
  switch (token) {
    case "xd": return X_REGISTER_NAMES[f.rd!]!;
    case "xs1": return X_REGISTER_NAMES[f.rs1!]!;
    case "xs2": return X_REGISTER_NAMES[f.rs2!]!;
    case "fd": return F_REGISTER_NAMES[f.rd!]!;
    case "fs1": return F_REGISTER_NAMES[f.rs1!]!;
    case "fs2": return F_REGISTER_NAMES[f.rs2!]!;
    case "fs3": return F_REGISTER_NAMES[f.rs3!]!;
    case "imm": case "zimm": return String(f.imm);
    case "shamt": return hex(f.imm!);
    case "hi20": return hex((f.imm! >>> 12) & 0xfffff);
    case "target": return target(pc, f.imm!, symbolized);
    case "csr": return CSR_NAMES.get(f.csr!) ?? hex(f.csr!);
    case "rm": return f.rm === 7 ? "" : ROUNDING_MODES[f.rm!]!;
    case "pred": return fenceSet(f.pred!);
    case "succ": return fenceSet(f.succ!);
    default: throw new Error(`riscv64 disassembler: unknown operand token ${token}`);
  }
}

/** The text objdump shows for code it cannot disassemble (`.2byte`/`.4byte`; 0x0000 is c.unimp). */
export function disassembleUndecodable(raw: number, size: number): string {
  return OBJDUMP_NAMES.get(raw) ?? `.${size}byte\t${hex(raw >>> 0)}`;
}

/**
 * Disassembles a decoded instruction at pc as objdump `-M no-aliases` does. Branch and jump targets are
 * plain hex addresses, as objdump prints them before a ` <symbol+offset>` comment; with `symbolized` false
 * they get objdump's `0x` prefix for files without symbols.
 */
export function disassembleRiscv64(d: Decoded, pc: number, symbolized = true): string {
  const syntax = SYNTAX.get(d.name);
  if (!syntax) throw new Error(`riscv64 disassembler: no encoding row named ${d.name}`);
  if (((d.raw & syntax.objdumpMask) >>> 0) !== syntax.objdumpMatch) return disassembleUndecodable(d.raw, d.size);
  const special = OBJDUMP_NAMES.get(d.raw);
  if (special !== undefined) return special;
  let name = d.name;
  if (syntax.aqrl) name += (d.f.aq ? ".aq" : "") + (d.f.rl ? (d.f.aq ? "rl" : ".rl") : "");
  if (syntax.operands.length === 0) return name;
  let text = "";
  for (const parts of syntax.operands) {
    let operandText = "";
    for (let i = 0; i < parts.length; i++) {
      operandText += i % 2 ? operand(parts[i]!, d.f, pc, symbolized) : parts[i];
    }
    // an optional operand (a dynamic rounding mode) disappears with its comma
    if (operandText !== "") text += (text === "" ? "" : ",") + operandText;
  }
  return `${name}\t${text}`;
}
