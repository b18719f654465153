#!/usr/bin/env node
// The `planton` command: runs the bundled CLI that `npm run build` writes to
// dist/. It is a separate, committed file so that npm links the bin when it
// installs the workspace, before anything is built.
import "../dist/planton.mjs";
