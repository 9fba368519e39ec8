using Patchbay.Auth;
using Patchbay.Http;
using Patchbay.Workflows;

namespace Patchbay.Executions;

// The list's query string (EX1): status, slug (comma-separated), workflow_name, workflow_id, execution_id, start_date,
// end_date, execution_type, execution_source, sortAsc. Empty and `All` mean "any".
public static class ExecutionInput
{
    const string Any = "All";

    public static ExecutionFilter Filter(IQueryCollection query, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(caller);
        var status = NonEmpty(query["status"]);
        if (status is Any) status = null;
        if (status is not null && !ExecutionStatus.All.Contains(status))
            throw new ApiException(ApiError.Validation($"'status' must be All or one of {string.Join(", ", ExecutionStatus.All)}"));
        var slugs = query["slug"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var workflowName = NonEmpty(query["workflow_name"]);
        var workflowId = NonEmpty(query["workflow_id"]);
        var executionId = NonEmpty(query["execution_id"]);
        var from = WorkflowInput.Date(query["start_date"], "start_date");
        var to = WorkflowInput.Date(query["end_date"], "end_date", endOfDay: true);
        var type = NonEmpty(query["execution_type"]);
        if (type is Any) type = null;
        if (type is not null && !ExecutionTypes.All.Contains(type))
            throw new ApiException(ApiError.Validation($"'execution_type' must be All, {ExecutionTypes.Sync} or {ExecutionTypes.Async}"));
        ExecutionSourceKind? source = query["execution_source"].ToString() switch
        {
            "" or Any => null,
            ExecutionSources.ApiCall or "API_CALL" => ExecutionSourceKind.ApiCall,
            ExecutionSources.Schedule or "SCHEDULE" => ExecutionSourceKind.Schedule,
            "Event" or "EVENT" => ExecutionSourceKind.Event,
            _ => throw new ApiException(ApiError.Validation("'execution_source' must be All, Event, Schedule or API Call")),
        };
        return new ExecutionFilter(caller.OrgId, caller.Environment)
        {
            AccountId = caller.LinkedAccountId, Status = status, Slugs = slugs, WorkflowName = workflowName, WorkflowId = workflowId,
            ExecutionId = executionId, From = from, To = to, Type = type, Source = source, Ascending = query["sortAsc"] == "true",
        };
    }

    static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
