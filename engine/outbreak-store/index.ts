export * from './codec';
export * from './graph';
export * from './store';
