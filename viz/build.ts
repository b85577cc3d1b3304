import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles the tracers' view into viz/dist (served by the API at `/`): viz/src/main.ts with d3
 * from node_modules → app.js, plus the static files. Nothing is loaded from the internet at run
 * time. `npm run build:viz`; the e2e tests call buildViz() themselves.
 */

export const VIZ_ROOT = __dirname;
export const VIZ_DIST = path.join(__dirname, 'dist');
const PROJECT_ROOT = path.join(__dirname, '..');

export interface VizBuild {
  readonly outDir: string;
  readonly files: { name: string; bytes: number }[];
}

export async function buildViz(outDir: string = VIZ_DIST, options: { minify?: boolean } = {}): Promise<VizBuild> {
  fs.mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [path.join(VIZ_ROOT, 'src', 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16', 'edge110'],
    minify: options.minify ?? true,
    sourcemap: true,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'silent',
    tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
    // The metafile's input paths are relative to this. Without it, esbuild uses the working
    // folder it was loaded in, and `truyvet up` run from elsewhere could not find the licenses below.
    absWorkingDir: PROJECT_ROOT,
  });
  // Only the files that left code in the bundle (d3's index names every d3 package; most are shaken out).
  const used = Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([file]) => file));
  fs.writeFileSync(path.join(outDir, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(used));
  // The static files as they are, data/ too (the district outlines, fetched at run time with their license beside them).
  fs.cpSync(path.join(VIZ_ROOT, 'static'), outDir, { recursive: true });
  const files = fs
    .readdirSync(outDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => fs.statSync(path.join(outDir, name)).isFile())
    .sort()
    .map((name) => ({ name, bytes: fs.statSync(path.join(outDir, name)).size }));
  return { outDir, files };
}

/**
 * The license texts of the npm packages bundled into app.js (d3 and its parts are ISC: the
 * notice must travel with the copy), one after the other.
 */
export function thirdPartyLicenses(inputs: readonly string[]): string {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'));
    if (m?.[1]) dirs.add(m[1]);
  }
  const parts: string[] = [];
  for (const dir of [...dirs].sort()) {
    const abs = path.resolve(PROJECT_ROOT, dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(abs, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const file = fs.readdirSync(abs).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    const text = file ? fs.readFileSync(path.join(abs, file), 'utf8').trim() : `License: ${pkg.license ?? 'unknown'}`;
    parts.push(`${pkg.name}@${pkg.version} (${pkg.license ?? '?'})\n\n${text}\n`);
  }
  return `Third-party software bundled in app.js\n\n${parts.join('\n' + '-'.repeat(72) + '\n\n')}`;
}

if (require.main === module) {
  buildViz(process.argv[2] ?? VIZ_DIST).then(
    (r) => {
      for (const f of r.files) process.stdout.write(`${f.name.padEnd(16)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB\n`);
      process.stdout.write(`built the view into ${path.relative(process.cwd(), r.outDir) || '.'}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`viz build failed: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
