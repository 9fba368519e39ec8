using System.Text.Json;
using Xunit;

namespace Patchbay.Tests.Infrastructure;

public static class ApiAssert
{
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, int status)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected HTTP {status}, got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static Task<JsonElement> OkAsync(HttpResponseMessage response) => JsonAsync(response, 200);

    // All four contract fields, the error_code twin, and request_id = X-Trace-ID.
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, int status, string httpErrorType, string error, string? message = null)
    {
        var json = await JsonAsync(response, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, json.GetProperty("status_code").GetInt32());
        Assert.Equal(httpErrorType, json.GetProperty("http_error_type").GetString());
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.Equal(error, json.GetProperty("error_code").GetString());
        var actualMessage = json.GetProperty("message").GetString();
        if (message is not null) Assert.Equal(message, actualMessage);
        else Assert.False(string.IsNullOrWhiteSpace(actualMessage));
        var traceId = Assert.Single(response.Headers.GetValues("X-Trace-ID"));
        Assert.Equal(traceId, json.GetProperty("request_id").GetString());
        return json;
    }

    public static string Str(this JsonElement element, string property) =>
        element.GetProperty(property).GetString() ?? throw new InvalidOperationException($"{property} is null");
}
