export * from './errors';
export * from './rest';
export * from './socket';
