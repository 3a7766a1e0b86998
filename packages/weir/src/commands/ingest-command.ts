/**
 * `weir ingest <source>`: load a source table now. For a stream table, `--follow` keeps consuming
 * micro-batches into its landing table (each one committed with its broker positions before it is
 * acknowledged) with a live progress line, and publishes a checked version every
 * `--publish-every`; Ctrl-C stops consuming, publishes what landed, and exits.
 */
import type { Command } from 'commander';
import { WeirError, ensureLanding, ingestStream, newRunId, openStreamConnector, type StreamProgress } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { requireAsset, takeRunLock, withLockedProject } from './command-options.js';
import { executeRun } from './run-command.js';

interface IngestOptions {
  follow?: boolean;
  publishEvery: string;
  wait?: boolean;
  json?: boolean;
}

/** Registers `ingest`. */
export function registerIngestCommand(program: Command, exit: ExitBox): void {
  program
    .command('ingest <source>')
    .description('load a source table now; with --follow, keep consuming a stream and publish a checked version periodically')
    .option('-f, --follow', 'stream tables: keep consuming until interrupted (Ctrl-C publishes what landed and exits)')
    .option('--publish-every <seconds>', 'with --follow: publish a checked version this often', '60')
    .option('--wait', 'wait for another run of this project to finish instead of refusing')
    .option('--json', 'print the run result as JSON')
    .action(async (name: string, options: IngestOptions, command: Command) => {
      exit.code = await withLockedProject(command, async (runtime, held) => {
        const asset = requireAsset(runtime.project, name);
        const publish = () => executeRun(runtime, held, { selected: new Set([asset.name]), select: [asset.name], exclude: [], command: 'ingest', options: { ...options, wait: true } });
        if (!options.follow) return await publish();
        if (asset.kind !== 'stream') {
          throw new WeirError('USAGE', `${asset.name} is not a stream table, so there is nothing to follow`, { hint: `load it with: weir ingest ${asset.name}` });
        }
        const publishEverySeconds = Number(options.publishEvery);
        if (!Number.isFinite(publishEverySeconds) || publishEverySeconds <= 0) throw new WeirError('USAGE', `--publish-every must be a number of seconds > 0, not "${options.publishEvery}"`);

        // A follow session's publication publishes what landed: its run reads no message, since a
        // run drains until the broker is empty, which on a busy stream never happens.
        const landedOnly = { ...asset, batch: { ...asset.batch, maxMessagesPerRun: 0 } };
        const publishLanded = () =>
          executeRun({ ...runtime, project: { ...runtime.project, assets: new Map(runtime.project.assets).set(asset.name, landedOnly) } }, held, {
            selected: new Set([asset.name]),
            select: [asset.name],
            exclude: [],
            command: 'ingest',
            options: { ...options, wait: true },
          });

        let stopping = false;
        let publishing = false;
        let publishInterrupted = false;
        let phase = new AbortController();
        const onSignal = (): void => {
          if (stopping) process.exit(130);
          stopping = true;
          // The run's own handler cancels a publication under way; the last one is then done again.
          if (publishing) publishInterrupted = true;
          process.stderr.write('\nstopping: publishing what landed (press Ctrl-C again to exit at once; nothing landed is lost)\n');
          phase.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        let code: number = EXIT.ok;
        try {
          while (!stopping) {
            phase = new AbortController();
            const timer = setTimeout(() => phase.abort(), publishEverySeconds * 1000);
            const ingestId = `ingest-${newRunId()}`;
            await takeRunLock(runtime, held, ingestId, { wait: options.wait ?? false });
            const engine = await runtime.engine();
            await ensureLanding(engine, asset.name);
            const line = progressLine(asset.name);
            try {
              await ingestStream(engine, openStreamConnector(asset), {
                asset: asset.name,
                runId: ingestId,
                policy: asset.schemaPolicy,
                ...(asset.idField === undefined ? {} : { idField: asset.idField }),
                maxMessages: asset.batch.maxMessages,
                maxWaitMs: asset.batch.maxWaitMs,
                mode: 'follow',
                signal: phase.signal,
                onBatch: line.update,
              });
            } finally {
              clearTimeout(timer);
              line.end();
              held.lock?.release();
            }
            publishing = true;
            try {
              code = await publishLanded();
            } finally {
              publishing = false;
              // The run took the lock for itself; the next micro-batches take it again.
              held.lock?.release();
            }
          }
          if (publishInterrupted) code = await publishLanded();
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        return code;
      });
    });
}

/** The live line: on a terminal rewritten in place, elsewhere one line every few seconds. */
function progressLine(asset: string): { update: (progress: StreamProgress) => void; end: () => void } {
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  let lastPrinted = 0;
  let last: StreamProgress | undefined;
  const text = (progress: StreamProgress) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = Math.round(progress.messages / seconds);
    const lag = progress.lag === null ? 'lag unknown' : `lag ${progress.lag}`;
    const extra = `${progress.deadLettered > 0 ? `, ${progress.deadLettered} dead letters` : ''}${progress.duplicates > 0 ? `, ${progress.duplicates} redelivered` : ''}`;
    return `${asset}: ${progress.messages} messages (${rate}/s), ${progress.landed} landed${extra}, ${lag}`;
  };
  return {
    update(progress) {
      last = progress;
      if (tty) process.stderr.write(`\r\x1b[K${text(progress)}`);
      else if (Date.now() - lastPrinted >= 5000) {
        lastPrinted = Date.now();
        process.stderr.write(`${text(progress)}\n`);
      }
    },
    end() {
      if (last === undefined) return;
      process.stderr.write(tty ? `\r\x1b[K${text(last)}\n` : `${text(last)}\n`);
    },
  };
}
