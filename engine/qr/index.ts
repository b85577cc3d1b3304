export * from './config';
export * from './keys';
export * from './national';
export * from './render';
export * from './revocations';
export * from './token';
