using System.Data.Common;
using System.Text.Json.Nodes;
using Patchbay.Configs;
using Patchbay.Data;
using Patchbay.Datarefs;
using Patchbay.Datastores;
using Patchbay.Executions;
using Patchbay.Http;
using Patchbay.Workflows.Engine;

namespace Patchbay.Tables;

public static class DataNodeOperations
{
    public const string Insert = "insert";
    public const string Upsert = "upsert";
    public const string Update = "update";
    public const string Delete = "delete";
    public const string Search = "search";
    public const string Append = "append";
    public const string Put = "put";
    public const string Set = "set";
    public const string Read = "read";

    public static readonly IReadOnlyDictionary<string, string[]> ByNodeType = new Dictionary<string, string[]>
    {
        [NodeTypes.Table] = [Insert, Upsert, Update, Delete, Search],
        [NodeTypes.Dataref] = [Append, Put, Read],
        [NodeTypes.Datastore] = [Set, Append, Read],
    };
}

// The table, dataref and datastore nodes (docs/workflows.md): they act for the execution's linked account (and, for
// datastores, its config). Each node's writes are one transaction; a node that fails changes nothing. A node that
// re-runs after a crash repeats its write, so workflows that must not duplicate use upsert (or put) rather than insert.
public sealed class DataNodes(Db db, TableWriter writer, TableSearch search, TimeProvider time) : IDataNodes
{
    public async Task<NodeOutcome> RunAsync(StepPlan plan, ExecutionRow execution, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(execution);
        var s = plan.Settings;
        var operation = WorkflowDefinition.Text(s["operation"]) ?? "";
        try
        {
            return plan.Node.Type switch
            {
                NodeTypes.Table => await TableAsync(s, operation, execution, ct),
                NodeTypes.Dataref => await DatarefAsync(s, operation, execution, ct),
                _ => await DatastoreAsync(s, operation, execution, ct),
            };
        }
        catch (ApiException e)
        {
            return new NodeOutcome.Failed(e.Error.Message, Retryable: false);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return new NodeOutcome.Failed("a concurrent write created the same table or dataref; retrying", Retryable: true);
        }
    }

    static List<JsonObject> Records(JsonObject s)
    {
        var node = s["records"] ?? s["record"];
        return node switch
        {
            JsonObject one => [one],
            JsonArray many when many.All(r => r is JsonObject) => many.Select(r => (JsonObject)r!).ToList(),
            _ => throw new ApiException(ApiError.Validation("'records' must be an object or an array of objects")),
        };
    }

    async Task<NodeOutcome> TableAsync(JsonObject s, string operation, ExecutionRow execution, CancellationToken ct)
    {
        var name = Name(WorkflowDefinition.Text(s["table"]), "table", Limits.Name);
        var now = time.GetUtcNow();
        if (operation == DataNodeOperations.Search)
        {
            var found = await db.WithConnectionAsync(tx => TableStore.FindByNameAsync(tx, execution.LinkedAccountRowId, name, ct), ct)
                ?? throw new ApiException(ApiError.Validation($"No table '{name}'"));
            var columns = found.ColumnList();
            var terms = (s["filter"] as JsonObject ?? []).Select(p =>
                columns.FirstOrDefault(c => c.Name == p.Key) is { } column
                    ? search.RegexTerm(column, TableRecords.TextOf(p.Value) ?? "")
                    : throw new ApiException(ApiError.Validation($"Column '{p.Key}' does not exist"))).ToList();
            var rows = await search.RunAsync(found.Id, terms, search.Options.MaxSearchResults, 0, ct);
            var records = new JsonArray([.. rows.Select(r => (JsonNode)TableRecords.ToWire(r, columns))]);
            return new NodeOutcome.Done(new JsonObject { ["records"] = records, ["count"] = records.Count });
        }
        return await db.InTransactionAsync<NodeOutcome>(async tx =>
        {
            var table = await TableStore.FindByNameAsync(tx, execution.LinkedAccountRowId, name, ct);
            if (table is null)
            {
                if (s["columns"] is not JsonArray declared || operation is not (DataNodeOperations.Insert or DataNodeOperations.Upsert))
                    throw new ApiException(ApiError.Validation($"No table '{name}' (give 'columns' to create it on first write)"));
                var names = declared.Select(c => TableInput.ColumnName(TableRecords.TextOf(c))).Distinct().ToList();
                if (names.Count > writer.Options.MaxColumns) throw new ApiException(ApiError.Validation($"A table can have at most {writer.Options.MaxColumns} columns"));
                var columns = names.Select((c, i) => new TableColumn(c, i + 1)).ToList();
                table = new TableRow
                {
                    Id = Ids.New(now), OrgId = execution.OrgId, Environment = execution.Environment, LinkedAccountRowId = execution.LinkedAccountRowId,
                    Name = name, Columns = TableRow.SerializeColumns(columns), NextSlot = columns.Count + 1, NextSeq = 1, CreatedAt = now, UpdatedAt = now,
                };
                await TableStore.InsertAsync(tx, table, ct);
            }
            else
            {
                table = await TableStore.FindForUpdateAsync(tx, execution.LinkedAccountRowId, table.Id, ct) ?? table;
            }
            var key = WorkflowDefinition.Text(s["key"]);
            switch (operation)
            {
                case DataNodeOperations.Insert:
                    var added = await writer.AddAsync(tx, table, Records(s), now, ct);
                    return Done(new JsonObject { ["table_id"] = table.Id, ["inserted"] = added.Count, ["records"] = new JsonArray([.. added]) });
                case DataNodeOperations.Upsert:
                    var result = await writer.UpsertAsync(tx, table, key ?? throw new ApiException(ApiError.Validation("'key' (the key column) is required")), Records(s), now, ct);
                    return Done(new JsonObject
                    {
                        ["table_id"] = table.Id, ["inserted"] = result.Inserted, ["updated"] = result.Updated, ["records"] = new JsonArray([.. result.Records]),
                    });
                case DataNodeOperations.Update or DataNodeOperations.Delete:
                    var columns = table.ColumnList();
                    var keyColumn = columns.FirstOrDefault(c => c.Name == key) ?? throw new ApiException(ApiError.Validation("'key' must name a column of the table"));
                    var value = TableRecords.TextOf(s["value"]) ?? throw new ApiException(ApiError.Validation("'value' (the key's value) is required"));
                    var matches = (await TableStore.FindByKeyAsync(tx, table.Id, keyColumn.Slot, TableSearch.Key(value), ct))
                        .Where(m => TableRecords.TextOf(JsonNode.Parse(m.Data)!.AsObject()[TableRecords.SlotKey(keyColumn.Slot)]) == value).ToList();
                    if (operation == DataNodeOperations.Delete)
                    {
                        await TableStore.DeleteRecordsAsync(tx, table.Id, matches.Select(m => m.Id).ToList(), now, ct);
                        return Done(new JsonObject { ["table_id"] = table.Id, ["deleted"] = matches.Count });
                    }
                    var changes = TableWriter.Known(s["record"] as JsonObject ?? throw new ApiException(ApiError.Validation("'record' (the values to set) is required")), columns);
                    var updated = new JsonArray();
                    foreach (var match in matches) updated.Add(await writer.UpdateAsync(tx, table, match, changes, now, ct));
                    return Done(new JsonObject { ["table_id"] = table.Id, ["updated"] = matches.Count, ["records"] = updated });
                default:
                    throw new ApiException(ApiError.Validation($"'operation' must be one of {string.Join(", ", DataNodeOperations.ByNodeType[NodeTypes.Table])}"));
            }
        }, ct);
    }

    static NodeOutcome.Done Done(JsonObject output) => new(output);

    // Names and ids the nodes store: 1 to `max` printable characters.
    static string Name(string? value, string setting, int max) =>
        value is { Length: > 0 } v && v.Length <= max && !v.Any(char.IsControl) ? v
            : throw new ApiException(ApiError.Validation($"'{setting}' is required: 1 to {max} printable characters"));

    async Task<NodeOutcome> DatarefAsync(JsonObject s, string operation, ExecutionRow execution, CancellationToken ct)
    {
        var name = Name(WorkflowDefinition.Text(s["name"]), "name", Limits.Name);
        var now = time.GetUtcNow();
        if (operation == DataNodeOperations.Read)
        {
            return await db.WithConnectionAsync<NodeOutcome>(async tx =>
            {
                var dataref = await DatarefStore.FindAsync(tx, execution.LinkedAccountRowId, name, ct);
                if (dataref is null) return Done(new JsonObject { ["data"] = new JsonObject() });
                if (ValueTemplates.AsText(s["record_id"]) is { Length: > 0 } recordId && !recordId.Any(char.IsControl))
                {
                    var record = await DatarefStore.FindRecordAsync(tx, dataref.Id, recordId, ct);
                    return Done(new JsonObject { ["record_id"] = recordId, ["rows"] = record is null ? new JsonArray() : JsonNode.Parse(record.Rows) });
                }
                return Done(new JsonObject { ["data"] = await DatarefsApi.DataAsync(tx, dataref.Id, ct) });
            }, ct);
        }
        if (operation is not (DataNodeOperations.Append or DataNodeOperations.Put))
            throw new ApiException(ApiError.Validation($"'operation' must be one of {string.Join(", ", DataNodeOperations.ByNodeType[NodeTypes.Dataref])}"));
        var id = Name(ValueTemplates.AsText(s["record_id"]), "record_id", Limits.Identifier);
        var rows = Records(new JsonObject { ["records"] = (s["rows"] ?? s["row"])?.DeepClone() });
        return await db.InTransactionAsync<NodeOutcome>(async tx =>
        {
            var dataref = await DatarefStore.FindAsync(tx, execution.LinkedAccountRowId, name, ct);
            if (dataref is null)
            {
                dataref = new DatarefRow
                {
                    Id = Ids.New(now), OrgId = execution.OrgId, Environment = execution.Environment, LinkedAccountRowId = execution.LinkedAccountRowId,
                    Name = name, CreatedAt = now, UpdatedAt = now,
                };
                await DatarefStore.InsertAsync(tx, dataref, ct);
            }
            await tx.Dialect.LockRowAsync(tx, "datarefs", dataref.Id, ct);
            var all = new JsonArray();
            if (operation == DataNodeOperations.Append && await DatarefStore.FindRecordAsync(tx, dataref.Id, id, ct) is { } existing)
            {
                foreach (var row in JsonNode.Parse(existing.Rows)!.AsArray()) all.Add(row?.DeepClone());
            }
            foreach (var row in rows) all.Add(row.DeepClone());
            var text = all.ToJsonString();
            if (System.Text.Encoding.UTF8.GetByteCount(text) > writer.Options.MaxRecordBytes)
                throw new ApiException(ApiError.Validation($"The dataref record '{id}' would be larger than {writer.Options.MaxRecordBytes} bytes"));
            await DatarefStore.PutRecordAsync(tx, dataref.Id, id, text, now, ct);
            return Done(new JsonObject { ["dataref_id"] = dataref.Id, ["record_id"] = id, ["rows"] = all.DeepClone() });
        }, ct);
    }

    async Task<NodeOutcome> DatastoreAsync(JsonObject s, string operation, ExecutionRow execution, CancellationToken ct)
    {
        var name = Name(WorkflowDefinition.Text(s["name"]), "name", Limits.Identifier);
        if (!DataNodeOperations.ByNodeType[NodeTypes.Datastore].Contains(operation))
            throw new ApiException(ApiError.Validation($"'operation' must be one of {string.Join(", ", DataNodeOperations.ByNodeType[NodeTypes.Datastore])}"));
        var now = time.GetUtcNow();
        return await db.InTransactionAsync<NodeOutcome>(async tx =>
        {
            var config = await ConfigStore.FindAsync(tx, execution.LinkedAccountRowId, execution.Slug, execution.ConfigId, ct)
                ?? throw new ApiException(ApiError.Validation($"The execution has no config ({execution.Slug}, {execution.ConfigId}) to keep a datastore in"));
            await tx.Dialect.LockRowAsync(tx, "configs", config.Id, ct);
            var current = await DatastoreStore.RecordsAsync(tx, config.Id, name, ct) is { } text ? JsonNode.Parse(text)!.AsArray() : [];
            if (operation == DataNodeOperations.Read) return Done(new JsonObject { ["name"] = name, ["records"] = current });
            var records = operation == DataNodeOperations.Set ? new JsonArray() : current;
            foreach (var record in Records(s)) records.Add(record.DeepClone());
            var json = records.ToJsonString();
            var max = writer.Options.MaxRecordBytes * 16;
            if (System.Text.Encoding.UTF8.GetByteCount(json) > max)
                throw new ApiException(ApiError.Validation($"The datastore '{name}' would be larger than {max} bytes"));
            await DatastoreStore.PutAsync(tx, config.Id, name, json, now, ct);
            return Done(new JsonObject { ["name"] = name, ["count"] = records.Count });
        }, ct);
    }
}
