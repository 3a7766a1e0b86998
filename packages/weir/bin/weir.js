#!/usr/bin/env node
import { main } from '../dist/cli.js';

// `weir ls | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error('weir: internal error:', error);
    process.exitCode = 3;
  },
);
