using System.Text.Json.Serialization;
using Patchbay.Http;

namespace Patchbay.EnvironmentVariables;

// Refold's VariableDefinition (refold-api.md §3.17, §6).
public sealed record VariableDefinitionResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("var_format")] string VarFormat,
    [property: JsonPropertyName("encrypted")] bool Encrypted,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt);

// EN2 and the management routes answer `{ "definition": … }`.
public sealed record VariableDefinitionEnvelope([property: JsonPropertyName("definition")] VariableDefinitionResponse Definition);

// Refold's EnvVariableValue; `variable_definition_id` is the id string (§10: the schema wins over the example's
// object). `name`, `scope` and `encrypted` say which variable it is without a second call.
public sealed record EnvValueResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("variable_definition_id")] string VariableDefinitionId,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("linked_account_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LinkedAccountId,
    [property: JsonPropertyName("workflow_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkflowId,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("encrypted")] bool Encrypted,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt);

// EN3.
public sealed record EnvValueLookupResponse(
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("encrypted")] bool Encrypted,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("variable_definition_id")] string VariableDefinitionId);

// EN5: the pagination envelope with Refold's `status`.
public sealed record EnvValueList(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("docs")] IReadOnlyList<EnvValueResponse> Docs,
    [property: JsonPropertyName("totalDocs")] long TotalDocs,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("totalPages")] long TotalPages,
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("pagingCounter")] long PagingCounter,
    [property: JsonPropertyName("hasPrevPage")] bool HasPrevPage,
    [property: JsonPropertyName("hasNextPage")] bool HasNextPage,
    [property: JsonPropertyName("prevPage")] int? PrevPage,
    [property: JsonPropertyName("nextPage")] int? NextPage)
{
    public static EnvValueList From(Paginated<EnvValueResponse> page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new(EnvStatus.Success, page.Docs, page.TotalDocs, page.Limit, page.TotalPages, page.Page, page.PagingCounter,
            page.HasPrevPage, page.HasNextPage, page.PrevPage, page.NextPage);
    }
}

// EN6 and the definition delete.
public sealed record EnvDeletedResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string Message);

public static class EnvStatus
{
    public const string Success = "success";

    // What an encrypted value reads as everywhere outside the engine.
    public const string Redacted = "[REDACTED]";
}

// The body of POST /env/values (documents the request; EnvironmentVariableInput parses it).
public sealed record SetEnvValueRequest(
    [property: JsonPropertyName("variable_definition_id")] string VariableDefinitionId,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("linked_account_id")] string? LinkedAccountId = null,
    [property: JsonPropertyName("workflow_id")] string? WorkflowId = null);

// The body of POST /api/patchbay/v1/env/definitions.
public sealed record VariableDefinitionRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("var_format")] string? VarFormat = null,
    [property: JsonPropertyName("encrypted")] bool? Encrypted = null);

// The body of PATCH /api/patchbay/v1/env/definitions/{id}: what is absent stays as it is.
public sealed record VariableDefinitionChangeRequest(
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("scope")] string? Scope = null,
    [property: JsonPropertyName("var_format")] string? VarFormat = null,
    [property: JsonPropertyName("encrypted")] bool? Encrypted = null);
