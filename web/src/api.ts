/** The API, typed from openapi.yaml (openapi-typescript), called with openapi-fetch; every
 * refusal becomes a Problem, whichever layer answered it. */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../build/api";
import type { Config } from "./config";
import type { Session } from "./auth";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type Api = Client<paths>;

/** A refused request: its RFC 9457 problem document, and what was being done. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem & Record<string, unknown>,
    readonly action: string,
  ) {
    super(`${action}: ${problem.status} ${problem.title}`);
  }
}

export function apiClient(config: Config, session: Session): Api {
  const client = createClient<paths>({ baseUrl: config.apiUrl });
  client.use({
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${session.token}`);
      return request;
    },
  });
  return client;
}

/** The problem an error answer stands for: the API's problem+json as it is, or one made of
 * another layer's answer (API Gateway's {"message"}, a proxy's text). */
function problemOf(error: unknown, response: Response): Problem & Record<string, unknown> {
  if (typeof error === "object" && error !== null && "title" in error && "status" in error) {
    return error as Problem & Record<string, unknown>;
  }
  const message =
    typeof error === "object" && error !== null && "message" in error
      ? String((error as { message: unknown }).message)
      : String(error ?? "");
  return {
    type: "about:blank",
    title: response.statusText || "Error",
    status: response.status,
    detail: message || undefined,
  };
}

/** The data of a call, or a ProblemError; a request that never got an answer (the network,
 * or CORS refusing it) is a problem with status 0. */
export async function call<T>(
  action: string,
  request: () => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await request();
  } catch (failure) {
    throw new ProblemError(
      {
        type: "about:blank",
        title: "No answer",
        status: 0,
        detail: `The API could not be reached (the network, or CORS refused this origin): ${String(failure)}`,
      },
      action,
    );
  }
  if (answer.error !== undefined || !answer.response.ok) {
    throw new ProblemError(problemOf(answer.error, answer.response), action);
  }
  return answer.data as T;
}
