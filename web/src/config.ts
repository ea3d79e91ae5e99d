/** The deployment the client talks to, read from config.json beside index.html. */
export interface Config {
  /** The API's base URL, without a trailing slash. */
  apiUrl: string;
  /** The OAuth 2.0 authorization and token endpoints (Cognito: AuthUrl + /oauth2/...). */
  authorizeUrl: string;
  tokenUrl: string;
  /** The app client id, which the tokens name as their audience. */
  clientId: string;
  /** Where the sign-in sends the browser back to: this page, as registered with the issuer. */
  redirectUri: string;
  scope?: string;
  /** The claim listing a caller's groups, and the administrators' group. */
  adminClaim?: string;
  adminGroup?: string;
}

const REQUIRED = ["apiUrl", "authorizeUrl", "tokenUrl", "clientId", "redirectUri"] as const;

export async function loadConfig(url = "config.json"): Promise<Config> {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}: the client needs its config file`);
  }
  const config = (await response.json()) as Partial<Config>;
  const missing = REQUIRED.filter((name) => typeof config[name] !== "string");
  if (missing.length > 0) {
    throw new Error(`${url} lacks ${missing.join(", ")}`);
  }
  return { ...config, apiUrl: config.apiUrl!.replace(/\/+$/, "") } as Config;
}
