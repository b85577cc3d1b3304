#!/usr/bin/env node
// The `truyvet` command. Runs the TypeScript sources through tsx, so a fresh clone needs no build
// step and `npx truyvet` always runs the code in the work tree.
'use strict';
require('tsx/cjs');
require('../cli/main.ts');
