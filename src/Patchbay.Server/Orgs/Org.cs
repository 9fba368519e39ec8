using System.Text;

namespace Patchbay.Orgs;

public sealed record OrgRow
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

// An org's own product as an app: the "your_app" of linked accounts. Every org has one default custom app.
public sealed record CustomAppRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string? Icon { get; init; }
    public bool IsDefault { get; init; }
    public string AuthFields { get; init; } = "[]"; // JSON: FieldManifest[], what "your_app" credentials the org expects
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public static class Slugs
{
    public static string From(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) builder.Append(c);
            else if (builder.Length > 0 && builder[^1] != '-') builder.Append('-');
        }
        var slug = builder.ToString().Trim('-');
        return slug.Length == 0 ? "app" : slug;
    }
}
