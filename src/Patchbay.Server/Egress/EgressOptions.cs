using Patchbay.Configuration;

namespace Patchbay.Egress;

public sealed class EgressOptions
{
    public const string Section = "Patchbay:Egress";

    // Networks that outbound calls may reach although they are private, loopback or link-local, in CIDR form
    // ("127.0.0.0/8", "10.20.0.0/16"). Empty: public addresses only.
    public List<string> AllowedNetworks { get; set; } = [];

    [Between(0, 20)]

    public int MaxRedirects { get; set; } = 3;

    /// <summary>How long establishing a TCP connection may take.</summary>
    [Duration("00:00:00.100", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
