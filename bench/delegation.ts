// How fast DirectoryDelegation's per-object work is on a large DACL (real OUs carry hundreds of
// entries): parse the descriptor, inspect the account's rights, add the missing ones, serialize.
// Prints figures; not part of the test suite's pass/fail.
import { randomUUID } from "node:crypto";
import { DELEGATED_USER_ATTRIBUTES } from "../lib/config/automation";
import { type AttributeGrant, addGrants, inspectDelegation } from "../lib/directory/delegation";
import {
  ACE_TYPE_ACCESS_ALLOWED_OBJECT,
  type Ace,
  ADS_RIGHT_READ_PROP,
  ADS_RIGHT_WRITE_PROP,
  CONTAINER_INHERIT_ACE,
  INHERIT_ONLY_ACE,
  parseSecurityDescriptor,
  SE_DACL_PRESENT,
  SE_SELF_RELATIVE,
  serializeSecurityDescriptor,
} from "../lib/directory/securityDescriptor";

/** One modify on one ldapts connection to Samba with ldb:nosync (reference/samba-ad.md: ≈ 1,000/s). */
const LDAP_MODIFY_MS = 1;
const ACCOUNT = "S-1-5-21-1004336348-1177238915-682003330-1105";
const grants: AttributeGrant[] = DELEGATED_USER_ATTRIBUTES.map((attribute) => ({
  attribute,
  attributeGuid: randomUUID(),
  objectClass: "user",
  objectClassGuid: "bf967aba-0de6-11d0-a285-00aa003049e2",
  scope: "descendants",
}));

function descriptorWith(entries: number): Buffer {
  const aces: Ace[] = [];
  for (let i = 0; i < entries; i++) {
    aces.push({
      type: ACE_TYPE_ACCESS_ALLOWED_OBJECT,
      flags: CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE,
      mask: i % 3 === 0 ? ADS_RIGHT_WRITE_PROP : ADS_RIGHT_READ_PROP,
      objectType: randomUUID(),
      inheritedObjectType: "bf967aba-0de6-11d0-a285-00aa003049e2",
      sid: `S-1-5-21-1004336348-1177238915-682003330-${2000 + i}`,
    });
  }
  return serializeSecurityDescriptor({
    control: SE_SELF_RELATIVE | SE_DACL_PRESENT,
    dacl: { revision: 4, aces },
  });
}

function measure(entries: number): void {
  const bytes = descriptorWith(entries);
  const rounds = Math.max(20, Math.floor(20_000 / entries));
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const sd = parseSecurityDescriptor(bytes);
    const state = inspectDelegation(sd, ACCOUNT, grants);
    serializeSecurityDescriptor(addGrants(sd, ACCOUNT, state.missing));
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / rounds;
  console.log(
    `${String(entries).padStart(6)} entries  ${String(bytes.length).padStart(8)} bytes  ${ms.toFixed(3).padStart(8)} ms per object  ${((ms / entries) * 1000).toFixed(2).padStart(6)} µs per entry  ${(ms / LDAP_MODIFY_MS).toFixed(1).padStart(5)}x one LDAP modify`,
  );
}

console.log("DACL size   descriptor   parse+inspect+add+serialize");
// AD caps an ACL at 64 KiB: about 900 object entries.
for (const n of [50, 250, 800]) measure(n);
