#!/usr/bin/env -S node --
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2)));
