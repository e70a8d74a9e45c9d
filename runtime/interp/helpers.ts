/**
 * Runtime helpers callable from IR `call` ops, by name. Helpers are pure functions of their arguments and
 * the runtime's clocks: they never touch guest registers or memory.
 */

/** A helper: takes i32 (number) / i64 (bigint) arguments, returns the value of the call's type. */
export type Helper = (...args: Array<number | bigint>) => number | bigint | void;

/** Helpers by name. */
export type HelperTable = Record<string, Helper>;

/** The counters helpers read. */
export interface HelperClocks {
  /** guest instructions retired before the current one */
  instret(): bigint;
}

/** Ticks per second of the guest's `time` counter (RISC-V rdtime): 10 MHz. */
export const TIME_FREQUENCY = 10_000_000;

const now: () => number = typeof performance !== "undefined" ? () => performance.now() : () => Date.now();
const timeOrigin = now();

/** Monotonic time since start-up in {@link TIME_FREQUENCY} ticks, as an i64. */
export function timeTicks(): bigint {
  return BigInt(Math.floor((now() - timeOrigin) * (TIME_FREQUENCY / 1000)));
}

/**
 * The standard helper table:
 * - `rdinstret`: i64 count of guest instructions retired before this one;
 * - `rdcycle`: i64 cycle counter, defined as the instruction count (one cycle per instruction);
 * - `rdtime`: i64 monotonic clock in 10 MHz ticks.
 */
export function makeHelpers(clocks: HelperClocks): HelperTable {
  return {
    rdinstret: () => clocks.instret(),
    rdcycle: () => clocks.instret(),
    rdtime: () => timeTicks(),
  };
}
