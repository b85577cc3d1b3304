export * from './purge';
export * from './schedule';
