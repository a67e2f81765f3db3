/**
 * A throw-away self-signed TLS certificate for 127.0.0.1 / localhost, made at test time in pure
 * JavaScript (node:crypto for the key and the signature, a few lines of DER for X.509), so no
 * private key lives in git and no `openssl` binary is needed.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from "node:crypto";

export interface TestCertificate {
  /** PEM certificate: trust it (NODE_EXTRA_CA_CERTS or an agent's `ca`) and serve it. */
  certPem: string;
  /** PEM PKCS#8 private key for the test servers. */
  keyPem: string;
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, ...items);
const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items);
const octetString = (content: Buffer): Buffer => tlv(0x04, content);
const bitString = (content: Buffer): Buffer => tlv(0x03, Buffer.from([0]), content);
const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, "utf8"));
const booleanTrue = (): Buffer => tlv(0x01, Buffer.from([0xff]));

function integer(content: Buffer): Buffer {
  const positive = (content[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), content]) : content;
  return tlv(0x02, positive);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [40 * (parts[0] ?? 0) + (parts[1] ?? 0)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let n = Math.floor(part / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const pad = (n: number): string => String(n).padStart(2, "0");
  const text =
    pad(date.getUTCFullYear() % 100) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    "Z";
  return tlv(0x17, Buffer.from(text, "ascii"));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [booleanTrue()] : []), octetString(value));
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export function createSelfSignedCertificate(commonName = "localhost"): TestCertificate {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
  const name = sequence(set(sequence(oid("2.5.4.3"), utf8String(commonName))));
  const now = Date.now();
  // Subject key identifier: SHA-1 of the public key bits (the tail of the SPKI).
  const keyId = createHash("sha1").update(spki.subarray(spki.length - 65)).digest();
  const subjectAltNames = sequence(tlv(0x82, Buffer.from("localhost", "ascii")), tlv(0x87, Buffer.from([127, 0, 0, 1])));
  const extensions = tlv(
    0xa3,
    sequence(
      extension("2.5.29.19", true, sequence(booleanTrue())),
      extension("2.5.29.15", true, tlv(0x03, Buffer.from([0x02, 0x84]))),
      extension("2.5.29.17", false, subjectAltNames),
      extension("2.5.29.14", false, octetString(keyId)),
    ),
  );
  // A positive serial in minimal DER: first byte 0x40–0x7f (a leading 0x00 followed by a byte
  // below 0x80 is "illegal padding", which failed about one certificate in 128).
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x3f) | 0x40;
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 30 * 24 * 3600_000))),
    name,
    spki,
    extensions,
  );
  const signature = sign("sha256", tbs, privateKey);
  const certificate = sequence(tbs, ecdsaWithSha256, bitString(signature));
  const certPem = toPem("CERTIFICATE", certificate);
  // Fails loudly here if the DER were malformed.
  new X509Certificate(certPem);
  return { certPem, keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}
