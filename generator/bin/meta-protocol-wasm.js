#!/usr/bin/env node
// Launcher for the generator's CLI (generator/cli.ts): registers tsx's TypeScript loader, then runs it.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli.ts");
process.exitCode = main(process.argv.slice(2));
