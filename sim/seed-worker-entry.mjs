// The first file of a seed's worker thread: worker threads do not inherit a TypeScript loader
// from every parent, so this registers tsx and loads the worker proper (sim/seed-worker.ts).
import { tsImport } from 'tsx/esm/api';

await tsImport('./seed-worker.ts', import.meta.url);
