export * from './masking';
export * from './jurisdiction';
export * from './scoped';
export * from './trace-records';
export * from './visibility';
