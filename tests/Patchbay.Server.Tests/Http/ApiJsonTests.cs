using System.Globalization;
using System.Text.Json;
using Patchbay.Http;
using Xunit;

namespace Patchbay.Tests.Http;

public sealed class ApiJsonTests
{
    [Theory]
    [InlineData("2026-05-22T11:24:06.840+00:00", "2026-05-22T11:24:06.840Z")]
    [InlineData("0001-01-01T00:00:00.000+00:00", "0001-01-01T00:00:00.000Z")]
    [InlineData("2026-12-31T23:59:59.999+00:00", "2026-12-31T23:59:59.999Z")]
    [InlineData("2026-01-02T03:04:05.0069999+02:00", "2026-01-02T01:04:05.006Z")]
    public void Instants_AreWrittenAsUtcWithMilliseconds(string input, string expected)
    {
        var value = DateTimeOffset.Parse(input, CultureInfo.InvariantCulture);
        Assert.Equal(expected, UtcInstantConverter.Format(value));
        Assert.Equal($"\"{expected}\"", JsonSerializer.Serialize(value, ApiJson.Options));
    }

    [Theory]
    [InlineData(400, "BAD_REQUEST")]
    [InlineData(401, "UNAUTHORIZED")]
    [InlineData(403, "FORBIDDEN")]
    [InlineData(404, "NOT_FOUND")]
    [InlineData(409, "CONFLICT")]
    [InlineData(413, "PAYLOAD_TOO_LARGE")]
    [InlineData(429, "TOO_MANY_REQUESTS")]
    [InlineData(500, "INTERNAL_SERVER_ERROR")]
    [InlineData(501, "NOT_IMPLEMENTED")]
    [InlineData(503, "SERVICE_UNAVAILABLE")]
    public void HttpErrorTypes_MapStatusesExplicitly(int status, string expected) => Assert.Equal(expected, HttpErrorTypes.For(status));
}
