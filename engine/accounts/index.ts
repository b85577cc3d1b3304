export * from './roles';
export * from './passwords';
export * from './accounts';
export * from './units';
export * from './refresh-tokens';
