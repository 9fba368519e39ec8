using System.Text.RegularExpressions;
using Patchbay.Tests.Apps;
using Xunit;

namespace Patchbay.Tests.Docs;

// The repository's docs stand on their own: README.md and docs/*.md name no file that is not in the repository (the
// contract and design notes the project was built from, a developer's working folders), link no web page (a reader
// offline, or in five years, must not need one; a project or licence is named in words, and a licence file vendored in
// the repository is linked relatively), and every relative link or image resolves to a file of the repository.
// Shell examples (```bash, ```sh…), which a reader runs, may call only this machine and example hosts. Other code
// (a catalog entry's `https://api.stripe.com` in a JSON sample, an inline `https://{{subdomain}}.zendesk.com`) holds
// values a reader reads, not links. The file names above are refused everywhere, code included.
public sealed partial class SelfContainedDocsTests
{
    static readonly string Root = SdkCompatibilityTests.RepositoryRoot();

    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string> { "README.md" };
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal))
            data.Add("docs/" + Path.GetFileName(file));
        return data;
    }

    // Files and folders outside the repository. `refold-openapi.yaml` may appear only as the repository's own copy.
    static readonly (Regex Pattern, string Why)[] Outside =
    [
        (new(@"refold-api\.md", RegexOptions.IgnoreCase), "names refold-api.md, which is not in the repository: state the fact itself"),
        (new(@"(?<!tests/Patchbay\.Server\.Tests/Contract/)refold-openapi\.yaml", RegexOptions.IgnoreCase),
            "names refold-openapi.yaml other than the repository's copy (tests/Patchbay.Server.Tests/Contract/refold-openapi.yaml)"),
        (new(@"DESIGN\.md", RegexOptions.IgnoreCase), "names DESIGN.md, which is not in the repository"),
        (new(@"\.\./shared\b|(?<![\w.-])shared/(api|DESIGN)", RegexOptions.IgnoreCase), "points at a shared/ folder outside the repository"),
        (new(@"/work/", RegexOptions.None), "points at a developer's /work/ folder"),
    ];

    // Hosts a runnable example or a placeholder may name: this machine, and the names reserved for examples (RFC 2606).
    [GeneratedRegex(@"^(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|(.+\.)?example(\.(com|org|net))?|.+\.(test|invalid|localhost))$", RegexOptions.IgnoreCase)]
    private static partial Regex LocalHost();

    // The authority: an IPv6 literal, or up to the first character that ends a URL in markdown or a shell line.
    [GeneratedRegex(@"https?://(\[[0-9a-f:.]+\][^/\s)>`'""\\;,]*|[^/\s)>\[\]`'""\\;,]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    // [text](target) and ![alt](target), target up to the first space or closing parenthesis.
    [GeneratedRegex(@"\]\(\s*<?([^)\s>]+)")]
    private static partial Regex LinkTarget();

    [GeneratedRegex(@"(`+).+?\1")]
    private static partial Regex InlineCode();

    // A fence line and its language.
    [GeneratedRegex(@"^\s*(```|~~~)\s*(\w*)")]
    private static partial Regex Fence();

    static readonly HashSet<string> Shells = new(StringComparer.OrdinalIgnoreCase) { "bash", "sh", "shell", "console", "zsh" };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Document_NamesNoFileOutsideTheRepository_AndLinksNoWebPage(string document)
    {
        var path = Path.Combine(Root, document);
        var lines = File.ReadAllLines(path);
        var problems = new List<string>();
        var fenced = false;
        var shell = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var at = $"{document}:{i + 1}";
            foreach (var (pattern, why) in Outside)
                if (pattern.IsMatch(line)) problems.Add($"{at}: {why}: {line.Trim()}");

            if (Fence().Match(line) is { Success: true } fence)
            {
                fenced = !fenced;
                shell = fenced && Shells.Contains(fence.Groups[2].Value);
                continue;
            }
            if (fenced && !shell) continue;
            var prose = fenced ? line : InlineCode().Replace(line, "");
            foreach (Match url in Url().Matches(prose))
            {
                if (LocalHost().IsMatch(HostOf(url))) continue;
                problems.Add(fenced ? $"{at}: calls {url.Value}: a runnable example may call only this machine or an example host"
                    : $"{at}: links {url.Value}, outside the repository: name it in words instead");
            }
            if (fenced) continue;
            foreach (Match link in LinkTarget().Matches(prose))
            {
                var target = link.Groups[1].Value;
                if (target.StartsWith('#') || Regex.IsMatch(target, "^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase)) continue; // anchors; URLs are checked above
                var file = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(target.Split('#')[0])));
                if (!file.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) problems.Add($"{at}: links {target}, outside the repository");
                else if (!File.Exists(file) && !Directory.Exists(file)) problems.Add($"{at}: links {target}, which does not exist");
            }
        }
        Assert.False(fenced, $"{document}: a code fence is never closed");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    static string HostOf(Match url)
    {
        var host = url.Groups[1].Value.Split('@')[^1];
        return host.StartsWith('[') ? host[..(host.IndexOf(']', StringComparison.Ordinal) + 1)] : host.Split(':')[0];
    }

    // The checks themselves: each kind of pointer outside the repository is caught, the allowed ones are not.
    [Theory]
    [InlineData("See refold-api.md §3.19.", true)]
    [InlineData("as `/work/shared/api/refold-openapi.yaml` says", true)]
    [InlineData("the copy at `tests/Patchbay.Server.Tests/Contract/refold-openapi.yaml`", false)]
    [InlineData("read ../shared/DESIGN.md", true)]
    [InlineData("in shared/api/ the contract", true)]
    [InlineData("the shared/ secret of a cluster", false)]
    public void OutsideFilePatterns_CatchWhatTheyShould(string line, bool caught) =>
        Assert.Equal(caught, Outside.Any(o => o.Pattern.IsMatch(line)));

    [Theory]
    [InlineData("https://github.com/dagrejs/dagre", false)]
    [InlineData("https://simpleicons.org", false)]
    [InlineData("http://localhost:8080/docs", true)]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("https://hooks.example.com/x", true)]
    [InlineData("https://user:pw@api.example.org/", true)]
    [InlineData("https://acme.test/", true)]
    [InlineData("http://[::1]:8080/", true)]
    [InlineData("https://example.com.evil.io/", false)]
    public void AllowedHosts_AreThisMachineAndExampleNames(string url, bool allowed)
    {
        Assert.Equal(allowed, LocalHost().IsMatch(HostOf(Url().Match(url))));
    }
}
