// IPv4 and IPv6 addresses and CIDR blocks for the IpAddress / NotIpAddress
// condition operators. Addresses become byte arrays (4 or 16 bytes); an
// IPv4-mapped IPv6 address (::ffff:a.b.c.d, what Node reports for IPv4 clients on
// a dual-stack socket) is treated as the IPv4 address it carries.

export interface IpAddress {
  readonly bytes: Uint8Array;
}

export interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | null {
  let head = text;
  let tailV4: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (!tailV4) return null;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const group = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = group(halves[0]!);
  const right = halves.length === 2 ? group(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const value = parseInt(g, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  if (tailV4) bytes.set(tailV4, 12);
  return bytes;
}

function unmapV4(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 16) return bytes;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return bytes;
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return bytes;
  return bytes.slice(12);
}

/** Parses an IPv4 or IPv6 address; null when it is not one. */
export function parseIp(text: string): IpAddress | null {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const bytes = parseIpv6(trimmed);
    return bytes ? { bytes: unmapV4(bytes) } : null;
  }
  const bytes = parseIpv4(trimmed);
  return bytes ? { bytes } : null;
}

/** Parses "a.b.c.d/n", "x::y/n" or a bare address (a /32 or /128 block). */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseIp(addressText);
  if (!address) return null;
  const max = address.bytes.length * 8;
  if (slash < 0) return { bytes: address.bytes, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  let prefix = Number(prefixText);
  // A mapped IPv4 block written in IPv6 form (::ffff:10.0.0.0/104) keeps its meaning.
  const wasMapped = addressText.includes(':') && address.bytes.length === 4;
  if (wasMapped) prefix -= 96;
  if (prefix < 0 || prefix > max) return null;
  return { bytes: address.bytes, prefix };
}

export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  if (cidr.bytes.length !== address.bytes.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; i < cidr.bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.bytes[i]! & mask) !== (address.bytes[i]! & mask)) return false;
  }
  return true;
}
