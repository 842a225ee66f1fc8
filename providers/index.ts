// Every resource type of the product, loaded for what the kernel learns from each at load time:
// what a stored declaration means (defaults and implied properties the state does not keep), for
// coex drift and coex review.
import "./automationApp";
import "./crossTenantAccessDefault";
import "./crossTenantAccessPartner";
import "./directoryDelegation";
import "./reachBackLicenseGroup";
import "./reachBackUser";

export { declaredOf } from "./kernel";
