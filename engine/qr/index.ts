// QR settings live with every other setting (engine/config.ts).
export { qrClockSkewSeconds, qrValidDays } from '../config';
export * from './keys';
export * from './national';
export * from './render';
export * from './revocations';
export * from './token';
