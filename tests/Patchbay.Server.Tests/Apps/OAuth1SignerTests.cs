using Patchbay.Apps;
using Xunit;

namespace Patchbay.Tests.Apps;

public sealed class OAuth1SignerTests
{
    // The expected value was computed with Python's hmac and urllib (an independent implementation of RFC 5849).
    [Fact]
    public void Sign_NetSuiteStyleRequest_MatchesIndependentImplementation()
    {
        var credentials = new OAuth1Signer.Credentials("ck value", "cs/secret", "tk", "ts+secret", "1234567_SB1", "HMAC-SHA256");
        var url = new Uri("https://1234567-SB1.suitetalk.api.netsuite.com/services/rest/record/v1/metadata-catalog?limit=5&q=a%20b%26c");
        var oauth = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["oauth_consumer_key"] = "ck value", ["oauth_nonce"] = "abc123", ["oauth_signature_method"] = "HMAC-SHA256",
            ["oauth_timestamp"] = "1700000000", ["oauth_token"] = "tk", ["oauth_version"] = "1.0",
        };
        Assert.Equal("HDm0mpOrwt+bRzwxE4kCuzG6O7f02o+1UbK67KK/b50=", OAuth1Signer.Sign(credentials, HttpMethod.Get, url, oauth));
    }

    [Fact]
    public void AuthorizationHeader_CarriesRealmAndEncodedSignature()
    {
        var credentials = new OAuth1Signer.Credentials("ck", "cs", "tk", "ts", "1234567_SB1", "HMAC-SHA256");
        var header = OAuth1Signer.AuthorizationHeader(credentials, HttpMethod.Get, new Uri("https://example.com/x"), 1700000000, "nonce123");
        Assert.StartsWith("OAuth realm=\"1234567_SB1\", oauth_consumer_key=\"ck\", oauth_nonce=\"nonce123\", oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"1700000000\", oauth_token=\"tk\", oauth_version=\"1.0\", oauth_signature=\"", header, StringComparison.Ordinal);
        Assert.DoesNotContain("cs", header.Replace("oauth_consumer_key", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
