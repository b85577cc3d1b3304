export * from './masking';
export * from './jurisdiction';
export * from './scoped';
export * from './visibility';
