// The routes of a function, generated from openapi.yaml (src/generated/<function>.routes.ts),
// and the matching of a request's method and path to one of them.

export interface ParameterSpec {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  type: string | null;
  validator: string;
}

export interface RouteSpec<Id extends string = string> {
  operationId: Id;
  method: string;
  path: string;
  secured: boolean;
  parameters: ParameterSpec[];
  body: { required: boolean; mediaType: string; validator: string } | null;
}

export type RouteMatch<Id extends string> =
  | { kind: "operation"; route: RouteSpec<Id>; pathParameters: Record<string, string> }
  | { kind: "method"; allow: string[] }
  | { kind: "none" };

interface CompiledPath<Id extends string> {
  regex: RegExp;
  names: string[];
  routes: RouteSpec<Id>[];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The matcher of `routes`: a path template's parameter takes one segment (no `/`), as
 * Starlette's router does; the methods of a path are every declared one, and HEAD where GET. */
export function routeMatcher<Id extends string>(routes: readonly RouteSpec<Id>[]): (method: string, path: string) => RouteMatch<Id> {
  const paths = new Map<string, CompiledPath<Id>>();
  for (const route of routes) {
    let compiled = paths.get(route.path);
    if (!compiled) {
      const names: string[] = [];
      const source = route.path
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const name = /^\{([^}]+)\}$/.exec(part)?.[1];
          if (name === undefined) return escapeRegex(part);
          names.push(name);
          return "([^/]+)";
        })
        .join("");
      compiled = { regex: new RegExp(`^${source}$`, "s"), names, routes: [] };
      paths.set(route.path, compiled);
    }
    compiled.routes.push(route);
  }
  const all = [...paths.values()];
  return (method, path) => {
    for (const { regex, names, routes: found } of all) {
      const match = regex.exec(path);
      if (!match) continue;
      const route = found.find((r) => r.method === method) ?? (method === "HEAD" ? found.find((r) => r.method === "GET") : undefined);
      if (!route) {
        const allow = found.map((r) => r.method);
        if (allow.includes("GET")) allow.push("HEAD");
        return { kind: "method", allow: allow.sort() };
      }
      const pathParameters = Object.fromEntries(names.map((name, i) => [name, match[i + 1] as string]));
      return { kind: "operation", route, pathParameters };
    }
    return { kind: "none" };
  };
}
