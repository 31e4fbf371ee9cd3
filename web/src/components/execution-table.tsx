// A page of executions as a table (the Executions and Overdue pages).
import type { ExecutionSummary } from '../api/types';
import { Due, Instant, StatusBadge } from './marks';
import { TableRegion } from './page';
import { Link, paths } from '../router';

export function ExecutionTable(props: { executions: ExecutionSummary[]; caption: string; id: string }) {
  const now = new Date();
  const showInitiator = props.executions.some((e) => e.initiator !== undefined);
  if (props.executions.length === 0) return <p class="empty">No executions match.</p>;
  return (
    <TableRegion labelledBy={props.id}>
      <table class="data-table" data-testid="execution-table">
        <caption id={props.id}>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Execution</th>
            <th scope="col">Workflow</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Next due</th>
            {showInitiator ? <th scope="col">Initiator</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.executions.map((e) => (
            <tr key={e.id}>
              <th scope="row">
                <Link href={paths.execution(e.id)} class="mono">
                  {e.id}
                </Link>
              </th>
              <td>
                {e.workflow} <span class="muted">v{e.version}</span>
              </td>
              <td>
                <StatusBadge status={e.status} />
                {e.finished_at ? (
                  <span class="muted">
                    {' '}
                    (<Instant value={e.finished_at} />)
                  </span>
                ) : null}
              </td>
              <td>
                <Instant value={e.started_at} />
              </td>
              <td>{e.next_due ? <Due value={e.next_due} now={now} /> : <span class="muted">None</span>}</td>
              {showInitiator ? <td>{e.initiator ?? ''}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
