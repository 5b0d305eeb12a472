/**
 * Attack programs against the real sandbox: each is contained and gets the right verdict while the harness
 * (this process) and the machine carry on. Where it is safe, the same program runs once more with
 * --unsafe-no-sandbox as a control, to show that the check would catch an escape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Grade } from '../../../harness/types.js';
import { projectRoot } from '../../../harness/paths.js';
import { createCodeJudge, type CodeJudge } from '../../../judges/code/judge.js';
import { SandboxUnavailableError } from '../../../judges/code/probe.js';
import { DEFAULT_LIMITS, runSandboxed } from '../../../judges/code/sandbox.js';
import { answer, codeItem, sandboxMissing } from './helpers.js';

const py = (s: string) => JSON.stringify(s); // a Python string literal

/** Processes whose command line contains `marker` (how a planted daemon is found again). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) found.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe.skipIf(sandboxMissing())('attack programs in the sandbox', () => {
  let judge: CodeJudge;
  let fast: CodeJudge;
  let unsafe: CodeJudge;
  const warnings: string[] = [];
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    // A generous per-test limit (a loaded 2-core CI machine forks slowly); `fast` for the time-limit tests.
    judge = createCodeJudge({ testTimeout: 10, memoryMb: 1024, outputLimitMb: 4 });
    fast = createCodeJudge({ testTimeout: 2, memoryMb: 1024, outputLimitMb: 4 });
    unsafe = createCodeJudge({ testTimeout: 10, memoryMb: 1024, outputLimitMb: 4, unsafeNoSandbox: true }, (m) => warnings.push(m));
    server = createServer((s) => {
      connections += 1;
      s.end('secret-from-the-harness\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await judge?.close?.();
    await fast?.close?.();
    await unsafe?.close?.();
    await new Promise((r) => server?.close(r));
  });

  /** Runs `code` on one stdin test whose expected output is `expected`. */
  const run = (j: CodeJudge, code: string, expected: string, input = ''): Promise<Grade> =>
    j.grade(codeItem('attack', null, [{ input, output: expected }]), answer(code));

  it('runs as an unprivileged uid with no capabilities, a cleared environment and its own hostname', async () => {
    const code = `import os, socket
status = open('/proc/self/status').read()
cap = [l.split()[1] for l in status.splitlines() if l.startswith('CapEff')][0]
nnp = [l.split()[1] for l in status.splitlines() if l.startswith('NoNewPrivs')][0]
print(os.getuid(), os.getgid(), cap, nnp, socket.gethostname())
print(sorted(os.environ))`;
    // OMP_NUM_THREADS is LCB's reliability guard's, PWD bwrap's; nothing comes from the harness.
    const expected = "65534 65534 0000000000000000 1 sandbox\n['HOME', 'LANG', 'OMP_NUM_THREADS', 'PATH', 'PWD', 'PYTHONDONTWRITEBYTECODE', 'PYTHONHASHSEED', 'TMPDIR']\n";
    const g = await run(judge, code, expected);
    expect(g.details.failure ?? g.details.message).toBeNull();
    expect(g.outcome).toBe('correct');
  });

  it('cannot reach the harness on loopback (the control without sandbox can)', async () => {
    const code = `import socket
try:
    s = socket.create_connection(("127.0.0.1", ${port}), timeout=3)
    print(s.recv(100).decode().strip())
except OSError as e:
    print("blocked")`;
    const g = await run(judge, code, 'blocked\n');
    expect(g.outcome).toBe('correct');
    expect(connections).toBe(0);
    const control = await run(unsafe, code, 'blocked\n');
    expect(control.outcome).toBe('wrong');
    expect(control.details.failure).toMatchObject({ output: 'secret-from-the-harness\n' });
    expect(connections).toBe(1);
  });

  it('has no network beyond its own loopback: outside addresses are unreachable', async () => {
    const code = `import socket, errno
print([name for _, name in socket.if_nameindex()])
for family, kind, addr in [(socket.AF_INET, socket.SOCK_STREAM, ("1.1.1.1", 80)), (socket.AF_INET, socket.SOCK_DGRAM, ("8.8.8.8", 53))]:
    s = socket.socket(family, kind)
    s.settimeout(3)
    try:
        if kind == socket.SOCK_STREAM:
            s.connect(addr)
        else:
            s.sendto(b"x", addr)
        print("reached")
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e)))`;
    const g = await run(judge, code, "['lo']\nENETUNREACH\nENETUNREACH\n");
    expect(g.details.failure ?? null).toBeNull();
    expect(g.outcome).toBe('correct');
  });

  it('cannot write outside its private /tmp (the control without sandbox can)', async () => {
    const hostDir = mkdtempSync(join(tmpdir(), 'dseval-attack-'));
    chmodSync(hostDir, 0o777); // writable by anyone, so only the sandbox's view of the filesystem protects it
    try {
      const targets = [join(hostDir, 'pwned'), '/usr/pwned', join(projectRoot, 'pwned'), '/pwned', '/tmp/ok'];
      const code = `import json
for path in json.loads(${py(JSON.stringify(targets))}):
    try:
        with open(path, "w") as f:
            f.write("x")
        print("written")
    except OSError:
        print("blocked")`;
      const g = await run(judge, code, 'blocked\nblocked\nblocked\nblocked\nwritten\n');
      expect(g.details.failure ?? null).toBeNull();
      expect(g.outcome).toBe('correct');
      expect(readdirSync(hostDir)).toEqual([]);
      expect(existsSync(join(projectRoot, 'pwned'))).toBe(false);
      const control = await run(unsafe, `open(${py(join(hostDir, 'pwned'))}, "w").write("x")\nprint("written")`, 'blocked\n');
      expect(control.details.failure).toMatchObject({ output: 'written\n' });
      expect(readdirSync(hostDir)).toEqual(['pwned']);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  it("cannot read the harness's environment or its home and working directories (the control can see them)", async () => {
    process.env.DSEVAL_ATTACK_SECRET = 'sk-dseval-attack-canary';
    try {
      const code = `import os
secret = "sk-dseval-attack-canary"
leaked = any(secret in v for v in os.environ.values())
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            leaked = leaked or secret.encode() in open(f"/proc/{pid}/environ", "rb").read()
        except OSError:
            pass
print("leaked" if leaked else "clean")
for path in (${py(homedir())}, "/root", ${py(process.cwd())}, "/etc"):
    try:
        os.listdir(path)
        print("visible")
    except OSError:
        print("hidden")`;
      const g = await run(judge, code, 'clean\nhidden\nhidden\nhidden\nhidden\n');
      expect(g.details.failure ?? null).toBeNull();
      expect(g.outcome).toBe('correct');
      const control = await run(unsafe, code, 'clean\nhidden\nhidden\nhidden\nhidden\n');
      expect(control.outcome).toBe('wrong'); // without the sandbox the directories are visible (the env stays cleared)
      expect(String((control.details.failure as { output: string }).output)).toMatch(/^clean\nvisible/);
    } finally {
      delete process.env.DSEVAL_ATTACK_SECRET;
    }
  });

  it('refuses to create processes, so a fork bomb gets nowhere, while other programs keep running', async () => {
    const marker = `0.000${Date.now()}`;
    const bomb = `import posix, errno
n = 0
try:
    for _ in range(5000):
        if posix.fork() == 0:
            posix.execv("/usr/bin/sleep", ["sleep", "120", ${py(marker)}])
        n += 1
except OSError as e:
    print(errno.errorcode[e.errno], n)`;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const [g, neighbour] = await Promise.all([run(judge, bomb, 'EAGAIN 0\n'), run(judge, 'print(int(input()) * 2)', '84\n', '42\n')]);
    lag.disable();
    expect(g.details.failure ?? null).toBeNull();
    expect(g.outcome).toBe('correct');
    expect(neighbour.outcome).toBe('correct');
    expect(processesWith(marker)).toEqual([]);
    expect(lag.max / 1e6).toBeLessThan(2000); // the harness's event loop kept running
  });

  it('where processes are allowed, the process limit stops a fork bomb and nothing survives the sandbox', async () => {
    expect(judge.sandbox.processLimitEnforced).toBe(true);
    const marker = `0.000${Date.now()}2`;
    const bomb = `import os, time
n = 0
try:
    for _ in range(5000):
        if os.fork() == 0:
            os.setsid()
            os.execv("/usr/bin/sleep", ["sleep", "120", ${py(marker)}])
        n += 1
except OSError:
    pass
print("limited" if n < 100 else f"unlimited {n}")`;
    const o = await runSandboxed(judge.sandbox, { command: ['/usr/bin/python3', '-c', bomb], stdin: Buffer.alloc(0), limits: { ...DEFAULT_LIMITS, wallMs: 30_000 }, allowProcesses: true });
    expect(o.stdout).toBe('limited\n');
    expect(processesWith(marker)).toEqual([]);
  });

  it('stops a program allocating 20 GB, or growing without end, with MLE', async () => {
    const big = await run(judge, 'x = bytearray(20 * 1024 ** 3)\nprint(len(x))', '0\n');
    expect(big.details).toMatchObject({ verdict: 'MLE', lcb: [-4] });
    const grow = await run(judge, 'chunks = []\nwhile True:\n    chunks.append(bytes(10 ** 8))', '0\n');
    expect(grow.details).toMatchObject({ verdict: 'MLE' });
    expect(grow.outcome).toBe('wrong');
  });

  it('stops a program that spins forever: TLE by the per-test alarm, or by the global limit when it ignores the alarm', async () => {
    const spin = await run(fast, 'while True:\n    pass', '0\n');
    expect(spin.details).toMatchObject({ verdict: 'TLE', lcb: [-3] });
    expect(spin.details.wallMs).toBeLessThan(5000);
    const stubborn = await run(fast, 'import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass', '0\n');
    expect(stubborn.details).toMatchObject({ verdict: 'TLE', lcb: [-1], stage: 'global-timeout' });
    // LCB's global limit for one test at 2 s: (2 + 1) · 1 + 5 = 8 s (+1 s for start-up), then the parent kills it.
    expect(stubborn.details.wallMs).toBeGreaterThanOrEqual(8000);
    expect(stubborn.details.wallMs).toBeLessThan(15000);
  }, 30_000);

  it('stops printing 1 GB at the output limit, and discards output written around the capture', async () => {
    const flood = await run(judge, "import sys\nline = 'x' * 1023 + '\\n'\nfor _ in range(1 << 20):\n    sys.stdout.write(line)", '0\n');
    expect(flood.details).toMatchObject({ verdict: 'OLE' });
    expect(flood.outcome).toBe('wrong');
    const raw = await run(judge, "import os\nchunk = b'x' * (1 << 20)\nfor _ in range(1024):\n    os.write(1, chunk)\n    os.write(2, chunk)\nprint('done')", 'done\n');
    expect(raw.outcome).toBe('correct');
  }, 30_000);

  it('leaves no daemon behind: it cannot start one, and the sandbox ends any it could (the control keeps it)', async () => {
    const marker = `0.000${Date.now()}1`;
    const code = `import os, posix
pid = posix.fork()
if pid == 0:
    os.setsid()
    if posix.fork() == 0:
        posix.execv("/usr/bin/sleep", ["sleep", "300", ${py(marker)}])
    posix._exit(0)
posix.waitpid(pid, 0)
print("spawned")`;
    const g = await run(judge, code, 'spawned\n');
    expect(g.details).toMatchObject({ verdict: 'RE', message: expect.stringContaining('Resource temporarily unavailable') });
    expect(processesWith(marker)).toEqual([]);
    // With processes allowed the daemon starts, and still dies with the sandbox's pid namespace.
    const allowed = await runSandboxed(judge.sandbox, { command: ['/usr/bin/python3', '-c', code], stdin: Buffer.alloc(0), limits: DEFAULT_LIMITS, allowProcesses: true });
    expect(allowed.stdout).toBe('spawned\n');
    expect(processesWith(marker)).toEqual([]);
    const control = await run(unsafe, code, 'spawned\n');
    expect(control.outcome).toBe('correct');
    const survivors = processesWith(marker);
    expect(survivors.length).toBe(1);
    for (const pid of survivors) process.kill(pid, 'SIGKILL');
  });

  it('cannot kill its parent or the harness; killing everything it can reach only kills itself', async () => {
    const code = `import os, posix
for pid in (os.getppid(), ${process.pid}, 1):
    try:
        posix.kill(pid, 9)
    except OSError:
        pass
print("alive")`;
    const g = await run(judge, code, 'alive\n');
    expect(g.outcome).toBe('correct');
    // kill(-1) reaches every process it may signal but pid 1 and itself: here, nobody; then it kills itself.
    const all = await run(judge, 'import posix\ntry:\n    posix.kill(-1, 9)\nexcept OSError:\n    pass\nposix.kill(posix.getpid(), 9)\nprint("alive")', 'alive\n');
    expect(all.outcome).toBe('wrong');
    expect(all.details).toMatchObject({ verdict: 'RE', stage: 'crash', lcb: [-1] });
    expect(() => process.kill(process.pid, 0)).not.toThrow();
  });

  it('gets a private /tmp of bounded size: filling it fails with ENOSPC, and the next program finds it empty', async () => {
    const fill = `import errno
n = 0
try:
    while True:
        with open(f"/tmp/fill{n}", "wb") as f:
            f.write(b"\\0" * (1 << 20))
        n += 1
except OSError as e:
    print(errno.errorcode[e.errno], n <= 64)`;
    const g = await run(judge, fill, 'ENOSPC True\n');
    expect(g.details.failure ?? null).toBeNull();
    expect(g.outcome).toBe('correct');
    const next = await run(judge, 'import os\nprint(os.listdir("/tmp"))', '[]\n');
    expect(next.outcome).toBe('correct');
  });

  it('says loudly when it runs without a sandbox', () => {
    expect(unsafe.sandbox.mode).toBe('none');
    expect(warnings.join('\n')).toMatch(/WARNING: --unsafe-no-sandbox: generated code runs WITHOUT a sandbox/);
  });
});

describe('without a working bubblewrap the judge refuses', () => {
  const saved = process.env.DSEVAL_BWRAP;
  afterAll(() => {
    if (saved === undefined) delete process.env.DSEVAL_BWRAP;
    else process.env.DSEVAL_BWRAP = saved;
  });

  it('names the missing program and the way out', () => {
    process.env.DSEVAL_BWRAP = '/nonexistent/bwrap';
    const e = (() => {
      try {
        createCodeJudge({});
      } catch (err) {
        return err as Error;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(SandboxUnavailableError);
    expect(e!.message).toMatch(/bubblewrap cannot start a sandbox here/);
    expect(e!.message).toMatch(/apt-get install -y bubblewrap/);
    expect(e!.message).toMatch(/--unsafe-no-sandbox/);
  });

  it('reports what a broken bwrap said', () => {
    process.env.DSEVAL_BWRAP = '/usr/bin/false';
    expect(() => createCodeJudge({})).toThrow(/bubblewrap cannot start a sandbox here:[\s\S]*exit 1/);
  });
});
