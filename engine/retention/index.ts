export * from './purge';
export * from './schedule';
export * from './personal';
