// Media types as RFC 9110 (section 8.3.1) writes them (api/web/media_types.py).

const TCHARS = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const QUOTED = '"(?:[^"\\\\\\x00-\\x08\\x0A-\\x1F\\x7F]|\\\\[\\x09\\x20-\\x7E\\x80-\\xFF])*"';
const PARAMETERS = `(?:;[ \\t]*(?:${TCHARS}=(?:${TCHARS}|${QUOTED}))?[ \\t]*)*`;
const MEDIA_TYPE = new RegExp(`^[ \\t]*(${TCHARS})/(${TCHARS})[ \\t]*(${PARAMETERS})$`);
const PARAMETER = new RegExp(`(${TCHARS})=(${TCHARS}|${QUOTED})`, "g");

export interface MediaType {
  essence: string;
  parameters: [string, string][];
}

function unquote(value: string): string {
  return value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/gs, "$1") : value;
}

/** The media type of a Content-Type header value, or null if it is not one. */
export function parseMediaType(value: string): MediaType | null {
  const match = MEDIA_TYPE.exec(value);
  if (match === null) return null;
  const [, kind, subtype, parameters] = match as unknown as [string, string, string, string];
  const found: [string, string][] = [...parameters.matchAll(PARAMETER)].map((m) => [(m[1] as string).toLowerCase(), unquote(m[2] as string)]);
  return { essence: `${kind.toLowerCase()}/${subtype.toLowerCase()}`, parameters: found };
}

export function parameterOf(mediaType: MediaType, name: string): string | null {
  return mediaType.parameters.find(([key]) => key === name)?.[1] ?? null;
}
