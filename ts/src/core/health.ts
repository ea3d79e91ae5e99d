// GET /health: the operation that answers while the process can serve.
import type { Operation } from "./operations.js";

export const getHealth: Operation = () => ({ status: 200, body: { status: "ok" } });
