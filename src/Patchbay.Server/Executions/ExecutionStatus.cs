namespace Patchbay.Executions;

public static class ExecutionStatus
{
    public const string Running = "RUNNING";
    public const string Completed = "COMPLETED";
    public const string Errored = "ERRORED";
    public const string Stopping = "STOPPING";
    public const string Stopped = "STOPPED";
    public const string TimedOut = "TIMED_OUT";
    public const string Duplicate = "DUPLICATE";

    public static readonly IReadOnlyList<string> All = [Completed, Errored, Running, Stopped, Stopping, TimedOut, Duplicate];

    public static bool IsFinal(string status) => status is Completed or Errored or Stopped or TimedOut or Duplicate;
}

// `type_of_execution`: run inline by the request that started it, or queued for a worker.
public static class ExecutionTypes
{
    public const string Sync = "SYNC";
    public const string Async = "ASYNC";

    public static readonly IReadOnlyList<string> All = [Sync, Async];
}

// `trigger_application_event`: an API call, a schedule, or else the name of the event that started the execution.
public static class ExecutionSources
{
    public const string ApiCall = "API Call";
    // A datasource workflow run to list a config field's options.
    public const string Datasource = "Datasource";
    public const string Schedule = "Schedule";
}
