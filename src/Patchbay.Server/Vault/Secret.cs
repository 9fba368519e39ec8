namespace Patchbay.Vault;

// A secret value in flight. ToString() hides it, so it cannot slip into a log line or an interpolated message.
public readonly record struct Secret(string Value)
{
    public override string ToString() => "[redacted]";
}
