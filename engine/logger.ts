import pino from 'pino';
import { logLevel } from './config';

/**
 * The process logger. Personal data never goes in here: log ids of jobs, counts and codes,
 * never names, phones, national ids or raw person keys. Level from LOG_LEVEL (default info;
 * `silent` in tests unless LOG_LEVEL is set). Writes to stderr so stdout stays for JSON output.
 */
export const logger = pino(
  {
    level: logLevel(),
    base: { app: 'truyvet' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      // Belt and braces: fields that must never be logged even if someone passes them in.
      paths: ['*.password', '*.token', '*.fullName', '*.full_name', '*.phone', '*.birthDate', '*.nationalId', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  },
  pino.destination({ fd: 2, sync: false }),
);

export type Logger = typeof logger;
