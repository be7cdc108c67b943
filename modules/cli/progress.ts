/**
 * A progress line for long runs: one line on stderr, rewritten in place and cleared at the end. Only
 * when stderr is a terminal, and only once the run has taken longer than a moment, so CI logs and
 * quick runs stay clean.
 */

export interface Progress {
  update(done: number, total: number): void;
  /** Clears the line if one was drawn. Call once, before printing the result. */
  end(): void;
}

export interface ProgressOptions {
  /** Nothing is drawn before this much time has passed. @default 1000 */
  readonly afterMs?: number;
  /** Redraw at most this often. @default 100 */
  readonly everyMs?: number;
  readonly now?: () => number;
}

const CLEAR_LINE = "\r\x1b[K";

export function progressLine(stream: NodeJS.WritableStream, label: string, options: ProgressOptions = {}): Progress {
  if ((stream as NodeJS.WriteStream).isTTY !== true) return { update: () => {}, end: () => {} };
  const now = options.now ?? Date.now;
  const afterMs = options.afterMs ?? 1000;
  const everyMs = options.everyMs ?? 100;
  const started = now();
  let drawnAt: number | undefined;
  return {
    update(done, total) {
      const t = now();
      if (t - started < afterMs || (drawnAt !== undefined && t - drawnAt < everyMs && done < total)) return;
      drawnAt = t;
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
      stream.write(`${CLEAR_LINE}${label} ${done}/${total} (${percent}%)`);
    },
    end() {
      if (drawnAt !== undefined) stream.write(CLEAR_LINE);
      drawnAt = undefined;
    },
  };
}
