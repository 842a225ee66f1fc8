// The security descriptor codec: SIDs and GUIDs in their byte orders, a descriptor read from Samba
// decoded to what samba-tool shows for it and written back byte for byte, and round trips of
// generated descriptors (fast-check).
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ACE_TYPE_ACCESS_ALLOWED,
  ACE_TYPE_ACCESS_ALLOWED_OBJECT,
  ACE_TYPE_ACCESS_DENIED,
  ACE_TYPE_ACCESS_DENIED_OBJECT,
  ACE_TYPE_SYSTEM_AUDIT_OBJECT,
  type Ace,
  ADS_RIGHT_GENERIC_ALL,
  ADS_RIGHT_GENERIC_READ,
  ADS_RIGHT_READ_PROP,
  ADS_RIGHT_WRITE_PROP,
  aceFlagsText,
  CONTAINER_INHERIT_ACE,
  describeAce,
  INHERIT_ONLY_ACE,
  INHERITED_ACE,
  isRawAce,
  isSid,
  normalizeSid,
  parseSecurityDescriptor,
  rightsText,
  SE_DACL_AUTO_INHERITED,
  SE_DACL_PRESENT,
  SE_SELF_RELATIVE,
  type SecurityDescriptor,
  SecurityDescriptorError,
  serializeSecurityDescriptor,
  sidFromBytes,
  sidToBytes,
} from "../../lib/directory/securityDescriptor";

// OU=Fabrikam as `samba.sh start` leaves it (Samba 4.17), read as Administrator without the SD
// flags control (owner, group, SACL and DACL), and the same descriptor as samba-tool dsacl get
// prints it (SDDL; its aliases are expanded below). The domain SID is that provision's.
const FABRIKAM_OU_SDDL_DACL = [
  "(OA;CIIO;WP;bf967961-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-3954023736-2837308494-86352702-1127)",
  "(OA;CIIO;WP;b74b8612-1c5f-4a25-bd8a-e62261be7089;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-3954023736-2837308494-86352702-1127)",
  "(OA;CIIO;WP;d77a75db-32cc-4b18-bd96-b545383f8750;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-3954023736-2837308494-86352702-1127)",
  "(OA;CIIO;WP;bf967a06-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-3954023736-2837308494-86352702-1127)",
  "(OA;CIIO;WP;c5f52a3b-d5ca-45db-80ab-8bc82fb1ee30;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-3954023736-2837308494-86352702-1127)",
  "(OA;CIIO;WP;88f5ae7c-d9e5-4e01-b89c-0a30bb6665e5;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-3954023736-2837308494-86352702-1127)",
  "(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)",
  "(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)",
  "(OA;;CCDC;bf967a86-0de6-11d0-a285-00aa003049e2;;AO)",
  "(OA;;CCDC;bf967aba-0de6-11d0-a285-00aa003049e2;;AO)",
  "(OA;;CCDC;bf967a9c-0de6-11d0-a285-00aa003049e2;;AO)",
  "(OA;;CCDC;bf967aa8-0de6-11d0-a285-00aa003049e2;;PO)",
  "(A;;RPLCLORC;;;AU)",
  "(A;;RPLCLORC;;;ED)",
  "(OA;;CCDC;4828cc14-1437-45bc-9b07-ad6f015e5f28;;AO)",
  "(OA;CIIOID;RP;4c164200-20c0-11d0-a768-00aa006e0529;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)",
  "(OA;CIIOID;RP;4c164200-20c0-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;RU)",
  "(OA;CIIOID;RP;5f202010-79a5-11d0-9020-00c04fc2d4cf;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)",
  "(OA;CIIOID;RP;5f202010-79a5-11d0-9020-00c04fc2d4cf;bf967aba-0de6-11d0-a285-00aa003049e2;RU)",
  "(OA;CIIOID;RP;bc0ac240-79a9-11d0-9020-00c04fc2d4cf;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)",
  "(OA;CIIOID;RP;bc0ac240-79a9-11d0-9020-00c04fc2d4cf;bf967aba-0de6-11d0-a285-00aa003049e2;RU)",
  "(OA;CIIOID;RP;59ba2f42-79a2-11d0-9020-00c04fc2d3cf;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)",
  "(OA;CIIOID;RP;59ba2f42-79a2-11d0-9020-00c04fc2d3cf;bf967aba-0de6-11d0-a285-00aa003049e2;RU)",
  "(OA;CIIOID;RP;037088f8-0ae1-11d2-b422-00a0c968f939;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)",
  "(OA;CIIOID;RP;037088f8-0ae1-11d2-b422-00a0c968f939;bf967aba-0de6-11d0-a285-00aa003049e2;RU)",
  "(OA;CIIOID;RP;b7c69e6d-2cc7-11d2-854e-00a0c983f608;bf967a86-0de6-11d0-a285-00aa003049e2;ED)",
  "(OA;CIIOID;RP;b7c69e6d-2cc7-11d2-854e-00a0c983f608;bf967a9c-0de6-11d0-a285-00aa003049e2;ED)",
  "(OA;CIIOID;RP;b7c69e6d-2cc7-11d2-854e-00a0c983f608;bf967aba-0de6-11d0-a285-00aa003049e2;ED)",
  "(OA;CIIOID;RPLCLORC;;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)",
  "(OA;CIIOID;RPLCLORC;;bf967a9c-0de6-11d0-a285-00aa003049e2;RU)",
  "(OA;CIIOID;RPLCLORC;;bf967aba-0de6-11d0-a285-00aa003049e2;RU)",
  "(OA;CIID;RPWPCR;91e647de-d96f-4b70-9557-d63ff4f3ccd8;;PS)",
  "(A;CIID;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)",
  "(A;CIID;LC;;;RU)",
  "(A;CIID;RPWPCRCCLCLORCWOWDSDSW;;;BA)",
];
const FABRIKAM_OU_SDDL_SACL = [
  "(OU;CIIDSA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)",
  "(OU;CIIDSA;WP;f30e3bbf-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)",
];
const FABRIKAM_OU_SD = Buffer.from(
  [
    "AQAUjBQAAAAwAAAATAAAAMQAAAABBQAAAAAABRUAAAA4na3rTuQdqT6jJQUAAgAAAQUAAAAAAAUVAAAAOJ2t607kHak+oyUF",
    "AAIAAAQAeAACAAAAB1I4ACAAAAADAAAAvjsO8/Cf0RG2AwAA+ANnwaV6lr/mDdARooUAqgAwSeIBAQAAAAAAAQAAAAAHUjgA",
    "IAAAAAMAAAC/Ow7z8J/REbYDAAD4A2fBpXqWv+YN0BGihQCqADBJ4gEBAAAAAAABAAAAAAQA9AYjAAAABQpIACAAAAADAAAA",
    "YXmWv+YN0BGihQCqADBJ4rp6lr/mDdARooUAqgAwSeIBBQAAAAAABRUAAAA4na3rTuQdqT6jJQVnBAAABQpIACAAAAADAAAA",
    "EoZLt18cJUq9iuYiYb5wibp6lr/mDdARooUAqgAwSeIBBQAAAAAABRUAAAA4na3rTuQdqT6jJQVnBAAABQpIACAAAAADAAAA",
    "23V618wyGEu9lrVFOD+HULp6lr/mDdARooUAqgAwSeIBBQAAAAAABRUAAAA4na3rTuQdqT6jJQVnBAAABQpIACAAAAADAAAA",
    "BnqWv+YN0BGihQCqADBJ4rp6lr/mDdARooUAqgAwSeIBBQAAAAAABRUAAAA4na3rTuQdqT6jJQVnBAAABQpIACAAAAADAAAA",
    "Oyr1xcrV20WAq4vIL7HuMLp6lr/mDdARooUAqgAwSeIBBQAAAAAABRUAAAA4na3rTuQdqT6jJQVnBAAABQpIACAAAAADAAAA",
    "fK71iOXZAU64nAowu2Zl5bp6lr/mDdARooUAqgAwSeIBBQAAAAAABRUAAAA4na3rTuQdqT6jJQVnBAAAAAAUAP8BDwABAQAA",
    "AAAABRIAAAAAACQA/wEPAAEFAAAAAAAFFQAAADidretO5B2pPqMlBQACAAAFACwAAwAAAAEAAACGepa/5g3QEaKFAKoAMEni",
    "AQIAAAAAAAUgAAAAJAIAAAUALAADAAAAAQAAALp6lr/mDdARooUAqgAwSeIBAgAAAAAABSAAAAAkAgAABQAsAAMAAAABAAAA",
    "nHqWv+YN0BGihQCqADBJ4gECAAAAAAAFIAAAACQCAAAFACwAAwAAAAEAAACoepa/5g3QEaKFAKoAMEniAQIAAAAAAAUgAAAA",
    "JgIAAAAAFACUAAIAAQEAAAAAAAULAAAAAAAUAJQAAgABAQAAAAAABQkAAAAFACwAAwAAAAEAAAAUzChINxS8RZsHrW8BXl8o",
    "AQIAAAAAAAUgAAAAJAIAAAUaPAAQAAAAAwAAAABCFkzAINARp2gAqgBuBSkUzChINxS8RZsHrW8BXl8oAQIAAAAAAAUgAAAA",
    "KgIAAAUaPAAQAAAAAwAAAABCFkzAINARp2gAqgBuBSm6epa/5g3QEaKFAKoAMEniAQIAAAAAAAUgAAAAKgIAAAUaPAAQAAAA",
    "AwAAABAgIF+ledARkCAAwE/C1M8UzChINxS8RZsHrW8BXl8oAQIAAAAAAAUgAAAAKgIAAAUaPAAQAAAAAwAAABAgIF+ledAR",
    "kCAAwE/C1M+6epa/5g3QEaKFAKoAMEniAQIAAAAAAAUgAAAAKgIAAAUaPAAQAAAAAwAAAEDCCrypedARkCAAwE/C1M8UzChI",
    "NxS8RZsHrW8BXl8oAQIAAAAAAAUgAAAAKgIAAAUaPAAQAAAAAwAAAEDCCrypedARkCAAwE/C1M+6epa/5g3QEaKFAKoAMEni",
    "AQIAAAAAAAUgAAAAKgIAAAUaPAAQAAAAAwAAAEIvulmiedARkCAAwE/C088UzChINxS8RZsHrW8BXl8oAQIAAAAAAAUgAAAA",
    "KgIAAAUaPAAQAAAAAwAAAEIvulmiedARkCAAwE/C08+6epa/5g3QEaKFAKoAMEniAQIAAAAAAAUgAAAAKgIAAAUaPAAQAAAA",
    "AwAAAPiIcAPhCtIRtCIAoMlo+TkUzChINxS8RZsHrW8BXl8oAQIAAAAAAAUgAAAAKgIAAAUaPAAQAAAAAwAAAPiIcAPhCtIR",
    "tCIAoMlo+Tm6epa/5g3QEaKFAKoAMEniAQIAAAAAAAUgAAAAKgIAAAUaOAAQAAAAAwAAAG2exrfHLNIRhU4AoMmD9giGepa/",
    "5g3QEaKFAKoAMEniAQEAAAAAAAUJAAAABRo4ABAAAAADAAAAbZ7Gt8cs0hGFTgCgyYP2CJx6lr/mDdARooUAqgAwSeIBAQAA",
    "AAAABQkAAAAFGjgAEAAAAAMAAABtnsa3xyzSEYVOAKDJg/YIunqWv+YN0BGihQCqADBJ4gEBAAAAAAAFCQAAAAUaLACUAAIA",
    "AgAAABTMKEg3FLxFmwetbwFeXygBAgAAAAAABSAAAAAqAgAABRosAJQAAgACAAAAnHqWv+YN0BGihQCqADBJ4gECAAAAAAAF",
    "IAAAACoCAAAFGiwAlAACAAIAAAC6epa/5g3QEaKFAKoAMEniAQIAAAAAAAUgAAAAKgIAAAUSKAAwAQAAAQAAAN5H5pFv2XBL",
    "lVfWP/TzzNgBAQAAAAAABQoAAAAAEiQA/wEPAAEFAAAAAAAFFQAAADidretO5B2pPqMlBQcCAAAAEhgABAAAAAECAAAAAAAF",
    "IAAAACoCAAAAEhgAvQEPAAECAAAAAAAFIAAAACACAAA=",
  ].join(""),
  "base64",
);

const DOMAIN = "S-1-5-21-3954023736-2837308494-86352702";
const SVC = `${DOMAIN}-1127`;
const SDDL_ALIASES: Record<string, string> = {
  DA: `${DOMAIN}-512`,
  EA: `${DOMAIN}-519`,
  SY: "S-1-5-18",
  AU: "S-1-5-11",
  ED: "S-1-5-9",
  PS: "S-1-5-10",
  WD: "S-1-1-0",
  BA: "S-1-5-32-544",
  AO: "S-1-5-32-548",
  PO: "S-1-5-32-550",
  RU: "S-1-5-32-554",
};
/** samba-tool's ACE text with the trustee alias written as a SID, and audit ACEs in our raw form. */
function expanded(sddl: string): string {
  return sddl.replace(/;([A-Z]{2})\)$/, (_, alias: string) => `;${SDDL_ALIASES[alias]})`);
}

const USER_CLASS = "bf967aba-0de6-11d0-a285-00aa003049e2";
const MAIL = "bf967961-0de6-11d0-a285-00aa003049e2";

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ""), "hex");
}

describe("security descriptor codec", () => {
  describe("SIDs", () => {
    it("reads and writes known SIDs in their binary form", () => {
      // Revision 1, 1 sub-authority, authority 5 (big-endian, 6 bytes), 18 (little-endian).
      const system = hex("01 01 000000000005 12000000");
      assert.equal(sidFromBytes(system), "S-1-5-18");
      assert.deepEqual(sidToBytes("S-1-5-18"), system);
      const admins = hex("01 02 000000000005 20000000 20020000");
      assert.equal(sidFromBytes(admins), "S-1-5-32-544");
      assert.deepEqual(sidToBytes("S-1-5-32-544"), admins);
      // svc-reachback as the descriptor above holds it (bytes from ldapsearch, text from samba-tool).
      const svc = Buffer.from("AQUAAAAAAAUVAAAAOJ2t607kHak+oyUFZwQAAA==", "base64");
      assert.equal(sidFromBytes(svc), SVC);
      assert.deepEqual(sidToBytes(SVC), svc);
    });

    it("writes an authority of 2^32 and more in hex, as MS-DTYP says", () => {
      const bytes = hex("01 01 000100000000 01000000");
      assert.equal(sidFromBytes(bytes), "S-1-0x000100000000-1");
      assert.deepEqual(sidToBytes("S-1-0x000100000000-1"), bytes);
    });

    it("normalizes the spelling and refuses what is not a SID", () => {
      assert.equal(normalizeSid("s-1-5-18"), "S-1-5-18");
      for (const bad of [
        "S-2-5-18",
        "S-1-5-4294967296",
        "S-1",
        "5-18",
        "S-1-5-18-",
        `S-1-5${"-1".repeat(16)}`,
      ]) {
        assert.equal(isSid(bad), false, bad);
        assert.throws(() => sidToBytes(bad), SecurityDescriptorError, bad);
      }
      assert.throws(() => sidFromBytes(hex("01 05 000000000005 12000000")), /runs past the end/);
      assert.throws(() => sidFromBytes(hex("02 01 000000000005 12000000")), /revision 2/);
    });

    it("round-trips every SID", () => {
      const sid = fc
        .tuple(fc.nat({ max: 2 ** 48 - 1 }), fc.array(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 15 }))
        .map(([authority, subs]) => {
          const a =
            authority < 2 ** 32
              ? String(authority)
              : `0x${authority.toString(16).toUpperCase().padStart(12, "0")}`;
          return ["S-1", a, ...subs].join("-");
        });
      fc.assert(
        fc.property(sid, (s) => {
          assert.equal(sidFromBytes(sidToBytes(s)), s);
        }),
      );
    });
  });

  describe("a descriptor read from Samba", () => {
    const sd = parseSecurityDescriptor(FABRIKAM_OU_SD);

    it("decodes the header, owner and group as samba-tool shows them (O:DA G:DA, D:AI S:AI)", () => {
      assert.equal(sd.control, SE_SELF_RELATIVE | 0x0c14);
      assert.ok(sd.control & SE_DACL_PRESENT);
      assert.ok(sd.control & SE_DACL_AUTO_INHERITED);
      assert.equal(sd.owner, `${DOMAIN}-512`);
      assert.equal(sd.group, `${DOMAIN}-512`);
      assert.equal(sd.layout, undefined, "Samba lays out owner, group, SACL, DACL");
      assert.equal(sd.dacl?.revision, 4);
    });

    it("decodes every DACL ACE to samba-tool's SDDL, the object GUIDs in the right byte order", () => {
      assert.deepEqual(
        sd.dacl?.aces.map((a) => describeAce(a)),
        FABRIKAM_OU_SDDL_DACL.map(expanded),
      );
    });

    it("keeps the SACL's audit ACEs as raw bytes", () => {
      const aces = sd.sacl?.aces ?? [];
      assert.equal(aces.length, FABRIKAM_OU_SDDL_SACL.length);
      for (const ace of aces) {
        assert.ok(isRawAce(ace));
        assert.equal(ace.type, ACE_TYPE_SYSTEM_AUDIT_OBJECT);
        assert.equal(aceFlagsText(ace.flags), "CIIDSA");
      }
    });

    it("writes the same bytes back", () => {
      assert.deepEqual(serializeSecurityDescriptor(sd), FABRIKAM_OU_SD);
    });

    it("keeps another layout (Windows: SACL, DACL, owner, group) when writing back", () => {
      const windows = { ...sd, layout: ["sacl", "dacl", "owner", "group"] } as SecurityDescriptor;
      const bytes = serializeSecurityDescriptor(windows);
      assert.equal(bytes.readUInt32LE(12), 20, "the SACL right after the header");
      assert.ok(bytes.readUInt32LE(4) > bytes.readUInt32LE(16), "the owner after the DACL");
      const again = parseSecurityDescriptor(bytes);
      assert.deepEqual(again, windows);
      assert.deepEqual(serializeSecurityDescriptor(again), bytes);
    });
  });

  describe("ACEs", () => {
    it("encodes an allow-object ACE byte for byte (MS-DTYP 2.4.4.3)", () => {
      const ace: Ace = {
        type: ACE_TYPE_ACCESS_ALLOWED_OBJECT,
        flags: CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE,
        mask: ADS_RIGHT_WRITE_PROP,
        objectType: MAIL,
        inheritedObjectType: USER_CLASS,
        sid: "S-1-5-18",
      };
      const sd: SecurityDescriptor = {
        control: SE_SELF_RELATIVE | SE_DACL_PRESENT,
        dacl: { revision: 4, aces: [ace] },
      };
      const expected = hex(`
        01 00 0480  00000000 00000000 00000000 14000000
        04 00 4000 0100 0000
        05 0a 3800  20000000 03000000
        61 79 96 bf e6 0d d0 11 a2 85 00 aa 00 30 49 e2
        ba 7a 96 bf e6 0d d0 11 a2 85 00 aa 00 30 49 e2
        01 01 000000000005 12000000`);
      assert.deepEqual(serializeSecurityDescriptor(sd), expected);
      assert.deepEqual(parseSecurityDescriptor(expected), sd);
    });

    it("leaves out the GUIDs that are absent and sets the object flags to match", () => {
      const ace: Ace = {
        type: ACE_TYPE_ACCESS_ALLOWED_OBJECT,
        flags: 0,
        mask: ADS_RIGHT_WRITE_PROP,
        inheritedObjectType: USER_CLASS,
        sid: "S-1-5-18",
      };
      const bytes = serializeSecurityDescriptor({
        control: SE_SELF_RELATIVE | SE_DACL_PRESENT,
        dacl: { revision: 4, aces: [ace] },
      });
      // ACE at 28: header 4, mask 4, flags 4 = ACE_INHERITED_OBJECT_TYPE_PRESENT, one GUID, the SID.
      assert.equal(bytes.readUInt16LE(30), 4 + 4 + 4 + 16 + 12);
      assert.equal(bytes.readUInt32LE(36), 2);
      assert.deepEqual(parseSecurityDescriptor(bytes).dacl?.aces, [ace]);
    });

    it("keeps bytes after the SID that AceSize covers, and unknown object flags as a raw ACE", () => {
      const base = hex(`
        01 00 0480  00000000 00000000 00000000 14000000
        02 00 3400 0200 0000
        00 00 1800  10000000  01 01 000000000005 12000000  aabbccdd
        05 00 1400  20000000 04000000  01000000 00000000`);
      const sd = parseSecurityDescriptor(base);
      const [plain, odd] = sd.dacl?.aces ?? [];
      assert.deepEqual(plain, {
        type: ACE_TYPE_ACCESS_ALLOWED,
        flags: 0,
        mask: ADS_RIGHT_READ_PROP,
        sid: "S-1-5-18",
        extra: hex("aabbccdd"),
      });
      assert.ok(isRawAce(odd));
      assert.deepEqual(serializeSecurityDescriptor(sd), base);
    });

    it("describes ACEs in SDDL's shape, with names for GUIDs", () => {
      const names = new Map([
        [MAIL, "mail"],
        [USER_CLASS, "user"],
      ]);
      const ace: Ace = {
        type: ACE_TYPE_ACCESS_ALLOWED_OBJECT,
        flags: CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE | INHERITED_ACE,
        mask: ADS_RIGHT_WRITE_PROP,
        objectType: MAIL,
        inheritedObjectType: USER_CLASS,
        sid: SVC,
      };
      assert.equal(describeAce(ace, names), `(OA;CIIOID;WP;mail;user;${SVC})`);
      assert.equal(describeAce(ace), `(OA;CIIOID;WP;${MAIL};${USER_CLASS};${SVC})`);
      assert.equal(
        describeAce({ type: ACE_TYPE_ACCESS_DENIED, flags: 0, mask: ADS_RIGHT_GENERIC_ALL, sid: "S-1-1-0" }),
        "(D;;GA;;;S-1-1-0)",
      );
      assert.equal(
        describeAce(
          { type: ACE_TYPE_ACCESS_DENIED_OBJECT, flags: 0, mask: 0x100, objectType: MAIL, sid: "S-1-1-0" },
          names,
        ),
        "(OD;;CR;mail;;S-1-1-0)",
      );
      assert.equal(describeAce({ type: 0x11, flags: 0, body: Buffer.alloc(12) }), "(0x11;;16 bytes)");
      assert.equal(rightsText(ADS_RIGHT_GENERIC_READ | 0x200), "GR0x200");
      assert.equal(aceFlagsText(0x20), "0x20");
    });
  });

  describe("malformed input", () => {
    const good = serializeSecurityDescriptor({
      control: SE_SELF_RELATIVE | SE_DACL_PRESENT,
      owner: "S-1-5-18",
      dacl: { revision: 2, aces: [{ type: ACE_TYPE_ACCESS_ALLOWED, flags: 0, mask: 1, sid: "S-1-5-18" }] },
    });

    it("says what is wrong", () => {
      assert.throws(() => parseSecurityDescriptor(Buffer.alloc(4)), /at least 20 bytes/);
      const revision = Buffer.from(good);
      revision[0] = 2;
      assert.throws(() => parseSecurityDescriptor(revision), /revision 2, not 1/);
      const absolute = Buffer.from(good);
      absolute.writeUInt16LE(SE_DACL_PRESENT, 2);
      assert.throws(() => parseSecurityDescriptor(absolute), /not self-relative/);
      assert.throws(() => parseSecurityDescriptor(good.subarray(0, good.length - 4)), /DACL .* does not fit/);
      const aclRevision = Buffer.from(good);
      aclRevision[32] = 3;
      assert.throws(() => parseSecurityDescriptor(aclRevision), /the DACL has revision 3/);
      const aceSize = Buffer.from(good);
      aceSize.writeUInt16LE(200, 42);
      assert.throws(() => parseSecurityDescriptor(aceSize), /ACE 0: the ACE at offset 40 has size 200/);
    });

    it("throws only SecurityDescriptorError, whatever the bytes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 199 }), (noise, at) => {
          // Mostly a valid header with damage somewhere, so the parser gets past its first checks.
          const bytes = Buffer.from(good);
          Buffer.from(noise).copy(bytes, Math.min(at, bytes.length - 1));
          try {
            parseSecurityDescriptor(bytes.subarray(0, Math.max(20, bytes.length - (noise.length % 7))));
          } catch (err) {
            assert.ok(err instanceof SecurityDescriptorError, String(err));
          }
        }),
        { numRuns: 2000 },
      );
    });

    it("refuses to write what does not fit the format", () => {
      const ace = { type: ACE_TYPE_ACCESS_ALLOWED, flags: 0, mask: -1, sid: "S-1-5-18" } as Ace;
      assert.throws(
        () => serializeSecurityDescriptor({ control: SE_SELF_RELATIVE, dacl: { revision: 2, aces: [ace] } }),
        /access mask -1/,
      );
      const guid = {
        type: ACE_TYPE_ACCESS_ALLOWED_OBJECT,
        flags: 0,
        mask: 1,
        objectType: "mail",
        sid: "S-1-5-18",
      } as Ace;
      assert.throws(
        () => serializeSecurityDescriptor({ control: SE_SELF_RELATIVE, dacl: { revision: 4, aces: [guid] } }),
        /"mail" is not a GUID/,
      );
    });
  });

  describe("round trips (fast-check)", () => {
    const sid = fc
      .tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.array(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 15 }))
      .map(([a, subs]) => ["S-1", String(a), ...subs].join("-"));
    const byte = fc.nat({ max: 255 });
    const mask = fc.nat({ max: 2 ** 32 - 1 });
    const extra = fc.option(
      fc.uint8Array({ minLength: 1, maxLength: 12 }).map((u) => Buffer.from(u)),
      { nil: undefined },
    );
    const guid = fc.uuid().map((u) => u.toLowerCase());
    const withoutUndefined = <T extends object>(o: T): T =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
    const ace: fc.Arbitrary<Ace> = fc.oneof(
      fc
        .record({
          type: fc.constantFrom(ACE_TYPE_ACCESS_ALLOWED, ACE_TYPE_ACCESS_DENIED),
          flags: byte,
          mask,
          sid,
          extra,
        })
        .map(withoutUndefined),
      fc
        .record({
          type: fc.constantFrom(ACE_TYPE_ACCESS_ALLOWED_OBJECT, ACE_TYPE_ACCESS_DENIED_OBJECT),
          flags: byte,
          mask,
          objectType: fc.option(guid, { nil: undefined }),
          inheritedObjectType: fc.option(guid, { nil: undefined }),
          sid,
          extra,
        })
        .map(withoutUndefined),
      fc.record(
        {
          type: byte.filter((t) => ![0, 1, 5, 6].includes(t)),
          flags: byte,
          body: fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)),
        },
        { noNullPrototype: true },
      ),
    );
    const acl = fc.record(
      { revision: fc.constantFrom(2, 4), aces: fc.array(ace, { maxLength: 8 }) },
      { noNullPrototype: true },
    );
    const descriptor: fc.Arbitrary<SecurityDescriptor> = fc.record(
      {
        control: fc.nat({ max: 0xffff }).map((c) => c | SE_SELF_RELATIVE),
        rmControl: fc.integer({ min: 1, max: 255 }),
        owner: sid,
        group: sid,
        sacl: acl,
        dacl: acl,
      },
      // Plain objects, as parse makes them (deepEqual tells prototypes apart).
      { requiredKeys: ["control"], noNullPrototype: true },
    );

    it("parse(serialize(sd)) is sd", () => {
      fc.assert(
        fc.property(descriptor, (sd) => {
          assert.deepEqual(parseSecurityDescriptor(serializeSecurityDescriptor(sd)), sd);
        }),
      );
    });

    it("serialize(parse(bytes)) is bytes, in any layout", () => {
      const parts = fc.shuffledSubarray(["owner", "group", "sacl", "dacl"] as const, { minLength: 4 });
      fc.assert(
        fc.property(descriptor, parts, (sd, layout) => {
          const bytes = serializeSecurityDescriptor({ ...sd, layout: [...layout] });
          assert.deepEqual(serializeSecurityDescriptor(parseSecurityDescriptor(bytes)), bytes);
        }),
      );
    });
  });
});
