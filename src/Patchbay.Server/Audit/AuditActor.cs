using Patchbay.Auth;

namespace Patchbay.Audit;

// Who made a change and from where: the credential of the request that made it (an API key, a session token's linked
// account, the admin token), the `keys` command, or the server itself (workers: expiry, refresh failures). Feature
// code never passes it: the audit middleware binds the request to the async flow, and AuditLog reads it when an entry
// is written, so a write path adds one line.
public sealed record AuditActor(string Type, string? Id, string? Environment, string? LinkedAccountId, string? IpAddress, string? RequestId)
{
    static readonly AsyncLocal<Func<AuditActor>?> Ambient = new();

    public static readonly AuditActor System = new(AuditActorTypes.System, null, null, null, null, null);

    // The actor of whatever is running now: the bound request or command, else the server.
    public static AuditActor Current => Ambient.Value?.Invoke() ?? System;

    // The operator's command line (`keys regenerate`): the OS user who ran it.
    public static AuditActor Cli() => new(AuditActorTypes.Cli, global::System.Environment.UserName, null, null, null, null);

    // Makes `actor` the current one until the scope is disposed.
    public static IDisposable Use(AuditActor actor)
    {
        var previous = Ambient.Value;
        Ambient.Value = () => actor;
        return new Restore(previous);
    }

    // Read at write time, not at bind time: the admin token is checked by an endpoint filter, after the middleware.
    // The request is held in a box emptied when the request ends, so work that outlives it (and captured its async
    // flow) never reads a finished, possibly recycled, HttpContext: it acts as the server.
    internal static IDisposable Bind(HttpContext http)
    {
        var box = new RequestBox { Http = http };
        Ambient.Value = () => box.Http is { } current ? FromRequest(current) : System;
        return box;
    }

    sealed class RequestBox : IDisposable
    {
        public HttpContext? Http { get; set; }

        public void Dispose() => Http = null;
    }

    static AuditActor FromRequest(HttpContext http)
    {
        var ip = http.Connection.RemoteIpAddress is { } address
            ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
            : null;
        var caller = http.Features.Get<Caller>();
        if (caller is not null)
        {
            return caller.IsSession
                ? new(AuditActorTypes.Session, caller.CredentialId, caller.Environment, caller.LinkedAccountId, ip, http.TraceIdentifier)
                : new(AuditActorTypes.ApiKey, caller.CredentialId, caller.Environment, caller.LinkedAccountId, ip, http.TraceIdentifier);
        }
        // A write under /admin/v1 happens only once the admin filter has accepted the token.
        if (http.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
            return new(AuditActorTypes.Admin, null, null, null, ip, http.TraceIdentifier);
        // A request without a credential that still changes something (an OAuth callback, the hosted page's connect
        // code): the server acting on it, with the address and request id kept.
        return System with { IpAddress = ip, RequestId = http.TraceIdentifier };
    }

    sealed class Restore(Func<AuditActor>? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
