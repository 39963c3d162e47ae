export { cubbyholeBackend, cubbyholeFactory } from './backend.ts';
export { deleteCubbyhole, destroyCubbyhole, readCubbyhole, tokenView, writeCubbyhole } from './store.ts';
