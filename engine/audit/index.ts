export * from './chain';
export * from './store';
