// The automation's certificates as the stack takes them: public certificate files only. They are
// read when the program runs (so preview shows their thumbprints and refuses a bad file before
// anything is written); the private key never enters the stack, its configuration or its state.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";

export interface PublicCertificate {
  /** SHA-1 thumbprint, upper-case hex: what the Entra admin center shows. */
  thumbprint: string;
  /** base64 DER: what Graph's keyCredential.key takes. */
  der: string;
  subject: string;
  notBefore: string;
  notAfter: string;
}

export class CertificateFileError extends Error {
  constructor(file: string, problem: string) {
    super(`automation certificate ${file}: ${problem}`);
    this.name = "CertificateFileError";
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g;

/** Reads one certificate from a PEM or DER file. A file named after a thumbprint (as certificate
 * stores export them, e.g. 3F2A….cer) must hold the certificate with that thumbprint. */
export function readPublicCertificate(file: string, now = new Date()): PublicCertificate {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new CertificateFileError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const text = bytes.toString("latin1");
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new CertificateFileError(
      file,
      "holds a private key; give the certificate alone (openssl x509 -in <file> -out <cert.pem>) and keep the key with the automation",
    );
  }
  let der: Buffer;
  const pems = [...text.matchAll(PEM_CERT)];
  if (pems.length > 1)
    throw new CertificateFileError(file, `holds ${pems.length} certificates; give one per file`);
  if (pems.length === 1) der = Buffer.from(pems[0][1].replace(/\s+/g, ""), "base64");
  else if (text.includes("-----BEGIN")) throw new CertificateFileError(file, "holds no CERTIFICATE block");
  else der = bytes;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    throw new CertificateFileError(file, "is not an X.509 certificate in PEM or DER form");
  }
  if (cert.publicKey.asymmetricKeyType !== "rsa") {
    // Entra's certificate credentials for client assertions are RSA (unv for other key types).
    throw new CertificateFileError(
      file,
      `has a ${cert.publicKey.asymmetricKeyType} key; Entra ID takes RSA certificates`,
    );
  }
  const { thumbprint } = describeCertificate(cert);
  const named = path.basename(file).replace(/\.[^.]*$/, "");
  if (/^[0-9a-f]{40}$/i.test(named) && named.toUpperCase() !== thumbprint) {
    throw new CertificateFileError(
      file,
      `is named after thumbprint ${named.toUpperCase()} but holds ${thumbprint}`,
    );
  }
  const notAfter = new Date(cert.validTo);
  if (notAfter <= now) {
    throw new CertificateFileError(
      file,
      `expired on ${notAfter.toISOString()}; issue a new certificate and list it`,
    );
  }
  return describeCertificate(cert);
}

/** A certificate in the form the stack declares it; also how a key credential read back from
 * Graph is shown, so that the same certificate compares equal. */
export function describeCertificate(cert: X509Certificate): PublicCertificate {
  return {
    thumbprint: cert.fingerprint.replace(/:/g, "").toUpperCase(),
    der: cert.raw.toString("base64"),
    subject: cert.subject.replace(/\n/g, ", "),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
  };
}

/** The certificates of a list of files, refusing the same certificate twice. */
export function readPublicCertificates(files: readonly string[], now = new Date()): PublicCertificate[] {
  const certs = files.map((f) => readPublicCertificate(f, now));
  certs.forEach((c, i) => {
    const j = certs.findIndex((d) => d.thumbprint === c.thumbprint);
    if (j !== i) throw new CertificateFileError(files[i], `is the same certificate as ${files[j]}`);
  });
  return certs;
}
