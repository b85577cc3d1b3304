/**
 * Field-level messages in Vietnamese and English. Citizens fill the form in Vietnamese; officers
 * and foreign residents may read English; both come back on every issue so the client chooses.
 */

/** One problem with one field: `path` is dotted (`trip.from.province`, `symptoms.2`). */
export interface FieldIssue {
  readonly path: string;
  readonly code: string;
  readonly message_vi: string;
  readonly message_en: string;
}

export interface Bilingual {
  readonly vi: string;
  readonly en: string;
}

const LABELS: Record<string, Bilingual> = {
  declaration: { vi: 'Tờ khai', en: 'Declaration' },
  document: { vi: 'Giấy tờ tùy thân', en: 'Identity document' },
  'document.type': { vi: 'Loại giấy tờ', en: 'Document type' },
  'document.number': { vi: 'Số giấy tờ', en: 'Document number' },
  fullName: { vi: 'Họ và tên', en: 'Full name' },
  birthDate: { vi: 'Ngày sinh', en: 'Date of birth' },
  sex: { vi: 'Giới tính', en: 'Sex' },
  phone: { vi: 'Số điện thoại', en: 'Phone number' },
  address: { vi: 'Địa chỉ', en: 'Address' },
  province: { vi: 'Tỉnh/thành phố', en: 'Province' },
  district: { vi: 'Quận/huyện', en: 'District' },
  commune: { vi: 'Phường/xã', en: 'Commune' },
  detail: { vi: 'Số nhà, đường', en: 'Street address' },
  trip: { vi: 'Thông tin di chuyển', en: 'Trip' },
  'trip.from': { vi: 'Nơi đi', en: 'Origin' },
  'trip.to': { vi: 'Nơi đến', en: 'Destination' },
  'trip.date': { vi: 'Ngày di chuyển', en: 'Travel date' },
  'trip.means': { vi: 'Phương tiện', en: 'Means of transport' },
  'trip.vehicleNumber': { vi: 'Biển số/số hiệu phương tiện', en: 'Vehicle or flight number' },
  symptoms: { vi: 'Triệu chứng', en: 'Symptoms' },
  exposure: { vi: 'Yếu tố dịch tễ', en: 'Exposure' },
  'exposure.visitedAffectedArea': { vi: 'Đến vùng có dịch trong 14 ngày', en: 'Visited an affected area in the last 14 days' },
  'exposure.contactWithCase': { vi: 'Tiếp xúc người bệnh hoặc nghi ngờ mắc COVID-19', en: 'Contact with a COVID-19 case or suspect' },
  'exposure.contactWithSymptomatic': { vi: 'Tiếp xúc người có biểu hiện sốt, ho, khó thở', en: 'Contact with a person with fever, cough or breathing difficulty' },
  'exposure.contactWithTraveller': { vi: 'Tiếp xúc người từ nước có dịch', en: 'Contact with a person from a country with COVID-19' },
  vaccination: { vi: 'Tiêm chủng', en: 'Vaccination' },
  'vaccination.doses': { vi: 'Số mũi đã tiêm', en: 'Doses received' },
  'vaccination.lastDoseDate': { vi: 'Ngày tiêm mũi gần nhất', en: 'Date of the last dose' },
  'vaccination.vaccine': { vi: 'Loại vắc-xin', en: 'Vaccine' },
  platform: { vi: 'Nền tảng khai báo', en: 'Source platform' },
  sourceRef: { vi: 'Mã tờ khai của nền tảng', en: 'Platform record id' },
  declaredAt: { vi: 'Thời điểm khai báo', en: 'Declared at' },
};

/** The label of a dotted path: the most specific known suffix (`trip.from.province` → Tỉnh/thành phố). */
export function fieldLabel(path: string): Bilingual {
  const parts = path.split('.').filter((p) => !/^\d+$/.test(p));
  for (let i = 0; i < parts.length; i++) {
    const hit = LABELS[parts.slice(i).join('.')];
    if (hit) return hit;
  }
  return { vi: path, en: path };
}

const s = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v));

/** Messages by code; each is a sentence about the field named by the label `l`. */
const TEMPLATES: Record<string, (l: Bilingual, p: Readonly<Record<string, unknown>>) => Bilingual> = {
  required: (l) => ({ vi: `${l.vi}: bắt buộc phải khai.`, en: `${l.en} is required.` }),
  invalid_type: (l, p) => ({ vi: `${l.vi}: sai kiểu dữ liệu (cần ${s(p['expected'])}).`, en: `${l.en}: wrong type (expected ${s(p['expected'])}).` }),
  invalid_value: (l, p) => ({ vi: `${l.vi}: giá trị không hợp lệ, chọn một trong: ${s(p['options'])}.`, en: `${l.en}: invalid value, choose one of: ${s(p['options'])}.` }),
  unrecognized_keys: (l, p) => ({ vi: `${l.vi}: có trường không được biết: ${s(p['keys'])}.`, en: `${l.en}: unknown field(s): ${s(p['keys'])}.` }),
  too_short: (l, p) => ({ vi: `${l.vi}: quá ngắn (tối thiểu ${s(p['minimum'])}).`, en: `${l.en} is too short (at least ${s(p['minimum'])}).` }),
  too_long: (l, p) => ({ vi: `${l.vi}: quá dài (tối đa ${s(p['maximum'])}).`, en: `${l.en} is too long (at most ${s(p['maximum'])}).` }),
  too_small: (l, p) => ({ vi: `${l.vi}: phải từ ${s(p['minimum'])} trở lên.`, en: `${l.en} must be at least ${s(p['minimum'])}.` }),
  too_big: (l, p) => ({ vi: `${l.vi}: không được lớn hơn ${s(p['maximum'])}.`, en: `${l.en} must be at most ${s(p['maximum'])}.` }),
  duplicate: (l) => ({ vi: `${l.vi}: có giá trị lặp lại.`, en: `${l.en} lists a value twice.` }),
  name_format: (l) => ({ vi: `${l.vi}: chỉ gồm chữ cái và khoảng trắng.`, en: `${l.en} may only contain letters and spaces.` }),
  date_format: (l) => ({ vi: `${l.vi}: cần dạng YYYY-MM-DD và là một ngày có thật.`, en: `${l.en} must be a real date written YYYY-MM-DD.` }),
  birth_date_format: (l) => ({ vi: `${l.vi}: cần dạng YYYY-MM-DD (hoặc chỉ năm YYYY) và là một ngày có thật.`, en: `${l.en} must be a real date written YYYY-MM-DD (or a year YYYY).` }),
  birth_date_range: (l) => ({ vi: `${l.vi}: phải từ năm 1900 đến hôm nay.`, en: `${l.en} must lie between 1900 and today.` }),
  instant_format: (l) => ({ vi: `${l.vi}: cần dạng ISO 8601 (ví dụ 2021-08-14T07:30:00+07:00).`, en: `${l.en} must be an ISO 8601 date-time (e.g. 2021-08-14T07:30:00+07:00).` }),
  in_future: (l) => ({ vi: `${l.vi}: không được ở tương lai.`, en: `${l.en} cannot be in the future.` }),
  phone_format: (l) => ({ vi: `${l.vi}: không đúng định dạng Việt Nam (ví dụ 0901234567 hoặc +84901234567).`, en: `${l.en} is not a Vietnamese number (e.g. 0901234567 or +84901234567).` }),
  code_format: (l, p) => ({ vi: `${l.vi}: mã phải gồm ${s(p['digits'])} chữ số.`, en: `${l.en}: the code must have ${s(p['digits'])} digits.` }),
  platform_format: (l) => ({ vi: `${l.vi}: chỉ gồm chữ thường, số và dấu gạch ngang.`, en: `${l.en} may only contain lower-case letters, digits and dashes.` }),
  unknown_unit: (l, p) => ({ vi: `${l.vi}: không có đơn vị hành chính mã ${s(p['code'])}.`, en: `${l.en}: no administrative unit has code ${s(p['code'])}.` }),
  unit_outside_parent: (l, p) => ({ vi: `${l.vi}: mã ${s(p['code'])} không thuộc đơn vị ${s(p['parent'])}.`, en: `${l.en}: code ${s(p['code'])} does not lie in unit ${s(p['parent'])}.` }),
  cccd_format: (l) => ({ vi: `${l.vi}: số CCCD phải gồm đúng 12 chữ số.`, en: `${l.en}: a CCCD number has exactly 12 digits.` }),
  cccd_province: (l, p) => ({ vi: `${l.vi}: 3 số đầu ${s(p['prefix'])} không phải mã tỉnh/thành phố.`, en: `${l.en}: the first 3 digits ${s(p['prefix'])} are not a province code.` }),
  cccd_century: (l, p) => ({
    vi: `${l.vi}: chữ số thứ 4 (${s(p['digit'])}) không khớp thế kỷ của năm sinh ${s(p['year'])}.`,
    en: `${l.en}: the 4th digit (${s(p['digit'])}) does not match the century of birth year ${s(p['year'])}.`,
  }),
  cccd_sex: (l, p) => ({
    vi: `${l.vi}: chữ số thứ 4 (${s(p['digit'])}) không khớp giới tính đã khai.`,
    en: `${l.en}: the 4th digit (${s(p['digit'])}) does not match the declared sex.`,
  }),
  cccd_year: (l, p) => ({
    vi: `${l.vi}: chữ số thứ 5–6 (${s(p['digits'])}) phải là hai số cuối của năm sinh ${s(p['year'])}.`,
    en: `${l.en}: digits 5–6 (${s(p['digits'])}) must be the last two digits of birth year ${s(p['year'])}.`,
  }),
  cmnd_format: (l) => ({ vi: `${l.vi}: số CMND phải gồm đúng 9 chữ số.`, en: `${l.en}: a CMND number has exactly 9 digits.` }),
  passport_format: (l) => ({ vi: `${l.vi}: số hộ chiếu gồm 1 chữ cái và 7 chữ số (ví dụ C1234567).`, en: `${l.en}: a passport number is one letter and 7 digits (e.g. C1234567).` }),
  registry_document_mismatch: (l) => ({ vi: `${l.vi}: không khớp Cơ sở dữ liệu quốc gia về dân cư.`, en: `${l.en} does not match the national population registry.` }),
  registry_name_mismatch: (l) => ({ vi: `${l.vi}: không khớp Cơ sở dữ liệu quốc gia về dân cư.`, en: `${l.en} does not match the national population registry.` }),
  registry_birth_date_mismatch: (l) => ({ vi: `${l.vi}: không khớp Cơ sở dữ liệu quốc gia về dân cư.`, en: `${l.en} does not match the national population registry.` }),
  name_missing_diacritics: (l) => ({ vi: `${l.vi}: thiếu dấu so với Cơ sở dữ liệu dân cư; đã chấp nhận, vui lòng khai có dấu.`, en: `${l.en} lacks diacritics the registry has; accepted, please write them next time.` }),
  birth_year_only: (l) => ({ vi: `${l.vi}: chỉ khai năm sinh nên chỉ so khớp được năm.`, en: `${l.en} gives only a year, so only the year was checked.` }),
  not_in_registry: (l) => ({ vi: `${l.vi}: chưa có trong Cơ sở dữ liệu dân cư; tờ khai chưa được xác minh.`, en: `${l.en} is not in the population registry; the declaration is unverified.` }),
  invalid: (l) => ({ vi: `${l.vi}: không hợp lệ.`, en: `${l.en} is not valid.` }),
};

export function issue(path: string, code: string, params: Readonly<Record<string, unknown>> = {}): FieldIssue {
  const t = TEMPLATES[code] ?? TEMPLATES['invalid']!;
  const m = t(fieldLabel(path), params);
  return { path, code, message_vi: m.vi, message_en: m.en };
}

export const KNOWN_ISSUE_CODES: readonly string[] = Object.keys(TEMPLATES);
