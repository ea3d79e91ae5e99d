// The Lambda functions of this runtime and the spec tags each serves: api/resources.py's
// FUNCTIONS, which tests/ts/test_node_suite.py compares with this list.
export const FUNCTIONS = {
  users: { entry: "src/users-handler.ts", tags: ["operations", "users"] },
  assets: { entry: "src/assets-handler.ts", tags: ["assets"] },
};
