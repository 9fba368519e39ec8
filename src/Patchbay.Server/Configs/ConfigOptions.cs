using Patchbay.Configuration;

namespace Patchbay.Configs;

public sealed class ConfigOptions
{
    public const string Section = "Patchbay:Configs";

    /// <summary>How long a datasource workflow may take to list a field's options before the field reports an error.</summary>
    [Duration("00:00:00.100", "00:05:00")]
    public TimeSpan DatasourceTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
