using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.HumanTasks;

// HT1: the task as its person may see it. No org, execution, node or other internal id.
public sealed record HumanTaskResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("form_structure")] JsonNode? FormStructure,
    [property: JsonPropertyName("ui_structure")] JsonNode? UiStructure,
    [property: JsonPropertyName("group"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Group,
    [property: JsonPropertyName("data")] JsonNode? Data,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("expire_in")] DateTimeOffset ExpireIn,
    [property: JsonPropertyName("receiver_emails")] JsonNode? ReceiverEmails,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt);

// HT2's body: the form's values, checked against the task's form_structure.
public sealed record SubmitHumanTaskRequest(
    [property: JsonPropertyName("data")] JsonObject Data);
