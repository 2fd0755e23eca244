#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's ESM loader, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
