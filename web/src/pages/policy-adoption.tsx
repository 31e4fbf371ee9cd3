// /policy-adoption (coordinators): the policy updates rolled out to members; /policy-adoption/<id>:
// the adoption matrix of one — every member's status by segment and by jurisdiction, and where
// each member stands (src/adoption.ts reads it from the execution's history).
import { getExecution, getHistory, listExecutions } from '../api/endpoints';
import type { AdoptionStatus, MemberAdoption } from '../adoption';
import { ADOPTION_STATUSES, ADOPTION_WORKFLOW, adoptionMatrix, countBy, isPolicyUpdate, STATUS_WORDS } from '../adoption';
import { Instant, StatusBadge } from '../components/marks';
import { ErrorAlert, Loading, PageHeading, TableRegion, useDocumentTitle } from '../components/page';
import { Pager } from '../components/pager';
import type { Location } from '../router';
import { Link, navigate, paths, queryString } from '../router';
import { useResource } from '../use-resource';

export function PolicyUpdatesPage(props: { location: Location }) {
  useDocumentTitle('Policy adoption');
  const { query } = props.location;
  const cursor = query.get('cursor') ?? undefined;
  const page = Math.max(1, Number(query.get('page')) || 1);
  const resource = useResource(
    (signal) => listExecutions({ workflow: ADOPTION_WORKFLOW, limit: 50, cursor }, signal),
    props.location.href,
  );
  return (
    <>
      <PageHeading>Policy adoption</PageHeading>
      <p class="lede">Policy updates rolled out to the members, newest first. Open one for its adoption matrix.</p>
      {resource.status === 'loading' ? <Loading what="policy updates" /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' ? (
        resource.data.executions.length === 0 ? (
          <p class="empty">No policy update has been started.</p>
        ) : (
          <>
            <TableRegion labelledBy="policy-updates-caption">
              <table class="data-table" data-testid="policy-updates">
                <caption id="policy-updates-caption">Policy updates (page {page})</caption>
                <thead>
                  <tr>
                    <th scope="col">Execution</th>
                    <th scope="col">Status</th>
                    <th scope="col">Started</th>
                  </tr>
                </thead>
                <tbody>
                  {resource.data.executions.map((e) => (
                    <tr key={e.id}>
                      <th scope="row">
                        <Link href={paths.adoption(e.id)} class="mono">
                          {e.id}
                        </Link>
                      </th>
                      <td>
                        <StatusBadge status={e.status} />
                      </td>
                      <td>
                        <Instant value={e.started_at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
            <Pager
              label="Pages of policy updates"
              page={page}
              next={resource.data.next}
              onFirst={() => navigate(paths.adoption())}
              onNext={(next) => navigate(`${paths.adoption()}${queryString({ cursor: next, page: String(page + 1) })}`)}
            />
          </>
        )
      ) : null}
    </>
  );
}

export function AdoptionMatrixPage(props: { id: string }) {
  useDocumentTitle(`Adoption matrix of ${props.id}`);
  const resource = useResource(async (signal) => {
    // Only a policy update has members to adopt its clause: another execution's history would
    // read as members that never started.
    const status = await getExecution(props.id, signal);
    if (!isPolicyUpdate(status.workflow)) return { workflow: status.workflow, matrix: null };
    return { workflow: status.workflow, matrix: adoptionMatrix((await getHistory(props.id, signal)).events) };
  }, props.id);
  return (
    <>
      <PageHeading>Adoption matrix</PageHeading>
      <p>
        <Link href={paths.adoption()}>All policy updates</Link> ·{' '}
        <Link href={paths.execution(props.id)}>Execution {props.id}</Link>
      </p>
      {resource.status === 'loading' ? <Loading what="the adoption matrix" /> : null}
      {resource.status === 'error' ? <ErrorAlert error={resource.error} onRetry={resource.reload} /> : null}
      {resource.status === 'ok' && resource.data.matrix === null ? (
        <p class="empty">
          Execution {props.id} runs {resource.data.workflow}, not a policy update: it has no adoption matrix.
        </p>
      ) : null}
      {resource.status === 'ok' && resource.data.matrix !== null ? (
        <>
          <dl class="details">
            <dt>Policy change</dt>
            <dd>{resource.data.matrix.policy ?? <span class="muted">Not recorded</span>}</dd>
            <dt>Effective by</dt>
            <dd>
              {resource.data.matrix.effectiveBy ? (
                <Instant value={resource.data.matrix.effectiveBy} />
              ) : (
                <span class="muted">Not recorded</span>
              )}
            </dd>
            <dt>Members</dt>
            <dd>{resource.data.matrix.members.length}</dd>
          </dl>
          {resource.data.matrix.members.length === 0 ? (
            <p class="empty">This policy update names no members.</p>
          ) : (
            <>
              <Counts
                id="by-segment"
                title="By segment"
                counts={countBy(resource.data.matrix.members, (m) => (m.segment ? [m.segment] : []))}
                first="Segment"
              />
              <Counts
                id="by-jurisdiction"
                title="By jurisdiction"
                counts={countBy(resource.data.matrix.members, (m) => m.jurisdictions)}
                first="Jurisdiction"
              />
              <Members members={resource.data.matrix.members} />
            </>
          )}
        </>
      ) : null}
    </>
  );
}

function Counts(props: { id: string; title: string; first: string; counts: Map<string, Record<AdoptionStatus, number>> }) {
  return (
    <section aria-labelledby={`${props.id}-heading`} class="panel">
      <h2 id={`${props.id}-heading`}>{props.title}</h2>
      <TableRegion labelledBy={`${props.id}-caption`}>
        <table class="data-table matrix" data-testid={props.id}>
          <caption id={`${props.id}-caption`}>Members {props.title.toLowerCase()}, by adoption status</caption>
          <thead>
            <tr>
              <th scope="col">{props.first}</th>
              {ADOPTION_STATUSES.map((s) => (
                <th scope="col" key={s}>
                  {STATUS_WORDS[s]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...props.counts.entries()].map(([key, counts]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                {ADOPTION_STATUSES.map((s) => (
                  <td key={s}>{counts[s]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}

function Members(props: { members: MemberAdoption[] }) {
  return (
    <section aria-labelledby="members-heading" class="panel">
      <h2 id="members-heading">Members</h2>
      <TableRegion labelledBy="members-caption">
        <table class="data-table" data-testid="adoption-members">
          <caption id="members-caption">Where each member stands</caption>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Segment</th>
              <th scope="col">Jurisdictions</th>
              <th scope="col">Status</th>
              <th scope="col">At</th>
            </tr>
          </thead>
          <tbody>
            {props.members.map((m) => (
              <tr key={m.index}>
                <th scope="row">
                  {m.name ?? m.member}
                  {m.name ? <span class="muted"> ({m.member})</span> : null}
                </th>
                <td>{m.segment ?? <span class="muted">Unknown</span>}</td>
                <td>{m.jurisdictions.length > 0 ? m.jurisdictions.join(', ') : <span class="muted">Unknown</span>}</td>
                <td>
                  <span class={`status adoption-${m.status}`}>{STATUS_WORDS[m.status]}</span>
                </td>
                <td>
                  {m.stage ?? <span class="muted">—</span>}
                  {m.step ? (
                    <div>
                      <code class="break">{m.step}</code>
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}
