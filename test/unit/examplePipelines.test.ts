// The example pipelines (examples/pipelines) parsed with a YAML parser, their structure checked:
// triggers, sign-in without a stored secret, permissions, approval gates, the commands and how
// their exit codes are read. test/e2e/examplePipelines.e2e.test.ts runs the commands.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { upEnvironment } from "../../lib/waves/upCommand";
import { commandLines, type PipelineFile, pipelineFiles, scriptSteps } from "../support/examplePipelines";
import { repoRoot } from "../support/pulumi";

const files = pipelineFiles();
const file = (platform: PipelineFile["platform"], name: string) => {
  const f = files.find((p) => p.platform === platform && p.name === name);
  assert.ok(f, `examples/pipelines/${platform}/${name}.yml`);
  return f;
};
const commands = (p: PipelineFile) => scriptSteps(p).flatMap((s) => commandLines(s.script));
const README = readFileSync(path.join(repoRoot, "README.md"), "utf8");

/** The Graph permissions a file's header lists, per tenant. */
function listedPermissions(p: PipelineFile): { source: string[]; target: string[] } {
  const header = p.text
    .split("\n")
    .filter((l) => l.startsWith("#"))
    .join("\n");
  const block = (tenant: string) => {
    const m = header.match(
      new RegExp(`#\\s+${tenant} tenant: ([\\s\\S]*?)(?=\\n#\\s+\\w+ tenant:|\\n# [a-z(]|\\n#$|$)`),
    );
    return (m?.[1] ?? "").match(/\b[A-Z][A-Za-z]+(?:\.[A-Z][A-Za-z]+)+\b/g) ?? [];
  };
  return { source: block("source"), target: block("target") };
}

describe("example pipelines", () => {
  it("has review, wave and drift for GitHub Actions and Azure DevOps", () => {
    assert.deepEqual(
      files.map((f) => `${f.platform}/${f.name}`),
      [
        "github/coex-drift",
        "github/coex-review",
        "github/coex-wave",
        "azure-devops/coex-drift",
        "azure-devops/coex-review",
        "azure-devops/coex-wave",
      ],
    );
  });

  it("stores no secret: no secrets.* reference, no client secret, no passphrase", () => {
    for (const f of files) {
      assert.doesNotMatch(f.text, /\$\{\{\s*secrets\./, f.file);
      assert.doesNotMatch(
        f.text,
        /client-secret|clientSecret|PULUMI_CONFIG_PASSPHRASE|AZURE_CLIENT_SECRET/,
        f.file,
      );
    }
  });

  it("lists the Graph permissions of each job, every one named in the README, read-only where it only reads", () => {
    for (const f of files) {
      const { source, target } = listedPermissions(f);
      assert.ok(source.length > 0 && target.length > 0, `${f.file} lists the permissions of both tenants`);
      for (const permission of [...source, ...target]) {
        assert.ok(README.includes(permission), `${f.file}: ${permission} is not in the README`);
      }
      if (f.name !== "coex-wave") {
        const writes = [...source, ...target].filter((p) => /ReadWrite|Invite/.test(p));
        assert.deepEqual(writes, [], `${f.file} only reads`);
      }
    }
  });

  describe("GitHub Actions", () => {
    it("review: every pull request, OIDC, a comment per stack, the job fails on a non-zero exit", () => {
      const f = file("github", "coex-review");
      assert.deepEqual(Object.keys(f.doc.on), ["pull_request"]);
      assert.deepEqual(f.doc.permissions, {
        "id-token": "write",
        contents: "read",
        "pull-requests": "write",
      });
      const steps = f.doc.jobs.review.steps;
      assert.ok(steps.some((s: { uses?: string }) => s.uses?.startsWith("azure/login@")));
      assert.ok(
        commands(f).includes('node dist/cli/coex.js review --stack "$STACK" --format markdown > review.md'),
      );
      const post = steps.find((s: { name?: string }) => s.name === "Post the review on the pull request");
      assert.match(post.run, /gh pr comment "\$PR" --body-file comment\.md/);
      assert.match(post.run, /PATCH/, "a later push updates the comment");
      const fail = steps.find((s: { if?: string }) => s.if === "steps.review.outputs.code != '0'");
      assert.match(fail.run, /exit 1/);
    });

    it("wave: started by hand, behind an environment with reviewers, every user at once", () => {
      const f = file("github", "coex-wave");
      assert.deepEqual(Object.keys(f.doc.on), ["workflow_dispatch"]);
      assert.equal(f.doc.on.workflow_dispatch.inputs.stack.required, true);
      assert.equal(f.doc.permissions["id-token"], "write");
      assert.equal(f.doc.jobs.up.environment, "coex-waves");
      const up = commands(f).find((c) => c.startsWith("pulumi up"));
      assert.ok(up);
      assert.match(up, /--yes --stack "\$STACK" --parallel (\d+)/);
      const users = Number(up.match(/--parallel (\d+)/)?.[1]);
      assert.ok(users >= 100);
      // The environment `coex wave new` prints for a wave of that size, on the up step only (a
      // heap limit for the provider would stop the build: tsc needs more).
      const step = f.doc.jobs.up.steps.find((s: { name?: string }) => s.name === "Up");
      for (const [k, v] of Object.entries(upEnvironment(users))) {
        assert.equal(step.env[k], v, k);
        assert.equal(f.doc.jobs.up.env[k], undefined, `${k} is not the job's`);
      }
    });

    it("drift: on a schedule; an issue on exit 7 only; a failed check fails the run", () => {
      const f = file("github", "coex-drift");
      assert.match(f.doc.on.schedule[0].cron, /^(\S+\s){4}\S+$/);
      assert.deepEqual(f.doc.permissions, { "id-token": "write", contents: "read", issues: "write" });
      assert.ok(
        commands(f).includes('node dist/cli/coex.js drift --stack "$STACK" --format markdown > drift.md'),
      );
      const steps = f.doc.jobs.drift.steps;
      const issue = steps.find((s: { name?: string }) => s.name === "Open or update the drift issue");
      assert.equal(issue.if, "steps.drift.outputs.code == '7'");
      assert.match(issue.run, /gh issue comment "\$number"/);
      assert.match(issue.run, /gh issue create/);
      const fail = steps.find((s: { name?: string }) => s.name === "Fail when the check itself failed");
      assert.equal(fail.if, "steps.drift.outputs.code != '0' && steps.drift.outputs.code != '7'");
    });
  });

  describe("Azure DevOps", () => {
    it("review: pull requests to main, a workload identity service connection, a PR thread", () => {
      const f = file("azure-devops", "coex-review");
      assert.equal(f.doc.trigger, "none");
      assert.deepEqual(f.doc.pr.branches.include, ["main"]);
      const review = scriptSteps(f).find((s) => s.name === "Review");
      assert.equal(review?.step.task, "AzureCLI@2");
      assert.equal(review?.step.env.SYSTEM_ACCESSTOKEN, "$(System.AccessToken)");
      assert.ok(review?.step.env.AZURESUBSCRIPTION_SERVICE_CONNECTION_ID);
      assert.ok(
        commands(f).includes('node dist/cli/coex.js review --stack "$STACK" --format markdown > review.md'),
      );
      assert.ok(scriptSteps(f).some((s) => /pullRequests\/.*\/threads/.test(s.script)));
    });

    it("wave: by hand, a deployment job on an environment (approvals), every user at once", () => {
      const f = file("azure-devops", "coex-wave");
      assert.equal(f.doc.trigger, "none");
      assert.equal(f.doc.pr, "none");
      const [job] = f.doc.jobs;
      assert.equal(job.deployment, "up");
      assert.equal(job.environment, "coex-waves");
      const up = commands(f).find((c) => c.startsWith("pulumi up"));
      const users = Number(up?.match(/--parallel (\d+)/)?.[1]);
      assert.ok(up && users >= 100, up);
      const step = scriptSteps(f).find((s) => s.name === "Up")?.step;
      for (const [k, v] of Object.entries(upEnvironment(users))) {
        assert.equal(step?.env[k], v, k);
        assert.equal(job.variables[k], undefined, `${k} is not the job's`);
      }
    });

    it("drift: scheduled on main; a work item on exit 7 only; a failed check fails the run", () => {
      const f = file("azure-devops", "coex-drift");
      assert.match(f.doc.schedules[0].cron, /^(\S+\s){4}\S+$/);
      assert.deepEqual(f.doc.schedules[0].branches.include, ["main"]);
      const item = f.doc.steps.find(
        (s: { displayName?: string }) => s.displayName === "Open or update the drift work item",
      );
      assert.equal(item.condition, "eq(variables.driftCode, '7')");
      const fail = f.doc.steps.find(
        (s: { displayName?: string }) => s.displayName === "Fail when the check itself failed",
      );
      assert.equal(fail.condition, "and(ne(variables.driftCode, '0'), ne(variables.driftCode, '7'))");
    });
  });
});
