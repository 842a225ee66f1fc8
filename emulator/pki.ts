// Certificates for the emulator: its own CA (clients trust it through NODE_EXTRA_CA_CERTS), the
// HTTPS server certificate it signs, and self-signed client certificates for app credentials,
// as an administrator would make with New-SelfSignedCertificate or openssl.
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import forge from "node-forge";

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

function newKeyPair(): {
  keyPem: string;
  publicKey: forge.pki.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
} {
  // Node's native generator: forge's pure-JS RSA generation takes seconds.
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { keyPem, privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function baseCert(publicKey: forge.pki.PublicKey, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(15).toString("hex")}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  return cert;
}

/** Loads the CA kept in `dir`, or makes one there (ca.pem, ca-key.pem). */
export function loadOrCreateCa(dir: string): KeyAndCert & { certPath: string } {
  mkdirSync(dir, { recursive: true });
  const certPath = path.join(dir, "ca.pem");
  const keyPath = path.join(dir, "ca-key.pem");
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { certPem: readFileSync(certPath, "utf8"), keyPem: readFileSync(keyPath, "utf8"), certPath };
  }
  const { keyPem, privateKey, publicKey } = newKeyPair();
  const cert = baseCert(publicKey, 3650);
  const name = [{ name: "commonName", value: "entra-coexistence emulator CA" }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  writeFileSync(keyPath, keyPem, { mode: 0o600 });
  writeFileSync(certPath, certPem);
  return { certPem, keyPem, certPath };
}

/** A TLS server certificate for loopback names, signed by the CA. */
export function issueServerCert(
  ca: KeyAndCert,
  hostnames: string[] = ["localhost", "127.0.0.1", "::1"],
): KeyAndCert {
  const { keyPem, publicKey } = newKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = baseCert(publicKey, 365);
  cert.setSubject([{ name: "commonName", value: hostnames[0] }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: hostnames.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { keyPem, certPem: forge.pki.certificateToPem(cert) };
}

/** A self-signed certificate for an app registration's key credential. */
export function createClientCertificate(commonName: string, days = 365): KeyAndCert {
  const { keyPem, privateKey, publicKey } = newKeyPair();
  const cert = baseCert(publicKey, days);
  const name = [{ name: "commonName", value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: "keyUsage", digitalSignature: true, critical: true }]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { keyPem, certPem: forge.pki.certificateToPem(cert) };
}

/** The certificate's DER bytes, base64: what Graph's keyCredential.key holds. */
export function certDerBase64(certPem: string): string {
  const body = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  return Buffer.from(body, "base64").toString("base64");
}

export function certPemFromDerBase64(der: string): string {
  const lines = der.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

/** Thumbprints as base64url, the form of the x5t and x5t#S256 JWT headers. */
export function thumbprints(derBase64: string): { sha1: string; sha256: string } {
  const der = Buffer.from(derBase64, "base64");
  return {
    sha1: createHash("sha1").update(der).digest("base64url"),
    sha256: createHash("sha256").update(der).digest("base64url"),
  };
}

/** The certificate and its key in one PEM file: what ClientCertificateCredential reads. */
export function writeCredentialPem(file: string, kc: KeyAndCert): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${kc.keyPem}${kc.certPem}`, { mode: 0o600 });
}
