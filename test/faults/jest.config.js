// `npm run test:faults`: the fault-injection scenarios (issue 8), kept out of `npm test` by their
// `*.fault.ts` names. One test file at a time: each one drives a server process hard and measures it.
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.fault.ts'],
  testTimeout: 240_000,
  maxWorkers: 1,
};
