// The AWS Query protocol's answers (IAM, STS): XML documents, and errors as an
// ErrorResponse with the error's Type, Code and Message.
import type { ServerResponse } from 'node:http';

const NAMESPACES: Readonly<Record<string, string>> = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
};

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A value in Query-protocol XML: structures become elements, lists `<member>`s, dates ISO 8601 to the second, as IAM writes them. */
export type XmlValue = string | number | boolean | Date | readonly XmlValue[] | { readonly [name: string]: XmlValue | undefined };

export function toXml(value: XmlValue): string {
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item as XmlValue)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter((entry): entry is [string, XmlValue] => entry[1] !== undefined)
      .map(([name, member]) => `<${name}>${toXml(member)}</${name}>`)
      .join('');
  }
  return escapeXml(String(value));
}

/** `<Action>Response><Action>Result>…</…Result><ResponseMetadata>…` with the given result members. */
export function writeQueryResponse(res: ServerResponse, service: string, action: string, requestId: string, result: { readonly [name: string]: XmlValue | undefined }): void {
  const members = toXml(result);
  const body =
    `<${action}Response xmlns="${NAMESPACES[service] ?? ''}"><${action}Result>${members}</${action}Result>` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`;
  send(res, 200, requestId, body);
}

export function writeQueryError(res: ServerResponse, service: string, requestId: string, error: { code: string; message: string; status: number }): void {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${NAMESPACES[service] ?? ''}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
  send(res, error.status, requestId, body);
}

function send(res: ServerResponse, status: number, requestId: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/xml');
  res.setHeader('x-amzn-RequestId', requestId);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
