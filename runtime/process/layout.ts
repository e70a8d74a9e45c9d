/**
 * The guest address-space layout of a process (agreed with the syscall layer, runtime/linux): identity
 * mapping below 4 GiB; the program image low, the program break growing up after it, mmap allocations
 * growing down from {@link MMAP_TOP}, and the stack under {@link STACK_TOP}.
 */

/** End (exclusive) of the initial stack mapping. */
export const STACK_TOP = 0x4000_0000;
/** Size of the stack mapping (Linux's default RLIMIT_STACK, 8 MiB). */
export const STACK_SIZE = 8 * 1024 * 1024;
/** Highest address (exclusive) of the mmap area; anonymous and file mappings are placed below it. */
export const MMAP_TOP = 0x3f00_0000;
/** Load address of a static position-independent executable (ET_DYN without PT_INTERP). */
export const PIE_LOAD_BASE = 0x0040_0000;
