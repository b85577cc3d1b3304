import { checkDocumentFormat, type DocumentType } from '../reference/documents';
import { isCalendarDate } from '../time';

/**
 * The national personal QR code citizens already carried in 2021 (Quyết định 1405/QĐ-BTTTT,
 * v1.1; ../shared/reference/declaration-forms.md §5.1):
 *
 *     SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID|EXT
 *
 * document number, name in capitals without diacritics, birth date YYYY-MM-DD, 0 = declared by
 * oneself / 1 = on someone's behalf, the platform's id, and `<`-separated extensions (the
 * declarer's QID when on behalf, gender 0/1/2, health-insurance number, phone, …). It carries no
 * signature, so a scan trusts it only after a registry check, and even then as lower-trust
 * evidence. The default on-screen mode masks the first 6 characters of the number and the day
 * and month of birth with `*`: such a code cannot be checked and says so.
 */

export interface NationalQr {
  readonly documentNumber: string;
  readonly documentType: DocumentType;
  /** As written in the code: capitals, no diacritics, single spaces. */
  readonly fullName: string;
  /** YYYY-MM-DD */
  readonly birthDate: string;
  readonly declaredBy: 'self' | 'on_behalf';
  readonly qid: string;
  readonly ext: {
    readonly onBehalfQid?: string;
    readonly gender?: 'unknown' | 'male' | 'female';
    readonly insuranceNumber?: string;
    readonly phone?: string;
    /** Further extensions (e-signature …), kept as they came. */
    readonly other: readonly string[];
  };
}

export type NationalQrRejection = 'not_national' | 'masked' | 'malformed';
export type NationalQrParse = { ok: true; value: NationalQr } | { ok: false; reason: NationalQrRejection; field?: string };

const GENDER: Record<string, 'unknown' | 'male' | 'female'> = { '0': 'unknown', '1': 'male', '2': 'female' };

/** True when the text has the national code's shape (5 or 6 `|`-separated parts). */
export function looksLikeNationalQr(text: string): boolean {
  const n = text.split('|').length;
  return n === 5 || n === 6;
}

export function parseNationalQr(text: string): NationalQrParse {
  const t = text.trim();
  if (t.length > 1000 || !looksLikeNationalQr(t)) return { ok: false, reason: 'not_national' };
  const [doc = '', name = '', birth = '', kind = '', qid = '', ext = ''] = t.split('|').map((p) => p.trim());
  if (doc.includes('*')) return { ok: false, reason: 'masked', field: 'SoGiayTo' };
  if (birth.includes('*')) return { ok: false, reason: 'masked', field: 'NgaySinh' };
  const documentType = documentTypeOf(doc);
  if (documentType === undefined) return { ok: false, reason: 'malformed', field: 'SoGiayTo' };
  const fullName = name.replace(/\s+/g, ' ');
  if (!/^[A-Z]+(?: [A-Z]+)*$/.test(fullName) || fullName.length > 100) return { ok: false, reason: 'malformed', field: 'HoTen' };
  if (!isCalendarDate(birth)) return { ok: false, reason: 'malformed', field: 'NgaySinh' };
  if (kind !== '0' && kind !== '1') return { ok: false, reason: 'malformed', field: 'LoaiDinhDanh' };
  if (!/^[0-9A-Za-z]{0,40}$/.test(qid)) return { ok: false, reason: 'malformed', field: 'QID' };
  const parts = ext === '' ? [] : ext.split('<');
  const [onBehalfQid = '', gender = '', insurance = '', phone = '', ...other] = parts;
  if (gender !== '' && GENDER[gender] === undefined) return { ok: false, reason: 'malformed', field: 'EXT' };
  return {
    ok: true,
    value: {
      documentNumber: doc,
      documentType,
      fullName,
      birthDate: birth,
      declaredBy: kind === '0' ? 'self' : 'on_behalf',
      qid,
      ext: {
        ...(onBehalfQid === '' ? {} : { onBehalfQid }),
        ...(gender === '' ? {} : { gender: GENDER[gender]! }),
        ...(insurance === '' ? {} : { insuranceNumber: insurance }),
        ...(phone === '' ? {} : { phone }),
        other,
      },
    },
  };
}

/** Writes a national code (for fixtures, tests and the bench; a real one comes from PC-Covid/VNeID). */
export function formatNationalQr(q: Omit<NationalQr, 'documentType' | 'ext'> & { ext?: Partial<NationalQr['ext']> }): string {
  const g = q.ext?.gender === undefined ? '' : Object.entries(GENDER).find(([, v]) => v === q.ext?.gender)?.[0] ?? '';
  const ext = [q.ext?.onBehalfQid ?? '', g, q.ext?.insuranceNumber ?? '', q.ext?.phone ?? '', ...(q.ext?.other ?? [])];
  while (ext.length > 0 && ext[ext.length - 1] === '') ext.pop();
  return [q.documentNumber, q.fullName, q.birthDate, q.declaredBy === 'self' ? '0' : '1', q.qid, ext.length === 0 ? '' : ext.join('<')].join('|');
}

function documentTypeOf(num: string): DocumentType | undefined {
  if (/^\d{12}$/.test(num)) return checkDocumentFormat('CCCD', num).length === 0 ? 'CCCD' : undefined;
  if (/^\d{9}$/.test(num)) return 'CMND';
  if (/^[A-Z]\d{7}$/.test(num)) return 'PASSPORT';
  return undefined;
}
