/**
 * `npm run docs`: rewrites the README's result-code section from the one
 * table in src/domain/codes.ts (test/unit/readme.test.ts fails when stale).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { withResultCodes } from "../src/domain/codes.ts";

const before = readFileSync("README.md", "utf8");
const after = withResultCodes(before);
if (after !== before) writeFileSync("README.md", after);
console.log(after === before ? "README.md result codes are up to date" : "README.md result codes rewritten");
