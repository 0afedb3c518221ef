#!/usr/bin/env node
// Part of `npm run build`: precompiles the compose-spec validator (ajv standalone code) next to the built loader,
// so that a CLI call does not spend a second compiling the schema.
import { writeFileSync } from 'node:fs';
import { composeValidatorSource } from '../dist/spec/validate/compose-schema.js';

const target = new URL('../dist/spec/validate/compose-validator.cjs', import.meta.url);
writeFileSync(target, composeValidatorSource());
