/**
 * The sandbox every untrusted program runs in: bubblewrap builds fresh user, pid, net, ipc, uts and cgroup
 * namespaces (no network but a private loopback, no view of host processes), a filesystem of a read-only /usr
 * and a private size-bounded /tmp, an unprivileged uid with no capabilities and a cleared environment;
 * prlimit, run inside after the namespaces exist, caps CPU time, address space, processes, file size and open
 * files. A seccomp filter (seccomp.ts) refuses to create processes, unless a request allows them. The
 * wall-clock limit is the parent's: it kills the process group, and with it the sandbox's pid 1, which takes
 * every process left inside (daemons included) down with it.
 *
 * When the harness runs as root, the sandbox is entered through setpriv as an unprivileged host uid: bwrap
 * would otherwise map the sandbox to host root, for which the kernel does not enforce RLIMIT_NPROC.
 *
 * Descriptors the harness inherited from its own parent reach the sandboxed command; its first program must
 * close them (runner.py does) before running anything untrusted.
 */
import { spawn } from 'node:child_process';
import { closeSync, lstatSync, openSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SandboxLimits {
  /** Wall-clock limit, enforced by the parent (SIGKILL to the process group). */
  wallMs: number;
  /** RLIMIT_CPU of each process (seconds). */
  cpuSeconds: number;
  /** RLIMIT_AS of each process (bytes). */
  memoryBytes: number;
  /** RLIMIT_NPROC: processes and threads inside the sandbox. */
  processes: number;
  /** RLIMIT_FSIZE (bytes). */
  fileSizeBytes: number;
  /** RLIMIT_NOFILE. */
  openFiles: number;
  /** Size of the private /tmp (bytes). */
  tmpBytes: number;
  /** Bytes of the command's stdout and stderr kept each; the rest is read and dropped. */
  keepOutputBytes: number;
  /** Bytes kept from the result channel (fd 3). */
  keepChannelBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  wallMs: 60_000,
  cpuSeconds: 60,
  memoryBytes: 4 * 1024 ** 3,
  processes: 32,
  fileSizeBytes: 64 * 1024 ** 2,
  openFiles: 256,
  tmpBytes: 64 * 1024 ** 2,
  keepOutputBytes: 64 * 1024,
  keepChannelBytes: 16 * 1024 ** 2,
};

export type SandboxMode = 'bwrap' | 'none';

/** A verified way of running sandboxed commands on this machine. */
export interface SandboxSetup {
  mode: SandboxMode;
  /** Host uid the sandbox runs as when the harness is root (entered through setpriv); null = the caller's. */
  hostUid: number | null;
  /** False when the process limit is not enforced (bwrap mapped to host root, or no sandbox). */
  processLimitEnforced: boolean;
  /** One line for logs and reports. */
  description: string;
  bwrap: string | null;
  setpriv: string | null;
  prlimit: string;
  /** What the probe command printed (e.g. the interpreter's version). */
  probeOutput: string;
  /** The no-processes seccomp program (a file bwrap reads through --seccomp), null where unsupported. */
  seccompFile: string | null;
}

/** The unprivileged host uid/gid the sandbox runs as when the harness is root ("nobody"). */
export const SANDBOX_HOST_UID = 65534;

/** Environment inside the sandbox: nothing of the harness's (no API keys), only what programs need. */
export const SANDBOX_ENV: Record<string, string> = {
  PATH: '/usr/bin:/bin',
  HOME: '/tmp',
  TMPDIR: '/tmp',
  LANG: 'C.UTF-8',
};

/** /lib, /lib64, /bin, /sbin as the host has them: symlinks into /usr (merged /usr) or read-only binds. */
function rootLinks(): string[] {
  const args: string[] = [];
  for (const dir of ['/lib', '/lib64', '/lib32', '/bin', '/sbin']) {
    try {
      const st = lstatSync(dir);
      if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
      else if (st.isDirectory()) args.push('--ro-bind', dir, dir);
    } catch {
      // absent on this host
    }
  }
  return args;
}

function prlimitArgs(setup: SandboxSetup, l: SandboxLimits): string[] {
  return [
    setup.prlimit,
    `--as=${Math.floor(l.memoryBytes)}`,
    `--cpu=${Math.max(1, Math.ceil(l.cpuSeconds))}`,
    `--nproc=${l.processes}`,
    `--fsize=${Math.floor(l.fileSizeBytes)}`,
    `--nofile=${l.openFiles}`,
    '--core=0',
    '--',
  ];
}

/** The descriptor bwrap reads the seccomp program from. */
const SECCOMP_FD = 5;

/** The full argv that runs `command` sandboxed with `limits` (`seccomp`: pass the filter on fd 5). */
export function sandboxArgv(setup: SandboxSetup, limits: SandboxLimits, command: string[], env: Record<string, string>, seccomp = false): string[] {
  const inner = [...prlimitArgs(setup, limits), ...command];
  if (setup.mode === 'none') return inner;
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]);
  const bwrap = [
    setup.bwrap!,
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    // bwrap exits as soon as the command does, while the sandbox's pid 1 may still be killing what is left;
    // the parent learns pid 1's host pid here and waits for it (see runSandboxed).
    '--info-fd', '4',
    '--ro-bind', '/usr', '/usr',
    ...rootLinks(),
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(Math.floor(limits.tmpBytes)),
    '--tmpfs', '/tmp',
    '--chdir', '/tmp',
    // bwrap's own root is a writable tmpfs; make it read-only so only /tmp takes writes
    '--remount-ro', '/',
    '--uid', String(SANDBOX_HOST_UID),
    '--gid', String(SANDBOX_HOST_UID),
    '--hostname', 'sandbox',
    '--clearenv',
    ...envArgs,
    '--cap-drop', 'ALL',
    ...(seccomp ? ['--seccomp', String(SECCOMP_FD)] : []),
    '--',
    ...inner,
  ];
  if (setup.hostUid === null) return bwrap;
  return [setup.setpriv!, `--reuid=${setup.hostUid}`, `--regid=${setup.hostUid}`, '--clear-groups', '--inh-caps=-all', '--', ...bwrap];
}

export interface SandboxRequest {
  command: string[];
  stdin: Buffer;
  limits: SandboxLimits;
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Let the command create processes (compilers need to); by default the seccomp filter refuses them. */
  allowProcesses?: boolean;
}

export interface SandboxOutcome {
  /** Exit status of the command (bwrap reports a command killed by signal N as 128 + N). */
  exitCode: number | null;
  /** The signal that ended the command, when known (from the exit status or the process itself). */
  termSignal: string | null;
  /** Killed by the parent's wall-clock limit. */
  timedOut: boolean;
  /** Killed because the caller aborted (judge closed). */
  aborted: boolean;
  wallMs: number;
  stdout: string;
  stderr: string;
  /** What the command wrote to fd 3 (the result channel). */
  channel: string;
  /** The sandbox could not be started at all. */
  spawnError: string | null;
}

const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ', 31: 'SIGSYS' };

/** Keeps the first `limit` bytes of a stream and drops the rest (still reading, so the writer never blocks). */
class Capped {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  push(b: Buffer): void {
    if (this.size >= this.limit) {
      this.truncated = true;
      return;
    }
    const take = b.subarray(0, this.limit - this.size);
    if (take.length < b.length) this.truncated = true;
    this.chunks.push(take);
    this.size += take.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs one command in the sandbox. Never throws: failures to start come back as `spawnError`. */
export async function runSandboxed(setup: SandboxSetup, req: SandboxRequest): Promise<SandboxOutcome> {
  const env = { ...SANDBOX_ENV, ...req.env };
  const seccomp = setup.mode === 'bwrap' && setup.seccompFile !== null && !req.allowProcesses;
  const argv = sandboxArgv(setup, req.limits, req.command, env, seccomp);
  // Without bwrap there is no private /tmp: the command gets a fresh directory of its own, removed after.
  const scratch = setup.mode === 'none' ? await mkdtemp(join(tmpdir(), 'dseval-unsafe-')) : null;
  const started = performance.now();
  const out = new Capped(req.limits.keepOutputBytes);
  const err = new Capped(req.limits.keepOutputBytes);
  const channel = new Capped(req.limits.keepChannelBytes);
  let timedOut = false;
  let aborted = false;
  let spawnError: string | null = null;

  // A fresh descriptor per sandbox: bwrap reads the program from the descriptor's current offset.
  const filter = seccomp ? openSync(setup.seccompFile!, 'r') : 'ignore';
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(argv[0], argv.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', filter],
      detached: true, // its own process group, so the wall-clock kill reaches everything it started
      env: setup.mode === 'none' ? { ...env, TMPDIR: scratch!, HOME: scratch! } : {},
      cwd: scratch ?? tmpdir(),
    });
  } finally {
    if (typeof filter === 'number') closeSync(filter);
  }
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  const fd3 = child.stdio[3] as NodeJS.ReadableStream;
  fd3.on('data', (b: Buffer) => channel.push(b));
  fd3.on('error', () => {});
  const info = new Capped(64 * 1024);
  const fd4 = child.stdio[4] as NodeJS.ReadableStream;
  fd4.on('data', (b: Buffer) => info.push(b));
  fd4.on('error', () => {});
  child.stdin!.on('error', () => {}); // the command may exit without reading all of stdin
  child.stdin!.end(req.stdin);

  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, req.limits.wallMs);
  const onAbort = () => {
    aborted = true;
    killGroup(child.pid);
  };
  req.signal?.addEventListener('abort', onAbort, { once: true });
  if (req.signal?.aborted) onAbort();

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (e) => {
      spawnError = `${argv[0]}: ${e.message}`;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);
  req.signal?.removeEventListener('abort', onAbort);
  // Anything the command left in its process group goes now (only possible without bwrap's pid namespace).
  killGroup(child.pid);
  await drain([child.stdout!, child.stderr!, fd3, fd4], 500);
  if (setup.mode === 'bwrap') await sandboxGone(info.text());
  const wallMs = performance.now() - started;
  if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => {});

  let termSignal: string | null = exit.signal;
  if (!termSignal && setup.mode === 'bwrap' && exit.code !== null && exit.code > 128) {
    termSignal = SIGNAL_NAMES[exit.code - 128] ?? `signal ${exit.code - 128}`;
  }
  return { exitCode: exit.code, termSignal, timedOut, aborted, wallMs, stdout: out.text(), stderr: err.text(), channel: channel.text(), spawnError };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process exists and has not finished exiting (a zombie has: its namespace is torn down). */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Waits until the sandbox's pid 1 (from bwrap's --info-fd) is gone: the kernel kills every process left in a
 * pid namespace when its pid 1 exits, so after this nothing the program started survives. Kills it if the
 * teardown takes unusually long.
 */
async function sandboxGone(infoJson: string): Promise<void> {
  const m = /"child-pid"\s*:\s*(\d+)/.exec(infoJson);
  if (!m) return; // bwrap failed before creating the sandbox
  const pid = Number(m[1]);
  for (let waited = 0; await alive(pid); waited += 2) {
    if (waited === 2000) {
      try {
        process.kill(pid, 'SIGKILL'); // the sandbox's pid 1, and with it everything in its namespace
      } catch {
        // gone meanwhile
      }
    }
    if (waited > 10_000) return;
    await sleep(2);
  }
}

/** Waits until the streams end, at most `ms` (a stray process could hold a pipe open). */
async function drain(streams: NodeJS.ReadableStream[], ms: number): Promise<void> {
  const ended = streams.map(
    (s) =>
      new Promise<void>((resolve) => {
        const r = s as NodeJS.ReadableStream & { readableEnded?: boolean; destroyed?: boolean };
        if (r.readableEnded || r.destroyed) return resolve();
        s.once('end', () => resolve());
        s.once('close', () => resolve());
        s.once('error', () => resolve());
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(ended), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
  for (const s of streams) (s as unknown as { destroy(): void }).destroy();
}
