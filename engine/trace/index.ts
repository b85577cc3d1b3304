export * from './assemble';
export * from './colocation';
export * from './hotspots';
export * from './params';
export * from './queries';
export * from './scoring';
export * from './sensitivity';
export * from './trace';
