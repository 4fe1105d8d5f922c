import { run } from './main.js';

/** Entry of the bundled CLI (dist/berth/cli.cjs, built by scripts/build-cli.mjs). */
void run();
