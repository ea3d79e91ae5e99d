// The golden vectors of contract/vectors.json, by section, for the assets tests.
import { readFileSync } from "node:fs";

export interface Vector<I = any, O = any> {
  name: string;
  input: I;
  output: O;
}

const all = JSON.parse(
  readFileSync(new URL("../../../contract/vectors.json", import.meta.url), "utf8"),
) as Record<string, Vector[]>;

export function vectors<I = any, O = any>(section: string): Vector<I, O>[] {
  const found = all[section];
  if (!found || found.length === 0) throw new Error(`contract/vectors.json has no ${section}`);
  return found as Vector<I, O>[];
}
