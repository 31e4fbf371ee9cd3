// An execution's timeline in words (GET /v1/executions/{id}/timeline), in order.
import { getTimeline } from '../api/endpoints';
import { Instant } from '../components/marks';
import { ErrorAlert, Loading } from '../components/page';
import { useResource } from '../use-resource';

export function ExecutionTimeline(props: { id: string; updatedAt: string }) {
  const resource = useResource((signal) => getTimeline(props.id, signal), `${props.id}:${props.updatedAt}`);
  return (
    <section aria-labelledby="timeline-heading" class="panel">
      <h2 id="timeline-heading">Timeline</h2>
      {resource.status === 'loading' ? <Loading what="the timeline" /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' ? (
        resource.data.entries.length === 0 ? (
          <p class="empty">Nothing has happened yet.</p>
        ) : (
          <ol class="timeline" data-testid="timeline">
            {resource.data.entries.map((entry, i) => (
              <li key={i}>
                <Instant value={entry.at} /> <span class="timeline-text">{entry.text}</span>
              </li>
            ))}
          </ol>
        )
      ) : null}
    </section>
  );
}
