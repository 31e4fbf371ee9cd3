// An execution's running deadlines (the status document's `deadlines`): each step's due time,
// how it was reached and the business-day calendar it was computed under, so a coordinator can
// check "3 business days (au-national)" rather than trust a bare instant.
import type { ExecutionStatus } from '../api/types';
import { Due, EscalatedMark, Instant } from '../components/marks';
import { TableRegion } from '../components/page';
import { Link, paths } from '../router';

export function Deadlines(props: { status: ExecutionStatus }) {
  const deadlines = props.status.deadlines ?? [];
  const now = new Date();
  const titles = new Map(props.status.open_tasks.map((t) => [t.id, t.title]));
  return (
    <section aria-labelledby="deadlines-heading" class="panel">
      <h2 id="deadlines-heading">Deadlines</h2>
      {deadlines.length === 0 ? (
        <p class="empty">No running deadlines{props.status.in_progress?.length ? ' that you may see' : ''}.</p>
      ) : (
        <TableRegion labelledBy="deadlines-caption">
          <table class="data-table" data-testid="deadlines">
            <caption id="deadlines-caption">Running deadlines of this execution</caption>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Due</th>
                <th scope="col">Computed as</th>
                <th scope="col">Calendar</th>
                <th scope="col">Latest possible</th>
              </tr>
            </thead>
            <tbody>
              {deadlines.map((d) => (
                <tr key={d.step}>
                  <th scope="row">
                    {d.task ? <Link href={paths.task(d.task)}>{titles.get(d.task) ?? d.step}</Link> : null}
                    <div>
                      <code>{d.step}</code>
                    </div>
                  </th>
                  <td>
                    <Due value={d.due} now={now} />
                    {d.level > 0 ? (
                      <>
                        {' '}
                        <EscalatedMark level={d.level} />
                      </>
                    ) : null}
                  </td>
                  <td>{d.rule ?? <span class="muted">Not recorded</span>}</td>
                  <td>{d.calendar ?? <span class="muted">Calendar time</span>}</td>
                  <td>{d.cap ? <Instant value={d.cap} /> : <span class="muted">No cap</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}
