import cliProgress from 'cli-progress';

/** Progress of one epoch, shown as a bar on a terminal and as plain lines elsewhere. */
export interface Progress {
  start(epoch: number, epochs: number, total: number, done: number): void;
  update(done: number, info: { loss: number; imagesPerSec: number }): void;
  stop(): void;
  log(line: string): void;
}

/** How training progress is shown: a bar on a terminal, plain lines, or nothing (`auto` picks). */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** A progress bar (cli-progress) when stderr is a terminal, plain log lines every `every` steps otherwise. */
export function createProgress(mode: ProgressMode = 'auto', every = 50): Progress {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'bar') return barProgress();
  if (resolved === 'none') return { start() {}, update() {}, stop() {}, log() {} };
  return linesProgress(every);
}

function barProgress(): Progress {
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(epoch, epochs, total, done) {
      bar = new cliProgress.SingleBar(
        {
          format: `epoch ${epoch + 1}/${epochs} |{bar}| {value}/{total} steps | loss {loss} | {ips} img/s | ETA {eta_formatted}`,
          hideCursor: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, done, { loss: '-', ips: '-' });
    },
    update(done, info) {
      bar?.update(done, { loss: info.loss.toFixed(4), ips: info.imagesPerSec.toFixed(1) });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
    log(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}

function linesProgress(every: number): Progress {
  let header = '';
  let total = 0;
  let startedAt = 0;
  let startDone = 0;
  return {
    start(epoch, epochs, t, done) {
      header = `epoch ${epoch + 1}/${epochs}`;
      total = t;
      startDone = done;
      startedAt = performance.now();
    },
    update(done, info) {
      if (done % every !== 0 && done !== total) return;
      const rate = (done - startDone) / ((performance.now() - startedAt) / 1000);
      const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
      process.stderr.write(
        `${header} step ${done}/${total} loss ${info.loss.toFixed(4)} ${info.imagesPerSec.toFixed(1)} img/s ETA ${eta}s\n`,
      );
    },
    stop() {},
    log(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}
