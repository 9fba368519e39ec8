using System.Text.Json.Nodes;

namespace Patchbay.Workflows;

// A check of a workflow's settings by a feature above workflows (configs check `settings.data_slots`, the fields a
// workflow declares), run when a workflow is saved: the error message for a 400, or null.
public interface IWorkflowSettingsCheck
{
    string? Check(JsonObject settings);
}
