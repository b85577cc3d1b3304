export * from './assemble';
export * from './cases';
export * from './trace';
export * from './request';
