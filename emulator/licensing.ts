// Emulated licensing: the tenant's subscriptions (GET /subscribedSkus), license assignment to
// groups (group-based licensing, processed asynchronously as Entra does) and to users directly,
// the per-user license states that processing computes, and the tie-in to proxy calculation
// (graph-facts.md "Licensing": license changes trigger proxy calculation for synced users).
//
// Sources: Graph's "List subscribedSkus", "group: assignLicense", "user: assignLicense" and
// "licenseAssignmentState" pages, graph-facts.md "Licensing", Entra's group-based licensing docs.
// Behaviour marked (unv) is not confirmed from a source; (obs) was recorded from real Graph by
// public tools.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { USER_DEFAULTS } from "./defaultProperties";
import { badRequest, type GraphHttp, GraphHttpError, notFound } from "./graphHttp";
import { select } from "./odata";
import { PLAN_SERVICES, type PlanService, planData, SCRUBBING_SERVICES } from "./skus";
import type { EmulatedGroup, EmulatedUser, Json, JsonObject, SubscribedSku, Tenant } from "./state";
import { checkSelect, findUser } from "./users";

/** Application permissions of GET /subscribedSkus (and GET /subscribedSkus/{id}). */
const SKU_READ = [
  "Organization.Read.All",
  "Organization.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
] as const;
/** group: assignLicense. */
export const GROUP_LICENSE_WRITE = [
  "LicenseAssignment.ReadWrite.All",
  "Directory.ReadWrite.All",
  "Group.ReadWrite.All",
] as const;
/** "List licenseDetails" (GET /users/{id}/licenseDetails). An earlier version of the page lists
 * User.Read.All, User.ReadWrite.All, Directory.Read.All and Directory.ReadWrite.All for
 * applications; today's names LicenseAssignment.Read.All (least privileged, delegated) and says
 * "Not supported" for applications, read here as the /me form (unv); LicenseAssignment.* for an
 * application is (unv). */
const LICENSE_DETAILS_READ = [
  "LicenseAssignment.Read.All",
  "LicenseAssignment.ReadWrite.All",
  "User.Read.All",
  "User.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
] as const;
/** user: assignLicense. */
const USER_LICENSE_WRITE = [
  "LicenseAssignment.ReadWrite.All",
  "Directory.ReadWrite.All",
  "User.ReadWrite.All",
] as const;

export interface AssignedLicense {
  skuId: string;
  disabledPlans: string[];
}

/** Graph's licenseAssignmentState (CSDL microsoft.graph.licenseAssignmentState). */
export interface LicenseAssignmentState {
  skuId: string;
  disabledPlans: string[];
  /** The group's id, or null for a direct assignment. */
  assignedByGroup: string | null;
  state: "Active" | "ActiveWithError" | "Disabled" | "Error";
  error: string | null;
  lastUpdatedDateTime: string;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
const lower = (s: string) => s.toLowerCase();
const isActive = (s: LicenseAssignmentState) => s.state === "Active" || s.state === "ActiveWithError";

export const invalidSku = (skuId: string) =>
  badRequest(`License ${skuId} does not correspond to a valid company License.`); // (obs)

export function statesOf(user: JsonObject): LicenseAssignmentState[] {
  return (user.licenseAssignmentStates as unknown as LicenseAssignmentState[] | undefined) ?? [];
}

export function assignedLicensesOf(o: JsonObject): AssignedLicense[] {
  return (o.assignedLicenses as unknown as AssignedLicense[] | undefined) ?? [];
}

export function findSku(tenant: Tenant, skuId: string): SubscribedSku | undefined {
  return tenant.subscribedSkus.find((s) => lower(s.skuId) === lower(skuId));
}

/** A user's assignedLicenses from their states: every SKU with an active state; a SKU assigned
 * by several groups (or a group and directly) has the plans disabled by all of them disabled,
 * i.e. a plan enabled by any assignment is enabled (unv). */
export function effectiveLicenses(states: readonly LicenseAssignmentState[]): AssignedLicense[] {
  const out = new Map<string, AssignedLicense>();
  for (const s of states.filter(isActive)) {
    const key = lower(s.skuId);
    const seen = out.get(key);
    if (!seen) out.set(key, { skuId: s.skuId, disabledPlans: [...s.disabledPlans] });
    else {
      const disabled = new Set(s.disabledPlans.map(lower));
      seen.disabledPlans = seen.disabledPlans.filter((p) => disabled.has(lower(p)));
    }
  }
  return [...out.values()];
}

/** A plan as a user holds it, with the service the emulator knows it by. */
export interface EnabledPlan {
  servicePlanId: string;
  servicePlanName: string;
  service: PlanService;
}

/** The service of a plan: as declared when it was added through the admin API, else from the
 * emulator's own plan data (skus.ts), else "Unknown". */
export function serviceOf(tenant: Tenant, servicePlanId: string): PlanService {
  const id = lower(servicePlanId);
  return tenant.licensing.planServices?.[id] ?? planData(id)?.service ?? "Unknown";
}

/** Records the service of plans added by hand (a SKU Microsoft changed, in tests) and returns them
 * without it, in Graph's servicePlanInfo shape. A plan the emulator has no data on must say its
 * service: the emulator does not guess a service from a name. */
export function declarePlanServices<P extends { servicePlanId: string; service?: unknown }>(
  tenant: Tenant,
  plans: readonly P[],
): Array<Omit<P, "service">> {
  return plans.map(({ service, ...plan }) => {
    const id = lower(plan.servicePlanId);
    if (service === undefined) {
      if (!tenant.licensing.planServices?.[id] && !planData(id))
        throw new GraphHttpError(
          400,
          "BadRequest",
          `The emulator has no data on service plan ${plan.servicePlanId}: give its service (${PLAN_SERVICES.join(", ")}).`,
        );
    } else {
      if (!PLAN_SERVICES.includes(service as PlanService))
        throw new GraphHttpError(
          400,
          "BadRequest",
          `Unknown service '${String(service)}' for plan ${plan.servicePlanId}; one of ${PLAN_SERVICES.join(", ")}.`,
        );
      tenant.licensing.planServices = { ...tenant.licensing.planServices, [id]: service as PlanService };
    }
    return plan;
  });
}

/** The service plans a user has enabled: every plan of each assigned SKU (as the SKU is now, so
 * a plan Microsoft adds to a SKU is enabled for everyone holding it) minus its disabledPlans. */
export function enabledPlans(tenant: Tenant, user: JsonObject): EnabledPlan[] {
  const plans: EnabledPlan[] = [];
  for (const l of assignedLicensesOf(user)) {
    const disabled = new Set(l.disabledPlans.map(lower));
    for (const p of findSku(tenant, l.skuId)?.servicePlans ?? []) {
      if (!disabled.has(lower(p.servicePlanId)))
        plans.push({
          servicePlanId: p.servicePlanId,
          servicePlanName: p.servicePlanName,
          service: serviceOf(tenant, p.servicePlanId),
        });
    }
  }
  return plans;
}

/** What a user's licenses mean for proxy calculation, from each enabled plan's service:
 * `scrubbing` when one belongs to a service that triggers proxy scrubbing (skus.ts
 * SCRUBBING_SERVICES: seed 000's third trigger, and Microsoft's "any Exchange service plan"),
 * `exchange` when one is an Exchange Online mailbox plan, which also adds the MOERA and UPN as
 * secondaries (the KB: "if the user is assigned an Exchange Online license"; (unv) that an add-on
 * or Exchange Foundation alone does not). */
export function licenseProxyEffect(
  tenant: Tenant,
  user: JsonObject,
): { scrubbing: boolean; exchange: boolean } {
  const plans = enabledPlans(tenant, user);
  return {
    scrubbing: plans.some((p) => SCRUBBING_SERVICES.has(p.service)),
    exchange: plans.some((p) => p.service === "Exchange Online"),
  };
}

/** Recounts every SKU's consumedUnits: each user once per SKU with an active state, whatever the
 * number of groups (and direct assignment) giving it. */
export function refreshConsumedUnits(tenant: Tenant): void {
  const counts = consumption(tenant);
  for (const sku of tenant.subscribedSkus) sku.consumedUnits = counts.get(lower(sku.skuId)) ?? 0;
}

function consumption(tenant: Tenant): Map<string, number> {
  const counts = new Map<string, number>();
  for (const u of Object.values(tenant.users)) {
    for (const skuId of new Set(
      statesOf(u)
        .filter(isActive)
        .map((s) => lower(s.skuId)),
    ))
      counts.set(skuId, (counts.get(skuId) ?? 0) + 1);
  }
  return counts;
}

function setStates(user: JsonObject, states: LicenseAssignmentState[]): void {
  user.licenseAssignmentStates = states as unknown as Json;
  user.assignedLicenses = effectiveLicenses(states) as unknown as Json;
}

/** Validates an assignLicense body: both parameters required (obs), CSDL types, SKUs of the
 * tenant, plans of their SKU. */
function parseAssignLicense(http: GraphHttp, tenant: Tenant, body: unknown) {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest(
      "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader. A 'StartObject' node was expected.",
    );
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (key !== "addLicenses" && key !== "removeLicenses" && !key.startsWith("@")) {
      // ODL's ParameterNameNotInMetadata wording.
      throw badRequest(
        `The parameter '${key}' in the request payload is not a valid parameter for the operation 'assignLicense'.`,
      );
    }
  }
  for (const key of ["addLicenses", "removeLicenses"]) {
    // (unv) the wording; that both are required is (obs).
    if (!Array.isArray(b[key]))
      throw badRequest(`Invalid value specified for property '${key}' of resource 'assignLicense'.`);
  }
  const add = b.addLicenses as unknown[];
  for (const entry of add) http.validate("microsoft.graph.assignedLicense", entry, "create");
  const remove = b.removeLicenses as unknown[];
  for (const r of remove) {
    if (typeof r !== "string" || !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(r))
      throw badRequest(`Cannot convert the literal '${String(r)}' to the expected type 'Edm.Guid'.`);
  }
  const licenses: AssignedLicense[] = add.map((e) => {
    const entry = e as { skuId?: string; disabledPlans?: string[] };
    // (unv) the wording for an entry without skuId.
    if (!entry.skuId)
      throw badRequest("Invalid value specified for property 'skuId' of resource 'AssignedLicense'.");
    return { skuId: lower(entry.skuId), disabledPlans: (entry.disabledPlans ?? []).map(lower) };
  });
  for (const l of licenses) {
    const sku = findSku(tenant, l.skuId);
    if (!sku) throw invalidSku(l.skuId);
    const plans = new Set(sku.servicePlans.map((p) => lower(p.servicePlanId)));
    for (const p of l.disabledPlans) {
      // (unv) the wording: a public report paraphrases Graph as "the service plan does not
      // belong to [the] subscription".
      if (!plans.has(p)) throw badRequest(`Service plan ${p} does not belong to license ${l.skuId}.`);
    }
  }
  const removeIds = remove.map((r) => lower(String(r)));
  for (const r of removeIds) if (!findSku(tenant, r)) throw invalidSku(r);
  const both = licenses.find((l) => removeIds.includes(l.skuId));
  // (unv) Graph's answer to adding and removing the same SKU in one call.
  if (both) throw badRequest(`License ${both.skuId} cannot be both added and removed.`);
  return { add: licenses, remove: removeIds };
}

/** Adds (or, for a SKU already there, replaces the disabledPlans of, in place) and removes. */
function applyLicenses(
  current: AssignedLicense[],
  add: AssignedLicense[],
  remove: string[],
): AssignedLicense[] {
  const next = current.filter((l) => !remove.includes(lower(l.skuId))).map((l) => ({ ...l }));
  for (const l of add) {
    const same = next.find((n) => lower(n.skuId) === l.skuId);
    if (same) same.disabledPlans = [...l.disabledPlans];
    else next.push({ skuId: l.skuId, disabledPlans: [...l.disabledPlans] });
  }
  return next;
}

/** Re-runs proxy calculation for a synced user from its remembered on-premises values (provided
 * by the Entra Connect emulation; a no-op for cloud users). */
export type Reprojector = (tenant: Tenant, userId: string) => void;

/** Group license processing: QueuedForProcessing → ProcessingInProgress → ProcessingComplete
 * over the tenant's processingDelayMs, the members' states computed at the end.
 *
 * Entra processes a group's license changes asynchronously, after each membership or assignment
 * change (graph-facts.md "Licensing"); a group whose membership keeps changing is still processed,
 * not postponed until the changes stop. The emulator's model of that (unv: Microsoft does not
 * document how changes arriving during processing are batched):
 * - a change while no run is pending queues a run (QueuedForProcessing), which starts after half
 *   the delay (ProcessingInProgress) and applies its result at the end of the delay;
 * - a change while a run is queued is picked up by that run: the run reads the group's members
 *   and licenses when it starts;
 * - a change while a run is in progress is not in that run's result; it queues one more run,
 *   which starts when this one completes (several such changes share that one run).
 * So a member added under a steady stream of changes is licensed within about two delays. */
export class Licensing {
  private readonly runs = new Map<string, GroupRun>();

  constructor(
    private readonly http: GraphHttp,
    private readonly reproject: Reprojector,
  ) {
    // Processing interrupted by a restart starts again.
    for (const tenant of Object.values(http.store.state.tenants)) {
      for (const g of Object.values(tenant.groups)) {
        const state = (g.licenseProcessingState as { state?: string } | null)?.state;
        if (state && state !== "ProcessingComplete") this.queue(tenant, g.id);
      }
    }
  }

  /** Whether changing this group's membership needs processing: it assigns licenses, or still has
   * states on users from before. A group that was never processed (licenseProcessingState null)
   * has given no states, so only groups processed before are looked for on the users. */
  isLicensing(tenant: Tenant, groupId: string): boolean {
    const g = tenant.groups[groupId];
    if (g && assignedLicensesOf(g).length > 0) return true;
    if (g && g.licenseProcessingState == null && !this.runs.has(runKey(tenant.id, groupId))) return false;
    return Object.values(tenant.users).some((u) => statesOf(u).some((s) => s.assignedByGroup === groupId));
  }

  /** The group's membership or licenses changed: queue a run, or let the pending run (queued) or
   * the next one (in progress) pick the change up. */
  queue(tenant: Tenant, groupId: string): void {
    const key = runKey(tenant.id, groupId);
    const run = this.runs.get(key);
    if (run?.phase === "queued") return;
    if (run?.phase === "inProgress") {
      run.again = true;
      return;
    }
    const delay = tenant.licensing.processingDelayMs;
    if (delay <= 0) {
      this.complete(tenant.id, groupId, undefined);
      return;
    }
    const next: GroupRun = { phase: "queued", again: false, timer: undefined };
    this.runs.set(key, next);
    this.setState(tenant.id, groupId, "QueuedForProcessing");
    next.timer = setTimeout(
      () => {
        // The run reads the group now: what changes from here on is for the next run.
        const g = this.http.store.tenant(tenant.id)?.groups[groupId];
        const snapshot = g
          ? { ...g, members: [...g.members], assignedLicenses: structuredClone(g.assignedLicenses) }
          : undefined;
        next.phase = "inProgress";
        this.setState(tenant.id, groupId, "ProcessingInProgress");
        next.timer = setTimeout(
          () => {
            this.runs.delete(key);
            this.complete(tenant.id, groupId, snapshot);
            const t = this.http.store.tenant(tenant.id);
            if (next.again && t) this.queue(t, groupId);
          },
          delay - Math.floor(delay / 2),
        );
      },
      Math.floor(delay / 2),
    );
  }

  /** Processes a group now (a group being deleted: removes what it gave). */
  processNow(tenant: Tenant, groupId: string): void {
    const key = runKey(tenant.id, groupId);
    clearTimeout(this.runs.get(key)?.timer);
    this.runs.delete(key);
    this.complete(tenant.id, groupId, undefined);
  }

  close(): void {
    for (const run of this.runs.values()) clearTimeout(run.timer);
    this.runs.clear();
  }

  private setState(tenantId: string, groupId: string, state: string): void {
    const g = this.http.store.tenant(tenantId)?.groups[groupId];
    if (g) g.licenseProcessingState = { state };
    this.http.store.save();
  }

  /** Applies a run: the states of the group as the run read it (`snapshot`), or as it is now. */
  private complete(tenantId: string, groupId: string, snapshot: EmulatedGroup | undefined): void {
    const tenant = this.http.store.tenant(tenantId);
    if (!tenant) return;
    const group = tenant.groups[groupId];
    // A group deleted meanwhile gives nothing (processNow handled it).
    const changed = processGroup(tenant, groupId, group && (snapshot ?? group));
    if (group) group.licenseProcessingState = { state: "ProcessingComplete" };
    this.http.store.save();
    for (const userId of changed) this.reproject(tenant, userId);
  }

  /** After licensing changed outside group processing (direct assignment, a SKU's plans). */
  licensesChanged(tenant: Tenant, userIds: Iterable<string>): void {
    refreshConsumedUnits(tenant);
    this.http.store.save();
    for (const id of userIds) this.reproject(tenant, id);
  }
}

/** A group's pending processing run. */
interface GroupRun {
  phase: "queued" | "inProgress";
  /** A change arrived while in progress: one more run follows. */
  again: boolean;
  timer: NodeJS.Timeout | undefined;
}

const runKey = (tenantId: string, groupId: string) => `${tenantId}/${groupId}`;

/** Computes the states `group` gives its members (none when the group is gone or assigns
 * nothing), and returns the users whose assignedLicenses changed. A member who cannot get one of
 * the group's SKUs (no unit left) gets none of them: Entra applies a group's licenses to a user
 * all or nothing. */
export function processGroup(tenant: Tenant, groupId: string, group: EmulatedGroup | undefined): string[] {
  const licenses = group ? assignedLicensesOf(group) : [];
  const members = new Set(group && licenses.length > 0 ? group.members.filter((id) => tenant.users[id]) : []);
  const affected = Object.values(tenant.users).filter(
    (u) => members.has(u.id) || statesOf(u).some((s) => s.assignedByGroup === groupId),
  );
  const used = consumption(tenant);
  const changed: string[] = [];
  const at = now();
  for (const user of affected) {
    const before = JSON.stringify(user.assignedLicenses ?? []);
    const states = statesOf(user);
    const others = states.filter((s) => s.assignedByGroup !== groupId);
    const previous = states.filter((s) => s.assignedByGroup === groupId);
    const releases = new Set(previous.filter(isActive).map((s) => lower(s.skuId)));
    // What the user holds without this group.
    const held = new Set(others.filter(isActive).map((s) => lower(s.skuId)));
    for (const skuId of releases) if (!held.has(skuId)) used.set(skuId, (used.get(skuId) ?? 1) - 1);
    let next = others;
    if (members.has(user.id)) {
      let failure: { skuId: string; error: string } | undefined;
      for (const l of licenses) {
        const sku = findSku(tenant, l.skuId);
        const skuId = lower(l.skuId);
        // (unv) a SKU the tenant no longer has: "Other".
        if (!sku) failure ??= { skuId, error: "Other" };
        else if (!held.has(skuId) && (used.get(skuId) ?? 0) >= sku.prepaidUnits.enabled)
          failure ??= { skuId, error: "CountViolation" };
      }
      const mine: LicenseAssignmentState[] = licenses.map((l) => {
        const skuId = lower(l.skuId);
        // (unv) the group's other SKUs are in Error too, with error "Other".
        const state = failure ? "Error" : "Active";
        const error = failure ? (failure.skuId === skuId ? failure.error : "Other") : null;
        const prior = previous.find((s) => lower(s.skuId) === skuId);
        const same =
          prior &&
          prior.state === state &&
          prior.error === error &&
          JSON.stringify(prior.disabledPlans) === JSON.stringify(l.disabledPlans);
        return {
          skuId: l.skuId,
          disabledPlans: [...l.disabledPlans],
          assignedByGroup: groupId,
          state,
          error,
          lastUpdatedDateTime: same ? prior.lastUpdatedDateTime : at,
        };
      });
      if (!failure)
        for (const l of licenses)
          if (!held.has(lower(l.skuId))) used.set(lower(l.skuId), (used.get(lower(l.skuId)) ?? 0) + 1);
      next = [...others, ...mine];
    }
    setStates(user, next);
    if (JSON.stringify(user.assignedLicenses) !== before) changed.push(user.id);
  }
  refreshConsumedUnits(tenant);
  return changed;
}

export function registerLicensing(
  app: FastifyInstance,
  http: GraphHttp,
  licensing: Licensing,
  groupResponse: (req: FastifyRequest, group: EmulatedGroup) => JsonObject,
): void {
  const skuView = (req: FastifyRequest<{ Querystring: { $select?: string } }>, sku: SubscribedSku) =>
    req.query.$select ? select(sku, req.query.$select, []) : { ...sku };

  app.get("/v1.0/subscribedSkus", async (req: FastifyRequest<{ Querystring: Record<string, string> }>) => {
    const { tenant } = await http.authorize(req, SKU_READ);
    // "This method supports only the $select OData query parameter … It does not support $filter."
    for (const key of Object.keys(req.query)) {
      if (key.startsWith("$") && key !== "$select")
        throw new GraphHttpError(400, "Request_UnsupportedQuery", `Unsupported query option '${key}'.`); // (unv) wording
    }
    checkSelect(http, "microsoft.graph.subscribedSku", req.query.$select);
    refreshConsumedUnits(tenant);
    return {
      "@odata.context": `https://${req.headers.host}/v1.0/$metadata#subscribedSkus`,
      value: tenant.subscribedSkus.map((s) => skuView(req, s)),
    };
  });

  app.get(
    "/v1.0/subscribedSkus/:id",
    async (req: FastifyRequest<{ Params: { id: string }; Querystring: { $select?: string } }>) => {
      const { tenant } = await http.authorize(req, SKU_READ);
      checkSelect(http, "microsoft.graph.subscribedSku", req.query.$select);
      refreshConsumedUnits(tenant);
      const sku = tenant.subscribedSkus.find((s) => lower(s.id) === lower(req.params.id));
      if (!sku) throw notFound(req.params.id);
      return {
        "@odata.context": `https://${req.headers.host}/v1.0/$metadata#subscribedSkus/$entity`,
        ...skuView(req, sku),
      };
    },
  );

  /** group: assignLicense → 202 with the group; processing follows asynchronously. Allowed on
   * groups synced from on-premises (graph-facts.md "Groups"). */
  app.post(
    "/v1.0/groups/:id/assignLicense",
    async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const { tenant } = await http.authorize(req, GROUP_LICENSE_WRITE);
      const group = tenant.groups[req.params.id.toLowerCase()];
      if (!group) throw notFound(req.params.id);
      const { add, remove } = parseAssignLicense(http, tenant, req.body);
      group.assignedLicenses = applyLicenses(assignedLicensesOf(group), add, remove) as unknown as Json;
      licensing.queue(tenant, group.id);
      http.store.save();
      return reply
        .code(202)
        .header(
          "location",
          `https://${req.headers.host}/v2/${tenant.id}/directoryObjects/${group.id}/Microsoft.DirectoryServices.Group`,
        )
        .send(groupResponse(req, group));
    },
  );

  /** A user's licenses, one licenseDetails per assigned SKU with every plan of the SKU: a disabled
   * plan has provisioningStatus "Disabled" (servicePlanInfo), the others the SKU's own status. */
  app.get(
    "/v1.0/users/:id/licenseDetails",
    async (req: FastifyRequest<{ Params: { id: string }; Querystring: { $select?: string } }>) => {
      const { tenant } = await http.authorize(req, LICENSE_DETAILS_READ);
      checkSelect(http, "microsoft.graph.licenseDetails", req.query.$select);
      const user = findUser(tenant, req.params.id);
      const details = assignedLicensesOf(user).flatMap((l): JsonObject[] => {
        const sku = findSku(tenant, l.skuId);
        // (unv) a SKU the tenant no longer has is left out.
        if (!sku) return [];
        const disabled = new Set(l.disabledPlans.map(lower));
        const detail: JsonObject = {
          id: licenseDetailsId(tenant.id, sku.skuId),
          skuId: sku.skuId,
          skuPartNumber: sku.skuPartNumber,
          servicePlans: sku.servicePlans.map((p) => ({
            servicePlanId: p.servicePlanId,
            servicePlanName: p.servicePlanName,
            provisioningStatus: disabled.has(lower(p.servicePlanId)) ? "Disabled" : p.provisioningStatus,
            appliesTo: p.appliesTo,
          })),
        };
        return [req.query.$select ? select(detail, req.query.$select, []) : detail];
      });
      return {
        "@odata.context": `https://${req.headers.host}/v1.0/$metadata#users('${user.id}')/licenseDetails`,
        value: details,
      };
    },
  );

  /** user: assignLicense (direct assignment): applied at once, 200 with the user. */
  app.post(
    "/v1.0/users/:id/assignLicense",
    async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const { tenant } = await http.authorize(req, USER_LICENSE_WRITE);
      const user = findUser(tenant, req.params.id);
      const { add, remove } = parseAssignLicense(http, tenant, req.body);
      assignDirect(tenant, user, add, remove);
      licensing.licensesChanged(tenant, [user.id]);
      return reply.code(200).send({
        "@odata.context": `https://${req.headers.host}/v1.0/$metadata#users/$entity`,
        ...select(user, undefined, USER_DEFAULTS),
      });
    },
  );
}

/** licenseDetails ids in Graph's documented example are base64url of two GUIDs in their byte
 * form: the tenant's id, then the SKU's (obs: decoded from the "List licenseDetails" example). */
function licenseDetailsId(tenantId: string, skuId: string): string {
  const bytes = (guid: string) => {
    const hex = guid.replace(/-/g, "");
    const b = Buffer.from(hex, "hex");
    // A GUID's first three fields are little-endian in its byte form.
    return Buffer.concat([
      b.subarray(0, 4).reverse(),
      b.subarray(4, 6).reverse(),
      b.subarray(6, 8).reverse(),
      b.subarray(8),
    ]);
  };
  return Buffer.concat([bytes(tenantId), bytes(skuId)]).toString("base64url");
}

/** Direct assignment: synchronous; errors are returned to the caller instead of becoming states. */
function assignDirect(tenant: Tenant, user: EmulatedUser, add: AssignedLicense[], remove: string[]): void {
  const states = statesOf(user);
  const direct = states.filter((s) => s.assignedByGroup === null);
  for (const r of remove) {
    if (!direct.some((s) => lower(s.skuId) === r)) {
      if (states.some((s) => lower(s.skuId) === r))
        // Quoted from a public report of Graph's answer (unv that it is verbatim).
        throw badRequest(
          "User license is inherited from group membership and cannot be removed directly from the user.",
        );
      throw badRequest("User does not have a corresponding license."); // (unv)
    }
  }
  const used = consumption(tenant);
  const held = new Set(states.filter(isActive).map((s) => lower(s.skuId)));
  for (const l of add) {
    const sku = findSku(tenant, l.skuId);
    if (sku && !held.has(l.skuId) && (used.get(l.skuId) ?? 0) >= sku.prepaidUnits.enabled) {
      throw badRequest(`Subscription for license ${l.skuId} has no more available units.`); // (unv)
    }
  }
  const current = direct.map((s) => ({ skuId: lower(s.skuId), disabledPlans: s.disabledPlans }));
  const next = applyLicenses(current, add, remove);
  const at = now();
  const mine: LicenseAssignmentState[] = next.map((l) => {
    const prior = direct.find((s) => lower(s.skuId) === lower(l.skuId));
    const same = prior && JSON.stringify(prior.disabledPlans) === JSON.stringify(l.disabledPlans);
    return {
      skuId: l.skuId,
      disabledPlans: l.disabledPlans,
      assignedByGroup: null,
      state: "Active",
      error: null,
      lastUpdatedDateTime: same ? prior.lastUpdatedDateTime : at,
    };
  });
  setStates(user, [...states.filter((s) => s.assignedByGroup !== null), ...mine]);
}
