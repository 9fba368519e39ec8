using System.Net.Http.Json;
using System.Text.Json;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.EnvironmentVariables;

// What the environment-variable tests share: defining variables with the org key and setting values.
public static class EnvApi
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public const string Definitions = "/api/patchbay/v1/env/definitions";

    // Creates a definition; returns its id.
    public static async Task<string> DefineAsync(HttpClient orgClient, string name, string scope, string format = "string", bool encrypted = false)
    {
        ArgumentNullException.ThrowIfNull(orgClient);
        var created = await ApiAssert.JsonAsync(await orgClient.PostAsJsonAsync(Definitions,
            new { name, scope, var_format = format, encrypted, description = $"{name} ({scope})" }, Ct), 201);
        var definition = created.GetProperty("definition");
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/env/definitions/{id}", 200, created);
        return definition.Str("_id");
    }

    // Sets a value (POST /env/values); returns the answer.
    public static async Task<JsonElement> SetAsync(HttpClient client, object body)
    {
        ArgumentNullException.ThrowIfNull(client);
        var json = await ApiAssert.OkAsync(await client.PostAsJsonAsync("/api/v2/public/env/values", body, Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/env/values", 200, json);
        return json;
    }
}
