/**
 * The 32-bit big-endian PowerPC Linux ABI: numbers from arch/powerpc syscall.tbl (asm/unistd_32.h);
 * `sc` with r0 = number, r3..r8 = arguments; on success r3 = result and CR0.SO clear, on failure CR0.SO
 * set and r3 = positive errno. 64-bit arguments take an aligned register pair (high word first).
 * Structure offsets checked with powerpc-linux-gnu-gcc offsetof() on the kernel and glibc headers.
 *
 * CPU state slots assumed: "r0".."r31", "pc", "lr", "ctr", "f0".."f31" (raw 64-bit), "fpscr"; CR either
 * packed in "cr" (CR0.SO = bit 28) or as 4-bit fields "cr0".."cr7" (cr0 most significant, SO = bit 0);
 * XER either packed in "xer" or as "so"/"ov"/"ca" bits. Slots a layout lacks read as 0.
 */
import type { CpuState } from "../../state.ts";
import {
  RLIMIT64_LAYOUT, STATX_LAYOUT, TIMESPEC64_LAYOUT, WINSIZE_LAYOUT, type GuestAbi, type SignalFrameAbi, type StructIO,
} from "./abi.ts";

const SYSCALLS: Record<number, string> = {
  0: "restart_syscall", 1: "exit", 2: "fork", 3: "read", 4: "write", 5: "open", 6: "close", 7: "waitpid", 8: "creat",
  9: "link", 10: "unlink", 11: "execve", 12: "chdir", 13: "time", 14: "mknod", 15: "chmod", 16: "lchown",
  17: "break", 18: "oldstat", 19: "lseek", 20: "getpid", 21: "mount", 22: "umount", 23: "setuid", 24: "getuid",
  25: "stime", 26: "ptrace", 27: "alarm", 28: "oldfstat", 29: "pause", 30: "utime", 31: "stty", 32: "gtty",
  33: "access", 34: "nice", 35: "ftime", 36: "sync", 37: "kill", 38: "rename", 39: "mkdir", 40: "rmdir", 41: "dup",
  42: "pipe", 43: "times", 44: "prof", 45: "brk", 46: "setgid", 47: "getgid", 48: "signal", 49: "geteuid",
  50: "getegid", 51: "acct", 52: "umount2", 53: "lock", 54: "ioctl", 55: "fcntl", 56: "mpx", 57: "setpgid",
  58: "ulimit", 59: "oldolduname", 60: "umask", 61: "chroot", 62: "ustat", 63: "dup2", 64: "getppid", 65: "getpgrp",
  66: "setsid", 67: "sigaction", 68: "sgetmask", 69: "ssetmask", 70: "setreuid", 71: "setregid", 72: "sigsuspend",
  73: "sigpending", 74: "sethostname", 75: "setrlimit", 76: "getrlimit", 77: "getrusage", 78: "gettimeofday",
  79: "settimeofday", 80: "getgroups", 81: "setgroups", 82: "select", 83: "symlink", 84: "oldlstat", 85: "readlink",
  86: "uselib", 87: "swapon", 88: "reboot", 89: "readdir", 90: "mmap", 91: "munmap", 92: "truncate", 93: "ftruncate",
  94: "fchmod", 95: "fchown", 96: "getpriority", 97: "setpriority", 98: "profil", 99: "statfs", 100: "fstatfs",
  101: "ioperm", 102: "socketcall", 103: "syslog", 104: "setitimer", 105: "getitimer", 106: "stat", 107: "lstat",
  108: "fstat", 109: "olduname", 110: "iopl", 111: "vhangup", 112: "idle", 113: "vm86", 114: "wait4", 115: "swapoff",
  116: "sysinfo", 117: "ipc", 118: "fsync", 119: "sigreturn", 120: "clone", 121: "setdomainname", 122: "uname",
  123: "modify_ldt", 124: "adjtimex", 125: "mprotect", 126: "sigprocmask", 127: "create_module", 128: "init_module",
  129: "delete_module", 130: "get_kernel_syms", 131: "quotactl", 132: "getpgid", 133: "fchdir", 134: "bdflush",
  135: "sysfs", 136: "personality", 137: "afs_syscall", 138: "setfsuid", 139: "setfsgid", 140: "_llseek",
  141: "getdents", 142: "_newselect", 143: "flock", 144: "msync", 145: "readv", 146: "writev", 147: "getsid",
  148: "fdatasync", 149: "_sysctl", 150: "mlock", 151: "munlock", 152: "mlockall", 153: "munlockall",
  154: "sched_setparam", 155: "sched_getparam", 156: "sched_setscheduler", 157: "sched_getscheduler",
  158: "sched_yield", 159: "sched_get_priority_max", 160: "sched_get_priority_min", 161: "sched_rr_get_interval",
  162: "nanosleep", 163: "mremap", 164: "setresuid", 165: "getresuid", 166: "query_module", 167: "poll",
  168: "nfsservctl", 169: "setresgid", 170: "getresgid", 171: "prctl", 172: "rt_sigreturn", 173: "rt_sigaction",
  174: "rt_sigprocmask", 175: "rt_sigpending", 176: "rt_sigtimedwait", 177: "rt_sigqueueinfo", 178: "rt_sigsuspend",
  179: "pread64", 180: "pwrite64", 181: "chown", 182: "getcwd", 183: "capget", 184: "capset", 185: "sigaltstack",
  186: "sendfile", 187: "getpmsg", 188: "putpmsg", 189: "vfork", 190: "ugetrlimit", 191: "readahead", 192: "mmap2",
  193: "truncate64", 194: "ftruncate64", 195: "stat64", 196: "lstat64", 197: "fstat64", 198: "pciconfig_read",
  199: "pciconfig_write", 200: "pciconfig_iobase", 201: "multiplexer", 202: "getdents64", 203: "pivot_root",
  204: "fcntl64", 205: "madvise", 206: "mincore", 207: "gettid", 208: "tkill", 209: "setxattr", 210: "lsetxattr",
  211: "fsetxattr", 212: "getxattr", 213: "lgetxattr", 214: "fgetxattr", 215: "listxattr", 216: "llistxattr",
  217: "flistxattr", 218: "removexattr", 219: "lremovexattr", 220: "fremovexattr", 221: "futex",
  222: "sched_setaffinity", 223: "sched_getaffinity", 225: "tuxcall", 226: "sendfile64", 227: "io_setup",
  228: "io_destroy", 229: "io_getevents", 230: "io_submit", 231: "io_cancel", 232: "set_tid_address",
  233: "fadvise64", 234: "exit_group", 235: "lookup_dcookie", 236: "epoll_create", 237: "epoll_ctl",
  238: "epoll_wait", 239: "remap_file_pages", 240: "timer_create", 241: "timer_settime", 242: "timer_gettime",
  243: "timer_getoverrun", 244: "timer_delete", 245: "clock_settime", 246: "clock_gettime", 247: "clock_getres",
  248: "clock_nanosleep", 249: "swapcontext", 250: "tgkill", 251: "utimes", 252: "statfs64", 253: "fstatfs64",
  254: "fadvise64_64", 255: "rtas", 256: "sys_debug_setcontext", 258: "migrate_pages", 259: "mbind",
  260: "get_mempolicy", 261: "set_mempolicy", 262: "mq_open", 263: "mq_unlink", 264: "mq_timedsend",
  265: "mq_timedreceive", 266: "mq_notify", 267: "mq_getsetattr", 268: "kexec_load", 269: "add_key",
  270: "request_key", 271: "keyctl", 272: "waitid", 273: "ioprio_set", 274: "ioprio_get", 275: "inotify_init",
  276: "inotify_add_watch", 277: "inotify_rm_watch", 278: "spu_run", 279: "spu_create", 280: "pselect6",
  281: "ppoll", 282: "unshare", 283: "splice", 284: "tee", 285: "vmsplice", 286: "openat", 287: "mkdirat",
  288: "mknodat", 289: "fchownat", 290: "futimesat", 291: "fstatat64", 292: "unlinkat", 293: "renameat",
  294: "linkat", 295: "symlinkat", 296: "readlinkat", 297: "fchmodat", 298: "faccessat", 299: "get_robust_list",
  300: "set_robust_list", 301: "move_pages", 302: "getcpu", 303: "epoll_pwait", 304: "utimensat", 305: "signalfd",
  306: "timerfd_create", 307: "eventfd", 308: "sync_file_range2", 309: "fallocate", 310: "subpage_prot",
  311: "timerfd_settime", 312: "timerfd_gettime", 313: "signalfd4", 314: "eventfd2", 315: "epoll_create1",
  316: "dup3", 317: "pipe2", 318: "inotify_init1", 319: "perf_event_open", 320: "preadv", 321: "pwritev",
  322: "rt_tgsigqueueinfo", 323: "fanotify_init", 324: "fanotify_mark", 325: "prlimit64", 326: "socket", 327: "bind",
  328: "connect", 329: "listen", 330: "accept", 331: "getsockname", 332: "getpeername", 333: "socketpair",
  334: "send", 335: "sendto", 336: "recv", 337: "recvfrom", 338: "shutdown", 339: "setsockopt", 340: "getsockopt",
  341: "sendmsg", 342: "recvmsg", 343: "recvmmsg", 344: "accept4", 345: "name_to_handle_at",
  346: "open_by_handle_at", 347: "clock_adjtime", 348: "syncfs", 349: "sendmmsg", 350: "setns",
  351: "process_vm_readv", 352: "process_vm_writev", 353: "finit_module", 354: "kcmp", 355: "sched_setattr",
  356: "sched_getattr", 357: "renameat2", 358: "seccomp", 359: "getrandom", 360: "memfd_create", 361: "bpf",
  362: "execveat", 363: "switch_endian", 364: "userfaultfd", 365: "membarrier", 378: "mlock2",
  379: "copy_file_range", 380: "preadv2", 381: "pwritev2", 382: "kexec_file_load", 383: "statx", 384: "pkey_alloc",
  385: "pkey_free", 386: "pkey_mprotect", 387: "rseq", 388: "io_pgetevents", 393: "semget", 394: "semctl",
  395: "shmget", 396: "shmctl", 397: "shmat", 398: "shmdt", 399: "msgget", 400: "msgsnd", 401: "msgrcv",
  402: "msgctl", 403: "clock_gettime64", 404: "clock_settime64", 405: "clock_adjtime64", 406: "clock_getres_time64",
  407: "clock_nanosleep_time64", 408: "timer_gettime64", 409: "timer_settime64", 410: "timerfd_gettime64",
  411: "timerfd_settime64", 412: "utimensat_time64", 413: "pselect6_time64", 414: "ppoll_time64",
  416: "io_pgetevents_time64", 417: "recvmmsg_time64", 418: "mq_timedsend_time64", 419: "mq_timedreceive_time64",
  420: "semtimedop_time64", 421: "rt_sigtimedwait_time64", 422: "futex_time64", 423: "sched_rr_get_interval_time64",
  424: "pidfd_send_signal", 425: "io_uring_setup", 426: "io_uring_enter", 427: "io_uring_register", 428: "open_tree",
  429: "move_mount", 430: "fsopen", 431: "fsconfig", 432: "fsmount", 433: "fspick", 434: "pidfd_open", 435: "clone3",
  436: "close_range", 437: "openat2", 438: "pidfd_getfd", 439: "faccessat2", 440: "process_madvise",
  441: "epoll_pwait2", 442: "mount_setattr", 443: "quotactl_fd", 444: "landlock_create_ruleset",
  445: "landlock_add_rule", 446: "landlock_restrict_self", 448: "process_mrelease", 449: "futex_waitv",
  450: "set_mempolicy_home_node",
};


const has = (s: CpuState, name: string): boolean => s.layout.slots.some((x) => x.name === name);
const get32 = (s: CpuState, name: string): number => (has(s, name) ? Number(BigInt.asUintN(32, BigInt(s.get(name)))) : 0);
const set32 = (s: CpuState, name: string, v: number): void => { if (has(s, name)) s.set(name, v | 0); };

/** The 32-bit condition register, from "cr" or from the fields "cr0".."cr7". */
function readCR(s: CpuState): number {
  if (has(s, "cr")) return get32(s, "cr");
  let v = 0;
  for (let i = 0; i < 8; i++) v |= (get32(s, `cr${i}`) & 0xf) << (28 - 4 * i);
  return v >>> 0;
}
function writeCR(s: CpuState, v: number): void {
  if (has(s, "cr")) return set32(s, "cr", v);
  for (let i = 0; i < 8; i++) set32(s, `cr${i}`, (v >>> (28 - 4 * i)) & 0xf);
}
/** XER, from "xer" or from the "so"/"ov"/"ca" bits. */
function readXER(s: CpuState): number {
  if (has(s, "xer")) return get32(s, "xer");
  return ((get32(s, "so") & 1) << 31 | (get32(s, "ov") & 1) << 30 | (get32(s, "ca") & 1) << 29) >>> 0;
}
function writeXER(s: CpuState, v: number): void {
  if (has(s, "xer")) return set32(s, "xer", v);
  set32(s, "so", (v >>> 31) & 1); set32(s, "ov", (v >>> 30) & 1); set32(s, "ca", (v >>> 29) & 1);
}

/** Sets or clears CR0.SO. */
function setSummaryOverflow(s: CpuState, on: boolean): void {
  const cr = readCR(s);
  writeCR(s, on ? cr | 0x1000_0000 : cr & ~0x1000_0000);
}

/** pt_regs indices in mc_gregs (arch/powerpc/include/uapi/asm/ptrace.h). */
const PT_NIP = 32, PT_MSR = 33, PT_CTR = 35, PT_LNK = 36, PT_XER = 37, PT_CCR = 38;
/** MSR as user space sees it on a 32-bit big-endian CPU: EE, PR, FP, ME, IR, DR, RI */
const USER_MSR = 0xd032;
/** rt_sigframe: siginfo (128), ucontext (uc_mcontext at +192, 16-aligned), abigap; see signal_32.c */
const UC = 128, MCONTEXT = UC + 192, FPREGS = MCONTEXT + 48 * 4;
/** __SIGNAL_FRAMESIZE (64) + 16: the handler's stack frame below the signal frame */
const HANDLER_FRAME = 64 + 16;

/**
 * Linux ppc32 rt signal frames (arch/powerpc/kernel/signal_32.c: handle_rt_signal32, sys_rt_sigreturn):
 * mc_gregs hold r0..r31, nip, msr, ctr, lr, xer, ccr; mc_fregs f0..f31 and fpscr; uc_regs points to
 * uc_mcontext. The handler runs with r1 = frame - 80 (back chain stored), r3 = sig, r4 = &info,
 * r5 = &uc, r6 = frame, lr = trampoline (li r0, 172; sc). Offsets checked against glibc's ucontext_t
 * (sizeof 1184, uc_sigmask at 52) with powerpc-linux-gnu-gcc.
 */
const SIGNAL_FRAME: SignalFrameAbi = {
  size: 128 + 1184 + 56 * 4,
  siginfo: 0,
  uc: UC,
  ucStack: UC + 8,
  ucSigmask: UC + 52,
  ucMcontext: MCONTEXT,
  trampoline: [0x380000ac, 0x44000002],
  stackPointer: (s: CpuState) => get32(s, "r1"),
  saveRegisters(io: StructIO, s: CpuState, frame: number, pc: number): void {
    io.writeField(frame + UC + 48, "u32", frame + MCONTEXT);
    const g = frame + MCONTEXT;
    for (let i = 0; i < 32; i++) io.writeField(g + i * 4, "u32", get32(s, `r${i}`));
    io.writeField(g + PT_NIP * 4, "u32", pc);
    io.writeField(g + PT_MSR * 4, "u32", USER_MSR);
    io.writeField(g + PT_CTR * 4, "u32", get32(s, "ctr"));
    io.writeField(g + PT_LNK * 4, "u32", get32(s, "lr"));
    io.writeField(g + PT_XER * 4, "u32", readXER(s));
    io.writeField(g + PT_CCR * 4, "u32", readCR(s));
    for (let i = 0; i < 32; i++) io.writeField(frame + FPREGS + i * 8, "u64", has(s, `f${i}`) ? BigInt(s.get(`f${i}`)) : 0n);
    io.writeField(frame + FPREGS + 32 * 8 + 4, "u32", get32(s, "fpscr"));
  },
  restoreRegisters(io: StructIO, s: CpuState, frame: number): void {
    const g = Number(io.readField(frame + UC + 48, "u32"));
    for (let i = 0; i < 32; i++) set32(s, `r${i}`, Number(io.readField(g + i * 4, "u32")));
    set32(s, "pc", Number(io.readField(g + PT_NIP * 4, "u32")));
    set32(s, "ctr", Number(io.readField(g + PT_CTR * 4, "u32")));
    set32(s, "lr", Number(io.readField(g + PT_LNK * 4, "u32")));
    writeXER(s, Number(io.readField(g + PT_XER * 4, "u32")));
    writeCR(s, Number(io.readField(g + PT_CCR * 4, "u32")));
    const f = g + 48 * 4;
    for (let i = 0; i < 32; i++) if (has(s, `f${i}`)) s.set(`f${i}`, io.readField(f + i * 8, "u64"));
    set32(s, "fpscr", Number(io.readField(f + 32 * 8 + 4, "u32")));
  },
  enterHandler(io: StructIO, s: CpuState, sig: number, handler: number, frame: number, restorer: number): void {
    const sp = frame - HANDLER_FRAME;
    io.writeField(sp, "u32", get32(s, "r1"));
    set32(s, "r1", sp);
    set32(s, "r3", sig);
    set32(s, "r4", frame);
    set32(s, "r5", frame + UC);
    set32(s, "r6", frame);
    set32(s, "lr", restorer);
    set32(s, "pc", handler);
  },
  frameAtSigreturn: (s: CpuState) => get32(s, "r1") + HANDLER_FRAME,
};

/** The ppc32 (big-endian, 32-bit) Linux ABI. */
export const PPC32_ABI: GuestAbi = {
  name: "ppc32",
  machine: "ppc",
  bigEndian: true,
  wordSize: 4,
  syscalls: SYSCALLS,
  aliases: {
    fstat64: "fstat", fstatat64: "newfstatat", fcntl64: "fcntl", ugetrlimit: "getrlimit",
    clock_getres_time64: "clock_getres64",
    clock_nanosleep_time64: "clock_nanosleep64",
  },
  unsupported: {
    fstat: "the old 32-bit struct stat; glibc uses fstat64/statx",
    getrlimit: "the old clamped variant; glibc uses ugetrlimit/prlimit64",
  },
  syscallNumber: (s: CpuState) => get32(s, "r0"),
  arg: (s: CpuState, i: number) => BigInt(get32(s, `r${3 + i}`)),
  setResult: (s: CpuState, v: bigint) => {
    const err = v < 0n && v >= -4095n;
    set32(s, "r3", Number(BigInt.asIntN(32, err ? -v : v)));
    setSummaryOverflow(s, err);
  },
  openFlags: { O_DIRECTORY: 0o40000, O_NOFOLLOW: 0o100000, O_LARGEFILE: 0o200000, O_DIRECT: 0o400000 },
  ioctl: { TCGETS: 0x402c7413, TIOCGWINSZ: 0x40087468 },
  structs: {
    /** struct stat64 */
    stat: {
      size: 104,
      fields: {
        st_dev: [0, "u64"], st_ino: [8, "u64"], st_mode: [16, "u32"], st_nlink: [20, "u32"], st_uid: [24, "u32"],
        st_gid: [28, "u32"], st_rdev: [32, "u64"], st_size: [48, "i64"], st_blksize: [56, "i32"],
        st_blocks: [64, "i64"], st_atime: [72, "i32"], st_atime_nsec: [76, "u32"], st_mtime: [80, "i32"],
        st_mtime_nsec: [84, "u32"], st_ctime: [88, "i32"], st_ctime_nsec: [92, "u32"],
      },
    },
    statx: STATX_LAYOUT,
    timespec: { size: 8, fields: { tv_sec: [0, "i32"], tv_nsec: [4, "i32"] } },
    timespec64: TIMESPEC64_LAYOUT,
    timeval: { size: 8, fields: { tv_sec: [0, "i32"], tv_usec: [4, "i32"] } },
    iovec: { size: 8, fields: { iov_base: [0, "u32"], iov_len: [4, "u32"] } },
    rlimit: { size: 8, fields: { rlim_cur: [0, "u32"], rlim_max: [4, "u32"] } },
    rlimit64: RLIMIT64_LAYOUT,
    /** handler, flags, restorer, mask */
    sigaction: {
      size: 20,
      fields: { sa_handler: [0, "u32"], sa_flags: [4, "u32"], sa_restorer: [8, "u32"], sa_mask: [12, "sigset"] },
    },
    stack: { size: 12, fields: { ss_sp: [0, "u32"], ss_flags: [4, "i32"], ss_size: [8, "u32"] } },
    sysinfo: {
      size: 64,
      fields: {
        uptime: [0, "i32"], loads0: [4, "u32"], loads1: [8, "u32"], loads2: [12, "u32"], totalram: [16, "u32"],
        freeram: [20, "u32"], sharedram: [24, "u32"], bufferram: [28, "u32"], totalswap: [32, "u32"],
        freeswap: [36, "u32"], procs: [40, "u16"], totalhigh: [44, "u32"], freehigh: [48, "u32"], mem_unit: [52, "u32"],
      },
    },
    /** powerpc struct termios: c_cc[19] before c_line, then the speeds */
    termios: {
      size: 44,
      fields: {
        c_iflag: [0, "u32"], c_oflag: [4, "u32"], c_cflag: [8, "u32"], c_lflag: [12, "u32"], c_cc: [16, "u8"],
        c_line: [35, "u8"], c_ispeed: [36, "u32"], c_ospeed: [40, "u32"],
      },
    },
    winsize: WINSIZE_LAYOUT,
    rusage: {
      size: 72,
      fields: { ru_utime_sec: [0, "i32"], ru_utime_usec: [4, "i32"], ru_stime_sec: [8, "i32"], ru_stime_usec: [12, "i32"], ru_maxrss: [16, "i32"] },
    },
    tms: { size: 16, fields: { tms_utime: [0, "i32"], tms_stime: [4, "i32"], tms_cutime: [8, "i32"], tms_cstime: [12, "i32"] } },
    siginfo: {
      size: 128,
      fields: { si_signo: [0, "i32"], si_errno: [4, "i32"], si_code: [8, "i32"], si_addr: [12, "u32"], si_pid: [12, "i32"], si_uid: [16, "u32"] },
    },
  },
  signalFrame: SIGNAL_FRAME,
};
