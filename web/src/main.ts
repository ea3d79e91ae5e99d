/** The page: sign in, users (administrators), and the caller's assets: upload with
 * progress, status, download and delete; every refusal shown as its problem. */
import { type Api, ProblemError, type Schemas, apiClient, call } from "./api";
import { type Session, currentSession, signIn, signOut } from "./auth";
import { type Config, loadConfig } from "./config";
import { uploadFile } from "./upload";

type Asset = Schemas["Asset"];
type ContentType = Schemas["ContentType"];

const POLL_MS = 500;
const POLLS = 40;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`index.html lacks #${id}`);
  return found as T;
}

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

/** Shows a refusal readably: status and title, the detail, and what identifies it. */
function showProblem(failure: unknown): void {
  const card = document.createElement("article");
  card.className = "problem";
  card.setAttribute("role", "alert");
  const heading = document.createElement("h3");
  const detail = document.createElement("p");
  const meta = document.createElement("p");
  meta.className = "meta";
  if (failure instanceof ProblemError) {
    const { problem } = failure;
    heading.textContent = `${failure.action}: ${problem.status || ""} ${problem.title}`.trim();
    detail.textContent = problem.detail ?? "";
    const extra = Object.entries(problem)
      .filter(([name]) => !["type", "title", "status", "detail", "requestId"].includes(name))
      .map(([name, value]) => `${name}: ${JSON.stringify(value)}`);
    meta.textContent = [
      problem.type && problem.type !== "about:blank" ? `type ${problem.type}` : "",
      problem.requestId ? `request ${problem.requestId}` : "",
      ...extra,
    ]
      .filter(Boolean)
      .join(" · ");
  } else {
    heading.textContent = "Something went wrong";
    detail.textContent = failure instanceof Error ? failure.message : String(failure);
  }
  card.append(heading, detail, meta, button("Dismiss", () => card.remove()));
  element("problems").prepend(card);
  if (failure instanceof ProblemError && failure.problem.status === 401) {
    // The token has expired or is refused: sign in again.
    signOut();
    element("sign-in").hidden = false;
    element("sign-out").hidden = true;
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

class Page {
  constructor(
    private readonly api: Api,
    private readonly session: Session,
  ) {}

  async start(): Promise<void> {
    element("who").textContent = `Signed in as ${this.session.subject}${this.session.admin ? " (administrator)" : ""}`;
    element("app").hidden = false;
    element("users").hidden = !this.session.admin;
    element<HTMLFormElement>("user-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.createUser(event.target as HTMLFormElement).catch(showProblem);
    });
    element<HTMLFormElement>("upload-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.upload().catch(showProblem);
    });
    const loads = [this.listAssets()];
    if (this.session.admin) loads.push(this.listUsers());
    for (const load of loads) await load.catch(showProblem);
  }

  async listUsers(): Promise<void> {
    const page = await call("List users", () =>
      this.api.GET("/users", { params: { query: { limit: 50 } } }),
    );
    const body = element<HTMLTableSectionElement>("user-rows");
    body.replaceChildren();
    for (const user of page.items) this.userRow(user);
  }

  userRow(user: Schemas["User"]): void {
    const row = element<HTMLTableSectionElement>("user-rows").insertRow();
    row.dataset.userId = user.userId;
    cell(row, user.name);
    cell(row, user.email);
    cell(row, user.department ?? "");
    cell(row, new Date(user.createdAt).toLocaleString());
  }

  async createUser(form: HTMLFormElement): Promise<void> {
    const fields = new FormData(form);
    const department = String(fields.get("department") ?? "").trim();
    const user = await call("Create the user", () =>
      this.api.POST("/users", {
        body: {
          email: String(fields.get("email") ?? ""),
          name: String(fields.get("name") ?? ""),
          ...(department ? { department } : {}),
        },
      }),
    );
    this.userRow(user);
    form.reset();
  }

  async listAssets(): Promise<void> {
    const page = await call("List assets", () =>
      this.api.GET("/assets", { params: { query: { limit: 50 } } }),
    );
    // Newest first, after any row an upload begun meanwhile has put on top.
    for (const asset of page.items) this.assetRow(asset, { newest: false });
  }

  /** The asset's row, updated in place, or added: on top when it is the newest. */
  assetRow(asset: Asset, { newest = true } = {}): void {
    const rows = element<HTMLTableSectionElement>("asset-rows");
    const existing = rows.querySelector<HTMLTableRowElement>(`tr[data-asset-id="${asset.assetId}"]`);
    const row = existing ?? rows.insertRow(newest ? 0 : -1);
    row.replaceChildren();
    row.dataset.assetId = asset.assetId;
    row.dataset.status = asset.status;
    cell(row, asset.fileName, "file-name");
    cell(row, asset.contentType);
    cell(row, size(asset.size));
    cell(row, asset.status, `status ${asset.status}`);
    const actions = cell(row, "");
    if (asset.status === "uploaded") {
      actions.append(button("Download", () => void this.download(asset).catch(showProblem)));
    }
    actions.append(button("Delete", () => void this.remove(asset, row).catch(showProblem)));
  }

  async upload(): Promise<void> {
    const input = element<HTMLInputElement>("file");
    const file = input.files?.[0];
    if (file === undefined) return;
    const progress = element<HTMLProgressElement>("progress");
    const label = element("progress-text");
    // The API refuses a type it does not take, with a problem this page shows.
    const contentType = (file.type || "application/octet-stream") as ContentType;
    const created = await call("Create the asset", () =>
      this.api.POST("/assets", {
        body: { fileName: file.name, contentType, size: file.size },
        headers: { "Idempotency-Key": crypto.randomUUID() },
      }),
    );
    if (!("upload" in created)) return;
    this.assetRow(created);
    progress.hidden = false;
    progress.value = 0;
    label.textContent = "0%";
    try {
      await uploadFile(created.upload, file, (sent, total) => {
        progress.value = Math.round((sent / total) * 100);
        label.textContent = `${progress.value}% (${size(sent)} of ${size(total)})`;
      });
    } catch (failure) {
      label.textContent = "refused";
      throw failure;
    }
    label.textContent = "100%, sent";
    input.value = "";
    await this.awaitConfirmation(created.assetId);
  }

  /** Reads the asset until it is no longer pending (a read confirms an arrived file). */
  async awaitConfirmation(assetId: string): Promise<void> {
    for (let poll = 0; poll < POLLS; poll += 1) {
      const asset = await call("Read the asset", () =>
        this.api.GET("/assets/{assetId}", { params: { path: { assetId } } }),
      );
      this.assetRow(asset);
      if (asset.status !== "pending") return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The file as its presigned GET serves it: Content-Disposition makes it a download. */
  async download(asset: Asset): Promise<void> {
    const { url } = await call("Download the file", () =>
      this.api.GET("/assets/{assetId}/download", { params: { path: { assetId: asset.assetId } } }),
    );
    const link = document.createElement("a");
    link.href = url;
    link.rel = "noopener";
    document.body.append(link);
    link.click();
    link.remove();
  }

  async remove(asset: Asset, row: HTMLTableRowElement): Promise<void> {
    await call("Delete the asset", () =>
      this.api.DELETE("/assets/{assetId}", { params: { path: { assetId: asset.assetId } } }),
    );
    row.remove();
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = await loadConfig();
  } catch (failure) {
    showProblem(failure);
    return;
  }
  element("sign-in").addEventListener("click", () => void signIn(config).catch(showProblem));
  element("sign-out").addEventListener("click", () => {
    signOut();
    location.reload();
  });
  let session: Session | null = null;
  try {
    session = await currentSession(config);
  } catch (failure) {
    showProblem(failure);
  }
  element("sign-in").hidden = session !== null;
  element("sign-out").hidden = session === null;
  if (session !== null) await new Page(apiClient(config, session), session).start();
  document.body.dataset.ready = "true";
}

void main();
