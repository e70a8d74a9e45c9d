/** Typed access to a guest's CPU state block in linear memory (layout from the guest's StateLayout). */
import type { Slot, StateLayout } from "../translator/ir/ir.ts";
import { STATE_BASE, type GuestMemory } from "./memory/memory.ts";

export class CpuState {
  constructor(readonly mem: GuestMemory, readonly layout: StateLayout, readonly base = STATE_BASE) {}

  /** Reads an i64 (or f64 bits) slot as a signed bigint. */
  getI64(slot: Slot): bigint { return this.mem.dv.getBigInt64(this.base + this.layout.slots[slot]!.offset, true); }
  setI64(slot: Slot, v: bigint): void { this.mem.dv.setBigInt64(this.base + this.layout.slots[slot]!.offset, BigInt.asIntN(64, v), true); }
  /** Reads an i32 (or f32 bits) slot as a signed number. */
  getI32(slot: Slot): number { return this.mem.dv.getInt32(this.base + this.layout.slots[slot]!.offset, true); }
  setI32(slot: Slot, v: number): void { this.mem.dv.setInt32(this.base + this.layout.slots[slot]!.offset, v | 0, true); }

  /** Reads a slot by name, as bigint for 64-bit slots and number for 32-bit ones. */
  get(name: string): bigint | number {
    const s = this.layout.slot(name);
    const ty = this.layout.slots[s]!.ty;
    return ty === "i64" || ty === "f64" ? this.getI64(s) : this.getI32(s);
  }
  set(name: string, v: bigint | number): void {
    const s = this.layout.slot(name);
    const ty = this.layout.slots[s]!.ty;
    if (ty === "i64" || ty === "f64") this.setI64(s, BigInt(v));
    else this.setI32(s, Number(v));
  }
  /** Zeroes the whole state block. */
  clear(): void { this.mem.u8.fill(0, this.base, this.base + this.layout.size); }
}
