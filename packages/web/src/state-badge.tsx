/** A coloured label for an asset state or a run status. */
export function StateBadge({ state }: { state: string }) {
  return <span className={`state state-${state}`}>{state.replace('_', ' ')}</span>;
}
