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

/** `<Action>Response><Action>Result>…</…Result><ResponseMetadata>…` with the given result members. */
export function writeQueryResponse(res: ServerResponse, service: string, action: string, requestId: string, result: Readonly<Record<string, string>>): void {
  const members = Object.entries(result)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
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
