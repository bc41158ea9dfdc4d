using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes;

namespace StackModel.Hosting.Orchestration;

/// <summary>Resolves the runtime choice of every resource that has one (<see cref="RuntimeSelectionAnnotation"/>), once per start.</summary>
internal static partial class RuntimeSelector
{
    public static void Resolve(IEnumerable<IResource> resources, IConfiguration configuration, IContainerEngineProbe probe, string appHostDirectory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(probe);
        var engineAnswers = new Lazy<bool>(probe.Answers);
        foreach (var resource in resources)
        {
            if (resource.Annotations.OfType<RuntimeSelectionAnnotation>().FirstOrDefault() is not { } annotation)
            {
                continue;
            }

            var selection = Select(resource, annotation, configuration, () => engineAnswers.Value, appHostDirectory,
                image: () => resource is not ContainerResource container ? null : probe.EnsureImage(resource.Name, $"{container.Image}:{container.Tag}"));
            annotation.Selection = selection;
            if (selection is { Kind: RuntimeKind.Off, Setting: "auto" })
            {
                LogTurnedOff(logger, selection.Reason!);
            }
        }
    }

    /// <remarks>
    /// <c>auto</c> picks the container only when <paramref name="image"/> also says it is present locally or was just pulled
    /// (<c>Stack:PullPolicy</c>); <see langword="null"/> from it means there is no image to check.
    /// </remarks>
    public static RuntimeSelection Select(IResource resource, RuntimeSelectionAnnotation annotation, IConfiguration configuration, Func<bool> engineAnswers, string appHostDirectory, Func<ImageAvailability?>? image = null)
    {
        var key = annotation.ConfigurationSection;
        var section = configuration.GetSection(key);
        var setting = (section["Runtime"] is { Length: > 0 } configured ? configured : "auto").Trim().ToLowerInvariant();
        var (program, leadingArgs) = ParseCommand(section, annotation.DefaultCommand, appHostDirectory);
        var name = resource.Name;
        var executable = new RuntimeSelection(RuntimeKind.Executable, setting)
        {
            Program = program,
            LeadingArgs = leadingArgs,
            WorkingDirectory = appHostDirectory,
        };

        switch (setting)
        {
            case "off":
                return new RuntimeSelection(RuntimeKind.Off, setting)
                {
                    Reason = $"Resource '{name}' is turned off by configuration ({key}:Runtime=off); whatever waits for it starts without it. " +
                             $"Set {key}:Runtime=auto, container or executable to run it.",
                };
            case "container":
                return new RuntimeSelection(RuntimeKind.Container, setting)
                {
                    Reason = engineAnswers() ? null :
                        $"Resource '{name}' is set to run as a container ({key}:Runtime=container), but no container runtime is available to this stack " +
                        $"(expected a Docker or Podman engine registered with the AppHost, found none). Run it as a host command instead " +
                        $"({key}:Runtime=executable, with {annotation.InstallHint} or {key}:Command=<path>), or turn it off ({key}:Runtime=off).",
                };
            case "executable":
                return IsRunnable(program) ? executable : executable with
                {
                    Reason = $"Resource '{name}' is set to run as a host command ({key}:Runtime=executable), but '{program}' is neither an existing file " +
                             $"nor on PATH. Install it ({annotation.InstallHint}), or set {key}:Command to its path.",
                };
            case "auto":
                ImageAvailability? availability = null;
                if (engineAnswers())
                {
                    availability = image?.Invoke();
                    if (availability is null or { Available: true })
                    {
                        return new RuntimeSelection(RuntimeKind.Container, setting);
                    }
                }

                if (IsRunnable(program))
                {
                    return executable;
                }

                return new RuntimeSelection(RuntimeKind.Off, setting)
                {
                    Reason = $"Resource '{name}' is turned off: it cannot run as a container here and '{program}' is not on PATH ({key}:Runtime=auto). " +
                             "A container needs an engine that answers, PostgreSQL on the stack network (Stack:Runtime=container) and its image present locally or pulled" +
                             (availability is null ? ". " : $" ({availability.Reason}). ") +
                             $"To run it, start Docker or Podman ({key}:Runtime=container), or install the command ({annotation.InstallHint}) " +
                             $"and set {key}:Command if it is not on PATH ({key}:Runtime=executable).",
                };
            default:
                throw new DistributedApplicationException(
                    $"{key}:Runtime is '{section["Runtime"]}' for resource '{name}'; expected auto, container, executable or off. Fix the setting, or remove it for auto.");
        }
    }

    /// <summary>
    /// Reads <c>Command</c> (a program, or a program and leading arguments separated by spaces, e.g. <c>dotnet /path/app.dll</c>;
    /// an existing file path is taken whole) and <c>CommandArgs</c> (an array, or one string split on spaces).
    /// </summary>
    private static (string Program, IReadOnlyList<string> LeadingArgs) ParseCommand(IConfigurationSection section, string defaultCommand, string appHostDirectory)
    {
        var command = section["Command"] is { Length: > 0 } configured ? configured.Trim() : defaultCommand;
        string[] parts = File.Exists(Path.GetFullPath(command, appHostDirectory)) && command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? [command]
            : command.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var program = parts[0].Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) ? Path.GetFullPath(parts[0], appHostDirectory) : parts[0];
        var args = new List<string>(parts[1..]);
        var extra = section.GetSection("CommandArgs");
        if (extra.Value is { Length: > 0 } single)
        {
            args.AddRange(single.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        else
        {
            args.AddRange(extra.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue).Select(c => c.Value ?? string.Empty));
        }

        return (program, args);
    }

    /// <summary>Whether <paramref name="program"/> is an existing file, or a name found in a folder of PATH.</summary>
    internal static bool IsRunnable(string program)
    {
        if (program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(program);
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)));
    }

    [LoggerMessage(EventId = LogEvents.ResourceTurnedOff, Level = LogLevel.Warning, Message = "{Reason}")]
    private static partial void LogTurnedOff(ILogger logger, string reason);
}
