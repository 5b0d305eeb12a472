/**
 * A seccomp-bpf filter that forbids creating processes while allowing threads: fork, vfork and clone without
 * CLONE_THREAD fail with EAGAIN, clone3 with ENOSYS (its flags live in memory a filter cannot read, and glibc
 * then falls back to clone for threads). A solution has no business starting processes — LiveCodeBench's own
 * guard sets os.fork and subprocess.Popen to None — and without them a fork bomb or a daemon cannot exist and
 * memory is bounded by one address-space limit instead of one per process.
 *
 * bwrap loads the raw program (an array of struct sock_filter) from a file descriptor (--seccomp FD).
 */
const LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JGE_K = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K
const RET_K = 0x06; // BPF_RET | BPF_K

const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
const RET_KILL_PROCESS = 0x80000000;
const EAGAIN = 11;
const ENOSYS = 38;
const CLONE_THREAD = 0x00010000;
const X32_SYSCALL_BIT = 0x40000000;

interface Arch {
  audit: number;
  clone: number;
  clone3: number;
  /** fork and vfork, where the architecture has them. */
  forks: number[];
}

const ARCHES: Record<string, Arch> = {
  x64: { audit: 0xc000003e, clone: 56, clone3: 435, forks: [57, 58] },
  arm64: { audit: 0xc00000b7, clone: 220, clone3: 435, forks: [] },
};

type Insn = { code: number; k: number; jt?: string; jf?: string; label?: string };

/** The filter for this machine's architecture, or null where it is not supported (no filter then). */
export function noProcessesFilter(arch: string = process.arch): Buffer | null {
  const a = ARCHES[arch];
  if (!a) return null;
  const prog: Insn[] = [
    { code: LD_W_ABS, k: 4 }, // seccomp_data.arch
    { code: JEQ_K, k: a.audit, jf: 'kill' },
    { code: LD_W_ABS, k: 0 }, // seccomp_data.nr
    ...(arch === 'x64' ? [{ code: JGE_K, k: X32_SYSCALL_BIT, jt: 'enosys' }] : []),
    ...a.forks.map((nr) => ({ code: JEQ_K, k: nr, jt: 'eagain' })),
    { code: JEQ_K, k: a.clone3, jt: 'enosys' },
    { code: JEQ_K, k: a.clone, jf: 'allow' },
    { code: LD_W_ABS, k: 16 }, // low 32 bits of args[0]: clone's flags
    { code: AND_K, k: CLONE_THREAD },
    { code: JEQ_K, k: CLONE_THREAD, jf: 'eagain' },
    { code: RET_K, k: RET_ALLOW, label: 'allow' },
    { code: RET_K, k: RET_ERRNO | EAGAIN, label: 'eagain' },
    { code: RET_K, k: RET_ERRNO | ENOSYS, label: 'enosys' },
    { code: RET_K, k: RET_KILL_PROCESS, label: 'kill' },
  ];
  const at = new Map(prog.flatMap((p, i) => (p.label ? [[p.label, i] as const] : [])));
  const offset = (i: number, label?: string) => (label === undefined ? 0 : at.get(label)! - i - 1);
  const out = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    out.writeUInt16LE(p.code, i * 8); // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } (little-endian hosts)
    out.writeUInt8(offset(i, p.jt), i * 8 + 2);
    out.writeUInt8(offset(i, p.jf), i * 8 + 3);
    out.writeUInt32LE(p.k >>> 0, i * 8 + 4);
  });
  return out;
}
