using System.Text.Json.Nodes;
using Patchbay.Workflows;

namespace Patchbay.Configs;

// A workflow saved with fields of its own (settings.data_slots) must declare them validly: a 400 naming the slot.
public sealed class DataSlotsCheck : IWorkflowSettingsCheck
{
    public string? Check(JsonObject settings) => ConfigModel.ParseSlots(settings).Error;
}
