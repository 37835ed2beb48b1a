// How fast the oracle decides: runSimulation over every generated case of the committed fixture, in
// one process, after a warm-up round (module loading and first-use caches excluded).
//
// Usage: node bench.mjs [fixture] [--rounds N]   (needs `npm ci` here; the project benchmark calls it
// when node is present). Prints {"evaluations_per_second": N, "cases": M, "version": "..."}: the best
// of the rounds, as the least disturbed by the rest of the machine.

import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { runSimulation } from '@cloud-copilot/iam-simulate'
import { installedVersion, simulationFor } from './answer.mjs'

const SIMULATOR = '@cloud-copilot/iam-simulate'
const DEFAULT_FIXTURE = new URL('../../tests/data/simulator/answers.json.gz', import.meta.url)

function options(argv) {
  let fixture = DEFAULT_FIXTURE
  let rounds = 3
  for (let index = 0; index < argv.length; index++) {
    if (argv[index] === '--rounds') rounds = Number(argv[++index])
    else fixture = argv[index]
  }
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: give a whole number >= 1`)
  return { fixture, rounds }
}

async function round(simulations) {
  const start = process.hrtime.bigint()
  for (const simulation of simulations) {
    const response = await runSimulation(simulation, { simulationMode: 'Strict' })
    if (response.resultType === 'error') throw new Error(`refused: ${JSON.stringify(response.errors)}`)
  }
  return Number(process.hrtime.bigint() - start) / 1e9
}

const { fixture, rounds } = options(process.argv.slice(2))
const recorded = JSON.parse(gunzipSync(readFileSync(fixture)).toString('utf8'))
const simulations = recorded.cases.filter((c) => c.kind === 'generated').map(simulationFor)
await round(simulations) // warm-up
let best = Infinity
for (let index = 0; index < rounds; index++) best = Math.min(best, await round(simulations))
process.stdout.write(
  JSON.stringify({
    evaluations_per_second: Math.round(simulations.length / best),
    cases: simulations.length,
    version: installedVersion(SIMULATOR)
  }) + '\n'
)
