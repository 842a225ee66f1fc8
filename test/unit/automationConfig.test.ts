import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bindNameOf } from "../../cli/verifyAccess";
import { createClientCertificate } from "../../emulator/pki";
import { thumbprintOfDer } from "../../lib/automation/automationAppApi";
import { readPublicCertificate, readPublicCertificates } from "../../lib/automation/certificates";
import { ConfigError, loadStackConfig } from "../../lib/config/stackConfig";

const dir = mkdtempSync(path.join(tmpdir(), "automation-config-"));
const kc = createClientCertificate("reachback-automation");
const other = createClientCertificate("reachback-automation-2");
const write = (name: string, content: string | Buffer) => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};
const thumbprint = new X509Certificate(kc.certPem).fingerprint.replace(/:/g, "");

describe("automation certificates (public keys only)", () => {
  it("reads a PEM and a DER certificate with its thumbprint and validity", () => {
    const pem = readPublicCertificate(write("auto.crt", kc.certPem));
    assert.equal(pem.thumbprint, thumbprint);
    assert.equal(thumbprintOfDer(pem.der), thumbprint);
    assert.match(pem.subject, /CN=reachback-automation/);
    assert.ok(new Date(pem.notAfter) > new Date());
    const der = readPublicCertificate(write("auto.cer", new X509Certificate(kc.certPem).raw));
    assert.deepEqual(der, pem);
  });

  it("refuses a file with a private key, naming the file and what to do", () => {
    const file = write("with-key.pem", `${kc.keyPem}${kc.certPem}`);
    assert.throws(
      () => readPublicCertificate(file),
      /with-key\.pem: holds a private key; give the certificate alone/,
    );
  });

  it("refuses two certificates in one file, no certificate, and garbage", () => {
    assert.throws(
      () => readPublicCertificate(write("two.pem", kc.certPem + other.certPem)),
      /holds 2 certificates/,
    );
    assert.throws(
      () =>
        readPublicCertificate(
          write("none.pem", "-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n"),
        ),
      /no CERTIFICATE block/,
    );
    assert.throws(
      () => readPublicCertificate(write("junk.cer", "not a certificate")),
      /is not an X\.509 certificate/,
    );
    assert.throws(
      () => readPublicCertificate(path.join(dir, "absent.crt")),
      /absent\.crt: cannot be read \(ENOENT\)/,
    );
  });

  it("checks a thumbprint-named file against its content", () => {
    assert.equal(readPublicCertificate(write(`${thumbprint}.cer`, kc.certPem)).thumbprint, thumbprint);
    const wrong = write(`${"A".repeat(40)}.cer`, kc.certPem);
    assert.throws(
      () => readPublicCertificate(wrong),
      new RegExp(`named after thumbprint A{40} but holds ${thumbprint}`),
    );
  });

  it("refuses an expired certificate and the same certificate listed twice", () => {
    const file = write("auto2.crt", kc.certPem);
    assert.throws(() => readPublicCertificate(file, new Date(Date.now() + 400 * 86_400_000)), /expired on/);
    assert.throws(
      () => readPublicCertificates([file, write("auto3.crt", kc.certPem)]),
      /auto3\.crt: is the same certificate as .*auto2\.crt/,
    );
    assert.equal(readPublicCertificates([file, write("other.crt", other.certPem)]).length, 2);
  });
});

describe("automation configuration", () => {
  const base = () => ({
    source: {
      tenantId: "5a0c6e1e-3c1b-4c52-9d0e-1f5b0c4a7e01",
      domain: "fabrikam.example",
      credential: { kind: "default" },
    },
    target: {
      tenantId: "b7d2f3a4-8e6c-4d19-a2f5-3c9e7b1d0f02",
      domain: "contoso.example",
      credential: { kind: "default" },
    },
    activeDirectory: {
      url: "ldaps://dc1.corp.fabrikam.example",
      bindDn: "admin@corp.fabrikam.example",
      password: "x",
      baseDn: "OU=Fabrikam,DC=corp,DC=fabrikam,DC=example",
    },
  });
  const load = (values: Record<string, unknown>) =>
    loadStackConfig((key) => (key in values ? JSON.stringify(values[key]) : undefined), "/project");
  const errorOf = (values: Record<string, unknown>) => {
    try {
      load(values);
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      return e.message;
    }
    assert.fail("accepted");
  };
  const ou = "OU=Users,OU=Fabrikam,DC=corp,DC=fabrikam,DC=example";

  it("resolves file paths against the project and fills in the defaults", () => {
    const c = load({
      ...base(),
      automation: {
        certificates: ["certs/auto.crt"],
        serviceAccount: { name: "svc-reachback" },
        userOus: [ou],
      },
    });
    assert.equal(c.automation?.displayName, "B2B Reach-Back Automation");
    assert.deepEqual(c.automation?.certificates, ["/project/certs/auto.crt"]);
  });

  it("names the key that is wrong", () => {
    assert.match(
      errorOf({
        ...base(),
        automation: { certificates: [], serviceAccount: { name: "svc" }, userOus: [ou] },
      }),
      /automation\.certificates: give at least one certificate file/,
    );
    assert.match(
      errorOf({ ...base(), automation: { certificates: ["a.crt"], serviceAccount: { name: "svc" } } }),
      /automation\.userOus: name the OUs/,
    );
    assert.match(
      errorOf({
        ...base(),
        automation: {
          certificates: ["a.crt"],
          serviceAccount: { name: "svc" },
          userOus: [ou, `OU=Sub,${ou}`],
        },
      }),
      /automation\.userOus\.1: OU=Sub,.* is inside another listed OU/,
    );
    assert.match(
      errorOf({ ...base(), automation: { certificates: ["a.crt"], userOus: ["Users"] } }),
      /automation\.userOus\.0: must be a distinguished name/,
    );
    const { activeDirectory: _ad, ...noAd } = base();
    assert.match(
      errorOf({
        ...noAd,
        automation: { certificates: ["a.crt"], serviceAccount: { name: "svc" }, userOus: [ou] },
      }),
      /activeDirectory: required when automation\.serviceAccount is set/,
    );
  });

  it("derives the service account's bind name from the domain's DN", () => {
    assert.equal(
      bindNameOf("svc-reachback", "OU=Fabrikam,DC=corp,DC=fabrikam,DC=example"),
      "svc-reachback@corp.fabrikam.example",
    );
    assert.equal(bindNameOf("CORP\\svc", "DC=x"), "CORP\\svc");
    assert.equal(bindNameOf("svc@corp.example", "DC=x"), "svc@corp.example");
  });
});
