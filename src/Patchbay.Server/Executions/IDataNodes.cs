using Patchbay.Workflows.Engine;

namespace Patchbay.Executions;

// What executions need to run the table, dataref and datastore nodes, implemented above them (Tables/DataNodes).
public interface IDataNodes
{
    Task<NodeOutcome> RunAsync(StepPlan plan, ExecutionRow execution, CancellationToken ct);
}
