export * from './backend.ts';
export * from './duration.ts';
export * from './fields.ts';
export * from './path.ts';
