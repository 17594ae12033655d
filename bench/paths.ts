// Where a bench run keeps its files: everything it writes lives under .bench/ (ignored by git).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCH_DIR = join(PROJECT_ROOT, '.bench');
/** The gateway and simulator compiled for the run (a private build, so the project's dist/ is left alone). */
export const BUILD_DIR = join(BENCH_DIR, 'build');
/** `--baseline REF`: that commit's sources and build, measured beside today's. */
export const BASELINE_DIR = join(BENCH_DIR, 'baseline');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const PROFILE_DIR = join(BENCH_DIR, 'profiles');
export const PEER_DIR = join(BENCH_DIR, 'peer');
/** Kazoo 4.3's Swagger description, beside the project (reference material, read by the bench only). */
export const DEFAULT_PEER_SPEC = join(PROJECT_ROOT, '..', 'shared', 'kazoo-4.3', 'swagger.json');
