export * from './codec';
export * from './members';
export * from './opened';
export * from './pages';
export * from './record';
export * from './store';
