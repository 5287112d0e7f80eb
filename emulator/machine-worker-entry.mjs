// The machine worker's first file: worker threads do not inherit a TypeScript loader from
// every parent (a test runner's, say), so this registers tsx and loads the worker proper.
import { tsImport } from 'tsx/esm/api';

await tsImport('./machine-worker.ts', import.meta.url);
