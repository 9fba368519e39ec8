using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Patchbay.Egress;

public enum EgressFailure { DnsNotFound, Blocked, Refused, Unreachable }

// Why an outbound connection was not made; the message names the host (never a credential) in the words Node
// prints, which is what Refold's "Failed to verify credentials: …" messages show.
public sealed class EgressException(EgressFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public EgressFailure Failure { get; } = failure;
}

// Every call Patchbay makes on a customer's behalf goes through here. The host is resolved once; if any address
// is private, loopback, link-local (cloud metadata included) or otherwise internal, the call is refused, unless
// configuration allows that network; the connection then goes to the address that was checked, so a second DNS
// answer cannot redirect it (no rebinding between check and connect).
public sealed class EgressPolicy
{
    readonly (IPAddress Network, int Prefix)[] allowed;
    readonly TimeSpan connectTimeout;

    public EgressPolicy(IOptions<EgressOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        allowed = [.. options.Value.AllowedNetworks.Select(ParseCidr)];
        connectTimeout = options.Value.ConnectTimeout;
    }

    public bool IsAllowed(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return allowed.Any(n => InNetwork(address, n.Network, n.Prefix)) || !IsInternal(address);
    }

    public static bool IsInternal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0 || b[0] == 10 || b[0] == 127
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)      // carrier-grade NAT
                || (b[0] == 169 && b[1] == 254)                    // link-local, cloud metadata
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)         // IETF protocol assignments
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))     // benchmarking
                || b[0] >= 224;                                    // multicast, reserved, broadcast
        }
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || address.Equals(IPAddress.IPv6Any) || (address.GetAddressBytes()[0] & 0xFE) == 0xFC; // fc00::/7 unique local
    }

    // The SocketsHttpHandler.ConnectCallback of the egress HTTP client.
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try { addresses = await Dns.GetHostAddressesAsync(host, ct); }
            catch (SocketException e) { throw new EgressException(EgressFailure.DnsNotFound, $"getaddrinfo ENOTFOUND {host}", e); }
            if (addresses.Length == 0) throw new EgressException(EgressFailure.DnsNotFound, $"getaddrinfo ENOTFOUND {host}");
        }
        var refused = addresses.FirstOrDefault(a => !IsAllowed(a));
        if (refused is not null)
            throw new EgressException(EgressFailure.Blocked, $"connection to {host} ({refused}) refused by the egress policy: private and internal networks are not reachable");

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(connectTimeout);
        try
        {
            await socket.ConnectAsync(addresses, port, timeout.Token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var target = $"{addresses[0]}:{port}";
            throw e.SocketErrorCode == SocketError.ConnectionRefused
                ? new EgressException(EgressFailure.Refused, $"connect ECONNREFUSED {target}", e)
                : new EgressException(EgressFailure.Unreachable, $"connect {e.SocketErrorCode} {target}", e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new EgressException(EgressFailure.Unreachable, $"connect ETIMEDOUT {addresses[0]}:{port}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    static (IPAddress, int) ParseCidr(string cidr)
    {
        var parts = cidr.Split('/');
        var address = IPAddress.Parse(parts[0]);
        var prefix = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : address.GetAddressBytes().Length * 8;
        return (address, prefix);
    }

    static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        if (a.Length != n.Length) return false;
        for (var i = 0; i < a.Length && prefix > 0; i++, prefix -= 8)
        {
            var mask = prefix >= 8 ? 0xFF : (byte)(0xFF << (8 - prefix));
            if ((a[i] & mask) != (n[i] & mask)) return false;
        }
        return true;
    }
}
