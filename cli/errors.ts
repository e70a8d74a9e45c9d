/** Errors the CLI reports as one line on stderr with a specific exit code, never as a stack trace. */

/** Bad command line: exit 2. */
export class UsageError extends Error {}

/** Bad input file (malformed ELF, unsupported binary): exit 2. */
export class InputError extends Error {}
