using System.Text.RegularExpressions;

namespace StackModel.Hosting.ApplicationModel;

/// <summary>Rules for resource names, shared by every resource and by the environment they produce.</summary>
internal static partial class ResourceNames
{
    public static void ThrowIfInvalid(string name, string argumentName = "name")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, argumentName);
        if (!ValidName().IsMatch(name))
        {
            throw new ArgumentException(
                $"Resource name '{name}' is not valid. Use 1 to 64 letters, digits, '-' or '_', starting with a letter (for example 'app_dev').",
                argumentName);
        }
    }

    /// <summary>Turns a resource name into the prefix of the variables a reference injects: app_dev → APP_DEV.</summary>
    public static string ToEnvironmentPrefix(string name) => name.Replace('-', '_').ToUpperInvariant();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();
}
