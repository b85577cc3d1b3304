export * from './codec';
export * from './graph';
export * from './store';
export * from './followups';
export * from './promote';
