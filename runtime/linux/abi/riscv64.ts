/**
 * The riscv64 Linux ABI: asm-generic syscall numbers (a7 = number, a0..a5 = arguments, a0 = result or
 * -errno), lp64 structures, little-endian. Numbers from asm-generic/unistd.h (+ riscv_flush_icache, 259);
 * structure offsets checked with riscv64-linux-gnu-gcc offsetof() on the kernel and glibc headers.
 */
import type { CpuState } from "../../state.ts";
import {
  RLIMIT64_LAYOUT, STATX_LAYOUT, TIMESPEC64_LAYOUT, WINSIZE_LAYOUT, type GuestAbi, type SignalFrameAbi, type StructIO,
} from "./abi.ts";

const SYSCALLS: Record<number, string> = {
  0: "io_setup", 1: "io_destroy", 2: "io_submit", 3: "io_cancel", 4: "io_getevents", 5: "setxattr", 6: "lsetxattr",
  7: "fsetxattr", 8: "getxattr", 9: "lgetxattr", 10: "fgetxattr", 11: "listxattr", 12: "llistxattr",
  13: "flistxattr", 14: "removexattr", 15: "lremovexattr", 16: "fremovexattr", 17: "getcwd", 18: "lookup_dcookie",
  19: "eventfd2", 20: "epoll_create1", 21: "epoll_ctl", 22: "epoll_pwait", 23: "dup", 24: "dup3", 25: "fcntl",
  26: "inotify_init1", 27: "inotify_add_watch", 28: "inotify_rm_watch", 29: "ioctl", 30: "ioprio_set",
  31: "ioprio_get", 32: "flock", 33: "mknodat", 34: "mkdirat", 35: "unlinkat", 36: "symlinkat", 37: "linkat",
  39: "umount2", 40: "mount", 41: "pivot_root", 42: "nfsservctl", 43: "statfs", 44: "fstatfs", 45: "truncate",
  46: "ftruncate", 47: "fallocate", 48: "faccessat", 49: "chdir", 50: "fchdir", 51: "chroot", 52: "fchmod",
  53: "fchmodat", 54: "fchownat", 55: "fchown", 56: "openat", 57: "close", 58: "vhangup", 59: "pipe2",
  60: "quotactl", 61: "getdents64", 62: "lseek", 63: "read", 64: "write", 65: "readv", 66: "writev", 67: "pread64",
  68: "pwrite64", 69: "preadv", 70: "pwritev", 71: "sendfile", 72: "pselect6", 73: "ppoll", 74: "signalfd4",
  75: "vmsplice", 76: "splice", 77: "tee", 78: "readlinkat", 79: "newfstatat", 80: "fstat", 81: "sync", 82: "fsync",
  83: "fdatasync", 84: "sync_file_range", 85: "timerfd_create", 86: "timerfd_settime", 87: "timerfd_gettime",
  88: "utimensat", 89: "acct", 90: "capget", 91: "capset", 92: "personality", 93: "exit", 94: "exit_group",
  95: "waitid", 96: "set_tid_address", 97: "unshare", 98: "futex", 99: "set_robust_list", 100: "get_robust_list",
  101: "nanosleep", 102: "getitimer", 103: "setitimer", 104: "kexec_load", 105: "init_module", 106: "delete_module",
  107: "timer_create", 108: "timer_gettime", 109: "timer_getoverrun", 110: "timer_settime", 111: "timer_delete",
  112: "clock_settime", 113: "clock_gettime", 114: "clock_getres", 115: "clock_nanosleep", 116: "syslog",
  117: "ptrace", 118: "sched_setparam", 119: "sched_setscheduler", 120: "sched_getscheduler", 121: "sched_getparam",
  122: "sched_setaffinity", 123: "sched_getaffinity", 124: "sched_yield", 125: "sched_get_priority_max",
  126: "sched_get_priority_min", 127: "sched_rr_get_interval", 128: "restart_syscall", 129: "kill", 130: "tkill",
  131: "tgkill", 132: "sigaltstack", 133: "rt_sigsuspend", 134: "rt_sigaction", 135: "rt_sigprocmask",
  136: "rt_sigpending", 137: "rt_sigtimedwait", 138: "rt_sigqueueinfo", 139: "rt_sigreturn", 140: "setpriority",
  141: "getpriority", 142: "reboot", 143: "setregid", 144: "setgid", 145: "setreuid", 146: "setuid",
  147: "setresuid", 148: "getresuid", 149: "setresgid", 150: "getresgid", 151: "setfsuid", 152: "setfsgid",
  153: "times", 154: "setpgid", 155: "getpgid", 156: "getsid", 157: "setsid", 158: "getgroups", 159: "setgroups",
  160: "uname", 161: "sethostname", 162: "setdomainname", 163: "getrlimit", 164: "setrlimit", 165: "getrusage",
  166: "umask", 167: "prctl", 168: "getcpu", 169: "gettimeofday", 170: "settimeofday", 171: "adjtimex",
  172: "getpid", 173: "getppid", 174: "getuid", 175: "geteuid", 176: "getgid", 177: "getegid", 178: "gettid",
  179: "sysinfo", 180: "mq_open", 181: "mq_unlink", 182: "mq_timedsend", 183: "mq_timedreceive", 184: "mq_notify",
  185: "mq_getsetattr", 186: "msgget", 187: "msgctl", 188: "msgrcv", 189: "msgsnd", 190: "semget", 191: "semctl",
  192: "semtimedop", 193: "semop", 194: "shmget", 195: "shmctl", 196: "shmat", 197: "shmdt", 198: "socket",
  199: "socketpair", 200: "bind", 201: "listen", 202: "accept", 203: "connect", 204: "getsockname",
  205: "getpeername", 206: "sendto", 207: "recvfrom", 208: "setsockopt", 209: "getsockopt", 210: "shutdown",
  211: "sendmsg", 212: "recvmsg", 213: "readahead", 214: "brk", 215: "munmap", 216: "mremap", 217: "add_key",
  218: "request_key", 219: "keyctl", 220: "clone", 221: "execve", 222: "mmap", 223: "fadvise64", 224: "swapon",
  225: "swapoff", 226: "mprotect", 227: "msync", 228: "mlock", 229: "munlock", 230: "mlockall", 231: "munlockall",
  232: "mincore", 233: "madvise", 234: "remap_file_pages", 235: "mbind", 236: "get_mempolicy", 237: "set_mempolicy",
  238: "migrate_pages", 239: "move_pages", 240: "rt_tgsigqueueinfo", 241: "perf_event_open", 242: "accept4",
  243: "recvmmsg", 259: "riscv_flush_icache", 260: "wait4", 261: "prlimit64", 262: "fanotify_init",
  263: "fanotify_mark", 264: "name_to_handle_at", 265: "open_by_handle_at", 266: "clock_adjtime", 267: "syncfs",
  268: "setns", 269: "sendmmsg", 270: "process_vm_readv", 271: "process_vm_writev", 272: "kcmp", 273: "finit_module",
  274: "sched_setattr", 275: "sched_getattr", 276: "renameat2", 277: "seccomp", 278: "getrandom",
  279: "memfd_create", 280: "bpf", 281: "execveat", 282: "userfaultfd", 283: "membarrier", 284: "mlock2",
  285: "copy_file_range", 286: "preadv2", 287: "pwritev2", 288: "pkey_mprotect", 289: "pkey_alloc", 290: "pkey_free",
  291: "statx", 292: "io_pgetevents", 293: "rseq", 294: "kexec_file_load", 424: "pidfd_send_signal",
  425: "io_uring_setup", 426: "io_uring_enter", 427: "io_uring_register", 428: "open_tree", 429: "move_mount",
  430: "fsopen", 431: "fsconfig", 432: "fsmount", 433: "fspick", 434: "pidfd_open", 435: "clone3",
  436: "close_range", 437: "openat2", 438: "pidfd_getfd", 439: "faccessat2", 440: "process_madvise",
  441: "epoll_pwait2", 442: "mount_setattr", 443: "quotactl_fd", 444: "landlock_create_ruleset",
  445: "landlock_add_rule", 446: "landlock_restrict_self", 447: "memfd_secret", 448: "process_mrelease",
  449: "futex_waitv", 450: "set_mempolicy_home_node",
};

const ARG_REGS = ["x10", "x11", "x12", "x13", "x14", "x15"];

/** sigcontext: sc_regs (pc, x1..x31) then the D-extension state (f0..f31, fcsr) */
const FP_STATE = 32 * 8;

/**
 * struct rt_sigframe (arch/riscv/kernel/signal.c): siginfo (128 bytes) then ucontext, whose uc_mcontext
 * is 16-byte aligned at offset 176 (glibc ucontext_t: sizeof 960, fpregs at +256, fcsr at +512).
 * Returns go through a trampoline `li a7, 139 (rt_sigreturn); ecall`, as the vDSO's __vdso_rt_sigreturn.
 */
const SIGNAL_FRAME_MCONTEXT = 128 + 176;
const SIGNAL_FRAME: SignalFrameAbi = {
  size: 128 + 960,
  siginfo: 0,
  uc: 128,
  ucStack: 128 + 16,
  ucSigmask: 128 + 40,
  ucMcontext: SIGNAL_FRAME_MCONTEXT,
  trampoline: [0x08b00893, 0x00000073],
  stackPointer: (s: CpuState) => Number(BigInt.asUintN(64, s.getI64(s.layout.slot("x2")))),
  saveRegisters(io: StructIO, s: CpuState, frame: number, pc: number): void {
    const addr = frame + SIGNAL_FRAME_MCONTEXT;
    io.writeField(addr, "u64", pc);
    for (let i = 1; i < 32; i++) io.writeField(addr + i * 8, "u64", s.getI64(s.layout.slot(`x${i}`)));
    for (let i = 0; i < 32; i++) io.writeField(addr + FP_STATE + i * 8, "u64", s.getI64(s.layout.slot(`f${i}`)));
    const fcsr = (s.getI32(s.layout.slot("frm")) << 5) | s.getI32(s.layout.slot("fflags"));
    io.writeField(addr + FP_STATE + 32 * 8, "u32", fcsr);
  },
  restoreRegisters(io: StructIO, s: CpuState, frame: number): void {
    const addr = frame + SIGNAL_FRAME_MCONTEXT;
    s.setI64(s.layout.slot("pc"), io.readField(addr, "u64"));
    for (let i = 1; i < 32; i++) s.setI64(s.layout.slot(`x${i}`), io.readField(addr + i * 8, "u64"));
    for (let i = 0; i < 32; i++) s.setI64(s.layout.slot(`f${i}`), io.readField(addr + FP_STATE + i * 8, "u64"));
    const fcsr = Number(io.readField(addr + FP_STATE + 32 * 8, "u32"));
    s.setI32(s.layout.slot("fflags"), fcsr & 0x1f);
    s.setI32(s.layout.slot("frm"), (fcsr >> 5) & 7);
  },
  enterHandler(_io: StructIO, s: CpuState, sig: number, handler: number, frame: number, restorer: number): void {
    s.setI64(s.layout.slot("x10"), BigInt(sig));
    s.setI64(s.layout.slot("x11"), BigInt(frame));
    s.setI64(s.layout.slot("x12"), BigInt(frame + 128));
    s.setI64(s.layout.slot("x2"), BigInt(frame));
    s.setI64(s.layout.slot("x1"), BigInt(restorer));
    s.setI64(s.layout.slot("pc"), BigInt(handler));
  },
  frameAtSigreturn: (s: CpuState) => Number(BigInt.asUintN(64, s.getI64(s.layout.slot("x2")))),
};

/** The riscv64 (RV64GC, lp64d) Linux ABI. */
export const RISCV64_ABI: GuestAbi = {
  name: "riscv64",
  machine: "riscv64",
  bigEndian: false,
  wordSize: 8,
  syscalls: SYSCALLS,
  aliases: {},
  unsupported: {},
  syscallNumber: (s: CpuState) => Number(BigInt.asUintN(32, s.getI64(s.layout.slot("x17")))),
  arg: (s: CpuState, i: number) => BigInt.asUintN(64, s.getI64(s.layout.slot(ARG_REGS[i]!))),
  setResult: (s: CpuState, v: bigint) => s.setI64(s.layout.slot("x10"), v),
  openFlags: { O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000, O_LARGEFILE: 0o100000, O_DIRECT: 0o40000 },
  ioctl: { TCGETS: 0x5401, TIOCGWINSZ: 0x5413 },
  structs: {
    stat: {
      size: 128,
      fields: {
        st_dev: [0, "u64"], st_ino: [8, "u64"], st_mode: [16, "u32"], st_nlink: [20, "u32"], st_uid: [24, "u32"],
        st_gid: [28, "u32"], st_rdev: [32, "u64"], st_size: [48, "i64"], st_blksize: [56, "i32"],
        st_blocks: [64, "i64"], st_atime: [72, "i64"], st_atime_nsec: [80, "u64"], st_mtime: [88, "i64"],
        st_mtime_nsec: [96, "u64"], st_ctime: [104, "i64"], st_ctime_nsec: [112, "u64"],
      },
    },
    statx: STATX_LAYOUT,
    timespec: TIMESPEC64_LAYOUT,
    timespec64: TIMESPEC64_LAYOUT,
    timeval: { size: 16, fields: { tv_sec: [0, "i64"], tv_usec: [8, "i64"] } },
    iovec: { size: 16, fields: { iov_base: [0, "u64"], iov_len: [8, "u64"] } },
    rlimit: RLIMIT64_LAYOUT,
    rlimit64: RLIMIT64_LAYOUT,
    /** riscv has no SA_RESTORER: handler, flags, mask */
    sigaction: { size: 24, fields: { sa_handler: [0, "u64"], sa_flags: [8, "u64"], sa_mask: [16, "sigset"] } },
    stack: { size: 24, fields: { ss_sp: [0, "u64"], ss_flags: [8, "i32"], ss_size: [16, "u64"] } },
    sysinfo: {
      size: 112,
      fields: {
        uptime: [0, "i64"], loads0: [8, "u64"], loads1: [16, "u64"], loads2: [24, "u64"], totalram: [32, "u64"],
        freeram: [40, "u64"], sharedram: [48, "u64"], bufferram: [56, "u64"], totalswap: [64, "u64"],
        freeswap: [72, "u64"], procs: [80, "u16"], totalhigh: [88, "u64"], freehigh: [96, "u64"], mem_unit: [104, "u32"],
      },
    },
    /** asm-generic struct termios: four flag words, c_line, c_cc[19] */
    termios: {
      size: 36,
      fields: { c_iflag: [0, "u32"], c_oflag: [4, "u32"], c_cflag: [8, "u32"], c_lflag: [12, "u32"], c_line: [16, "u8"], c_cc: [17, "u8"] },
    },
    winsize: WINSIZE_LAYOUT,
    rusage: {
      size: 144,
      fields: { ru_utime_sec: [0, "i64"], ru_utime_usec: [8, "i64"], ru_stime_sec: [16, "i64"], ru_stime_usec: [24, "i64"], ru_maxrss: [32, "i64"] },
    },
    tms: { size: 32, fields: { tms_utime: [0, "i64"], tms_stime: [8, "i64"], tms_cutime: [16, "i64"], tms_cstime: [24, "i64"] } },
    siginfo: {
      size: 128,
      fields: { si_signo: [0, "i32"], si_errno: [4, "i32"], si_code: [8, "i32"], si_addr: [16, "u64"], si_pid: [16, "i32"], si_uid: [20, "u32"] },
    },
  },
  signalFrame: SIGNAL_FRAME,
};
