#!/usr/bin/env node
import { main } from '../dist/cli.js';

// `weir ls | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

let settled = false;

// The event loop can empty while main() is still pending (a promise nobody will ever settle).
// Node would then exit 0 as if the command had succeeded; say so and fail instead.
process.on('beforeExit', () => {
  if (settled) return;
  // Reported once: 'beforeExit' fires again if anything below schedules more work.
  settled = true;
  console.error('weir: internal error: weir stopped before finishing');
  process.exitCode = 3;
});

main(process.argv).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error) => {
    settled = true;
    console.error('weir: internal error:', error);
    process.exitCode = 3;
  },
);
