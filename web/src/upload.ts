/** The file straight to S3 with the presigned POST: XMLHttpRequest, for its upload
 * progress, which fetch does not report. */
import type { Problem, Schemas } from "./api";
import { ProblemError } from "./api";

/** S3's XML error document as a problem, so that the page shows every refusal alike. */
function storageProblem(status: number, xml: string): Problem & Record<string, unknown> {
  const document = new DOMParser().parseFromString(xml, "application/xml");
  const members = new Map(
    [...(document.querySelector("Error")?.children ?? [])].map((child) => [
      child.tagName,
      child.textContent ?? "",
    ]),
  );
  const text = (tag: string) => members.get(tag);
  // The rest says what the rule was and what was sent (ProposedSize, MaxSizeAllowed...).
  const details = [...members].filter(
    ([tag]) => !["Code", "Message", "RequestId", "HostId"].includes(tag),
  );
  return {
    type: "about:blank",
    title: text("Code") ?? `Storage answered ${status}`,
    status,
    detail: text("Message") ?? (xml.slice(0, 300) || undefined),
    ...(text("RequestId") ? { requestId: text("RequestId") } : {}),
    ...Object.fromEntries(details),
  };
}

export function uploadFile(
  upload: Schemas["Upload"],
  file: Blob,
  onProgress: (sent: number, total: number) => void,
): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", file);
  const action = "Upload the file to storage";
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(upload.method, upload.url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else reject(new ProblemError(storageProblem(request.status, request.responseText), action));
    });
    request.addEventListener("error", () =>
      reject(
        new ProblemError(
          {
            type: "about:blank",
            title: "No answer",
            status: 0,
            detail: "The bucket could not be reached (the network, or its CORS rule refused this origin).",
          },
          action,
        ),
      ),
    );
    request.send(form);
  });
}
