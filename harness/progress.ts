/**
 * Run progress on stderr: a live bar on a TTY (done/total, rate, ETA, errors so far), plain periodic lines
 * otherwise (logs, CI). The count covers attempts generated; grading is reported apart when it lags.
 */
export interface Progress {
  start(total: number, alreadyDone: number): void;
  tick(ok: boolean): void;
  /** A message for the user (always printed, without breaking the bar). */
  log(message: string): void;
  finish(): void;
}

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

const fmtDuration = (s: number) => {
  if (!Number.isFinite(s)) return '--:--';
  s = Math.round(s);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
};

export function createProgress(mode: ProgressMode, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = mode === 'bar' || (mode === 'auto' && Boolean(stream.isTTY));
  const quiet = mode === 'none';
  let total = 0;
  let done = 0;
  let resumed = 0;
  let errors = 0;
  let startedAt = 0;
  let lastLine = 0;
  let timer: NodeJS.Timeout | null = null;
  let drawn = false;

  const status = () => {
    const elapsed = (Date.now() - startedAt) / 1000;
    const fresh = done - resumed;
    const rate = elapsed > 0 ? fresh / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const pct = total ? (100 * done) / total : 100;
    return { elapsed, rate, eta, pct };
  };

  const drawBar = () => {
    const { rate, eta, pct } = status();
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 60));
    const filled = Math.round((width * pct) / 100);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line = `${label} ${bar} ${done}/${total} ${pct.toFixed(0)}% ${rate.toFixed(2)}/s ETA ${fmtDuration(eta)} errors ${errors}`;
    stream.write(`\r\x1b[2K${line}`);
    drawn = true;
  };

  const printLine = () => {
    const { rate, eta, pct } = status();
    stream.write(`${label}: ${done}/${total} attempts (${pct.toFixed(1)}%), ${rate.toFixed(2)}/s, ETA ${fmtDuration(eta)}, errors ${errors}\n`);
    lastLine = Date.now();
  };

  return {
    start(t, already) {
      total = t;
      done = already;
      resumed = already;
      startedAt = Date.now();
      lastLine = startedAt;
      if (quiet) return;
      if (tty) {
        drawBar();
        timer = setInterval(drawBar, 250);
        timer.unref();
      } else {
        printLine();
      }
    },
    tick(ok) {
      done += 1;
      if (!ok) errors += 1;
      if (quiet || tty) return;
      // Plain lines: every 10 s, and at completion.
      if (Date.now() - lastLine >= 10_000 || done === total) printLine();
    },
    log(message) {
      // Messages (resume notes, failures) are printed in every mode; only the bar and lines are optional.
      if (tty && drawn) stream.write('\r\x1b[2K');
      stream.write(`${message}\n`);
      if (tty && timer) drawBar();
    },
    finish() {
      if (timer) clearInterval(timer);
      timer = null;
      if (quiet) return;
      if (tty) {
        drawBar();
        stream.write('\n');
      }
    },
  };
}
