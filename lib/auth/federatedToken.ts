// Workload identity federation: the deploying identity signs in with a token its CI platform
// issues (no stored secret), which Entra ID exchanges for an access token when the app
// registration has a federated identity credential trusting that issuer and subject. This module
// finds that token; @azure/identity's ClientAssertionCredential sends it as the client assertion
// (lib/graph/client.ts). A fresh token is fetched for each access token: CI tokens live minutes,
// a wave's `up` may run longer.
//
// Where the token comes from, in this order:
//   1. a file: the connection's `tokenFile`, else AZURE_FEDERATED_TOKEN_FILE (Kubernetes workload
//      identity, or a pipeline step that writes one, e.g. Azure DevOps' AzureCLI@2 `$idToken`);
//      read again each time, as the platform rotates it in place;
//   2. GitHub Actions (a job with `permissions: id-token: write`): the runner's endpoint,
//      ACTIONS_ID_TOKEN_REQUEST_URL with ACTIONS_ID_TOKEN_REQUEST_TOKEN, for the audience Entra
//      expects, api://AzureADTokenExchange;
//   3. Azure Pipelines (a service connection using workload identity federation): the job's OIDC
//      endpoint, SYSTEM_OIDCREQUESTURI with SYSTEM_ACCESSTOKEN and the service connection's id
//      (the connection's `serviceConnectionId`, else AZURESUBSCRIPTION_SERVICE_CONNECTION_ID).
import { readFileSync } from "node:fs";

/** The audience Entra ID accepts on federated tokens (its documented default). */
export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

export interface FederatedTokenSource {
  tokenFile?: string;
  serviceConnectionId?: string;
}

/** What to do when no source is there: named in every error. */
const HOW =
  "run in GitHub Actions with `permissions: id-token: write`, in Azure Pipelines with a workload identity " +
  "federation service connection (SYSTEM_ACCESSTOKEN mapped into the step's environment), or set " +
  "AZURE_FEDERATED_TOKEN_FILE to a file holding the token";

/** A function that returns a fresh federated token each time it is called, for `who` (a tenant). */
export function federatedTokenSource(
  source: FederatedTokenSource,
  who: string,
  env: NodeJS.ProcessEnv = process.env,
): () => Promise<string> {
  const file = source.tokenFile ?? env.AZURE_FEDERATED_TOKEN_FILE;
  if (file) {
    return async () => {
      const token = readFileSync(file, "utf8").trim();
      if (!token) throw new Error(`${who}: the federated token file ${file} is empty; ${HOW}`);
      return token;
    };
  }
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    const url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL);
    url.searchParams.set("audience", ENTRA_TOKEN_EXCHANGE_AUDIENCE);
    const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    return () =>
      requestToken(who, "GitHub Actions' OIDC endpoint", url, { method: "GET", bearer }, (b) => b.value);
  }
  const serviceConnectionId = source.serviceConnectionId ?? env.AZURESUBSCRIPTION_SERVICE_CONNECTION_ID;
  if (env.SYSTEM_OIDCREQUESTURI && env.SYSTEM_ACCESSTOKEN && serviceConnectionId) {
    const url = new URL(env.SYSTEM_OIDCREQUESTURI);
    url.searchParams.set("api-version", "7.1");
    url.searchParams.set("serviceConnectionId", serviceConnectionId);
    const bearer = env.SYSTEM_ACCESSTOKEN;
    return () =>
      requestToken(
        who,
        "Azure Pipelines' OIDC endpoint",
        url,
        { method: "POST", bearer },
        (b) => b.oidcToken,
      );
  }
  const partial = env.SYSTEM_OIDCREQUESTURI
    ? " (Azure Pipelines: SYSTEM_ACCESSTOKEN or the service connection id is missing)"
    : env.ACTIONS_ID_TOKEN_REQUEST_URL
      ? " (GitHub Actions: ACTIONS_ID_TOKEN_REQUEST_TOKEN is missing)"
      : "";
  return async () => {
    throw new Error(`${who}: credential kind workloadIdentity found no federated token${partial}; ${HOW}`);
  };
}

async function requestToken(
  who: string,
  what: string,
  url: URL,
  request: { method: "GET" | "POST"; bearer: string },
  pick: (body: Record<string, unknown>) => unknown,
): Promise<string> {
  const res = await fetch(url, {
    method: request.method,
    headers: { authorization: `Bearer ${request.bearer}`, "content-type": "application/json" },
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`${who}: ${what} answered ${res.status} ${text.slice(0, 300)}; ${HOW}`);
  }
  let token: unknown;
  try {
    token = pick(JSON.parse(text));
  } catch {
    token = undefined;
  }
  if (typeof token !== "string" || !token) {
    throw new Error(`${who}: ${what} answered without a token; ${HOW}`);
  }
  return token;
}
