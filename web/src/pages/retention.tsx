// /retention (administrators, and the roles the configuration lets purge or place legal holds):
// the legal holds in force, the retention policy of every workflow, and a purge — previewed (a
// dry run) before it is run. The server checks every request again.
import { useState } from 'preact/hooks';
import { getRetention, listLegalHolds, purge } from '../api/endpoints';
import type { PurgeReport, Session } from '../api/types';
import { announce } from '../announce';
import { Instant } from '../components/marks';
import { ErrorAlert, Loading, PageHeading, TableRegion, useDocumentTitle } from '../components/page';
import type { Location } from '../router';
import { Link, navigate, paths, queryString } from '../router';
import { isAdmin } from '../session';
import { useResource } from '../use-resource';

export function mayPurge(session: Session): boolean {
  return isAdmin(session) || session.may?.purge === true;
}

export function mayHold(session: Session): boolean {
  return isAdmin(session) || session.may?.legal_hold === true;
}

export function RetentionPage(props: { session: Session; location: Location }) {
  useDocumentTitle('Retention and legal holds');
  return (
    <>
      <PageHeading>Retention and legal holds</PageHeading>
      <p class="lede">
        Records of finished executions are kept for the periods below, then purged (a tombstone and an audit entry remain).
        An execution under a legal hold is never purged.
      </p>
      {mayHold(props.session) ? <LegalHolds location={props.location} /> : null}
      {mayPurge(props.session) ? (
        <>
          <Policies />
          <Purge />
        </>
      ) : null}
    </>
  );
}

function LegalHolds(props: { location: Location }) {
  const released = props.location.query.get('released') === 'true';
  const resource = useResource((signal) => listLegalHolds(released, signal), `holds:${released}`);
  return (
    <section aria-labelledby="holds-heading" class="panel">
      <h2 id="holds-heading">Legal holds</h2>
      <div class="option">
        <input
          type="checkbox"
          id="holds-released"
          checked={released}
          onChange={(e) =>
            navigate(
              `${paths.retention()}${queryString({ released: (e.currentTarget as HTMLInputElement).checked ? 'true' : undefined })}`,
              { replace: true },
            )
          }
        />
        <label for="holds-released">Include released holds</label>
      </div>
      {resource.status === 'loading' ? <Loading what="the legal holds" /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' ? (
        resource.data.holds.length === 0 ? (
          <p class="empty">{released ? 'No legal hold has ever been placed.' : 'No legal hold is in force.'}</p>
        ) : (
          <TableRegion labelledBy="holds-caption">
            <table class="data-table" data-testid="legal-holds">
              <caption id="holds-caption">
                {released ? 'Every legal hold, most recent first' : 'Legal holds in force, most recent first'}
                {resource.data.more ? ' (older ones left out)' : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Execution</th>
                  <th scope="col">Placed</th>
                  <th scope="col">By</th>
                  <th scope="col">Reason</th>
                  {released ? <th scope="col">Released</th> : null}
                </tr>
              </thead>
              <tbody>
                {resource.data.holds.map((h) => (
                  <tr key={h.execution}>
                    <th scope="row">
                      <Link href={paths.execution(h.execution)} class="mono">
                        {h.execution}
                      </Link>
                      {h.workflow ? <div class="muted">{h.workflow}</div> : null}
                    </th>
                    <td>
                      <Instant value={h.placed_at} />
                    </td>
                    <td>
                      {h.placed_by} <span class="muted">({h.role})</span>
                    </td>
                    <td>{h.reason}</td>
                    {released ? (
                      <td>
                        {h.released_at ? (
                          <>
                            <Instant value={h.released_at} /> <span class="muted">by {h.released_by}</span>
                          </>
                        ) : (
                          <span class="muted">In force</span>
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )
      ) : null}
    </section>
  );
}

/** "P7Y" -> "7 years", "P1Y6M" -> "1 year 6 months", "P2557D" -> "2557 days (about 7 years)". */
export function describeKeep(keep: string): string {
  const calendar = /^P(?:(\d+)Y)?(?:(\d+)M)?$/.exec(keep);
  if (calendar && (calendar[1] || calendar[2])) {
    const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const parts: string[] = [];
    if (calendar[1]) parts.push(unit(Number(calendar[1]), 'year'));
    if (calendar[2]) parts.push(unit(Number(calendar[2]), 'month'));
    return parts.join(' ');
  }
  const days = /^P(\d+)D$/.exec(keep);
  if (!days) return keep;
  const n = Number(days[1]);
  const years = n / 365.25;
  return years >= 1 ? `${n} days (about ${Math.round(years * 10) / 10} years)` : `${n} days`;
}

function Policies() {
  const resource = useResource((signal) => getRetention(signal), 'retention');
  return (
    <section aria-labelledby="policies-heading" class="panel">
      <h2 id="policies-heading">Retention policy</h2>
      {resource.status === 'loading' ? <Loading what="the retention policy" /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' ? (
        <TableRegion labelledBy="policies-caption">
          <table class="data-table" data-testid="retention-policies">
            <caption id="policies-caption">How long each workflow's records are kept</caption>
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">Record type</th>
                <th scope="col">Kept for</th>
                <th scope="col">Counted from</th>
                <th scope="col">Set by</th>
              </tr>
            </thead>
            {/* One row group per workflow, so its heading covers its own rows only. */}
            {resource.data.workflows.map((w) => (
              <tbody key={w.workflow}>
                {w.rules.map((r, i) => (
                  <tr key={r.record_type}>
                    {i === 0 ? (
                      <th scope="rowgroup" rowSpan={w.rules.length}>
                        {w.title} <span class="muted">({w.workflow})</span>
                        {w.hold ? <div class="muted">Held while {w.hold} is true</div> : null}
                      </th>
                    ) : null}
                    <td>{r.record_type}</td>
                    <td>{describeKeep(r.keep)}</td>
                    <td>
                      <code>{r.from}</code>
                    </td>
                    <td>{r.source}</td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </TableRegion>
      ) : null}
    </section>
  );
}

function Purge() {
  const [report, setReport] = useState<PurgeReport | null>(null);
  const [busy, setBusy] = useState<'preview' | 'purge' | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (dryRun: boolean) => {
    if (busy || (!dryRun && !confirmed)) return;
    setBusy(dryRun ? 'preview' : 'purge');
    setError(null);
    try {
      const r = await purge(dryRun);
      setReport(r);
      setConfirmed(false);
      announce(
        dryRun
          ? `Preview: ${r.purged} record sets would be purged, ${r.held} are held.`
          : `Purged ${r.purged} record sets; ${r.held} held.`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section aria-labelledby="purge-heading" class="panel">
      <h2 id="purge-heading">Purge</h2>
      <p>
        Preview what has expired before purging it: a preview changes nothing. A purge applies the policy at the
        moment it runs, so it may also take what expired since the preview.
      </p>
      <div class="actions">
        <button type="button" class="button-secondary" onClick={() => run(true)} aria-disabled={busy ? 'true' : undefined}>
          {busy === 'preview' ? 'Previewing…' : 'Preview the purge'}
        </button>
      </div>
      {report ? (
        <div class="panel-inner" data-testid="purge-report">
          <h3>{report.dry_run ? 'Preview' : 'Purged'} at <Instant value={report.now} /></h3>
          <dl class="details">
            <dt>Executions examined</dt>
            <dd>{report.examined}</dd>
            <dt>{report.dry_run ? 'Would be purged' : 'Purged'}</dt>
            <dd>{report.purged}</dd>
            <dt>Held</dt>
            <dd>{report.held}</dd>
            <dt>Kept (not expired)</dt>
            <dd>{report.kept}</dd>
            <dt>Already purged</dt>
            <dd>{report.already_purged}</dd>
          </dl>
          {report.dry_run && report.purged > 0 ? (
            <>
              <div class="option">
                <input
                  type="checkbox"
                  id="purge-confirm"
                  checked={confirmed}
                  onChange={(e) => setConfirmed((e.currentTarget as HTMLInputElement).checked)}
                />
                <label for="purge-confirm">I understand that purged records cannot be restored</label>
              </div>
              <div class="actions">
                <button
                  type="button"
                  class="button-danger"
                  onClick={() => run(false)}
                  aria-disabled={busy || !confirmed ? 'true' : undefined}
                >
                  {busy === 'purge' ? 'Purging…' : 'Purge now'}
                </button>
              </div>
            </>
          ) : null}
        </div>
      ) : null}
      {error ? <ErrorAlert error={error} /> : null}
    </section>
  );
}
