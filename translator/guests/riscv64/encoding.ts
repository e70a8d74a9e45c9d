/**
 * RV64GC encodings as data: RV64I, M, A, F, D, C (the RV64 compressed set with FP loads/stores), Zicsr and
 * Zifencei. One row per instruction gives its mnemonic, its fixed bits (as named opcode/funct fields, turned
 * into MATCH/MASK at module load), its operands (the objdump operand syntax, which also tells which fields
 * the row has) and, for compressed rows, the base instruction it expands to. Immediates are described as
 * bit-position lists, registers as bit ranges; the decoder (decode.ts) and the disassembler (disasm.ts) are
 * both driven by these tables.
 *
 * Contract with the lifter (lift.ts), as seen in `Decoded` (translator/guests/guest.ts):
 * - `name` is the mnemonic objdump (`-M no-aliases`) prints, without `.aq`/`.rl` suffixes ("addi", "c.addi",
 *   "fmadd.d", "lr.w", "amoswap.d", "csrrw", "fence.i", "c.ebreak").
 * - `op` is the base instruction with the same semantics: `name` for 32-bit encodings, the RVC expansion for
 *   compressed ones (c.li → addi with rs1 = 0, c.j → jal with rd = 0, c.jr → jalr with rd = 0 and imm = 0,
 *   ...; see `expand` in RVC_ROWS). `f` then holds the EXPANDED instruction's fields, exactly the fields
 *   that base instruction's row has.
 * - `f` fields: `rd`, `rs1`, `rs2`, `rs3` register numbers 0-31 (x or f registers depending on the
 *   instruction); `imm` the effective immediate: I/S sign-extended 12 bits, shifts the amount 0-63, B/J the
 *   sign-extended byte offset from pc, U (lui, auipc) the sign-extended imm[31:12] << 12, csrr*i the zimm
 *   0-31; `rm` 0-7 for FP instructions with an rm field (5 and 6 are not decode errors: the lifter traps
 *   them at run time); `aq`, `rl` 0/1 for A; `csr` 0-4095 (unknown CSRs are no decode error); `pred`,
 *   `succ`, `fm` for fence. Fields absent from an instruction are absent from `f`.
 * - `raw` is the encoding (16 or 32 bits, unsigned), `size` 2 or 4.
 */

/** A bit range [hi, lo] of an encoding, inclusive. */
export type BitRange = readonly [hi: number, lo: number];

/** Fixed fields of 32-bit encodings (names as in the ISA manual's format tables). */
export const FIXED_FIELDS_32 = {
  opcode: [6, 0], rd: [11, 7], funct3: [14, 12], rs1: [19, 15], rs2: [24, 20], funct7: [31, 25],
  funct6: [31, 26], funct5: [31, 27], fmt: [26, 25], imm12: [31, 20], fm: [31, 28], pred: [27, 24],
  succ: [23, 20],
} as const satisfies Record<string, BitRange>;

/** Fixed fields of 16-bit (RVC) encodings. */
export const FIXED_FIELDS_16 = {
  op: [1, 0], funct3: [15, 13], funct4: [15, 12], funct6: [15, 10], funct2: [6, 5], bit12: [12, 12],
  funct2hi: [11, 10], rd: [11, 7], rs2: [6, 2], imm5: [6, 2],
} as const satisfies Record<string, BitRange>;

/** MATCH/MASK of a set of fixed fields: the bits they cover, and their values there. */
export function maskAndMatch(
  fixed: Readonly<Record<string, number | undefined>>, layout: Readonly<Record<string, BitRange>>, what: string,
): { mask: number; match: number } {
  let mask = 0, match = 0;
  for (const [field, value] of Object.entries(fixed)) {
    if (value === undefined) continue;
    const [hi, lo] = layout[field]!;
    const fieldMask = (2 ** (hi - lo + 1) - 1) * 2 ** lo;
    if (value * 2 ** lo > fieldMask) throw new Error(`encoding row ${what}: ${field} = ${value} does not fit`);
    mask = (mask | fieldMask) >>> 0;
    match = (match | value * 2 ** lo) >>> 0;
  }
  return { mask, match };
}

/** Major opcodes (bits 6:0) of 32-bit encodings. */
const MAJOR = {
  LOAD: 0x03, LOAD_FP: 0x07, MISC_MEM: 0x0f, OP_IMM: 0x13, AUIPC: 0x17, OP_IMM_32: 0x1b, STORE: 0x23,
  STORE_FP: 0x27, AMO: 0x2f, OP: 0x33, LUI: 0x37, OP_32: 0x3b, MADD: 0x43, MSUB: 0x47, NMSUB: 0x4b,
  NMADD: 0x4f, OP_FP: 0x53, BRANCH: 0x63, JALR: 0x67, JAL: 0x6f, SYSTEM: 0x73,
} as const;

/**
 * Immediate layouts: each piece "hi:lo=dhi:dlo" (or "b=d" for one bit) moves encoding bits hi..lo to
 * immediate bits dhi..dlo; `signed` layouts sign-extend from their highest immediate bit.
 */
export const IMMEDIATES = {
  I: { bits: "31:20=11:0", signed: true },
  S: { bits: "31:25=11:5 11:7=4:0", signed: true },
  B: { bits: "31=12 30:25=10:5 11:8=4:1 7=11", signed: true },
  U: { bits: "31:12=31:12", signed: true },
  J: { bits: "31=20 30:21=10:1 20=11 19:12=19:12", signed: true },
  SHAMT6: { bits: "25:20=5:0", signed: false },
  SHAMT5: { bits: "24:20=4:0", signed: false },
  ZIMM: { bits: "19:15=4:0", signed: false },
  // compressed layouts (ISA manual, RVC chapter)
  C_ADDI4SPN: { bits: "12:11=5:4 10:7=9:6 6=2 5=3", signed: false },
  C_LW: { bits: "12:10=5:3 6=2 5=6", signed: false },
  C_LD: { bits: "12:10=5:3 6:5=7:6", signed: false },
  C_IMM6: { bits: "12=5 6:2=4:0", signed: true },
  C_SHAMT: { bits: "12=5 6:2=4:0", signed: false },
  C_LUI: { bits: "12=17 6:2=16:12", signed: true },
  C_ADDI16SP: { bits: "12=9 6=4 5=6 4:3=8:7 2=5", signed: true },
  C_LWSP: { bits: "12=5 6:4=4:2 3:2=7:6", signed: false },
  C_LDSP: { bits: "12=5 6:5=4:3 4:2=8:6", signed: false },
  C_SWSP: { bits: "12:9=5:2 8:7=7:6", signed: false },
  C_SDSP: { bits: "12:10=5:3 9:7=8:6", signed: false },
  C_J: { bits: "12=11 11=4 10:9=9:8 8=10 7=6 6=7 5:3=3:1 2=5", signed: true },
  C_B: { bits: "12=8 11:10=4:3 6:5=7:6 4:3=2:1 2=5", signed: true },
} as const;

/** Name of an immediate layout. */
export type ImmediateName = keyof typeof IMMEDIATES;

/** Where a compressed register field comes from: a bit range, plus 8 for the 3-bit x8-x15 fields. */
export interface RegisterSource { bits: BitRange; base: number }

const REG_FULL_HI: RegisterSource = { bits: [11, 7], base: 0 };
const REG_FULL_LO: RegisterSource = { bits: [6, 2], base: 0 };
const REG_PRIME_HI: RegisterSource = { bits: [9, 7], base: 8 };
const REG_PRIME_LO: RegisterSource = { bits: [4, 2], base: 8 };

/** Register fields of 32-bit encodings. */
export const REGISTER_FIELDS_32: Record<"rd" | "rs1" | "rs2" | "rs3", RegisterSource> = {
  rd: { bits: [11, 7], base: 0 }, rs1: { bits: [19, 15], base: 0 }, rs2: { bits: [24, 20], base: 0 },
  rs3: { bits: [31, 27], base: 0 },
};

/** Other plain (unsigned) fields of 32-bit encodings. */
export const PLAIN_FIELDS_32: Record<"rm" | "aq" | "rl" | "csr" | "pred" | "succ" | "fm", BitRange> = {
  rm: [14, 12], aq: [26, 26], rl: [25, 25], csr: [31, 20], pred: [27, 24], succ: [23, 20], fm: [31, 28],
};

/** RVC formats: which expanded-instruction register fields each compressed format encodes, and where. */
export const RVC_FORMATS = {
  CR: { rd: REG_FULL_HI, rs1: REG_FULL_HI, rs2: REG_FULL_LO },
  CI: { rd: REG_FULL_HI, rs1: REG_FULL_HI },
  CSS: { rs2: REG_FULL_LO },
  CIW: { rd: REG_PRIME_LO },
  CL: { rd: REG_PRIME_LO, rs1: REG_PRIME_HI },
  CS: { rs2: REG_PRIME_LO, rs1: REG_PRIME_HI },
  CA: { rd: REG_PRIME_HI, rs1: REG_PRIME_HI, rs2: REG_PRIME_LO },
  /** CB with a destination: c.srli, c.srai, c.andi (rd = rs1) */
  CBA: { rd: REG_PRIME_HI, rs1: REG_PRIME_HI },
  /** CB branches: c.beqz, c.bnez */
  CB: { rs1: REG_PRIME_HI },
  CJ: {},
} as const satisfies Record<string, Partial<Record<"rd" | "rs1" | "rs2", RegisterSource>>>;

/**
 * Operand syntax tokens (in `args`, comma-separated, `imm(xs1)` for memory operands):
 * xd xs1 xs2 — x registers rd/rs1/rs2; fd fs1 fs2 fs3 — f registers rd/rs1/rs2/rs3; imm — the immediate in
 * decimal; shamt — the immediate in hex (shift amounts); hi20 — U-type immediate bits 31:12 in hex;
 * target — pc + imm in hex; zimm — the csr*i immediate in decimal; csr — CSR name or hex number;
 * rm — rounding mode, omitted when dynamic; pred, succ — fence sets.
 */
export const OPERAND_TOKENS = [
  "xd", "xs1", "xs2", "fd", "fs1", "fs2", "fs3", "imm", "shamt", "hi20", "target", "zimm", "csr", "rm", "pred", "succ",
] as const;

/** One 32-bit instruction. */
export interface Row32 {
  name: string;
  /** fixed fields and their values */
  fixed: Partial<Record<keyof typeof FIXED_FIELDS_32, number>>;
  /** operand syntax (tokens from OPERAND_TOKENS) */
  args: string;
  /** immediate layout, for rows with an immediate operand */
  imm?: ImmediateName;
  /** A-extension ordering bits aq/rl (printed as .aq/.rl/.aqrl suffixes) */
  aqrl?: boolean;
  /** fence-style fields pred/succ/fm */
  fence?: boolean;
  /** fields decoded but not shown (the rm of exact conversions, which objdump requires to be 0) */
  hidden?: "rm"[];
  /**
   * bits binutils 2.40 requires but the ISA tells implementations to ignore: objdump shows encodings that
   * differ there as `.4byte`, the decoder still decodes them
   */
  objdumpFixed?: Partial<Record<keyof typeof FIXED_FIELDS_32, number>>;
}

/** One 16-bit (RVC) instruction. */
export interface Row16 {
  name: string;
  fixed: Partial<Record<keyof typeof FIXED_FIELDS_16, number>>;
  format: keyof typeof RVC_FORMATS;
  /** operand syntax, written with the EXPANDED instruction's fields */
  args: string;
  imm?: ImmediateName;
  /** fields that must be non-zero: otherwise the encoding is reserved (no less specific row is tried) */
  nonzero?: ("rd" | "rs1" | "imm")[];
  /** the base instruction and the expanded fields the compressed format implies */
  expand: { op: string; set?: Record<string, number> };
}

const { LOAD, LOAD_FP, MISC_MEM, OP_IMM, AUIPC, OP_IMM_32, STORE, STORE_FP, AMO, OP, LUI, OP_32, MADD, MSUB,
  NMSUB, NMADD, OP_FP, BRANCH, JALR, JAL, SYSTEM } = MAJOR;

/** Rows for the base integer instructions RV64I, Zicsr and Zifencei. */
const RV64I: Row32[] = [
  { name: "lui", fixed: { opcode: LUI }, args: "xd,hi20", imm: "U" },
  { name: "auipc", fixed: { opcode: AUIPC }, args: "xd,hi20", imm: "U" },
  { name: "jal", fixed: { opcode: JAL }, args: "xd,target", imm: "J" },
  { name: "jalr", fixed: { opcode: JALR, funct3: 0 }, args: "xd,imm(xs1)", imm: "I" },
  { name: "beq", fixed: { opcode: BRANCH, funct3: 0 }, args: "xs1,xs2,target", imm: "B" },
  { name: "bne", fixed: { opcode: BRANCH, funct3: 1 }, args: "xs1,xs2,target", imm: "B" },
  { name: "blt", fixed: { opcode: BRANCH, funct3: 4 }, args: "xs1,xs2,target", imm: "B" },
  { name: "bge", fixed: { opcode: BRANCH, funct3: 5 }, args: "xs1,xs2,target", imm: "B" },
  { name: "bltu", fixed: { opcode: BRANCH, funct3: 6 }, args: "xs1,xs2,target", imm: "B" },
  { name: "bgeu", fixed: { opcode: BRANCH, funct3: 7 }, args: "xs1,xs2,target", imm: "B" },
  { name: "lb", fixed: { opcode: LOAD, funct3: 0 }, args: "xd,imm(xs1)", imm: "I" },
  { name: "lh", fixed: { opcode: LOAD, funct3: 1 }, args: "xd,imm(xs1)", imm: "I" },
  { name: "lw", fixed: { opcode: LOAD, funct3: 2 }, args: "xd,imm(xs1)", imm: "I" },
  { name: "ld", fixed: { opcode: LOAD, funct3: 3 }, args: "xd,imm(xs1)", imm: "I" },
  { name: "lbu", fixed: { opcode: LOAD, funct3: 4 }, args: "xd,imm(xs1)", imm: "I" },
  { name: "lhu", fixed: { opcode: LOAD, funct3: 5 }, args: "xd,imm(xs1)", imm: "I" },
  { name: "lwu", fixed: { opcode: LOAD, funct3: 6 }, args: "xd,imm(xs1)", imm: "I" },
  { name: "sb", fixed: { opcode: STORE, funct3: 0 }, args: "xs2,imm(xs1)", imm: "S" },
  { name: "sh", fixed: { opcode: STORE, funct3: 1 }, args: "xs2,imm(xs1)", imm: "S" },
  { name: "sw", fixed: { opcode: STORE, funct3: 2 }, args: "xs2,imm(xs1)", imm: "S" },
  { name: "sd", fixed: { opcode: STORE, funct3: 3 }, args: "xs2,imm(xs1)", imm: "S" },
  { name: "addi", fixed: { opcode: OP_IMM, funct3: 0 }, args: "xd,xs1,imm", imm: "I" },
  { name: "slti", fixed: { opcode: OP_IMM, funct3: 2 }, args: "xd,xs1,imm", imm: "I" },
  { name: "sltiu", fixed: { opcode: OP_IMM, funct3: 3 }, args: "xd,xs1,imm", imm: "I" },
  { name: "xori", fixed: { opcode: OP_IMM, funct3: 4 }, args: "xd,xs1,imm", imm: "I" },
  { name: "ori", fixed: { opcode: OP_IMM, funct3: 6 }, args: "xd,xs1,imm", imm: "I" },
  { name: "andi", fixed: { opcode: OP_IMM, funct3: 7 }, args: "xd,xs1,imm", imm: "I" },
  { name: "slli", fixed: { opcode: OP_IMM, funct3: 1, funct6: 0x00 }, args: "xd,xs1,shamt", imm: "SHAMT6" },
  { name: "srli", fixed: { opcode: OP_IMM, funct3: 5, funct6: 0x00 }, args: "xd,xs1,shamt", imm: "SHAMT6" },
  { name: "srai", fixed: { opcode: OP_IMM, funct3: 5, funct6: 0x10 }, args: "xd,xs1,shamt", imm: "SHAMT6" },
  { name: "add", fixed: { opcode: OP, funct3: 0, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "sub", fixed: { opcode: OP, funct3: 0, funct7: 0x20 }, args: "xd,xs1,xs2" },
  { name: "sll", fixed: { opcode: OP, funct3: 1, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "slt", fixed: { opcode: OP, funct3: 2, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "sltu", fixed: { opcode: OP, funct3: 3, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "xor", fixed: { opcode: OP, funct3: 4, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "srl", fixed: { opcode: OP, funct3: 5, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "sra", fixed: { opcode: OP, funct3: 5, funct7: 0x20 }, args: "xd,xs1,xs2" },
  { name: "or", fixed: { opcode: OP, funct3: 6, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "and", fixed: { opcode: OP, funct3: 7, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "addiw", fixed: { opcode: OP_IMM_32, funct3: 0 }, args: "xd,xs1,imm", imm: "I" },
  { name: "slliw", fixed: { opcode: OP_IMM_32, funct3: 1, funct7: 0x00 }, args: "xd,xs1,shamt", imm: "SHAMT5" },
  { name: "srliw", fixed: { opcode: OP_IMM_32, funct3: 5, funct7: 0x00 }, args: "xd,xs1,shamt", imm: "SHAMT5" },
  { name: "sraiw", fixed: { opcode: OP_IMM_32, funct3: 5, funct7: 0x20 }, args: "xd,xs1,shamt", imm: "SHAMT5" },
  { name: "addw", fixed: { opcode: OP_32, funct3: 0, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "subw", fixed: { opcode: OP_32, funct3: 0, funct7: 0x20 }, args: "xd,xs1,xs2" },
  { name: "sllw", fixed: { opcode: OP_32, funct3: 1, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "srlw", fixed: { opcode: OP_32, funct3: 5, funct7: 0x00 }, args: "xd,xs1,xs2" },
  { name: "sraw", fixed: { opcode: OP_32, funct3: 5, funct7: 0x20 }, args: "xd,xs1,xs2" },
  { name: "fence.tso", fixed: { opcode: MISC_MEM, funct3: 0, fm: 8, pred: 3, succ: 3, rs1: 0, rd: 0 }, args: "", fence: true },
  { name: "fence", fixed: { opcode: MISC_MEM, funct3: 0 }, args: "pred,succ", fence: true, objdumpFixed: { fm: 0, rs1: 0, rd: 0 } },
  { name: "fence.i", fixed: { opcode: MISC_MEM, funct3: 1 }, args: "", objdumpFixed: { imm12: 0, rs1: 0, rd: 0 } },
  { name: "ecall", fixed: { opcode: SYSTEM, funct3: 0, imm12: 0, rs1: 0, rd: 0 }, args: "" },
  { name: "ebreak", fixed: { opcode: SYSTEM, funct3: 0, imm12: 1, rs1: 0, rd: 0 }, args: "" },
  { name: "csrrw", fixed: { opcode: SYSTEM, funct3: 1 }, args: "xd,csr,xs1" },
  { name: "csrrs", fixed: { opcode: SYSTEM, funct3: 2 }, args: "xd,csr,xs1" },
  { name: "csrrc", fixed: { opcode: SYSTEM, funct3: 3 }, args: "xd,csr,xs1" },
  { name: "csrrwi", fixed: { opcode: SYSTEM, funct3: 5 }, args: "xd,csr,zimm", imm: "ZIMM" },
  { name: "csrrsi", fixed: { opcode: SYSTEM, funct3: 6 }, args: "xd,csr,zimm", imm: "ZIMM" },
  { name: "csrrci", fixed: { opcode: SYSTEM, funct3: 7 }, args: "xd,csr,zimm", imm: "ZIMM" },
];

/** Rows for M: multiplication and division. */
const RV64M: Row32[] = [
  ...["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"].map((name, funct3): Row32 => (
    { name, fixed: { opcode: OP, funct3, funct7: 0x01 }, args: "xd,xs1,xs2" })),
  ...([["mulw", 0], ["divw", 4], ["divuw", 5], ["remw", 6], ["remuw", 7]] as const).map(([name, funct3]): Row32 => (
    { name, fixed: { opcode: OP_32, funct3, funct7: 0x01 }, args: "xd,xs1,xs2" })),
];

/** AMO operations by funct5. */
const AMO_FUNCT5 = {
  amoadd: 0x00, amoswap: 0x01, amoxor: 0x04, amoor: 0x08, amoand: 0x0c, amomin: 0x10, amomax: 0x14,
  amominu: 0x18, amomaxu: 0x1c,
} as const;

/** Rows for A: lr/sc and the AMOs, word (funct3 = 2) and doubleword (funct3 = 3). */
const RV64A: Row32[] = ([["w", 2], ["d", 3]] as const).flatMap(([width, funct3]): Row32[] => [
  { name: `lr.${width}`, fixed: { opcode: AMO, funct3, funct5: 0x02, rs2: 0 }, args: "xd,(xs1)", aqrl: true },
  { name: `sc.${width}`, fixed: { opcode: AMO, funct3, funct5: 0x03 }, args: "xd,xs2,(xs1)", aqrl: true },
  ...Object.entries(AMO_FUNCT5).map(([op, funct5]): Row32 => (
    { name: `${op}.${width}`, fixed: { opcode: AMO, funct3, funct5 }, args: "xd,xs2,(xs1)", aqrl: true })),
]);

/**
 * Rows for F and D (fmt 0 = single, 1 = double): one template per operation, instantiated for both
 * precisions. Conversions between the two precisions follow.
 */
const RV64FD: Row32[] = ([["s", 0, 2], ["d", 1, 3]] as const).flatMap(([p, fmt, memWidth]): Row32[] => [
  { name: `fl${p === "s" ? "w" : "d"}`, fixed: { opcode: LOAD_FP, funct3: memWidth }, args: "fd,imm(xs1)", imm: "I" },
  { name: `fs${p === "s" ? "w" : "d"}`, fixed: { opcode: STORE_FP, funct3: memWidth }, args: "fs2,imm(xs1)", imm: "S" },
  { name: `fmadd.${p}`, fixed: { opcode: MADD, fmt }, args: "fd,fs1,fs2,fs3,rm" },
  { name: `fmsub.${p}`, fixed: { opcode: MSUB, fmt }, args: "fd,fs1,fs2,fs3,rm" },
  { name: `fnmsub.${p}`, fixed: { opcode: NMSUB, fmt }, args: "fd,fs1,fs2,fs3,rm" },
  { name: `fnmadd.${p}`, fixed: { opcode: NMADD, fmt }, args: "fd,fs1,fs2,fs3,rm" },
  { name: `fadd.${p}`, fixed: { opcode: OP_FP, funct5: 0x00, fmt }, args: "fd,fs1,fs2,rm" },
  { name: `fsub.${p}`, fixed: { opcode: OP_FP, funct5: 0x01, fmt }, args: "fd,fs1,fs2,rm" },
  { name: `fmul.${p}`, fixed: { opcode: OP_FP, funct5: 0x02, fmt }, args: "fd,fs1,fs2,rm" },
  { name: `fdiv.${p}`, fixed: { opcode: OP_FP, funct5: 0x03, fmt }, args: "fd,fs1,fs2,rm" },
  { name: `fsqrt.${p}`, fixed: { opcode: OP_FP, funct5: 0x0b, fmt, rs2: 0 }, args: "fd,fs1,rm" },
  { name: `fsgnj.${p}`, fixed: { opcode: OP_FP, funct5: 0x04, fmt, funct3: 0 }, args: "fd,fs1,fs2" },
  { name: `fsgnjn.${p}`, fixed: { opcode: OP_FP, funct5: 0x04, fmt, funct3: 1 }, args: "fd,fs1,fs2" },
  { name: `fsgnjx.${p}`, fixed: { opcode: OP_FP, funct5: 0x04, fmt, funct3: 2 }, args: "fd,fs1,fs2" },
  { name: `fmin.${p}`, fixed: { opcode: OP_FP, funct5: 0x05, fmt, funct3: 0 }, args: "fd,fs1,fs2" },
  { name: `fmax.${p}`, fixed: { opcode: OP_FP, funct5: 0x05, fmt, funct3: 1 }, args: "fd,fs1,fs2" },
  { name: `feq.${p}`, fixed: { opcode: OP_FP, funct5: 0x14, fmt, funct3: 2 }, args: "xd,fs1,fs2" },
  { name: `flt.${p}`, fixed: { opcode: OP_FP, funct5: 0x14, fmt, funct3: 1 }, args: "xd,fs1,fs2" },
  { name: `fle.${p}`, fixed: { opcode: OP_FP, funct5: 0x14, fmt, funct3: 0 }, args: "xd,fs1,fs2" },
  { name: `fclass.${p}`, fixed: { opcode: OP_FP, funct5: 0x1c, fmt, funct3: 1, rs2: 0 }, args: "xd,fs1" },
  { name: `fmv.x.${p === "s" ? "w" : "d"}`, fixed: { opcode: OP_FP, funct5: 0x1c, fmt, funct3: 0, rs2: 0 }, args: "xd,fs1" },
  { name: `fmv.${p === "s" ? "w" : "d"}.x`, fixed: { opcode: OP_FP, funct5: 0x1e, fmt, funct3: 0, rs2: 0 }, args: "fd,xs1" },
  ...(["w", "wu", "l", "lu"] as const).flatMap((int, rs2): Row32[] => [
    { name: `fcvt.${int}.${p}`, fixed: { opcode: OP_FP, funct5: 0x18, fmt, rs2 }, args: "xd,fs1,rm" },
    {
      name: `fcvt.${p}.${int}`, fixed: { opcode: OP_FP, funct5: 0x1a, fmt, rs2 }, args: "fd,xs1,rm",
      // int32 → double is exact
      ...(p === "d" && rs2 < 2 ? { args: "fd,xs1", hidden: ["rm"], objdumpFixed: { funct3: 0 } } : {}),
    },
  ]),
]).concat([
  { name: "fcvt.s.d", fixed: { opcode: OP_FP, funct5: 0x08, fmt: 0, rs2: 1 }, args: "fd,fs1,rm" },
  { name: "fcvt.d.s", fixed: { opcode: OP_FP, funct5: 0x08, fmt: 1, rs2: 0 }, args: "fd,fs1", hidden: ["rm"],
    objdumpFixed: { funct3: 0 } },
]);

/** All 32-bit rows. */
export const RV64G_ROWS: readonly Row32[] = [...RV64I, ...RV64M, ...RV64A, ...RV64FD];

/** All 16-bit rows (RV64C). Within one fixed-bit pattern, the row with more fixed bits wins. */
export const RVC_ROWS: readonly Row16[] = [
  // quadrant 0
  { name: "c.addi4spn", fixed: { op: 0, funct3: 0 }, format: "CIW", args: "xd,xs1,imm", imm: "C_ADDI4SPN",
    nonzero: ["imm"], expand: { op: "addi", set: { rs1: 2 } } },
  { name: "c.fld", fixed: { op: 0, funct3: 1 }, format: "CL", args: "fd,imm(xs1)", imm: "C_LD", expand: { op: "fld" } },
  { name: "c.lw", fixed: { op: 0, funct3: 2 }, format: "CL", args: "xd,imm(xs1)", imm: "C_LW", expand: { op: "lw" } },
  { name: "c.ld", fixed: { op: 0, funct3: 3 }, format: "CL", args: "xd,imm(xs1)", imm: "C_LD", expand: { op: "ld" } },
  { name: "c.fsd", fixed: { op: 0, funct3: 5 }, format: "CS", args: "fs2,imm(xs1)", imm: "C_LD", expand: { op: "fsd" } },
  { name: "c.sw", fixed: { op: 0, funct3: 6 }, format: "CS", args: "xs2,imm(xs1)", imm: "C_LW", expand: { op: "sw" } },
  { name: "c.sd", fixed: { op: 0, funct3: 7 }, format: "CS", args: "xs2,imm(xs1)", imm: "C_LD", expand: { op: "sd" } },
  // quadrant 1 (c.nop is objdump's alias of c.addi zero,0)
  { name: "c.addi", fixed: { op: 1, funct3: 0 }, format: "CI", args: "xd,imm", imm: "C_IMM6", expand: { op: "addi" } },
  { name: "c.addiw", fixed: { op: 1, funct3: 1 }, format: "CI", args: "xd,imm", imm: "C_IMM6", nonzero: ["rd"],
    expand: { op: "addiw" } },
  { name: "c.li", fixed: { op: 1, funct3: 2 }, format: "CI", args: "xd,imm", imm: "C_IMM6", expand: { op: "addi", set: { rs1: 0 } } },
  { name: "c.addi16sp", fixed: { op: 1, funct3: 3, rd: 2 }, format: "CI", args: "xd,imm", imm: "C_ADDI16SP",
    nonzero: ["imm"], expand: { op: "addi" } },
  { name: "c.lui", fixed: { op: 1, funct3: 3 }, format: "CI", args: "xd,hi20", imm: "C_LUI", nonzero: ["imm"],
    expand: { op: "lui" } },
  { name: "c.srli64", fixed: { op: 1, funct3: 4, bit12: 0, funct2hi: 0, imm5: 0 }, format: "CBA", args: "xd",
    expand: { op: "srli", set: { imm: 0 } } },
  { name: "c.srli", fixed: { op: 1, funct3: 4, funct2hi: 0 }, format: "CBA", args: "xd,shamt", imm: "C_SHAMT", expand: { op: "srli" } },
  { name: "c.srai64", fixed: { op: 1, funct3: 4, bit12: 0, funct2hi: 1, imm5: 0 }, format: "CBA", args: "xd",
    expand: { op: "srai", set: { imm: 0 } } },
  { name: "c.srai", fixed: { op: 1, funct3: 4, funct2hi: 1 }, format: "CBA", args: "xd,shamt", imm: "C_SHAMT", expand: { op: "srai" } },
  { name: "c.andi", fixed: { op: 1, funct3: 4, funct2hi: 2 }, format: "CBA", args: "xd,imm", imm: "C_IMM6", expand: { op: "andi" } },
  { name: "c.sub", fixed: { op: 1, funct6: 0x23, funct2: 0 }, format: "CA", args: "xd,xs2", expand: { op: "sub" } },
  { name: "c.xor", fixed: { op: 1, funct6: 0x23, funct2: 1 }, format: "CA", args: "xd,xs2", expand: { op: "xor" } },
  { name: "c.or", fixed: { op: 1, funct6: 0x23, funct2: 2 }, format: "CA", args: "xd,xs2", expand: { op: "or" } },
  { name: "c.and", fixed: { op: 1, funct6: 0x23, funct2: 3 }, format: "CA", args: "xd,xs2", expand: { op: "and" } },
  { name: "c.subw", fixed: { op: 1, funct6: 0x27, funct2: 0 }, format: "CA", args: "xd,xs2", expand: { op: "subw" } },
  { name: "c.addw", fixed: { op: 1, funct6: 0x27, funct2: 1 }, format: "CA", args: "xd,xs2", expand: { op: "addw" } },
  { name: "c.j", fixed: { op: 1, funct3: 5 }, format: "CJ", args: "target", imm: "C_J", expand: { op: "jal", set: { rd: 0 } } },
  { name: "c.beqz", fixed: { op: 1, funct3: 6 }, format: "CB", args: "xs1,target", imm: "C_B", expand: { op: "beq", set: { rs2: 0 } } },
  { name: "c.bnez", fixed: { op: 1, funct3: 7 }, format: "CB", args: "xs1,target", imm: "C_B", expand: { op: "bne", set: { rs2: 0 } } },
  // quadrant 2
  { name: "c.slli64", fixed: { op: 2, funct3: 0, bit12: 0, imm5: 0 }, format: "CI", args: "xd", expand: { op: "slli", set: { imm: 0 } } },
  { name: "c.slli", fixed: { op: 2, funct3: 0 }, format: "CI", args: "xd,shamt", imm: "C_SHAMT", expand: { op: "slli" } },
  { name: "c.fldsp", fixed: { op: 2, funct3: 1 }, format: "CI", args: "fd,imm(xs1)", imm: "C_LDSP", expand: { op: "fld", set: { rs1: 2 } } },
  { name: "c.lwsp", fixed: { op: 2, funct3: 2 }, format: "CI", args: "xd,imm(xs1)", imm: "C_LWSP", nonzero: ["rd"],
    expand: { op: "lw", set: { rs1: 2 } } },
  { name: "c.ldsp", fixed: { op: 2, funct3: 3 }, format: "CI", args: "xd,imm(xs1)", imm: "C_LDSP", nonzero: ["rd"],
    expand: { op: "ld", set: { rs1: 2 } } },
  { name: "c.jr", fixed: { op: 2, funct4: 8, rs2: 0 }, format: "CR", args: "xs1", nonzero: ["rs1"],
    expand: { op: "jalr", set: { rd: 0, imm: 0 } } },
  { name: "c.mv", fixed: { op: 2, funct4: 8 }, format: "CR", args: "xd,xs2", expand: { op: "add", set: { rs1: 0 } } },
  { name: "c.ebreak", fixed: { op: 2, funct4: 9, rd: 0, rs2: 0 }, format: "CR", args: "", expand: { op: "ebreak" } },
  { name: "c.jalr", fixed: { op: 2, funct4: 9, rs2: 0 }, format: "CR", args: "xs1", expand: { op: "jalr", set: { rd: 1, imm: 0 } } },
  { name: "c.add", fixed: { op: 2, funct4: 9 }, format: "CR", args: "xd,xs2", expand: { op: "add" } },
  { name: "c.fsdsp", fixed: { op: 2, funct3: 5 }, format: "CSS", args: "fs2,imm(xs1)", imm: "C_SDSP", expand: { op: "fsd", set: { rs1: 2 } } },
  { name: "c.swsp", fixed: { op: 2, funct3: 6 }, format: "CSS", args: "xs2,imm(xs1)", imm: "C_SWSP", expand: { op: "sw", set: { rs1: 2 } } },
  { name: "c.sdsp", fixed: { op: 2, funct3: 7 }, format: "CSS", args: "xs2,imm(xs1)", imm: "C_SDSP", expand: { op: "sd", set: { rs1: 2 } } },
];

/**
 * Encodings objdump shows under a name of their own even with `-M no-aliases` (binutils lists them as
 * instructions, not aliases): the all-zero parcel, which is illegal, and csrrw zero,cycle,zero (a write to a
 * read-only CSR, illegal at run time), decoded as csrrw.
 */
export const OBJDUMP_NAMES: ReadonlyMap<number, string> = new Map([[0x0000, "c.unimp"], [0xc0001073, "unimp"]]);

/** Rounding-mode operands as objdump prints them, by rm value (7 = dynamic is not printed; 5, 6 reserved). */
export const ROUNDING_MODES = ["rne", "rtz", "rdn", "rup", "rmm", "unknown", "unknown", "dyn"] as const;

/** ABI names of the x registers. */
export const X_REGISTER_NAMES = [
  "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
  "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
] as const;

/** ABI names of the f registers. */
export const F_REGISTER_NAMES = [
  "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
  "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
] as const;

/**
 * CSR names objdump (binutils 2.40) prints for code marked as privileged spec 1.11 (the ELF attribute GCC
 * and glibc binaries carry), by number: [number, name] or, for numbered series,
 * [first number, name with `#` standing for the index, first index, last index].
 */
const CSR_NAME_TABLE: readonly (readonly [number, string] | readonly [number, string, number, number])[] = [
  [0x000, "ustatus"], [0x001, "fflags"], [0x002, "frm"], [0x003, "fcsr"], [0x004, "uie"], [0x005, "utvec"],
  [0x008, "vstart"], [0x009, "vxsat"], [0x00a, "vxrm"], [0x00f, "vcsr"], [0x015, "seed"], [0x040, "uscratch"],
  [0x041, "uepc"], [0x042, "ucause"], [0x043, "utval"], [0x044, "uip"], [0x100, "sstatus"], [0x102,
  "sedeleg"], [0x103, "sideleg"], [0x104, "sie"], [0x105, "stvec"], [0x106, "scounteren"], [0x10c,
  "sstateen#", 0, 3], [0x114, "sieh"], [0x140, "sscratch"], [0x141, "sepc"], [0x142, "scause"], [0x143,
  "stval"], [0x144, "sip"], [0x14d, "stimecmp"], [0x150, "siselect"], [0x151, "sireg"], [0x154, "siph"],
  [0x15c, "stopei"], [0x15d, "stimecmph"], [0x180, "satp"], [0x200, "vsstatus"], [0x204, "vsie"], [0x205,
  "vstvec"], [0x214, "vsieh"], [0x240, "vsscratch"], [0x241, "vsepc"], [0x242, "vscause"], [0x243, "vstval"],
  [0x244, "vsip"], [0x24d, "vstimecmp"], [0x250, "vsiselect"], [0x251, "vsireg"], [0x254, "vsiph"], [0x25c,
  "vstopei"], [0x25d, "vstimecmph"], [0x280, "vsatp"], [0x300, "mstatus"], [0x301, "misa"], [0x302,
  "medeleg"], [0x303, "mideleg"], [0x304, "mie"], [0x305, "mtvec"], [0x306, "mcounteren"], [0x308, "mvien"],
  [0x309, "mvip"], [0x30c, "mstateen#", 0, 3], [0x313, "midelegh"], [0x314, "mieh"], [0x318, "mvienh"],
  [0x319, "mviph"], [0x31c, "mstateen#h", 0, 3], [0x320, "mcountinhibit"], [0x323, "mhpmevent#", 3, 31],
  [0x340, "mscratch"], [0x341, "mepc"], [0x342, "mcause"], [0x343, "mtval"], [0x344, "mip"], [0x350,
  "miselect"], [0x351, "mireg"], [0x354, "miph"], [0x35c, "mtopei"], [0x3a0, "pmpcfg#", 0, 3], [0x3b0,
  "pmpaddr#", 0, 15], [0x5a8, "scontext"], [0x600, "hstatus"], [0x602, "hedeleg"], [0x603, "hideleg"], [0x604,
  "hie"], [0x605, "htimedelta"], [0x606, "hcounteren"], [0x607, "hgeie"], [0x608, "hvien"], [0x609, "hvictl"],
  [0x60a, "henvcfg"], [0x60c, "hstateen#", 0, 3], [0x613, "hidelegh"], [0x615, "htimedeltah"], [0x618,
  "hvienh"], [0x61a, "henvcfgh"], [0x61c, "hstateen#h", 0, 3], [0x643, "htval"], [0x644, "hip"], [0x645,
  "hvip"], [0x646, "hviprio1"], [0x647, "hviprio2"], [0x64a, "htinst"], [0x655, "hviph"], [0x656,
  "hviprio1h"], [0x657, "hviprio2h"], [0x680, "hgatp"], [0x6a8, "hcontext"], [0x723, "mhpmevent#h", 3, 31],
  [0x7a0, "tselect"], [0x7a1, "tdata#", 1, 3], [0x7a4, "tinfo"], [0x7a5, "tcontrol"], [0x7a8, "mcontext"],
  [0x7aa, "mscontext"], [0x7b0, "dcsr"], [0x7b1, "dpc"], [0x7b2, "dscratch0"], [0x7b3, "dscratch1"], [0xb00,
  "mcycle"], [0xb02, "minstret"], [0xb03, "mhpmcounter#", 3, 31], [0xb80, "mcycleh"], [0xb82, "minstreth"],
  [0xb83, "mhpmcounter#h", 3, 31], [0xc00, "cycle"], [0xc01, "time"], [0xc02, "instret"], [0xc03,
  "hpmcounter#", 3, 31], [0xc20, "vl"], [0xc21, "vtype"], [0xc22, "vlenb"], [0xc80, "cycleh"], [0xc81,
  "timeh"], [0xc82, "instreth"], [0xc83, "hpmcounter#h", 3, 31], [0xda0, "scountovf"], [0xdb0, "stopi"],
  [0xe12, "hgeip"], [0xeb0, "vstopi"], [0xf11, "mvendorid"], [0xf12, "marchid"], [0xf13, "mimpid"], [0xf14,
  "mhartid"], [0xfb0, "mtopi"],
];

/** CSR number → name, expanded from CSR_NAME_TABLE. */
export const CSR_NAMES: ReadonlyMap<number, string> = new Map(CSR_NAME_TABLE.flatMap((e) => {
  if (e.length === 2) return [[e[0], e[1]] as const];
  const [first, pattern, from, to] = e;
  return Array.from({ length: to - from + 1 }, (_, i) => [first + i, pattern.replace("#", String(from + i))] as const);
}));
