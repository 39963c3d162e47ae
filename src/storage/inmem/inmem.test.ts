import { storageConformance } from '../conformance.ts';
import { InmemStorage } from './inmem.ts';

storageConformance('inmem', async () => ({ storage: new InmemStorage(), cleanup: async () => {} }));
