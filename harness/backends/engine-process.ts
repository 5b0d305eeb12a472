/**
 * The engine as a child process: NDJSON over stdin/stdout (protocol in engine/README.md). Routes events to
 * the request that owns them by id, and reports a crash to every request in flight so the backend can
 * restart the engine and retry. The engine's stderr is its log; the last lines are kept for error messages.
 */
import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { engineBinary } from '../paths.js';

/** An event the engine sent for one request (tokens, done, error, loaded, stats …). */
export type EngineEvent = { id: string; event: string; [key: string]: unknown };

export class EngineCrashed extends Error {}

interface Pending {
  onEvent: (e: EngineEvent) => void;
  onCrash: (err: EngineCrashed) => void;
}

export class EngineProcess {
  private child: ResultPromise | null = null;
  private pending = new Map<string, Pending>();
  private stderrTail: string[] = [];
  private nextId = 0;
  private exited = false;
  private closing = false;

  constructor(private readonly log: (message: string) => void) {}

  start(): void {
    if (!existsSync(engineBinary)) {
      throw new Error(`the engine binary ${engineBinary} is missing; build it with \`npm install\` (or \`npm run build:engine\`)`);
    }
    this.exited = false;
    const child = execa(engineBinary, ['serve'], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
      if (process.env.DSEVAL_ENGINE_LOG) this.log(`[engine] ${line}`);
    });
    child.then((result) => {
      this.exited = true;
      if (this.closing) return;
      const why = result.signal ? `signal ${result.signal}` : `exit code ${result.exitCode}`;
      const err = new EngineCrashed(`the engine stopped (${why})${this.stderrTail.length ? `: ${this.stderrTail.slice(-3).join(' | ')}` : ''}`);
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const p of pending) p.onCrash(err);
    });
  }

  get running(): boolean {
    return this.child !== null && !this.exited;
  }

  /** The last lines the engine wrote to stderr. */
  get lastLog(): string {
    return this.stderrTail.join('\n');
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let msg: EngineEvent;
    try {
      msg = JSON.parse(line) as EngineEvent;
    } catch {
      this.log(`engine: ignoring a line that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    const p = this.pending.get(String(msg.id));
    if (p) p.onEvent(msg);
  }

  newId(prefix: string): string {
    return `${prefix}${this.nextId++}`;
  }

  send(message: object): void {
    if (!this.running) throw new EngineCrashed('the engine is not running');
    this.child!.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /**
   * Sends a request and feeds its events to `onEvent` until it returns true (the request is over).
   * Resolves then; rejects with EngineCrashed if the engine dies first, or with the engine's error event.
   */
  request(message: { id: string; op: string; [k: string]: unknown }, onEvent: (e: EngineEvent) => boolean = () => true): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, {
        onEvent: (e) => {
          let finished: boolean;
          try {
            if (e.event === 'error' && e.seq === undefined) throw new Error(String(e.message ?? 'engine error'));
            finished = onEvent(e);
          } catch (err) {
            this.pending.delete(message.id);
            return reject(err);
          }
          if (finished) {
            this.pending.delete(message.id);
            resolve();
          }
        },
        onCrash: reject,
      });
      try {
        this.send(message);
      } catch (err) {
        this.pending.delete(message.id);
        reject(err);
      }
    });
  }

  /** SIGKILLs the engine (fault injection for tests: a real crash of the real process). */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  /** Asks the engine to finish and exit; kills it if it does not within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.child) return;
    this.closing = true;
    const child = this.child;
    if (!this.exited) {
      try {
        child.stdin!.write(`${JSON.stringify({ op: 'shutdown', id: 'shutdown' })}\n`);
        child.stdin!.end();
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await child;
      clearTimeout(timer);
    }
    this.child = null;
    this.closing = false;
  }
}
