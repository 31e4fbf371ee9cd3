// The workflow graph of an execution: the definition's graph as data (coordinators and
// administrators may read definitions), coloured by the history's step states.
import { getHistory, getWorkflowGraph } from '../api/endpoints';
import type { ExecutionStatus } from '../api/types';
import { ErrorAlert, Loading } from '../components/page';
import { GraphView } from '../graph/graph-view';
import { joinBranches, readGraph } from '../graph/model';
import { stepStates } from '../graph/state';
import { useResource } from '../use-resource';
import { splitWorkflow } from '../workflow-ref';

export function ExecutionGraph(props: { status: ExecutionStatus; canSeeWorkflows: boolean }) {
  const { status } = props;
  const wf = splitWorkflow(status.workflow);
  const resource = useResource(async (signal) => {
    if (!props.canSeeWorkflows) return null;
    const [doc, history] = await Promise.all([
      getWorkflowGraph(wf.id, wf.version, signal),
      getHistory(status.id, signal),
    ]);
    const graph = joinBranches(readGraph(doc.graph));
    return {
      graph,
      states: stepStates(history.events, status),
      title: `${doc.title} (${doc.id} v${doc.version})`,
    };
  }, `${status.id}:${status.updated_at}:${props.canSeeWorkflows}`);
  return (
    <section aria-labelledby="graph-heading" class="panel">
      <h2 id="graph-heading">Workflow graph</h2>
      {!props.canSeeWorkflows ? (
        <p class="muted">The workflow graph is shown to coordinators and administrators.</p>
      ) : resource.status === 'loading' ? (
        <Loading what="the workflow graph" />
      ) : resource.status === 'error' ? (
        <ErrorAlert error={resource.error} onRetry={resource.reload} />
      ) : resource.data && resource.data.graph.nodes.length > 0 ? (
        <GraphView graph={resource.data.graph} states={resource.data.states} title={resource.data.title} />
      ) : (
        <p class="muted">The server sent no graph for this workflow.</p>
      )}
    </section>
  );
}
