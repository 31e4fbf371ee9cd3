// /audit (administrators): the audit chain's verification (GET /v1/audit/verify).
import { verifyAudit } from '../api/endpoints';
import { ErrorAlert, Loading, PageHeading, useDocumentTitle } from '../components/page';
import { useResource } from '../use-resource';

export function AuditPage() {
  useDocumentTitle('Audit log');
  const resource = useResource((signal) => verifyAudit(signal), 'audit');
  return (
    <>
      <PageHeading>Audit log</PageHeading>
      <p class="lede">The hash-chained audit log, verified from its first entry to its head.</p>
      {resource.status === 'loading' ? <Loading what="the verification" /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' ? (
        <section aria-labelledby="audit-result-heading" class="panel" aria-busy={resource.refreshing}>
          <h2 id="audit-result-heading">
            {resource.data.ok ? (
              <span class="status status-succeeded">Verified</span>
            ) : (
              <span class="status status-failed">Verification failed</span>
            )}
          </h2>
          <dl class="details">
            <dt>Entries</dt>
            <dd>{resource.data.entries}</dd>
            <dt>Events</dt>
            <dd>{resource.data.events}</dd>
            <dt>Redacted</dt>
            <dd>{resource.data.redacted}</dd>
            <dt>Events not yet anchored</dt>
            <dd>{resource.data.unanchored_events}</dd>
            <dt>Head</dt>
            <dd>
              <code class="break">{resource.data.head}</code>
            </dd>
            {resource.data.first_bad_seq !== undefined ? (
              <>
                <dt>First bad entry</dt>
                <dd>{resource.data.first_bad_seq}</dd>
              </>
            ) : null}
            {resource.data.kind ? (
              <>
                <dt>Kind</dt>
                <dd>{resource.data.kind}</dd>
              </>
            ) : null}
            {resource.data.problem ? (
              <>
                <dt>Problem</dt>
                <dd>{resource.data.problem}</dd>
              </>
            ) : null}
          </dl>
          <button type="button" class="button-secondary" onClick={resource.reload}>
            {resource.refreshing ? 'Verifying…' : 'Verify again'}
          </button>
        </section>
      ) : null}
    </>
  );
}
