export * from './config';
export * from './keys';
export * from './national';
export * from './render';
export * from './token';
