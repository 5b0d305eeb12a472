/**
 * Finding a sandbox that works on this machine, once per process, before any grading: bubblewrap entered as an
 * unprivileged host uid when the harness is root, else as the caller; with the no-processes seccomp filter
 * where the architecture has one. Refuses with what failed and how to fix it.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DEFAULT_LIMITS, SANDBOX_ENV, SANDBOX_HOST_UID, sandboxArgv, type SandboxSetup } from './sandbox.js';
import { noProcessesFilter } from './seccomp.js';

export class SandboxUnavailableError extends Error {}

/** Finds an executable on the harness's PATH (the sandbox's own environment is cleared). */
export function findExecutable(name: string): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/bin', '/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

const probeCache = new Map<string, SandboxSetup>();

/**
 * Finds a working sandbox for `probeCommand` (which must print `expect`), trying the strongest first.
 * Synchronous and cached per process: it runs once, when a judge is created, before any grading.
 * Throws SandboxUnavailableError with what failed and how to fix it.
 */
export function setupSandbox(opts: { unsafe: boolean; probeCommand: string[]; expect: string }): SandboxSetup {
  const key = JSON.stringify([opts, process.env.DSEVAL_BWRAP ?? '']);
  const cached = probeCache.get(key);
  if (cached) return cached;
  const prlimit = findExecutable('prlimit');
  if (!prlimit) throw new SandboxUnavailableError('prlimit (util-linux) is not installed; the code judge needs it for resource limits');
  let setup: SandboxSetup;
  if (opts.unsafe) {
    setup = { mode: 'none', hostUid: null, processLimitEnforced: false, description: 'NO SANDBOX (unsafe mode): rlimits only', bwrap: null, setpriv: null, prlimit, probeOutput: '', seccompFile: null };
    const r = probe(setup, opts.probeCommand, opts.expect);
    if (!r.ok) throw new SandboxUnavailableError(`cannot run ${opts.probeCommand[0]}: ${r.error}`);
    setup.probeOutput = r.output;
  } else {
    setup = probeBwrap(prlimit, opts.probeCommand, opts.expect);
  }
  probeCache.set(key, setup);
  return setup;
}

function probe(setup: SandboxSetup, command: string[], expect: string): { ok: true; output: string } | { ok: false; error: string } {
  const argv = sandboxArgv(setup, { ...DEFAULT_LIMITS, wallMs: 20_000, cpuSeconds: 20 }, command, SANDBOX_ENV, setup.seccompFile !== null);
  const filter = setup.seccompFile ? openSync(setup.seccompFile, 'r') : 'ignore';
  let r: SpawnSyncReturns<string>;
  try {
    r = spawnSync(argv[0], argv.slice(1), {
      env: setup.mode === 'none' ? SANDBOX_ENV : {},
      timeout: 20_000,
      encoding: 'utf8',
      cwd: tmpdir(),
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', filter], // 3: result channel, 4: bwrap's --info-fd, 5: seccomp
    });
  } finally {
    if (typeof filter === 'number') closeSync(filter);
  }
  if (r.error) return { ok: false, error: `${argv[0]}: ${r.error.message}` };
  if (r.status === 0 && r.stdout.includes(expect)) return { ok: true, output: r.stdout };
  return { ok: false, error: `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().slice(0, 500) || '(no output)'}` };
}

const HELP =
  'Install bubblewrap (Debian/Ubuntu: `apt-get install -y bubblewrap`) and make sure unprivileged user namespaces are ' +
  'allowed (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04+ kernel.apparmor_restrict_unprivileged_userns=0). ' +
  'To run generated code WITHOUT a sandbox on a machine you can afford to lose, pass --unsafe-no-sandbox.';

let seccompFile: string | null | undefined;
/** Writes the seccomp program once per process (bwrap reads it from a descriptor opened per sandbox). */
function filterFile(): string | null {
  if (seccompFile !== undefined) return seccompFile;
  const filter = noProcessesFilter();
  if (!filter) return (seccompFile = null);
  const dir = mkdtempSync(join(tmpdir(), 'dseval-seccomp-'));
  seccompFile = join(dir, 'no-processes.bpf');
  writeFileSync(seccompFile, filter);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return seccompFile;
}

function probeBwrap(prlimit: string, command: string[], expect: string): SandboxSetup {
  // DSEVAL_BWRAP names the bwrap binary explicitly (e.g. a build outside PATH).
  const bwrap = process.env.DSEVAL_BWRAP || findExecutable('bwrap');
  if (!bwrap) throw new SandboxUnavailableError(`the code judge needs bubblewrap, and \`bwrap\` is not on PATH. ${HELP}`);
  const setpriv = findExecutable('setpriv');
  const candidates: SandboxSetup[] = [];
  const root = process.getuid?.() === 0;
  const seccomp = filterFile();
  const extra = seccomp ? ', no new processes (seccomp)' : `, no seccomp filter for ${process.arch}`;
  if (root && setpriv) {
    candidates.push({ mode: 'bwrap', hostUid: SANDBOX_HOST_UID, processLimitEnforced: true, description: `bubblewrap as host uid ${SANDBOX_HOST_UID}${extra}`, bwrap, setpriv, prlimit, probeOutput: '', seccompFile: seccomp });
  }
  candidates.push({
    mode: 'bwrap',
    hostUid: null,
    processLimitEnforced: !root,
    description: (root ? 'bubblewrap mapped to host root (process limit not enforced by the kernel)' : `bubblewrap as host uid ${process.getuid?.()}`) + extra,
    bwrap,
    setpriv,
    prlimit,
    probeOutput: '',
    seccompFile: seccomp,
  });
  const failures: string[] = [];
  for (const c of candidates) {
    const r = probe(c, command, expect);
    if (r.ok) return { ...c, probeOutput: r.output };
    failures.push(`${c.description}: ${r.error}`);
  }
  throw new SandboxUnavailableError(`bubblewrap cannot start a sandbox here:\n  ${failures.join('\n  ')}\n${HELP}`);
}

