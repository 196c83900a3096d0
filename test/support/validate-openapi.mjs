// Validates an OpenAPI document against the official 3.x JSON schemas. It runs as a child
// process because the validator is ESM-only and uses import.meta, which Jest's CJS runtime lacks.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';

const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const validator = new Validator();
const result = await validator.validate(doc);
process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? [] }));
