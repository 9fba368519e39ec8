using Patchbay.Http;

namespace Patchbay.Configs;

// The headers and query parameters config routes read by hand (§3.9, §3.10), named once for the handlers and the
// served document.
public static class ConfigApiDocs
{
    public const string SlugHeader = "slug";
    public const string DisableFieldOptionsHeader = "disable_field_options";
    public const string ConfigIdQuery = "config_id";
    public const string WorkflowIdQuery = "workflow_id";

    public static TBuilder WithDisableFieldOptions<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithHeader(DisableFieldOptionsHeader, required: false, "\"true\": answer the fields without their options (no datasource runs).");

    // Config-field routes name the app by a header and the config and workflow by the query.
    public static TBuilder WithFieldTarget<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithHeader(SlugHeader, required: true, "The app whose config fields these are.")
            .WithQuery(ConfigIdQuery, "The config (default: the linked account's id).")
            .WithQuery(WorkflowIdQuery, "A workflow of the app: its own fields (data_slots) rather than the app's.");
}
