/** Sign-in as a public OAuth 2.0 client: the authorization code grant with PKCE (S256),
 * as Cognito's hosted UI serves it, and as `make run`'s local issuer does. */
import type { Config } from "./config";

const PENDING = "signin.pending";
const TOKEN = "signin.token";

export interface Session {
  token: string;
  subject: string;
  admin: boolean;
  expiresAt: number;
}

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Sends the browser to the issuer's sign-in page; it comes back with ?code=&state=. */
export async function signIn(config: Config): Promise<void> {
  const verifier = randomText();
  const state = randomText(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(config.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scope ?? "openid",
    state,
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.toString());
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN);
}

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

function sessionOf(token: string, config: Config): Session {
  const claims = claimsOf(token);
  const groups = claims[config.adminClaim ?? "cognito:groups"];
  const admin = Array.isArray(groups) && groups.includes(config.adminGroup ?? "admin");
  return {
    token,
    subject: String(claims.sub),
    admin,
    expiresAt: Number(claims.exp) * 1000,
  };
}

/** The signed-in session: the one kept in this tab, or the one the issuer's redirect brings
 * (its code exchanged for a token); null when signed out. Throws what the issuer refused. */
export async function currentSession(config: Config): Promise<Session | null> {
  const params = new URLSearchParams(location.search);
  if (params.has("code") || params.has("error")) {
    history.replaceState(null, "", location.pathname);
    const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as {
      verifier: string;
      state: string;
    } | null;
    sessionStorage.removeItem(PENDING);
    if (params.has("error")) {
      throw new Error(`Sign-in refused: ${params.get("error")}: ${params.get("error_description") ?? ""}`);
    }
    if (pending === null || params.get("state") !== pending.state) {
      throw new Error("Sign-in refused: the answer does not belong to a sign-in of this tab.");
    }
    const response = await fetch(config.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: config.clientId,
        code: params.get("code") ?? "",
        redirect_uri: config.redirectUri,
        code_verifier: pending.verifier,
      }),
    });
    const answer = (await response.json()) as Record<string, string>;
    if (!response.ok || typeof answer.access_token !== "string") {
      throw new Error(`The token endpoint refused the code: ${answer.error}: ${answer.error_description ?? ""}`);
    }
    sessionStorage.setItem(TOKEN, answer.access_token);
  }
  const token = sessionStorage.getItem(TOKEN);
  if (token === null) return null;
  const session = sessionOf(token, config);
  if (session.expiresAt <= Date.now()) {
    signOut();
    return null;
  }
  return session;
}
