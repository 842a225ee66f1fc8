// Whether a user has a mailbox in Exchange Online: a flag the admin API sets (the emulator has no
// Exchange). A cloud user's flag is kept by object id; a synced user's by its anchor in
// sync.exchangeOnlineMailboxes, where proxy calculation reads it as seed 000's first scrubbing
// trigger. (unv) that an Exchange Online license alone provisions no mailbox here: the emulator
// keeps the two apart so tests can set each.
import type { JsonObject, Tenant } from "./state";

export function hasMailbox(tenant: Tenant, user: JsonObject): boolean {
  if (tenant.mailboxes.includes(String(user.id))) return true;
  const anchor = user.onPremisesImmutableId;
  return typeof anchor === "string" && tenant.sync.exchangeOnlineMailboxes.includes(anchor);
}

/** Gives the user a mailbox or takes it away. Returns whether a synced user's proxy calculation
 * must run again (its scrubbing trigger changed). */
export function setMailbox(tenant: Tenant, user: JsonObject, exists: boolean): boolean {
  const id = String(user.id);
  const anchor = user.onPremisesSyncEnabled === true ? user.onPremisesImmutableId : undefined;
  if (typeof anchor === "string") {
    const list = tenant.sync.exchangeOnlineMailboxes.filter((a) => a !== anchor);
    if (exists) list.push(anchor);
    const changed = list.length !== tenant.sync.exchangeOnlineMailboxes.length;
    tenant.sync.exchangeOnlineMailboxes = list;
    return changed;
  }
  tenant.mailboxes = tenant.mailboxes.filter((m) => m !== id);
  if (exists) tenant.mailboxes.push(id);
  return false;
}
