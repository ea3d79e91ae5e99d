// Runs every test/**/*.test.ts with node's test runner, TypeScript through tsx (Node 20's
// runner takes no glob).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const files = readdirSync(join(ROOT, "test"), { recursive: true, encoding: "utf8" })
  .filter((name) => name.endsWith(".test.ts"))
  .sort()
  .map((name) => join("test", name));
const run = spawnSync(process.execPath, ["--import", "tsx", "--test", ...process.argv.slice(2), ...files], { cwd: ROOT, stdio: "inherit" });
process.exit(run.status ?? 1);
