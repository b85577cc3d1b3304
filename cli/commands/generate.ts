import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { invalidInput } from '../../engine/errors';
import { DEFAULT_CITY, generateCity, LIMITS, type GenerateProgress } from '../../generator';
import { action } from '../run';

const whole = (flag: string, [lo, hi]: readonly [number, number]) =>
  z.coerce
    .number({ error: `--${flag} must be a number` })
    .int({ error: `--${flag} must be a whole number` })
    .min(lo, { error: `--${flag} must be at least ${lo}` })
    .max(hi, { error: `--${flag} must be at most ${hi}` });

const Flags = z.object({
  out: z.string({ error: '--out DIR is required' }).min(1, { error: '--out DIR is required' }),
  people: whole('people', LIMITS.people),
  stations: whole('stations', LIMITS.stations),
  days: whole('days', LIMITS.days),
  seed: whole('seed', LIMITS.seed),
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: '--start must be a date YYYY-MM-DD' }),
  outbreaks: whole('outbreaks', [0, 1000]).optional(),
  sporadicCases: whole('sporadic-cases', [0, 1000]).optional(),
  mobility: z.coerce
    .number({ error: '--mobility must be a number' })
    .gt(0, { error: '--mobility must be above 0' })
    .max(1, { error: '--mobility must be at most 1' }),
  json: z.boolean().default(false),
});

export function register(program: Command): void {
  program
    .command('generate')
    .description('write a seeded synthetic city (stations, people, passages, declarations, planted outbreaks, confirmed cases)')
    .requiredOption('--out <dir>', 'output folder (created if missing; its files are overwritten)')
    .option('--people <n>', 'residents in the registry', String(DEFAULT_CITY.people))
    .option('--stations <n>', 'checkpoints and places', String(DEFAULT_CITY.stations))
    .option('--days <n>', 'days of movement', String(DEFAULT_CITY.days))
    .option('--seed <n>', 'random seed: same arguments, same bytes', String(DEFAULT_CITY.seed))
    .option('--start <date>', 'first day (YYYY-MM-DD, Ho Chi Minh City time)', DEFAULT_CITY.start)
    .option('--outbreaks <n>', 'planted outbreak clusters (default: grows with --people, at most 5)')
    .option('--sporadic-cases <n>', 'cases with no contact besides the planted chains (default: people/200, 2 to 50)')
    .option('--mobility <p>', 'chance a person goes out on a given day (lockdown ≈ 0.1)', String(DEFAULT_CITY.mobility))
    .option('--json', 'print one JSON summary line instead of progress and text')
    .action(
      action(async (raw: Record<string, unknown>) => {
        const parsed = Flags.safeParse(raw);
        if (!parsed.success) {
          throw invalidInput('invalid options', parsed.error.issues.map((i) => ({ reason: i.message })));
        }
        const f = parsed.data;
        const bar = f.json ? undefined : progressBar();
        const summary = await generateCity(
          f.out,
          {
            people: f.people,
            stations: f.stations,
            days: f.days,
            seed: f.seed,
            start: f.start,
            mobility: f.mobility,
            ...(f.outbreaks === undefined ? {} : { outbreaks: f.outbreaks }),
            ...(f.sporadicCases === undefined ? {} : { sporadicCases: f.sporadicCases }),
          },
          bar?.update,
        ).finally(() => bar?.stop());
        if (f.json) {
          console.log(JSON.stringify(summary));
          return;
        }
        for (const file of summary.files) console.log(`${file.file.padEnd(28)} ${String(file.rows).padStart(11)} rows ${mib(file.bytes).padStart(10)}`);
        console.log(
          `${summary.passages} passages (${summary.passagesPerPersonDay} per person-day), ${summary.outbreaks} planted outbreaks, ${summary.cases} cases, ` +
            `in ${summary.seconds} s (${summary.passagesPerSecond} passages/s) → ${summary.out}`,
        );
      }),
    );
}

/** A progress bar on stderr; cli-progress draws nothing when stderr is not a terminal. */
function progressBar(): { update: (p: GenerateProgress) => void; stop: () => void } {
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{phase} |{bar}| {percentage}% | {value}/{total} {unit} | {passages} passages | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
  });
  let phase = '';
  return {
    update: (p) => {
      if (p.phase !== phase) {
        if (phase !== '') bar.stop();
        phase = p.phase;
        bar.start(p.total, 0, { phase: p.phase.padEnd(8), unit: p.phase === 'people' ? 'people' : 'person-days', passages: 0 });
      }
      bar.update(p.done, { passages: p.passages });
    },
    stop: () => bar.stop(),
  };
}

function mib(bytes: number): string {
  return bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
