using System.Text.Json.Nodes;
using Patchbay.Workflows.Engine;

namespace Patchbay.EnvironmentVariables;

// What an execution reads as {{env.NAME}}: for each name, the value of the most specific scope that has one
// (workflow → linked account → workspace → org), encrypted ones opened here, inside the engine, and nowhere else.
// The redactor it returns hides those opened values in everything the execution records.
public sealed class WorkflowEnvironment(EnvironmentVariableStore store, Vault.Vault vault)
{
    public sealed class UnreadableException(string message) : Exception(message);

    public async Task<(JsonObject Values, Redactor Redactor)> ForExecutionAsync(string orgId, string environment, string accountRowId,
        string workflowId, CancellationToken ct)
    {
        var rows = await store.ForExecutionAsync(orgId, environment, accountRowId, workflowId, ct);
        var values = new JsonObject();
        var secrets = new List<string>();
        foreach (var row in rows.OrderBy(r => VariableScopes.Precedence(r.Scope)).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            if (values.ContainsKey(row.Name)) continue;
            if (row.SealedValue is { } sealedValue)
            {
                string opened;
                try
                {
                    opened = (await vault.OpenAsync(sealedValue, VariableValueRow.SealContext(row.Id), ct)).Value;
                }
                catch (Vault.VaultException e)
                {
                    throw new UnreadableException($"Environment variable {row.Name} ({row.Scope} scope) could not be decrypted: {e.Message}");
                }
                secrets.Add(opened);
                values[row.Name] = opened;
            }
            else
            {
                values[row.Name] = row.Value ?? "";
            }
        }
        return (values, secrets.Count == 0 ? Redactor.None : Redactor.For(secrets));
    }
}
