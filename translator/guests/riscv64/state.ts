/** RV64GC CPU state: integer and FP registers, pc, fcsr fields and the lr/sc reservation. */
import { makeStateLayout, type Ty } from "../../ir/ir.ts";

const regs: Array<[string, Ty]> = [];
for (let i = 0; i < 32; i++) regs.push([`x${i}`, "i64"]);
/** f registers hold raw 64-bit patterns; f32 values are NaN-boxed (upper 32 bits all ones). */
for (let i = 0; i < 32; i++) regs.push([`f${i}`, "i64"]);
regs.push(["pc", "i64"]);
/** accrued exception flags (fcsr[4:0]) */
regs.push(["fflags", "i32"]);
/** dynamic rounding mode (fcsr[7:5]) */
regs.push(["frm", "i32"]);
/** lr/sc reservation: address, and 1 while valid */
regs.push(["resv_addr", "i64"]);
regs.push(["resv_valid", "i32"]);

export const RISCV64_STATE = makeStateLayout(regs);
