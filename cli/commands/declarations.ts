import type { Command } from 'commander';
import { migrate } from '../../engine/db';
import { importDeclarationsFile, UNIFIED_PLATFORM, type DeclarationImportSummary } from '../../engine/declarations/import';
import { listPlatforms } from '../../engine/declarations/mapping';
import { invalidInput } from '../../engine/errors';
import { generateQrPrivateJwk, publicJwks } from '../../engine/qr/keys';
import { action, EXIT } from '../run';

/**
 * `truyvet declarations import|platforms` and `truyvet qr keygen|jwks`. An import maps each
 * record through the platform's mapping (engine/declarations/platforms), checks it against the
 * registry and stores it, rejected ones included; `--json` prints the import summary line
 * (DESIGN.md's shape plus platform, statuses and qrIssued).
 */
export function register(program: Command): void {
  const decl = program.command('declarations').description('unified health and movement declarations');
  decl
    .command('import <file>')
    .description('import declarations: JSON lines (unified form or a JSON platform) or a CSV platform export')
    .option('--platform <name>', `${UNIFIED_PLATFORM} or a mapping name (see 'truyvet declarations platforms')`, UNIFIED_PLATFORM)
    .option('--issue-at <when>', "when QR codes are issued: 'declared' (the record's time, for history) or 'now'", 'declared')
    .option('--json', 'print one JSON summary line')
    .action(action(importDeclarations));
  decl
    .command('platforms')
    .description('list the platform mappings')
    .action(
      action(async () => {
        for (const p of [UNIFIED_PLATFORM, ...listPlatforms()]) console.log(p);
        await Promise.resolve();
      }),
    );

  const qr = program.command('qr').description('the signed QR codes');
  qr.command('keygen')
    .description('print a new ES256 private JWK for TRUYVET_QR_PRIVATE_JWK (keep it secret)')
    .action(
      action(async () => {
        console.log(JSON.stringify(generateQrPrivateJwk()));
        await Promise.resolve();
      }),
    );
  qr.command('jwks')
    .description('print the public key set checkpoint devices verify codes with')
    .action(
      action(async () => {
        console.log(JSON.stringify(await publicJwks()));
      }),
    );
}

export interface DeclarationImportFlags {
  platform?: string;
  issueAt?: string;
  json?: boolean;
}

/** `truyvet declarations import FILE` and its alias `truyvet import declarations FILE`. */
export async function importDeclarations(file: string, o: DeclarationImportFlags): Promise<number> {
  const platform = o.platform ?? UNIFIED_PLATFORM;
  const issueAt = o.issueAt ?? 'declared';
  if (platform !== UNIFIED_PLATFORM && !listPlatforms().includes(platform)) {
    throw invalidInput(`--platform: unknown platform '${platform}'; known: ${[UNIFIED_PLATFORM, ...listPlatforms()].join(', ')}`);
  }
  if (issueAt !== 'declared' && issueAt !== 'now') throw invalidInput(`--issue-at must be 'declared' or 'now', not '${issueAt}'`);
  await migrate();
  const s = await importDeclarationsFile(file, {
    platform,
    now: Date.now(),
    issueAt: issueAt === 'now' ? 'now' : 'declaredAt',
    clock: Date.now,
  });
  if (o.json === true) console.log(JSON.stringify(s));
  else printSummary(s);
  return s.read > 0 && s.rejected === s.read ? EXIT.failure : EXIT.ok;
}

function printSummary(s: DeclarationImportSummary): void {
  console.log(
    `${s.file} (${s.platform}): read ${s.read}, stored ${s.imported} (accepted ${s.statuses.accepted}, with warnings ${s.statuses.accepted_with_warnings}, unverified ${s.statuses.unverified}, rejected by the registry ${s.statuses.rejected}), duplicates ${s.duplicates}, invalid ${s.rejected}, QR codes ${s.qrIssued}, ${s.seconds.toFixed(1)} s`,
  );
  for (const r of s.rejects.slice(0, 20)) console.log(`  line ${r.line}: ${r.field}: ${r.reason}`);
  if (s.rejected > 20) console.log(`  … ${s.rejected - 20} more`);
}
