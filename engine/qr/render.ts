import QRCode from 'qrcode';

/**
 * QR images of a code's text. Level M (15 % recovery) is the usual compromise for phone screens
 * read by phone cameras; a two-module quiet zone keeps the image small without upsetting readers.
 */

const BASE = { errorCorrectionLevel: 'M', margin: 2 } as const;

export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { ...BASE, type: 'svg' });
}

/** PNG bytes; `scale` pixels per module (default 6: about 450 px for a truyvet code). */
export async function qrPng(text: string, scale = 6): Promise<Buffer> {
  return QRCode.toBuffer(text, { ...BASE, type: 'png', scale });
}
