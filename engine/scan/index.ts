export * from './decide';
export * from './geo';
export * from './isolation';
export * from './queue';
export * from './service';
export * from './storage';
