using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Patchbay.Configuration;

// Every options class is bound from its section and checked when the server starts, before it listens: a bad value
// stops the start with a message that names the setting as it is written in configuration
// ("Patchbay:Workflows:CodeTimeout must be between 00:00:00.010 and 00:10:00"). Checks are DataAnnotations on the
// options class (ranges, required values) plus IValidatableObject for rules between settings.
public static class Settings
{
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    sealed class SectionValidator<T>(string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            if (results.Count == 0) return ValidateOptionsResult.Success;
            return ValidateOptionsResult.Fail(results.Select(r =>
                $"{section}:{string.Join(", ", r.MemberNames.DefaultIfEmpty("?"))} {r.ErrorMessage}"));
        }
    }
}

// A duration setting between two bounds (TimeSpan text, as configuration writes it).
[AttributeUsage(AttributeTargets.Property)]
public sealed class DurationAttribute(string minimum, string maximum) : ValidationAttribute($"must be between {minimum} and {maximum}")
{
    public string Minimum { get; } = minimum;
    public string Maximum { get; } = maximum;

    public override bool IsValid(object? value) =>
        value is null || (value is TimeSpan t && t >= TimeSpan.Parse(Minimum, System.Globalization.CultureInfo.InvariantCulture)
            && t <= TimeSpan.Parse(Maximum, System.Globalization.CultureInfo.InvariantCulture));
}

// A count or size setting between two bounds.
[AttributeUsage(AttributeTargets.Property)]
public sealed class BetweenAttribute(double minimum, double maximum) : ValidationAttribute($"must be between {minimum} and {maximum}")
{
    public double Minimum { get; } = minimum;
    public double Maximum { get; } = maximum;

    public override bool IsValid(object? value) =>
        value is null || Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) is var d && d >= Minimum && d <= Maximum;
}

// An optional text setting (a known key, a token): unset or blank, or at least this many characters once trimmed.
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinimumLengthAttribute(int minimum) : ValidationAttribute($"must be at least {minimum} characters of random text")
{
    public int Minimum { get; } = minimum;

    public override bool IsValid(object? value) =>
        value is not string text || string.IsNullOrWhiteSpace(text) || text.Trim().Length >= Minimum;
}
