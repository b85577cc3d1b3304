import type { PassageTrust } from '../db/passages';
import type { Bilingual } from '../declarations/messages';
import type { NationalQrParse } from '../qr/national';
import { tokenValidity, type QrStatus, type QrVerifyResult } from '../qr/token';
import { isIsolatedAt, type IsolationStatus } from './isolation';

/**
 * The checkpoint decision, as a pure function of what is known about one scan. Order of
 * precedence for the one `reason` the officer sees (every applicable flag is kept):
 * 0. (before this function: service.ts) a scan time more than the offline limit in the past or
 *    more than 5 minutes ahead of the server → stop, nothing recorded (scanTimeWindow);
 * 1. the code cannot identify anyone (unreadable, tampered, unknown key, a signed code the server
 *    has no record of, a code revoked by the time of the scan, a masked or mismatching national
 *    code) → stop, no passage: nobody is known to have been there, and the answer names nobody;
 * 2. the code claims to be issued in the future → stop, no passage (a forged issue time or a
 *    device clock far off);
 * 3. the person is under isolation → stop: this matters more than anything about the code;
 * 4. the code had expired when scanned → stop;
 * 5. the same person was scanned elsewhere, farther than anyone could travel since → stop
 *    ("copied code": check the identity document);
 * 6. otherwise pass. A newer declaration revokes the older codes of the person (rule 1), so a
 *    `superseded` code passes only in a scan made before that declaration (an offline queue).
 * From 3 on, the person is identified, so the scan is evidence and becomes a passage, with
 * `trust` = `signed` for truyvet's code and `national` for the unsigned national one.
 */

export const SCAN_REASONS = [
  'ok',
  'unreadable',
  'invalid_signature',
  'unknown_key',
  'unknown_code',
  'revoked',
  'national_qr_masked',
  'not_in_registry',
  'registry_mismatch',
  'not_yet_valid',
  'isolated',
  'expired',
  'copied_code',
  'too_old',
  'future',
] as const;
export type ScanReason = (typeof SCAN_REASONS)[number];

export const SCAN_FLAGS = [
  'unreadable',
  'tampered',
  'unknown_key',
  'unknown_code',
  'revoked',
  'masked',
  'not_in_registry',
  'registry_mismatch',
  'not_yet_valid',
  'isolated',
  'expired',
  'copied_code',
  'superseded',
  'identity_unverified',
  'name_without_diacritics',
  'national_qr',
  'too_old',
  'future',
] as const;
export type ScanFlag = (typeof SCAN_FLAGS)[number];

/** Flags tracers want listed; the others describe an ordinary pass. */
export const ALERT_FLAGS: ReadonlySet<ScanFlag> = new Set<ScanFlag>([
  'tampered',
  'unknown_key',
  'unknown_code',
  'revoked',
  'registry_mismatch',
  'not_yet_valid',
  'isolated',
  'expired',
  'copied_code',
]);

/** Default of TRUYVET_SCAN_MAX_OFFLINE: how old a scan may be when it reaches the server. */
export const DEFAULT_SCAN_MAX_OFFLINE_MS = 72 * 3_600_000;
/** How far ahead of the server's clock a device's scan time may be. */
export const SCAN_MAX_AHEAD_MS = 5 * 60_000;

/**
 * Whether a scan time lies outside what the server records: older than `maxOfflineMs` before
 * `now` (an old offline queue belongs in an import, where a whole file is checked and reported)
 * or more than 5 minutes after it (a device clock far ahead, or a made-up time). Both ends inclusive.
 */
export function scanTimeWindow(at: number, now: number, maxOfflineMs: number): 'too_old' | 'future' | null {
  if (at < now - maxOfflineMs) return 'too_old';
  if (at > now + SCAN_MAX_AHEAD_MS) return 'future';
  return null;
}

export type CodeKind = 'signed' | 'national' | 'unreadable';

/** The national code's document number, diacritic-free name and birth date against the registry. */
export type NationalCheck = 'match' | 'mismatch' | 'absent';

/** What the server's record says of a verified signed code (engine/db/declarations.ts). */
export interface CodeRecord {
  /** The registry outcome of the declaration the code was issued for. */
  readonly status: QrStatus;
  /** When the code was revoked (epoch ms), or null. */
  readonly revokedAt: number | null;
}

export interface ScanFacts {
  readonly kind: CodeKind;
  /** For a signed code. */
  readonly verification?: QrVerifyResult;
  /** For a verified signed code: its record, or null when the server has none. */
  readonly code?: CodeRecord | null;
  /** For a national code: its parse, and the registry comparison when it parsed. */
  readonly national?: NationalQrParse;
  readonly nationalCheck?: NationalCheck;
  /** When the scan happened (epoch ms). */
  readonly at: number;
  readonly skewMs: number;
  readonly isolation?: IsolationStatus | undefined;
  /** A newer code was issued to the same person. */
  readonly newerCodeExists: boolean;
  /** The other scan when the travel between them is impossible. */
  readonly impossibleTravelWith?: { readonly scanId: string; readonly kmh: number } | undefined;
}

export interface Decision {
  readonly decision: 'pass' | 'stop';
  readonly reason: ScanReason;
  readonly flags: ScanFlag[];
  /** Set when the scan identifies the person and so becomes a passage. */
  readonly trust: PassageTrust | null;
}

export function decide(f: ScanFacts): Decision {
  const stop = (reason: ScanReason, flags: ScanFlag[], trust: PassageTrust | null = null): Decision => ({ decision: 'stop', reason, flags, trust });
  if (f.kind === 'unreadable') return stop('unreadable', ['unreadable']);
  const flags: ScanFlag[] = [];
  let trust: PassageTrust;
  let validity: 'valid' | 'expired' | 'not_yet_valid' = 'valid';
  if (f.kind === 'signed') {
    const v = f.verification;
    if (v === undefined || !v.ok) {
      if (v?.reason === 'unknown_key') return stop('unknown_key', ['unknown_key']);
      if (v?.reason === 'bad_signature') return stop('invalid_signature', ['tampered']);
      return stop('unreadable', ['unreadable']);
    }
    const code = f.code;
    if (code === undefined || code === null) return stop('unknown_code', ['unknown_code']);
    // Revoked after the scan (an offline queue sent late): the code was good when it was shown.
    if (code.revokedAt !== null && code.revokedAt <= f.at) return stop('revoked', ['revoked']);
    trust = 'signed';
    validity = tokenValidity(v.claims, f.at, f.skewMs);
    if (code.status === 'unverified') flags.push('identity_unverified');
    if (code.status === 'accepted_with_warnings') flags.push('name_without_diacritics');
  } else {
    const n = f.national;
    if (n === undefined || !n.ok) {
      if (n?.reason === 'masked') return stop('national_qr_masked', ['national_qr', 'masked']);
      return stop('unreadable', ['national_qr', 'unreadable']);
    }
    if (f.nationalCheck === 'absent') return stop('not_in_registry', ['national_qr', 'not_in_registry']);
    if (f.nationalCheck !== 'match') return stop('registry_mismatch', ['national_qr', 'registry_mismatch']);
    trust = 'national';
    flags.push('national_qr');
  }
  if (validity === 'not_yet_valid') return stop('not_yet_valid', [...flags, 'not_yet_valid']);
  const isolated = isIsolatedAt(f.isolation, f.at);
  if (isolated) flags.push('isolated');
  if (validity === 'expired') flags.push('expired');
  if (f.impossibleTravelWith !== undefined) flags.push('copied_code');
  if (f.newerCodeExists) flags.push('superseded');
  if (isolated) return stop('isolated', flags, trust);
  if (validity === 'expired') return stop('expired', flags, trust);
  if (f.impossibleTravelWith !== undefined) return stop('copied_code', flags, trust);
  return { decision: 'pass', reason: 'ok', flags, trust };
}

/** What the officer's screen says, in both languages. */
export const REASON_MESSAGES: Record<ScanReason, Bilingual> = {
  ok: { vi: 'Hợp lệ, cho qua.', en: 'Valid: let through.' },
  unreadable: { vi: 'Không đọc được mã QR. Kiểm tra giấy tờ tùy thân.', en: 'The QR code cannot be read. Check an identity document.' },
  invalid_signature: { vi: 'Mã QR bị sửa đổi hoặc giả mạo. Dừng lại, kiểm tra giấy tờ.', en: 'The QR code was altered or forged. Stop and check documents.' },
  unknown_key: { vi: 'Mã QR không do hệ thống cấp. Kiểm tra giấy tờ.', en: 'The QR code was not issued by this system. Check documents.' },
  national_qr_masked: {
    vi: 'Mã QR cá nhân đang ở chế độ ẩn thông tin. Đề nghị hiển thị đầy đủ.',
    en: 'The personal QR code is in masked mode. Ask for the full display.',
  },
  not_in_registry: { vi: 'Không có trong Cơ sở dữ liệu dân cư. Kiểm tra giấy tờ.', en: 'Not in the population registry. Check documents.' },
  registry_mismatch: { vi: 'Thông tin mã QR không khớp Cơ sở dữ liệu dân cư.', en: 'The QR code does not match the population registry.' },
  not_yet_valid: { vi: 'Mã QR có thời điểm cấp ở tương lai. Kiểm tra giờ thiết bị và giấy tờ.', en: 'The QR code claims to be issued in the future. Check the device clock and documents.' },
  isolated: { vi: 'Người này đang trong thời gian cách ly. Dừng lại.', en: 'This person is under isolation. Stop.' },
  expired: { vi: 'Mã QR đã hết hạn. Đề nghị khai báo lại.', en: 'The QR code has expired. Ask for a new declaration.' },
  copied_code: {
    vi: 'Mã này vừa được quét ở nơi quá xa. Có thể là mã sao chép: kiểm tra giấy tờ.',
    en: 'This code was just scanned too far away. It may be a copy: check documents.',
  },
  unknown_code: { vi: 'Mã QR không có trong hệ thống. Kiểm tra giấy tờ.', en: 'The QR code is not known to this system. Check documents.' },
  revoked: {
    vi: 'Mã QR đã bị thu hồi (đã có mã mới hơn, hoặc người giữ mã đã hủy). Đề nghị xuất trình mã mới nhất.',
    en: 'The QR code was revoked (a newer code exists, or its holder cancelled it). Ask for the newest code.',
  },
  too_old: {
    vi: 'Lượt quét quá cũ để ghi nhận tại đây: hàng đợi ngoại tuyến cũ được đưa vào bằng nhập dữ liệu.',
    en: 'The scan is too old to be recorded here: old offline queues go through an import.',
  },
  future: { vi: 'Thời điểm quét đi trước giờ máy chủ. Kiểm tra giờ thiết bị.', en: 'The scan time is ahead of the server clock. Check the device clock.' },
};
