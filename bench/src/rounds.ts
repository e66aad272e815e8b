import { medianCell } from './measured-cell';
import type { Cell } from './results';

/**
 * Measures every job `rounds` times, taking turns (every job once, then every job again), and keeps each job's
 * median cell. The caller puts every cell of a network in one turn, all rules included: a drift in the host's
 * speed then reaches every rule and column of the network alike, and the rules compare fairly.
 */
export async function measureInTurns<K>(
  jobs: Map<K, () => Promise<Cell>>,
  rounds: number,
  onRound: (round: number) => void = () => {},
): Promise<Map<K, Cell>> {
  const taken = new Map<K, Cell[]>([...jobs.keys()].map((key) => [key, []]));
  for (let round = 1; round <= rounds; round++) {
    onRound(round);
    for (const [key, job] of jobs) taken.get(key)?.push(await job());
  }
  return new Map([...taken].map(([key, cells]) => [key, medianCell(cells)]));
}
