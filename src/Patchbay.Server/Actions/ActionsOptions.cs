using Patchbay.Configuration;

namespace Patchbay.Actions;

public sealed class ActionsOptions
{
    public const string Section = "Patchbay:Actions";

    /// <summary>How long an action's request to the provider may take.</summary>
    [Duration("00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
